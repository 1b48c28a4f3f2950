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

-- Each customer's current groups, ranked oldest first (then by priority
-- and key): read once, so the memberships are not held in memory for
-- several readers.
ranked_memberships as (

    select
        memberships.customer_id,
        memberships.group_key,
        memberships.member_since,
        row_number() over (
            partition by memberships.customer_id
            order by memberships.member_since, coalesce(definitions.priority, 2147483647), memberships.group_key
        ) as group_rank
    from {{ ref('customer_group_memberships') }} as memberships
    left join {{ ref('customer_group_definitions') }} as definitions
        on memberships.group_key = definitions.group_key

),

current_groups as (

    select
        customer_id,
        count(*) as current_group_count,
        {{ ordered_listagg('group_key', "', '", ['group_key']) }} as current_group_keys,
        min(member_since) as member_since,
        max(case when group_rank = 1 then group_key end) as oldest_current_group_key
    from ranked_memberships
    group by customer_id

),

badge_icons as (

    select distinct
        customer_id,
        badge_icon
    from {{ ref('customer_group_memberships') }}
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
    from {{ ref('customer_group_memberships') }}
    where group_key = '{{ do_not_contact_group_key() }}'

),

default_cards as (

    -- The card selected on as_of_date: the one no later card replaced.
    select * from {{ ref('int_customer_cards_selected_as_default') }}
    where selected_until is null

),

-- Everything known of a customer outside their groups. Materialized (where
-- the engine allows) so the joins happen in two steps: DuckDB holds every
-- hash table of a chain of joins at once, and all nine ran out of memory at
-- 1M customers with 600MB.
profiles as {{ materialized_cte() }} (

    select
        metrics.*,
        customers.first_name,
        customers.last_name,
        customers.email,
        customers.country,
        customer_facts.revenue,
        customer_facts.first_trial_on,
        customer_facts.is_trial_converted,
        default_cards.default_card_id,
        default_cards.default_card_type,
        default_cards.default_card_last_4,
        default_cards.default_card_exp_month,
        default_cards.default_card_exp_year
    from {{ ref('customer_metrics') }} as metrics
    left join customers on metrics.customer_id = customers.customer_id
    left join {{ ref('customer_outcomes') }} as customer_facts on metrics.customer_id = customer_facts.customer_id
    left join default_cards on metrics.customer_id = default_cards.customer_id

),

final as (

    select
        cast(profiles.customer_id as {{ text }}) as customer_id,
        {{ as_of_date() }} as as_of_date,
        cast(profiles.first_name as {{ text }}) as first_name,
        cast(profiles.last_name as {{ text }}) as last_name,
        cast(profiles.email as {{ text }}) as email,
        cast(profiles.country as {{ text }}) as country,
        cast(profiles.customer_created_date as date) as customer_created_date,
        cast(profiles.is_enabled as boolean) as is_enabled,

        -- value
        cast(profiles.lifetime_value as decimal(38, 12)) as lifetime_value,
        cast(profiles.revenue as decimal(38, 12)) as revenue,
        cast(profiles.lifetime_refunded as decimal(38, 12)) as lifetime_refunded,
        cast(profiles.sales as integer) as sales,
        cast(profiles.successful_sales as integer) as successful_sales,
        cast(profiles.declined_sales as integer) as declined_sales,
        cast(profiles.average_sale as decimal(38, 12)) as average_sale,
        cast(profiles.days_since_last_sale as integer) as days_since_last_sale,
        cast(profiles.renewals as integer) as renewals,
        cast(profiles.successful_renewals as integer) as successful_renewals,
        cast(profiles.overdue_renewals as integer) as overdue_renewals,
        cast(profiles.days_since_last_renewal as integer) as days_since_last_renewal,
        cast(profiles.subscription_statuses as {{ text }}) as subscription_statuses,

        -- risk
        cast(profiles.chargebacks as integer) as chargebacks,
        cast(profiles.lifetime_chargeback as decimal(38, 12)) as lifetime_chargeback,
        cast(profiles.paypal_disputes as integer) as paypal_disputes,
        cast(profiles.fraud_detections as integer) as fraud_detections,

        -- groups and badges
        cast(coalesce(current_groups.current_group_count, 0) as integer) as current_group_count,
        cast(current_groups.current_group_keys as {{ text }}) as current_group_keys,
        cast(badges.badges as {{ text }}) as badges,
        cast(current_groups.member_since as date) as member_since,
        cast(current_groups.oldest_current_group_key as {{ text }}) as oldest_current_group_key,

        -- contact
        cast(coalesce(profiles.has_marketing_consent, false) as boolean) as has_marketing_consent,
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
                when profiles.default_card_id is not null then {{ dbt.concat([
                    "coalesce(lower(profiles.default_card_type), 'card')",
                    "' •••• '",
                    dbt.right("coalesce(profiles.default_card_last_4, '????')", 4),
                    "' exp '",
                    dbt.right(dbt.concat(["'0'", "cast(profiles.default_card_exp_month as " ~ text ~ ")"]), 2),
                    "'/'",
                    dbt.right("cast(profiles.default_card_exp_year as " ~ text ~ ")", 2),
                ]) }}
            end
            as {{ text }}
        ) as default_card,
        cast(profiles.default_card_expires_on as date) as default_card_expires_on,
        cast(profiles.days_until_card_expiry as integer) as days_until_card_expiry,

        -- trial
        cast(profiles.first_trial_on as date) as first_trial_on,
        cast(profiles.is_trial_converted as boolean) as is_trial_converted
    from profiles
    left join current_groups on profiles.customer_id = current_groups.customer_id
    left join badges on profiles.customer_id = badges.customer_id
    left join contact_restrictions on profiles.customer_id = contact_restrictions.customer_id
    left join do_not_contact on profiles.customer_id = do_not_contact.customer_id

)

select * from final
