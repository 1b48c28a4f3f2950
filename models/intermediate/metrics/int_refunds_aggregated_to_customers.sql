{{ aggregate_facts_to_customers('int_refunds_validated', count_as='refunds', sum_as='lifetime_refunded') }}
