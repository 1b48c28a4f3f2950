{{ aggregate_facts_to_customer_days('int_refunds_validated', count_as='refunds', sum_as='lifetime_refunded') }}
