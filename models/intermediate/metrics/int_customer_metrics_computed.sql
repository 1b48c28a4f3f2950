{#- One row per customer who exists on as_of_date, with every range metric
    of SPEC §3 named as its qualifier, the facts group evaluation reads, and
    the parts of revenue the reporting marts add up. The one place where
    revenue and lifetime value are summed; customer_metrics publishes it. -#}
with

customers as (

    {{ clean_rows_as_of('int_customers_validated') }}

),

sales as (

    select * from {{ ref('int_sales_aggregated_to_customers') }}

),

renewals as (

    select * from {{ ref('int_renewals_aggregated_to_customers') }}

),

subscriptions as (

    select * from {{ ref('int_subscriptions_aggregated_to_customers') }}

),

refunds as (

    select * from {{ ref('int_refunds_aggregated_to_customers') }}

),

chargebacks as (

    select * from {{ ref('int_chargebacks_aggregated_to_customers') }}

),

paypal_disputes as (

    select * from {{ ref('int_paypal_disputes_aggregated_to_customers') }}

),

fraud_detections as (

    select * from {{ ref('int_fraud_detections_aggregated_to_customers') }}

),

initial_sales as (

    select * from {{ ref('int_initial_sales_identified') }}

),

default_cards as (

    select * from {{ ref('int_customer_cards_selected_as_default') }}

),

initial_product_groups as (

    select
        customer_id,
        {{ dbt.listagg('attribute_value', "', '", "order by attribute_value") }} as initial_product_group_ids
    from {{ ref('int_customer_attributes_unioned') }}
    where attribute = 'product_group'
    group by customer_id

),

joined as (

    select
        customers.customer_id,
        customers.created_date,
        customers.is_enabled,
        customers.has_marketing_consent,

        {{ days_between('customers.created_date', as_of_date()) }}
            as days_since_created,

        coalesce(sales.successful_sales_net_amount, 0) as successful_sales_net_amount,
        coalesce(sales.successful_sales_gross_amount, 0) as successful_sales_gross_amount,
        coalesce(renewals.successful_renewals_amount, 0) as successful_renewals_amount,
        coalesce(refunds.lifetime_refunded, 0) as lifetime_refunded,

        coalesce(sales.sales, 0) as sales,
        sales.successful_sales_gross_amount / nullif(sales.successful_sales, 0) as average_sale,
        {{ days_between('sales.last_successful_sale_date', as_of_date()) }}
            as days_since_last_sale,
        coalesce(sales.successful_sales, 0) as successful_sales,
        coalesce(sales.upsell_sales, 0) as upsell_sales,
        coalesce(sales.declined_sales, 0) as declined_sales,
        coalesce(sales.abandoned_sales, 0) as abandoned_sales,

        coalesce(fraud_detections.fraud_detections, 0) as fraud_detections,
        coalesce(chargebacks.lifetime_chargeback, 0) as lifetime_chargeback,
        coalesce(chargebacks.chargebacks, 0) as chargebacks,
        coalesce(paypal_disputes.lifetime_paypal_dispute, 0) as lifetime_paypal_dispute,
        coalesce(paypal_disputes.paypal_disputes, 0) as paypal_disputes,

        {{ days_between('renewals.last_successful_renewal_date', as_of_date()) }}
            as days_since_last_renewal,
        coalesce(renewals.renewals, 0) as renewals,
        coalesce(renewals.successful_renewals, 0) as successful_renewals,
        coalesce(renewals.overdue_renewals, 0) as overdue_renewals,

        default_cards.days_until_card_expiry,
        default_cards.default_card_expires_on,

        coalesce(sales.sale_attempts, 0) > 0 as has_sales,
        coalesce(subscriptions.subscriptions, 0) > 0 as has_subscription,
        subscriptions.subscription_statuses,
        initial_sales.initial_sale_id,
        initial_sales.initial_campaign_id,
        initial_sales.initial_shop_id,
        initial_product_groups.initial_product_group_ids

    from customers
    left join sales on customers.customer_id = sales.customer_id
    left join renewals on customers.customer_id = renewals.customer_id
    left join subscriptions on customers.customer_id = subscriptions.customer_id
    left join refunds on customers.customer_id = refunds.customer_id
    left join chargebacks on customers.customer_id = chargebacks.customer_id
    left join paypal_disputes on customers.customer_id = paypal_disputes.customer_id
    left join fraud_detections on customers.customer_id = fraud_detections.customer_id
    left join initial_sales on customers.customer_id = initial_sales.customer_id
    left join default_cards on customers.customer_id = default_cards.customer_id
    left join initial_product_groups on customers.customer_id = initial_product_groups.customer_id

),

-- Revenue is what was paid; lifetime value is revenue less every refund.
valued as (

    select
        *,
        successful_sales_net_amount + successful_renewals_amount as revenue,
        successful_sales_net_amount + successful_renewals_amount - lifetime_refunded as lifetime_value
    from joined

),

final as (

    select
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        {{ as_of_date() }} as as_of_date,
        cast(days_since_created as integer) as days_since_created,
        cast(lifetime_value as decimal(38, 12)) as lifetime_value,
        cast(lifetime_refunded as decimal(38, 12)) as lifetime_refunded,
        cast(sales as integer) as sales,
        cast(average_sale as decimal(38, 12)) as average_sale,
        cast(days_since_last_sale as integer) as days_since_last_sale,
        cast(successful_sales as integer) as successful_sales,
        cast(upsell_sales as integer) as upsell_sales,
        cast(declined_sales as integer) as declined_sales,
        cast(abandoned_sales as integer) as abandoned_sales,
        cast(fraud_detections as integer) as fraud_detections,
        cast(lifetime_chargeback as decimal(38, 12)) as lifetime_chargeback,
        cast(chargebacks as integer) as chargebacks,
        cast(lifetime_paypal_dispute as decimal(38, 12)) as lifetime_paypal_dispute,
        cast(paypal_disputes as integer) as paypal_disputes,
        cast(days_since_last_renewal as integer) as days_since_last_renewal,
        cast(renewals as integer) as renewals,
        cast(successful_renewals as integer) as successful_renewals,
        cast(overdue_renewals as integer) as overdue_renewals,
        cast(days_until_card_expiry as integer) as days_until_card_expiry,
        cast(has_sales as boolean) as has_sales,
        cast(has_subscription as boolean) as has_subscription,
        cast(subscription_statuses as {{ dbt.type_string() }}) as subscription_statuses,
        cast(initial_sale_id as {{ dbt.type_string() }}) as initial_sale_id,
        cast(initial_campaign_id as {{ dbt.type_string() }}) as initial_campaign_id,
        cast(initial_shop_id as {{ dbt.type_string() }}) as initial_shop_id,
        cast(initial_product_group_ids as {{ dbt.type_string() }}) as initial_product_group_ids,
        cast(default_card_expires_on as date) as default_card_expires_on,
        cast(created_date as date) as customer_created_date,
        cast(is_enabled as boolean) as is_enabled,
        cast(has_marketing_consent as boolean) as has_marketing_consent,
        cast(revenue as decimal(38, 12)) as revenue,
        cast(successful_sales_net_amount as decimal(38, 12)) as successful_sales_net_amount,
        cast(successful_sales_gross_amount as decimal(38, 12)) as successful_sales_gross_amount,
        cast(successful_renewals_amount as decimal(38, 12)) as successful_renewals_amount
    from valued

)

select * from final
