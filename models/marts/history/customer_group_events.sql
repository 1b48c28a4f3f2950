{{ config(
    incremental_strategy=upsert_incremental_strategy(),
    unique_key='event_id',
    pre_hook="{{ roll_back_from_run_start('occurred_on') }}",
) }}
{#- The event log: one row per change of membership, read off the stays
    this run opened (added) and closed (removed) on the dates it processed. event_id is a hash of the
    change itself, so the same change gets the same id whichever run computed
    it, and a rerun replaces rather than repeats. Never rebuilt by
    --full-refresh. -#}
{%- set text = dbt.type_string() %}

-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

stays as (

    select * from {{ ref('customer_group_membership_history') }}
    where valid_from >= {{ run_start_date() }} or valid_to >= {{ run_start_date() }}

),

definitions as (

    select
        group_key,
        definition_version
    from {{ ref('customer_group_definitions') }}

),

added as (

    select
        'customer.updated.customer_group.added' as event_name,
        stays.customer_id,
        stays.group_key,
        stays.valid_from as occurred_on,
        stays.entry_reason as reason,
        stays.entry_source as membership_source,
        stays.entry_definition_version as definition_version
    from stays
    where stays.valid_from >= {{ run_start_date() }}

),

removed as (

    select
        'customer.updated.customer_group.removed' as event_name,
        stays.customer_id,
        stays.group_key,
        stays.valid_to as occurred_on,
        stays.exit_reason as reason,
        stays.entry_source as membership_source,
        coalesce(definitions.definition_version, stays.entry_definition_version) as definition_version
    from stays
    left join definitions
        on stays.group_key = definitions.group_key
    where stays.valid_to >= {{ run_start_date() }}

),

events as (

    select * from added
    union all
    select * from removed

),

final as (

    select
        cast({{ dbt.hash(dbt.concat([
            'customer_id', "'|'", 'group_key', "'|'", 'event_name', "'|'", 'cast(occurred_on as ' ~ text ~ ')'
        ])) }} as {{ text }}) as event_id,
        cast(event_name as {{ text }}) as event_name,
        cast(customer_id as {{ text }}) as customer_id,
        cast(group_key as {{ text }}) as group_key,
        cast(occurred_on as date) as occurred_on,
        cast(reason as {{ text }}) as reason,
        cast(membership_source as {{ text }}) as membership_source,
        cast(definition_version as {{ text }}) as definition_version,
        cast('{{ "backfill" if is_backfill_run() else "daily_run" }}' as {{ text }}) as recorded_by
    from events

)

select * from final
