{#- Renewals per customer and UTC day of creation, up to as_of_date. -#}
with

renewals as (

    {{ clean_rows_as_of('int_subscription_renewals_validated') }}

),

aggregated as (

    select
        customer_id,
        created_date,
        count(*) as renewals,
        sum(case when renewal_status = 'success' then 1 else 0 end) as successful_renewals,
        sum(case when renewal_status = 'overdue' then 1 else 0 end) as overdue_renewals,
        {{ sum_reporting_amount("case when renewal_status = 'success' then amount_total_reporting end") }}
            as successful_renewals_amount,
        max(case when renewal_status = 'success' then created_date end) as last_successful_renewal_date
    from renewals
    group by customer_id, created_date

)

select * from aggregated
