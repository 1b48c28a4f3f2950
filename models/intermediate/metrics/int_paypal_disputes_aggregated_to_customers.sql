{{ aggregate_facts_to_customers(
    'int_paypal_disputes_validated',
    count_as='paypal_disputes',
    sum_as='lifetime_paypal_dispute'
) }}
