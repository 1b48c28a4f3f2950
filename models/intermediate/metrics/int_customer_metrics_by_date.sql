{#- Every per-customer metric on each date this run evaluates
    (int_evaluation_dates), one row per customer and date on which the
    customer exists (clean, created on or before it): the range metrics of
    SPEC §3 named as their qualifiers, the facts group evaluation reads, and
    revenue in its parts. The one place where metrics, revenue and lifetime
    value are computed; int_customer_metrics_computed is its as_of_date row.

    Set-based, whatever the number of dates: each fact counts from its own
    UTC creation day, so the per-customer-day aggregates are added up per
    evaluation date (the deltas between consecutive dates) and summed in
    running order over the dates; "days since" metrics take the latest
    qualifying day on or before the date; the default card and the initial
    sale are the ones selected on the date. Statuses are read as the raw
    tables hold them now (SPEC §3). -#}
{%- set running = 'over (partition by spine.customer_id order by spine.evaluation_date'
    ~ ' rows between unbounded preceding and current row)' -%}
with

evaluation_dates as (

    select
        evaluation_date,
        lag(evaluation_date) over (order by evaluation_date) as previous_evaluation_date
    from {{ ref('int_evaluation_dates') }}

),

customers as (

    {{ clean_rows_as_of('int_customers_validated') }}

),

sales as (

    {{ deltas_by_evaluation_date(
        'int_sales_aggregated_to_customer_days',
        sums=['sale_attempts', 'sales', 'successful_sales', 'upsell_sales', 'declined_sales',
              'abandoned_sales', 'successful_sales_net_amount', 'successful_sales_gross_amount'],
        maxima=['last_successful_sale_date'],
    ) }}

),

renewals as (

    {{ deltas_by_evaluation_date(
        'int_renewals_aggregated_to_customer_days',
        sums=['renewals', 'successful_renewals', 'overdue_renewals', 'successful_renewals_amount'],
        maxima=['last_successful_renewal_date'],
    ) }}

),

subscriptions as (

    {{ deltas_by_evaluation_date('int_subscriptions_aggregated_to_customer_days', sums=['subscriptions']) }}

),

refunds as (

    {{ deltas_by_evaluation_date('int_refunds_aggregated_to_customer_days', sums=['lifetime_refunded']) }}

),

chargebacks as (

    {{ deltas_by_evaluation_date(
        'int_chargebacks_aggregated_to_customer_days', sums=['chargebacks', 'lifetime_chargeback']
    ) }}

),

paypal_disputes as (

    {{ deltas_by_evaluation_date(
        'int_paypal_disputes_aggregated_to_customer_days', sums=['paypal_disputes', 'lifetime_paypal_dispute']
    ) }}

),

fraud_detections as (

    {{ deltas_by_evaluation_date('int_fraud_detections_aggregated_to_customer_days', sums=['fraud_detections']) }}

),

-- Every customer on every date, before the filter on creation below, so that
-- a fact dated before its customer's creation still counts on later dates.
spine as (

    select
        customers.customer_id,
        customers.created_date,
        customers.is_enabled,
        customers.has_marketing_consent,
        evaluation_dates.evaluation_date
    from customers
    cross join evaluation_dates

),

running as (

    select
        spine.customer_id,
        spine.created_date,
        spine.is_enabled,
        spine.has_marketing_consent,
        spine.evaluation_date,
        sum(coalesce(sales.sale_attempts, 0)) {{ running }} as sale_attempts,
        sum(coalesce(sales.sales, 0)) {{ running }} as sales,
        sum(coalesce(sales.successful_sales, 0)) {{ running }} as successful_sales,
        sum(coalesce(sales.upsell_sales, 0)) {{ running }} as upsell_sales,
        sum(coalesce(sales.declined_sales, 0)) {{ running }} as declined_sales,
        sum(coalesce(sales.abandoned_sales, 0)) {{ running }} as abandoned_sales,
        sum(sales.successful_sales_net_amount) {{ running }} as successful_sales_net_amount,
        sum(sales.successful_sales_gross_amount) {{ running }} as successful_sales_gross_amount,
        max(sales.last_successful_sale_date) {{ running }} as last_successful_sale_date,
        sum(coalesce(renewals.renewals, 0)) {{ running }} as renewals,
        sum(coalesce(renewals.successful_renewals, 0)) {{ running }} as successful_renewals,
        sum(coalesce(renewals.overdue_renewals, 0)) {{ running }} as overdue_renewals,
        sum(renewals.successful_renewals_amount) {{ running }} as successful_renewals_amount,
        max(renewals.last_successful_renewal_date) {{ running }} as last_successful_renewal_date,
        sum(coalesce(subscriptions.subscriptions, 0)) {{ running }} as subscriptions,
        sum(refunds.lifetime_refunded) {{ running }} as lifetime_refunded,
        sum(coalesce(chargebacks.chargebacks, 0)) {{ running }} as chargebacks,
        sum(chargebacks.lifetime_chargeback) {{ running }} as lifetime_chargeback,
        sum(coalesce(paypal_disputes.paypal_disputes, 0)) {{ running }} as paypal_disputes,
        sum(paypal_disputes.lifetime_paypal_dispute) {{ running }} as lifetime_paypal_dispute,
        sum(coalesce(fraud_detections.fraud_detections, 0)) {{ running }} as fraud_detections
    from spine
    left join sales
        on spine.customer_id = sales.customer_id and spine.evaluation_date = sales.evaluation_date
    left join renewals
        on spine.customer_id = renewals.customer_id and spine.evaluation_date = renewals.evaluation_date
    left join subscriptions
        on spine.customer_id = subscriptions.customer_id and spine.evaluation_date = subscriptions.evaluation_date
    left join refunds
        on spine.customer_id = refunds.customer_id and spine.evaluation_date = refunds.evaluation_date
    left join chargebacks
        on spine.customer_id = chargebacks.customer_id and spine.evaluation_date = chargebacks.evaluation_date
    left join paypal_disputes
        on
            spine.customer_id = paypal_disputes.customer_id
            and spine.evaluation_date = paypal_disputes.evaluation_date
    left join fraud_detections
        on
            spine.customer_id = fraud_detections.customer_id
            and spine.evaluation_date = fraud_detections.evaluation_date

),

-- Customers created after a date are not evaluated on it.
customer_dates as (

    select * from running
    where created_date <= evaluation_date

),

initial_sales as (

    select * from {{ ref('int_initial_sales_identified') }}

),

default_cards as (

    select * from {{ ref('int_customer_cards_selected_as_default') }}

),

attributes_by_date as (

    select
        attributes.customer_id,
        attributes.attribute,
        attributes.attribute_value,
        evaluation_dates.evaluation_date
    from {{ ref('int_customer_attributes_unioned') }} as attributes
    inner join evaluation_dates
        on attributes.held_since <= evaluation_dates.evaluation_date
    where attributes.attribute in ('product_group', 'subscription_status')

),

initial_product_groups as (

    select
        customer_id,
        evaluation_date,
        {{ ordered_listagg('attribute_value', "', '", ['attribute_value']) }} as initial_product_group_ids
    from attributes_by_date
    where attribute = 'product_group'
    group by customer_id, evaluation_date

),

subscription_statuses as (

    select
        customer_id,
        evaluation_date,
        {{ ordered_listagg('attribute_value', "', '", ['attribute_value']) }} as subscription_statuses
    from attributes_by_date
    where attribute = 'subscription_status'
    group by customer_id, evaluation_date

),

joined as (

    select
        customer_dates.*,
        {{ days_between('customer_dates.created_date', 'customer_dates.evaluation_date') }}
            as days_since_created,
        coalesce(customer_dates.successful_sales_net_amount, 0) as net_amount,
        coalesce(customer_dates.successful_sales_gross_amount, 0) as gross_amount,
        coalesce(customer_dates.successful_renewals_amount, 0) as renewals_amount,
        coalesce(customer_dates.lifetime_refunded, 0) as refunded,
        customer_dates.successful_sales_gross_amount / nullif(customer_dates.successful_sales, 0) as average_sale,
        {{ days_between('customer_dates.last_successful_sale_date', 'customer_dates.evaluation_date') }}
            as days_since_last_sale,
        {{ days_between('customer_dates.last_successful_renewal_date', 'customer_dates.evaluation_date') }}
            as days_since_last_renewal,
        {{ days_between('customer_dates.evaluation_date', 'default_cards.default_card_expires_on') }}
            as days_until_card_expiry,
        default_cards.default_card_expires_on,
        subscription_statuses.subscription_statuses,
        initial_sales.initial_sale_id,
        initial_sales.initial_campaign_id,
        initial_sales.initial_shop_id,
        initial_product_groups.initial_product_group_ids
    from customer_dates
    left join initial_sales
        on
            customer_dates.customer_id = initial_sales.customer_id
            and customer_dates.evaluation_date >= initial_sales.initial_sale_date
    left join default_cards
        on
            customer_dates.customer_id = default_cards.customer_id
            and customer_dates.evaluation_date >= default_cards.selected_from
            and (
                default_cards.selected_until is null
                or customer_dates.evaluation_date < default_cards.selected_until
            )
    left join subscription_statuses
        on
            customer_dates.customer_id = subscription_statuses.customer_id
            and customer_dates.evaluation_date = subscription_statuses.evaluation_date
    left join initial_product_groups
        on
            customer_dates.customer_id = initial_product_groups.customer_id
            and customer_dates.evaluation_date = initial_product_groups.evaluation_date

),

-- Revenue is what was paid; lifetime value is revenue less every refund.
valued as (

    select
        *,
        net_amount + renewals_amount as revenue,
        net_amount + renewals_amount - refunded as lifetime_value
    from joined

),

final as (

    select
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(evaluation_date as date) as evaluation_date,
        -- A compact key for the (customer, date) row in group evaluation's
        -- largest tables (see int_customer_group_qualifier_rows_passed).
        cast(row_number() over (order by customer_id, evaluation_date) as {{ dbt.type_bigint() }})
            as customer_evaluation_number,
        cast(days_since_created as integer) as days_since_created,
        cast(lifetime_value as decimal(38, 12)) as lifetime_value,
        cast(refunded as decimal(38, 12)) as lifetime_refunded,
        cast(sales as integer) as sales,
        cast(average_sale as decimal(38, 12)) as average_sale,
        cast(days_since_last_sale as integer) as days_since_last_sale,
        cast(successful_sales as integer) as successful_sales,
        cast(upsell_sales as integer) as upsell_sales,
        cast(declined_sales as integer) as declined_sales,
        cast(abandoned_sales as integer) as abandoned_sales,
        cast(fraud_detections as integer) as fraud_detections,
        cast(coalesce(lifetime_chargeback, 0) as decimal(38, 12)) as lifetime_chargeback,
        cast(chargebacks as integer) as chargebacks,
        cast(coalesce(lifetime_paypal_dispute, 0) as decimal(38, 12)) as lifetime_paypal_dispute,
        cast(paypal_disputes as integer) as paypal_disputes,
        cast(days_since_last_renewal as integer) as days_since_last_renewal,
        cast(renewals as integer) as renewals,
        cast(successful_renewals as integer) as successful_renewals,
        cast(overdue_renewals as integer) as overdue_renewals,
        cast(days_until_card_expiry as integer) as days_until_card_expiry,
        cast(sale_attempts > 0 as boolean) as has_sales,
        cast(subscriptions > 0 as boolean) as has_subscription,
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
        cast(net_amount as decimal(38, 12)) as successful_sales_net_amount,
        cast(gross_amount as decimal(38, 12)) as successful_sales_gross_amount,
        cast(renewals_amount as decimal(38, 12)) as successful_renewals_amount
    from valued

)

select * from final
