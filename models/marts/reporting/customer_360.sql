{#- One row per customer on as_of_date, for support and account managers:
    who they are, what they are worth, which groups and badges they have
    now, whether marketing may contact them, and their default card in the
    masked form a support agent may read out (never more than its last four
    digits). -#}
{%- set text = dbt.type_string() %}

-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

customers as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        country
    from ({{ clean_rows_as_of('int_customers_validated') }}) as customers

),

metrics as (

    select * from {{ ref('customer_metrics') }}

),

customer_facts as (

    select * from {{ ref('customer_outcomes') }}

),

memberships as (

    select
        memberships.customer_id,
        memberships.group_key,
        memberships.group_type,
        memberships.badge_icon,
        memberships.member_since,
        definitions.priority
    from {{ ref('customer_group_memberships') }} as memberships
    left join {{ ref('customer_group_definitions') }} as definitions
        on memberships.group_key = definitions.group_key

),

current_groups as (

    select
        customer_id,
        count(*) as current_group_count,
        {{ ordered_listagg('group_key', "', '", ['group_key']) }} as current_group_keys,
        min(member_since) as member_since
    from memberships
    group by customer_id

),

oldest_groups as (

    select
        customer_id,
        group_key as oldest_current_group_key,
        row_number() over (
            partition by customer_id
            order by member_since, coalesce(priority, 2147483647), group_key
        ) as group_rank
    from memberships

),

badge_icons as (

    select distinct
        customer_id,
        badge_icon
    from memberships
    where group_type = 'badge' and badge_icon is not null

),

badges as (

    select
        customer_id,
        {{ ordered_listagg('badge_icon', "', '", ['badge_icon']) }} as badges
    from badge_icons
    group by customer_id

),

contact_restrictions as (

    select
        customer_id,
        max(case when restriction = 'unsubscribed' then 1 else 0 end) = 1 as is_unsubscribed,
        max(case when restriction = 'hard_bounced' then 1 else 0 end) = 1 as is_hard_bounced,
        max(case when restriction = 'soft_bounced_5_times' then 1 else 0 end) = 1 as is_soft_bounced_5_times
    from {{ ref('int_contact_restrictions_identified') }}
    group by customer_id

),

do_not_contact as (

    select distinct customer_id
    from memberships
    where group_key = '{{ do_not_contact_group_key() }}'

),

default_cards as (

    -- The card selected on as_of_date: the one no later card replaced.
    select * from {{ ref('int_customer_cards_selected_as_default') }}
    where selected_until is null

),

final as (

    select
        cast(metrics.customer_id as {{ text }}) as customer_id,
        {{ as_of_date() }} as as_of_date,
        cast(customers.first_name as {{ text }}) as first_name,
        cast(customers.last_name as {{ text }}) as last_name,
        cast(customers.email as {{ text }}) as email,
        cast(customers.country as {{ text }}) as country,
        cast(metrics.customer_created_date as date) as customer_created_date,
        cast(metrics.is_enabled as boolean) as is_enabled,

        -- value
        cast(metrics.lifetime_value as decimal(38, 12)) as lifetime_value,
        cast(customer_facts.revenue as decimal(38, 12)) as revenue,
        cast(metrics.lifetime_refunded as decimal(38, 12)) as lifetime_refunded,
        cast(metrics.sales as integer) as sales,
        cast(metrics.successful_sales as integer) as successful_sales,
        cast(metrics.declined_sales as integer) as declined_sales,
        cast(metrics.average_sale as decimal(38, 12)) as average_sale,
        cast(metrics.days_since_last_sale as integer) as days_since_last_sale,
        cast(metrics.renewals as integer) as renewals,
        cast(metrics.successful_renewals as integer) as successful_renewals,
        cast(metrics.overdue_renewals as integer) as overdue_renewals,
        cast(metrics.days_since_last_renewal as integer) as days_since_last_renewal,
        cast(metrics.subscription_statuses as {{ text }}) as subscription_statuses,

        -- risk
        cast(metrics.chargebacks as integer) as chargebacks,
        cast(metrics.lifetime_chargeback as decimal(38, 12)) as lifetime_chargeback,
        cast(metrics.paypal_disputes as integer) as paypal_disputes,
        cast(metrics.fraud_detections as integer) as fraud_detections,

        -- groups and badges
        cast(coalesce(current_groups.current_group_count, 0) as integer) as current_group_count,
        cast(current_groups.current_group_keys as {{ text }}) as current_group_keys,
        cast(badges.badges as {{ text }}) as badges,
        cast(current_groups.member_since as date) as member_since,
        cast(oldest_groups.oldest_current_group_key as {{ text }}) as oldest_current_group_key,

        -- contact
        cast(coalesce(metrics.has_marketing_consent, false) as boolean) as has_marketing_consent,
        cast(coalesce(contact_restrictions.is_unsubscribed, false) as boolean) as is_unsubscribed,
        cast(coalesce(contact_restrictions.is_hard_bounced, false) as boolean) as is_hard_bounced,
        cast(coalesce(contact_restrictions.is_soft_bounced_5_times, false) as boolean) as is_soft_bounced_5_times,
        cast(do_not_contact.customer_id is not null as boolean) as is_in_do_not_contact,
        -- May we email them today: no contact restriction, and not in do-not-contact.
        cast(
            contact_restrictions.customer_id is null
            and do_not_contact.customer_id is null
            as boolean
        ) as may_be_contacted,

        -- default card: brand, last four digits, expiry MM/YY
        cast(
            case
                when default_cards.default_card_id is not null then {{ dbt.concat([
                    "coalesce(lower(default_cards.default_card_type), 'card')",
                    "' •••• '",
                    dbt.right("coalesce(default_cards.default_card_last_4, '????')", 4),
                    "' exp '",
                    dbt.right(dbt.concat(["'0'", "cast(default_cards.default_card_exp_month as " ~ text ~ ")"]), 2),
                    "'/'",
                    dbt.right("cast(default_cards.default_card_exp_year as " ~ text ~ ")", 2),
                ]) }}
            end
            as {{ text }}
        ) as default_card,
        cast(metrics.default_card_expires_on as date) as default_card_expires_on,
        cast(metrics.days_until_card_expiry as integer) as days_until_card_expiry,

        -- trial
        cast(customer_facts.first_trial_on as date) as first_trial_on,
        cast(customer_facts.is_trial_converted as boolean) as is_trial_converted
    from metrics
    left join customers on metrics.customer_id = customers.customer_id
    left join customer_facts on metrics.customer_id = customer_facts.customer_id
    left join current_groups on metrics.customer_id = current_groups.customer_id
    left join oldest_groups
        on
            metrics.customer_id = oldest_groups.customer_id
            and oldest_groups.group_rank = 1
    left join badges on metrics.customer_id = badges.customer_id
    left join contact_restrictions on metrics.customer_id = contact_restrictions.customer_id
    left join do_not_contact on metrics.customer_id = do_not_contact.customer_id
    left join default_cards on metrics.customer_id = default_cards.customer_id

)

select * from final
