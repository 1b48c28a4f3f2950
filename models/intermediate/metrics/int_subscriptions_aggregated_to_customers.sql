with

subscriptions as (

    {{ clean_rows_as_of('int_subscriptions_validated') }}

),

aggregated as (

    select
        customer_id,
        count(*) as subscriptions,
        sum(case when subscription_status in ('active', 'trial') then 1 else 0 end) as live_subscriptions,
        {{ dbt.listagg('distinct subscription_status', "', '", "order by subscription_status") }}
            as subscription_statuses
    from subscriptions
    group by customer_id

)

select * from aggregated
