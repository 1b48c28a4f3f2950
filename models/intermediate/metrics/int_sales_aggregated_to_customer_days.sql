{#- Sales per customer and UTC day of creation, by status, up to as_of_date. -#}
with

sales as (

    {{ clean_rows_as_of('int_sales_validated') }}

),

aggregated as (

    select
        customer_id,
        created_date,
        count(*) as sale_attempts,
        sum(case when sale_status != 'void' then 1 else 0 end) as sales,
        sum(case when sale_status = 'success' then 1 else 0 end) as successful_sales,
        sum(case when sale_status = 'success' and is_upsell then 1 else 0 end) as upsell_sales,
        sum(case when sale_status = 'declined' then 1 else 0 end) as declined_sales,
        sum(case when sale_status = 'abandoned' then 1 else 0 end) as abandoned_sales,
        {{ sum_reporting_amount("case when sale_status = 'success' then amount_net_reporting end") }}
            as successful_sales_net_amount,
        {{ sum_reporting_amount("case when sale_status = 'success' then amount_gross_reporting end") }}
            as successful_sales_gross_amount,
        max(case when sale_status = 'success' then created_date end) as last_successful_sale_date
    from sales
    group by customer_id, created_date

)

select * from aggregated
