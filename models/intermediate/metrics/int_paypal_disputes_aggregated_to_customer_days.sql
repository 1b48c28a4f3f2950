{{ aggregate_facts_to_customer_days(
    'int_paypal_disputes_validated',
    count_as='paypal_disputes',
    sum_as='lifetime_paypal_dispute'
) }}
