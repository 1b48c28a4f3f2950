{{ config(
    incremental_strategy='append',
    pre_hook="{{ roll_back_from_run_start('as_of_date') }}",
) }}
{#- One row per group for every date processed: the definition version in
    force, members, entered and left that day, and when a fixed list was
    frozen. A backfill run writes a row for each date of its range. The last
    date here is the date history has reached: written last, it is the
    commit marker of a run (guard_customer_group_run). Never rebuilt by
    --full-refresh. -#}
{%- set text = dbt.type_string() %}
-- depends_on: {{ ref('customer_group_frozen_members') }}

-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

definitions as (

    select * from {{ ref('customer_group_definitions') }}

),

run_days as (

    select evaluation_date as as_of_date
    from {{ ref('int_evaluation_dates') }}
    where is_run_date

),

history as (

    select * from {{ ref('customer_group_membership_history') }}
    where valid_to is null or valid_to >= {{ run_start_date() }}

),

previous_freezes as (

    {{ previous_freezes_sql() }}

),

ignored_actions as (

    select
        run_days.as_of_date,
        outcomes.group_key,
        count(*) as ignored_actions
    from {{ ref('customer_group_action_outcomes') }} as outcomes
    inner join run_days
        on outcomes.acted_on <= run_days.as_of_date
    where outcomes.outcome != 'applied'
    group by run_days.as_of_date, outcomes.group_key

),

movement as (

    select
        run_days.as_of_date,
        history.group_key,
        sum(case when history.valid_to is null or history.valid_to > run_days.as_of_date then 1 else 0 end)
            as members,
        sum(case when history.valid_from = run_days.as_of_date then 1 else 0 end) as entered,
        sum(case when history.valid_to = run_days.as_of_date then 1 else 0 end) as left_group
    from history
    inner join run_days
        on
            history.valid_from <= run_days.as_of_date
            and (history.valid_to is null or history.valid_to >= run_days.as_of_date)
    group by run_days.as_of_date, history.group_key

),

final as (

    select
        cast(run_days.as_of_date as date) as as_of_date,
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
                when definitions.recalculation = 'fixed' and run_days.as_of_date >= definitions.created_on
                    then case
                        when definitions.created_on > {{ run_start_date() }} then definitions.created_on
                        else {{ run_start_date() }}
                    end
            end
            as date
        ) as frozen_on,
        cast('{{ "backfill" if is_backfill_run() else "daily_run" }}' as {{ text }}) as recorded_by
    from run_days
    cross join definitions
    left join movement
        on
            run_days.as_of_date = movement.as_of_date
            and definitions.group_key = movement.group_key
    left join previous_freezes on definitions.group_key = previous_freezes.group_key
    left join ignored_actions
        on
            run_days.as_of_date = ignored_actions.as_of_date
            and definitions.group_key = ignored_actions.group_key

)

select * from final
