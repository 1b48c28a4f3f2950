{{ config(
    incremental_strategy='append',
    pre_hook="{{ roll_back_from_run_start('frozen_on') }}",
) }}
{#- The lists of fixed segments and audiences, frozen by the first run on or
    after their created_on (frozen_on: the first date that run processes on
    or after created_on) from the values as of
    created_on, whatever the date of that run: the list is the group's
    members on evaluation_date = created_on (SPEC §3). Later runs edit the
    list with manual actions only. Never rebuilt by --full-refresh.
    Written after the history (the depends_on below), so a run the churn
    guard stops writes no list either. -#}
-- depends_on: {{ ref('customer_group_membership_history') }}

-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

previous_freezes as (

    {{ previous_freezes_sql() }}

),

frozen_now as (

    select
        members.group_key,
        members.customer_id,
        definitions.created_on
    from {{ ref('int_customer_groups_evaluated_by_date') }} as members
    inner join {{ ref('customer_group_definitions') }} as definitions
        on
            members.group_key = definitions.group_key
            and members.evaluation_date = definitions.created_on
    left join previous_freezes
        on members.group_key = previous_freezes.group_key
    where
        members.membership_source = 'frozen'
        and previous_freezes.group_key is null

),

final as (

    select
        cast(group_key as {{ dbt.type_string() }}) as group_key,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        -- The first date this run processes on or after created_on.
        cast(
            case when created_on > {{ run_start_date() }} then created_on else {{ run_start_date() }} end
            as date
        ) as frozen_on
    from frozen_now

)

select * from final
