{#- One row per customer group on as_of_date: its current members and what
    they are worth (revenue, lifetime value), and the rates the business
    steers by. Every rate comes with its numerator and denominator as
    columns, so a dashboard can re-aggregate them; a rate is NULL when its
    denominator is 0. A group without members still has a row. -#}
-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

definitions as (

    select
        group_key,
        group_name,
        group_type,
        is_enabled
    from {{ ref('customer_group_definitions') }}

),

memberships as (

    select
        group_key,
        customer_id
    from {{ ref('customer_group_memberships') }}

),

customer_facts as (

    select * from {{ ref('customer_outcomes') }}

),

member_facts as (

    select
        memberships.group_key,
        memberships.customer_id,
        coalesce(customer_facts.revenue, 0) as revenue,
        customer_facts.lifetime_value,
        coalesce(customer_facts.lifetime_refunded, 0) as lifetime_refunded,
        coalesce(customer_facts.successful_sales, 0) as successful_sales,
        coalesce(customer_facts.successful_sales_gross_amount, 0) as successful_sales_gross_amount,
        coalesce(customer_facts.chargebacks, 0) as chargebacks,
        coalesce(customer_facts.renewals, 0) as renewals,
        coalesce(customer_facts.successful_renewals, 0) as successful_renewals,
        customer_facts.first_trial_on,
        customer_facts.is_trial_converted
    from memberships
    left join customer_facts
        on memberships.customer_id = customer_facts.customer_id

),

aggregated as (

    select
        group_key,
        count(*) as members,
        sum(revenue) as revenue,
        sum(lifetime_value) as ltv_total,
        avg(lifetime_value) as ltv_average,
        {{ median_of('lifetime_value') }} as ltv_median,
        sum(successful_sales) as successful_sales,
        sum(successful_sales_gross_amount) as successful_sales_gross_amount,
        sum(lifetime_refunded) as refunded_amount,
        sum(chargebacks) as chargebacks,
        sum(case when successful_sales >= 1 then 1 else 0 end) as purchasing_members,
        sum(case when successful_sales >= 2 then 1 else 0 end) as repeat_purchasing_members,
        sum(renewals) as renewals,
        sum(successful_renewals) as successful_renewals,
        sum(case when first_trial_on is not null then 1 else 0 end) as trial_members,
        sum(case when is_trial_converted then 1 else 0 end) as converted_trial_members
    from member_facts
    group by group_key

),

final as (

    select
        cast(definitions.group_key as {{ dbt.type_string() }}) as group_key,
        cast(definitions.group_name as {{ dbt.type_string() }}) as group_name,
        cast(definitions.group_type as {{ dbt.type_string() }}) as group_type,
        cast(definitions.is_enabled as boolean) as is_enabled,
        {{ as_of_date() }} as as_of_date,
        cast(coalesce(aggregated.members, 0) as integer) as members,

        cast(coalesce(aggregated.revenue, 0) as decimal(38, 12)) as revenue,
        cast(coalesce(aggregated.ltv_total, 0) as decimal(38, 12)) as ltv_total,
        cast(aggregated.ltv_average as decimal(38, 12)) as ltv_average,
        cast(aggregated.ltv_median as decimal(38, 12)) as ltv_median,

        cast(coalesce(aggregated.successful_sales, 0) as integer) as successful_sales,
        cast(coalesce(aggregated.successful_sales_gross_amount, 0) as decimal(38, 12))
            as successful_sales_gross_amount,
        cast(
            aggregated.successful_sales_gross_amount / nullif(aggregated.successful_sales, 0)
            as decimal(38, 12)
        ) as average_order_value,

        cast(coalesce(aggregated.refunded_amount, 0) as decimal(38, 12)) as refunded_amount,
        {{ ratio('aggregated.refunded_amount', 'aggregated.revenue') }} as refund_rate,

        cast(coalesce(aggregated.chargebacks, 0) as integer) as chargebacks,
        {{ ratio('aggregated.chargebacks', 'aggregated.successful_sales') }} as chargeback_rate,

        cast(coalesce(aggregated.purchasing_members, 0) as integer) as purchasing_members,
        cast(coalesce(aggregated.repeat_purchasing_members, 0) as integer) as repeat_purchasing_members,
        {{ ratio('aggregated.repeat_purchasing_members', 'aggregated.purchasing_members') }}
            as repeat_purchase_rate,

        cast(coalesce(aggregated.renewals, 0) as integer) as renewals,
        cast(coalesce(aggregated.successful_renewals, 0) as integer) as successful_renewals,
        {{ ratio('aggregated.successful_renewals', 'aggregated.renewals') }} as renewal_success_rate,

        cast(coalesce(aggregated.trial_members, 0) as integer) as trial_members,
        cast(coalesce(aggregated.converted_trial_members, 0) as integer) as converted_trial_members,
        {{ ratio('aggregated.converted_trial_members', 'aggregated.trial_members') }} as trial_conversion_rate
    from definitions
    left join aggregated
        on definitions.group_key = aggregated.group_key

)

select * from final
