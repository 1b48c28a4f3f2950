{{ aggregate_facts_to_customers('int_chargebacks_validated', count_as='chargebacks', sum_as='lifetime_chargeback') }}
