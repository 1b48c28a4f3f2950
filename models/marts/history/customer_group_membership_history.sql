{{ config(
    incremental_strategy=upsert_incremental_strategy(),
    unique_key='stay_id',
    pre_hook="{{ roll_back_from_as_of_date('valid_from', reopen_column='valid_to') }}",
) }}
{#- One row per stay of a customer in a group. Each run compares the group
    membership on its as_of_date with the stays open at the start of that
    day: it opens a stay for each new member and closes the stays of those
    who left, and touches nothing else, so a daily run costs what changed,
    not the days of history kept. Never rebuilt by --full-refresh. -#}
{%- set text = dbt.type_string() %}

-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

current_members as (

    select
        members.customer_id,
        members.group_key,
        members.membership_source,
        definitions.definition_version
    from {{ ref('int_customer_groups_evaluated') }} as members
    inner join {{ ref('customer_group_definitions') }} as definitions
        on members.group_key = definitions.group_key

),

definitions as (

    select * from {{ ref('customer_group_definitions') }}

),

previous_definitions as (

    {{ previous_group_definitions_sql() }}

),

manual_decisions as (

    select * from {{ ref('int_customer_group_actions_resolved') }}
    where evaluation_date = {{ as_of_date() }}

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

opened as (

    select
        current_members.customer_id,
        current_members.group_key,
        {{ as_of_date() }} as valid_from,
        cast(null as date) as valid_to,
        current_members.membership_source as entry_source,
        case
            when current_members.membership_source = 'manual' then 'manual_add'
            when previous_definitions.definition_version != current_members.definition_version
                then 'definition_changed'
            else 'qualified'
        end as entry_reason,
        current_members.definition_version as entry_definition_version,
        cast(null as {{ text }}) as exit_reason
    from current_members
    left join open_stays
        on
            current_members.customer_id = open_stays.customer_id
            and current_members.group_key = open_stays.group_key
    left join previous_definitions
        on current_members.group_key = previous_definitions.group_key
    where open_stays.customer_id is null

),

closed as (

    select
        open_stays.customer_id,
        open_stays.group_key,
        open_stays.valid_from,
        {{ as_of_date() }} as valid_to,
        open_stays.entry_source,
        open_stays.entry_reason,
        open_stays.entry_definition_version,
        case
            when definitions.group_key is null then 'group_deleted'
            when not definitions.is_enabled then 'group_disabled'
            when manual_decisions.latest_action = 'remove' then 'manual_remove'
            when previous_definitions.definition_version != definitions.definition_version
                then 'definition_changed'
            else 'disqualified'
        end as exit_reason
    from open_stays
    left join current_members
        on
            open_stays.customer_id = current_members.customer_id
            and open_stays.group_key = current_members.group_key
    left join definitions
        on open_stays.group_key = definitions.group_key
    left join previous_definitions
        on open_stays.group_key = previous_definitions.group_key
    left join manual_decisions
        on
            open_stays.customer_id = manual_decisions.customer_id
            and open_stays.group_key = manual_decisions.group_key
    where current_members.customer_id is null

),

changes as (

    select * from opened
    union all
    select * from closed

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
