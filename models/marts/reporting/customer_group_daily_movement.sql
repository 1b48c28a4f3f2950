{#- One row per customer group and day, from the first day the membership
    history records to as_of_date: members at the end of the day, customers
    who entered and left that day. Read off the stays of
    customer_group_membership_history, so a backfill or a late run shows
    here as soon as the history has it. -#}
-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

stays as (

    {{ membership_stays_as_of() }}

),

bounds as (

    select min(valid_from) as first_history_date
    from stays

),

days as (

    {{ day_spine('(select first_history_date from bounds)', as_of_date()) }}

),

groups as (

    -- Every defined group, and groups that have left the definitions but
    -- still have stays (their last exits stay visible).
    select group_key from {{ ref('customer_group_definitions') }}
    union
    select group_key from stays

),

entries as (

    select
        group_key,
        valid_from as movement_date,
        count(*) as entered
    from stays
    group by group_key, valid_from

),

exits as (

    select
        group_key,
        valid_to as movement_date,
        count(*) as left_group
    from stays
    where valid_to is not null
    group by group_key, valid_to

),

daily as (

    select
        groups.group_key,
        days.spine_date as movement_date,
        coalesce(entries.entered, 0) as entered,
        coalesce(exits.left_group, 0) as left_group
    from groups
    cross join days
    left join entries
        on
            groups.group_key = entries.group_key
            and days.spine_date = entries.movement_date
    left join exits
        on
            groups.group_key = exits.group_key
            and days.spine_date = exits.movement_date

),

-- Every stay starts on or after the first history date, so the running
-- sum of entries minus exits is the number of open stays at each day's end.
counted as (

    select
        *,
        sum(entered - left_group) over (
            partition by group_key
            order by movement_date
            rows between unbounded preceding and current row
        ) as members_end_of_day
    from daily

),

final as (

    select
        cast(counted.group_key as {{ dbt.type_string() }}) as group_key,
        cast(counted.movement_date as date) as movement_date,
        cast(counted.members_end_of_day as integer) as members_end_of_day,
        cast(counted.entered as integer) as entered,
        cast(counted.left_group as integer) as left_group,
        cast(counted.entered - counted.left_group as integer) as net_change,
        cast(counted.movement_date = bounds.first_history_date as boolean) as is_first_history_date,
        {{ as_of_date() }} as as_of_date
    from counted
    cross join bounds

)

select * from final
