{#- A customer's initial sale: the earliest sale that is not an upsell, of
    any status, created by as_of_date; ties go to the smaller id. As of an
    earlier date D the initial sale is this one when initial_sale_date <= D,
    and none otherwise (every other sale was created after it). -#}
with

sales as (

    {{ clean_rows_as_of('int_sales_validated') }}

),

ranked as (

    select
        customer_id,
        sale_id,
        campaign_id,
        third_party_shop_id,
        sale_status,
        created_at,
        created_date,
        row_number() over (
            partition by customer_id
            order by created_at, sale_id
        ) as sale_rank
    from sales
    where not is_upsell

),

final as (

    select
        customer_id,
        sale_id as initial_sale_id,
        campaign_id as initial_campaign_id,
        third_party_shop_id as initial_shop_id,
        sale_status as initial_sale_status,
        created_at as initial_sale_at,
        created_date as initial_sale_date
    from ranked
    where sale_rank = 1

)

select * from final
