{#- Every per-customer metric on the run's as_of_date: the as_of_date row of
    int_customer_metrics_by_date, where each metric is computed (for this
    and the other dates the run evaluates). One row per customer who exists
    that day; customer_metrics publishes it, and the reporting marts and
    contact restrictions read it. -#}
with

metrics_by_date as (

    select * from {{ ref('int_customer_metrics_by_date') }}
    where evaluation_date = {{ as_of_date() }}

),

final as (

    select
        customer_id,
        {{ as_of_date() }} as as_of_date,
        days_since_created,
        lifetime_value,
        lifetime_refunded,
        sales,
        average_sale,
        days_since_last_sale,
        successful_sales,
        upsell_sales,
        declined_sales,
        abandoned_sales,
        fraud_detections,
        lifetime_chargeback,
        chargebacks,
        lifetime_paypal_dispute,
        paypal_disputes,
        days_since_last_renewal,
        renewals,
        successful_renewals,
        overdue_renewals,
        days_until_card_expiry,
        has_sales,
        has_subscription,
        subscription_statuses,
        initial_sale_id,
        initial_campaign_id,
        initial_shop_id,
        initial_product_group_ids,
        default_card_expires_on,
        customer_created_date,
        is_enabled,
        has_marketing_consent,
        revenue,
        successful_sales_net_amount,
        successful_sales_gross_amount,
        successful_renewals_amount
    from metrics_by_date

)

select * from final
