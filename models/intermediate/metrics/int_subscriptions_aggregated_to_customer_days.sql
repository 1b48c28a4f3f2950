{#- Subscriptions per customer and UTC day of creation, up to as_of_date.
    Their statuses (as the raw table holds them now) are list attributes:
    int_customer_attributes_unioned. -#}
with

subscriptions as (

    {{ clean_rows_as_of('int_subscriptions_validated') }}

),

aggregated as (

    select
        customer_id,
        created_date,
        count(*) as subscriptions
    from subscriptions
    group by customer_id, created_date

)

select * from aggregated
