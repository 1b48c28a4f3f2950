{{ config(
    incremental_strategy=upsert_incremental_strategy(),
    unique_key='stay_id',
    pre_hook="{{ roll_back_from_run_start('valid_from', reopen_column='valid_to') }}",
) }}
{#- One row per stay of a customer in a group. Each run takes the group
    membership on every date it processes (its as_of_date; in a backfill run
    every date from var backfill_start_date on) and the stays open at the
    start of its first date, and writes what running each day in turn would
    have: a stay opens on the first day of each unbroken run of days as a
    member and closes on the first day after it. It touches nothing else, so
    a daily run costs what changed, not the days of history kept. Never
    rebuilt by --full-refresh. -#}
{%- set text = dbt.type_string() %}

-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

definitions as (

    select * from {{ ref('customer_group_definitions') }}

),

previous_definitions as (

    {{ previous_group_definitions_sql() }}

),

-- Each date this run writes (consecutive days), numbered from 0 on its first.
run_days as (

    select
        evaluation_date,
        row_number() over (order by evaluation_date) - 1 as day_number
    from {{ ref('int_evaluation_dates') }}
    where is_run_date

),

members_by_day as (

    select
        members.customer_id,
        members.group_key,
        members.membership_source,
        run_days.evaluation_date,
        run_days.day_number,
        definitions.definition_version,
        -- Constant along a run of consecutive member days.
        run_days.day_number - row_number() over (
            partition by members.customer_id, members.group_key
            order by run_days.day_number
        ) as streak_key
    from {{ ref('int_customer_groups_evaluated_by_date') }} as members
    inner join run_days
        on members.evaluation_date = run_days.evaluation_date
    inner join definitions
        on members.group_key = definitions.group_key

),

streaks as (

    select
        customer_id,
        group_key,
        min(day_number) as first_day_number,
        max(day_number) as last_day_number
    from members_by_day
    group by customer_id, group_key, streak_key

),

manual_decisions as (

    select * from {{ ref('int_customer_group_actions_resolved') }}

),

open_stays as (

    {% if is_incremental() %}
    select * from {{ this }}
    where valid_to is null
    {% else %}
        select
            cast(null as {{ text }}) as stay_id,
            cast(null as {{ text }}) as customer_id,
            cast(null as {{ text }}) as group_key,
            cast(null as date) as valid_from,
            cast(null as date) as valid_to,
            cast(null as {{ text }}) as entry_source,
            cast(null as {{ text }}) as entry_reason,
            cast(null as {{ text }}) as entry_definition_version,
            cast(null as {{ text }}) as exit_reason
        where 1 = 0
    {% endif %}

),

-- Where each open stay and each streak ends: the day after the last member
-- day when that day is one this run writes, else still open.
stay_ends as (

    select
        open_stays.stay_id,
        open_stays.customer_id,
        open_stays.group_key,
        open_stays.valid_from,
        open_stays.entry_source,
        open_stays.entry_reason,
        open_stays.entry_definition_version,
        coalesce(streaks.last_day_number + 1, 0) as exit_day_number
    from open_stays
    left join streaks
        on
            open_stays.customer_id = streaks.customer_id
            and open_stays.group_key = streaks.group_key
            and streaks.first_day_number = 0

    union all

    select
        cast(null as {{ text }}) as stay_id,
        streaks.customer_id,
        streaks.group_key,
        first_days.evaluation_date as valid_from,
        first_days.membership_source as entry_source,
        case
            when first_days.membership_source = 'manual' then 'manual_add'
            when
                streaks.first_day_number = 0
                and previous_definitions.definition_version != first_days.definition_version
                then 'definition_changed'
            else 'qualified'
        end as entry_reason,
        first_days.definition_version as entry_definition_version,
        streaks.last_day_number + 1 as exit_day_number
    from streaks
    inner join members_by_day as first_days
        on
            streaks.customer_id = first_days.customer_id
            and streaks.group_key = first_days.group_key
            and streaks.first_day_number = first_days.day_number
    left join open_stays
        on
            streaks.customer_id = open_stays.customer_id
            and streaks.group_key = open_stays.group_key
            and streaks.first_day_number = 0
    left join previous_definitions
        on streaks.group_key = previous_definitions.group_key
    where open_stays.customer_id is null

),

changes as (

    select
        stay_ends.customer_id,
        stay_ends.group_key,
        stay_ends.valid_from,
        exit_days.evaluation_date as valid_to,
        stay_ends.entry_source,
        stay_ends.entry_reason,
        stay_ends.entry_definition_version,
        case
            when exit_days.evaluation_date is null then cast(null as {{ text }})
            when definitions.group_key is null then 'group_deleted'
            when not definitions.is_enabled then 'group_disabled'
            when manual_decisions.latest_action = 'remove' then 'manual_remove'
            when
                exit_days.day_number = 0
                and previous_definitions.definition_version != definitions.definition_version
                then 'definition_changed'
            else 'disqualified'
        end as exit_reason
    from stay_ends
    left join run_days as exit_days
        on stay_ends.exit_day_number = exit_days.day_number
    left join definitions
        on stay_ends.group_key = definitions.group_key
    left join previous_definitions
        on stay_ends.group_key = previous_definitions.group_key
    left join manual_decisions
        on
            stay_ends.customer_id = manual_decisions.customer_id
            and stay_ends.group_key = manual_decisions.group_key
            and exit_days.evaluation_date = manual_decisions.evaluation_date
    -- An open stay that is still open has not changed.
    where stay_ends.stay_id is null or exit_days.evaluation_date is not null

),

final as (

    select
        cast({{ dbt.hash(dbt.concat([
            'customer_id', "'|'", 'group_key', "'|'", 'cast(valid_from as ' ~ text ~ ')'
        ])) }} as {{ text }}) as stay_id,
        cast(customer_id as {{ text }}) as customer_id,
        cast(group_key as {{ text }}) as group_key,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(entry_source as {{ text }}) as entry_source,
        cast(entry_reason as {{ text }}) as entry_reason,
        cast(entry_definition_version as {{ text }}) as entry_definition_version,
        cast(exit_reason as {{ text }}) as exit_reason
    from changes

)

select * from final
