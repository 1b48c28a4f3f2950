{#- Movement between groups: customers who left group A and entered another
    group B within var transition_window_days (default 30) days, one row per
    pair (A, B) seen at least once. Each customer counts once per pair, with
    the first time they made that move (earliest exit from A, then the
    nearest entry into B on or after it). -#}
{%- set window_days = transition_window_days() %}

-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

stays as (

    {{ membership_stays_as_of() }}

),

definitions as (

    select
        group_key,
        group_name
    from {{ ref('customer_group_definitions') }}

),

exits as (

    select
        customer_id,
        group_key as from_group_key,
        valid_to as left_on
    from stays
    where valid_to is not null

),

entries as (

    select
        customer_id,
        group_key as to_group_key,
        valid_from as entered_on
    from stays

),

moves as (

    select
        exits.customer_id,
        exits.from_group_key,
        entries.to_group_key,
        exits.left_on,
        entries.entered_on,
        {{ days_between('exits.left_on', 'entries.entered_on') }} as days_between  -- noqa: LT05
    from exits
    inner join entries
        on
            exits.customer_id = entries.customer_id
            and exits.from_group_key != entries.to_group_key
            and exits.left_on <= entries.entered_on
            and entries.entered_on <= {{ dbt.dateadd('day', window_days, 'exits.left_on') }}

),

first_moves as (

    select
        *,
        row_number() over (
            partition by customer_id, from_group_key, to_group_key
            order by left_on, entered_on
        ) as move_number
    from moves

),

aggregated as (

    select
        from_group_key,
        to_group_key,
        count(*) as customers,
        {{ median_of('days_between') }} as median_days_between,
        min(entered_on) as first_transition_on,
        max(entered_on) as last_transition_on
    from first_moves
    where move_number = 1
    group by from_group_key, to_group_key

),

final as (

    select
        cast(
            {{ dbt.concat(['aggregated.from_group_key', "' -> '", 'aggregated.to_group_key']) }}
            as {{ dbt.type_string() }}
        ) as transition_key,
        cast(aggregated.from_group_key as {{ dbt.type_string() }}) as from_group_key,
        cast(from_groups.group_name as {{ dbt.type_string() }}) as from_group_name,
        cast(aggregated.to_group_key as {{ dbt.type_string() }}) as to_group_key,
        cast(to_groups.group_name as {{ dbt.type_string() }}) as to_group_name,
        cast(aggregated.customers as integer) as customers,
        cast(aggregated.median_days_between as decimal(18, 2)) as median_days_between,
        cast(aggregated.first_transition_on as date) as first_transition_on,
        cast(aggregated.last_transition_on as date) as last_transition_on,
        cast({{ window_days }} as integer) as transition_window_days,
        {{ as_of_date() }} as as_of_date
    from aggregated
    left join definitions as from_groups
        on aggregated.from_group_key = from_groups.group_key
    left join definitions as to_groups
        on aggregated.to_group_key = to_groups.group_key

)

select * from final
