{#- One row per customer on as_of_date with what the group reports add up:
    revenue and its parts (computed once, in int_customer_metrics_computed)
    and the trial-conversion outcome, which reads the membership history
    and so lives in the marts layer. customer_group_performance sums it per
    group; customer_360 shows it. -#}
-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

customers as (

    select
        customer_id,
        revenue,
        successful_sales_net_amount,
        successful_sales_gross_amount,
        successful_renewals_amount,
        lifetime_value,
        lifetime_refunded,
        successful_sales,
        chargebacks,
        renewals,
        successful_renewals
    from {{ ref('int_customer_metrics_computed') }}

),

trial_stays as (

    select
        customer_id,
        min(valid_from) as first_trial_on
    from ({{ membership_stays_as_of() }}) as stays
    where group_key = '{{ trial_group_key() }}'
    group by customer_id

),

active_subscriptions as (

    select distinct customer_id
    from ({{ clean_rows_as_of('int_subscriptions_validated') }}) as subscriptions
    where subscription_status = 'active'

),

successful_renewals as (

    select
        customer_id,
        created_date
    from ({{ clean_rows_as_of('int_subscription_renewals_validated') }}) as renewals
    where renewal_status = 'success'

),

renewals_since_trial as (

    select distinct trial_stays.customer_id
    from trial_stays
    inner join successful_renewals
        on
            trial_stays.customer_id = successful_renewals.customer_id
            and trial_stays.first_trial_on <= successful_renewals.created_date

),

final as (

    select
        cast(customers.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(customers.successful_sales_net_amount as decimal(38, 12)) as successful_sales_net_amount,
        cast(customers.successful_sales_gross_amount as decimal(38, 12)) as successful_sales_gross_amount,
        cast(customers.successful_renewals_amount as decimal(38, 12)) as successful_renewals_amount,
        cast(customers.revenue as decimal(38, 12)) as revenue,
        cast(customers.lifetime_value as decimal(38, 12)) as lifetime_value,
        cast(customers.lifetime_refunded as decimal(38, 12)) as lifetime_refunded,
        cast(customers.successful_sales as integer) as successful_sales,
        cast(customers.chargebacks as integer) as chargebacks,
        cast(customers.renewals as integer) as renewals,
        cast(customers.successful_renewals as integer) as successful_renewals,
        cast(trial_stays.first_trial_on as date) as first_trial_on,
        cast(active_subscriptions.customer_id is not null as boolean) as has_active_subscription,
        cast(
            case
                when trial_stays.customer_id is not null
                    then active_subscriptions.customer_id is not null and renewals_since_trial.customer_id is not null
            end
            as boolean
        ) as is_trial_converted
    from customers
    left join trial_stays on customers.customer_id = trial_stays.customer_id
    left join active_subscriptions on customers.customer_id = active_subscriptions.customer_id
    left join renewals_since_trial on customers.customer_id = renewals_since_trial.customer_id

)

select * from final
