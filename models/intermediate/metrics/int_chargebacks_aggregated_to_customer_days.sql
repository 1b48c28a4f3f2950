{{ aggregate_facts_to_customer_days(
    'int_chargebacks_validated',
    count_as='chargebacks',
    sum_as='lifetime_chargeback'
) }}
