{#- The list-valued facts group qualifiers match on, one row per customer and
    value: the initial sale's campaign, shop and product groups, the
    statuses of the customer's subscriptions, and metadata name/value pairs,
    each with the first UTC day it holds (held_since: the initial sale's
    date, the first subscription with that status, the first metadata row
    with that pair), so that any evaluation date D reads the values with
    held_since <= D. -#}
with

initial_sales as (

    select * from {{ ref('int_initial_sales_identified') }}

),

product_sales as (

    select * from {{ ref('int_product_sales_validated') }}
    where row_status = 'clean'

),

products as (

    select * from {{ ref('int_products_validated') }}
    where row_status = 'clean'

),

subscriptions as (

    {{ clean_rows_as_of('int_subscriptions_validated') }}

),

metadata as (

    {{ clean_rows_as_of('int_customer_metadata_validated') }}

),

campaigns as (

    select
        customer_id,
        'campaign' as attribute,
        cast(null as {{ dbt.type_string() }}) as attribute_name,
        initial_campaign_id as attribute_value,
        initial_sale_date as held_since
    from initial_sales
    where initial_campaign_id is not null

),

shops as (

    select
        customer_id,
        'shop' as attribute,
        cast(null as {{ dbt.type_string() }}) as attribute_name,
        initial_shop_id as attribute_value,
        initial_sale_date as held_since
    from initial_sales
    where initial_shop_id is not null

),

product_groups as (

    select distinct
        initial_sales.customer_id,
        'product_group' as attribute,
        cast(null as {{ dbt.type_string() }}) as attribute_name,
        products.product_group_id as attribute_value,
        initial_sales.initial_sale_date as held_since
    from initial_sales
    inner join product_sales
        on initial_sales.initial_sale_id = product_sales.sale_id
    inner join products
        on product_sales.product_id = products.product_id
    where products.product_group_id is not null

),

subscription_statuses as (

    select
        customer_id,
        'subscription_status' as attribute,
        cast(null as {{ dbt.type_string() }}) as attribute_name,
        subscription_status as attribute_value,
        min(created_date) as held_since
    from subscriptions
    group by customer_id, subscription_status

),

metadata_pairs as (

    select
        customer_id,
        'metadata' as attribute,
        metadata_name as attribute_name,
        metadata_value as attribute_value,
        min(created_date) as held_since
    from metadata
    group by customer_id, metadata_name, metadata_value

),

unioned as (

    select * from campaigns
    union all
    select * from shops
    union all
    select * from product_groups
    union all
    select * from subscription_statuses
    union all
    select * from metadata_pairs

)

select * from unioned
