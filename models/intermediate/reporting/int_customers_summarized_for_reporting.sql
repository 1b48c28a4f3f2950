{#- One row per customer of customer_metrics, with the money and the trial
    outcome the reporting marts add up: revenue split into its parts, and
    whether a customer who was ever in the trial group has converted. The
    group performance mart sums these per group; customer_360 shows them. -#}
with

customers as (

    select
        customer_id,
        lifetime_value,
        lifetime_refunded,
        successful_sales,
        chargebacks,
        renewals,
        successful_renewals
    from {{ ref('customer_metrics') }}

),

sales as (

    select
        customer_id,
        successful_sales_net_amount,
        successful_sales_gross_amount
    from {{ ref('int_sales_aggregated_to_customers') }}

),

renewal_amounts as (

    select
        customer_id,
        successful_renewals_amount
    from {{ ref('int_renewals_aggregated_to_customers') }}

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
        cast(coalesce(sales.successful_sales_net_amount, 0) as decimal(38, 12)) as successful_sales_net_amount,
        cast(coalesce(sales.successful_sales_gross_amount, 0) as decimal(38, 12)) as successful_sales_gross_amount,
        cast(coalesce(renewal_amounts.successful_renewals_amount, 0) as decimal(38, 12)) as successful_renewals_amount,
        cast(
            coalesce(sales.successful_sales_net_amount, 0)
            + coalesce(renewal_amounts.successful_renewals_amount, 0)
            as decimal(38, 12)
        ) as revenue,
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
    left join sales on customers.customer_id = sales.customer_id
    left join renewal_amounts on customers.customer_id = renewal_amounts.customer_id
    left join trial_stays on customers.customer_id = trial_stays.customer_id
    left join active_subscriptions on customers.customer_id = active_subscriptions.customer_id
    left join renewals_since_trial on customers.customer_id = renewals_since_trial.customer_id

)

select * from final
