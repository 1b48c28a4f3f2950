{{ config(
    incremental_strategy='append',
    pre_hook="{{ roll_back_from_as_of_date('as_of_date') }}",
) }}
{#- One row per group for every date processed: the definition version in
    force, members, entered and left that day, and when a fixed list was
    frozen. The last date here is the date history has reached. Never rebuilt
    by --full-refresh. -#}
{%- set text = dbt.type_string() %}
-- depends_on: {{ ref('customer_group_frozen_members') }}

-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

definitions as (

    select * from {{ ref('customer_group_definitions') }}

),

history as (

    select * from {{ ref('customer_group_membership_history') }}

),

previous_freezes as (

    {{ previous_freezes_sql() }}

),

ignored_actions as (

    select
        group_key,
        count(*) as ignored_actions
    from {{ ref('customer_group_action_outcomes') }}
    where outcome != 'applied'
    group by group_key

),

movement as (

    select
        group_key,
        sum(case when valid_to is null then 1 else 0 end) as members,
        sum(case when valid_from = {{ as_of_date() }} then 1 else 0 end) as entered,
        sum(case when valid_to = {{ as_of_date() }} then 1 else 0 end) as left_group
    from history
    where valid_to is null or valid_to = {{ as_of_date() }}
    group by group_key

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        cast(definitions.group_key as {{ text }}) as group_key,
        cast(definitions.definition_version as {{ text }}) as definition_version,
        cast(definitions.is_enabled as boolean) as is_enabled,
        cast(coalesce(movement.members, 0) as integer) as members,
        cast(coalesce(movement.entered, 0) as integer) as entered,
        cast(coalesce(movement.left_group, 0) as integer) as left_group,
        cast(coalesce(ignored_actions.ignored_actions, 0) as integer) as ignored_manual_actions,
        cast(
            case
                when previous_freezes.frozen_on is not null then previous_freezes.frozen_on
                when definitions.recalculation = 'fixed' and {{ as_of_date() }} >= definitions.created_on
                    then {{ as_of_date() }}
            end
            as date
        ) as frozen_on,
        cast('{{ "backfill" if is_backfill_run() else "daily_run" }}' as {{ text }}) as recorded_by
    from definitions
    left join movement on definitions.group_key = movement.group_key
    left join previous_freezes on definitions.group_key = previous_freezes.group_key
    left join ignored_actions on definitions.group_key = ignored_actions.group_key

)

select * from final
