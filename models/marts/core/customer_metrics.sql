{#- The per-customer metrics of SPEC §4 as people and BI tools read them:
    one row per customer on as_of_date, every range metric named as its
    qualifier. Computed in int_customer_metrics_computed. -#}
-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

metrics as (

    select * from {{ ref('int_customer_metrics_computed') }}

),

final as (

    select
        customer_id,
        as_of_date,
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
        has_marketing_consent
    from metrics

)

select * from final
