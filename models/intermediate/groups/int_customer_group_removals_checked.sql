{{ config(post_hook="{{ raise_on_mass_removal() }}") }}
{#- The churn guard: for every enabled group, how many of the members it had
    at the start of as_of_date this run would remove. A run that would remove
    more than var churn_guard_max_removed_share (default 0.5) of the members
    of a group above var churn_guard_min_members (default 100) stops in this
    model's post-hook, and every published mart waits for this model, so a
    bad load replaces no table that people read. var allow_mass_removal
    (true, or a list of group keys) lets a real change through; var
    churn_guard_exempt_groups lists groups whose members leave together by
    design (card_update_needed empties on the 1st of a month); a backfill
    replays on purpose and is never stopped. -#}
{%- set allowed = var('allow_mass_removal', false) -%}
{%- set allow_all = allowed in [true, 'true', 'True'] or is_backfill_run() -%}
{%- set allowed_groups = (allowed if allowed is iterable and allowed is not string else [])
    + var('churn_guard_exempt_groups', []) -%}

with

members_before as (

    {{ members_before_run_sql() }}

),

current_members as (

    select
        customer_id,
        group_key
    from {{ ref('int_customer_groups_evaluated') }}

),

enabled_groups as (

    select group_key
    from {{ ref('int_customer_group_definitions_checked') }}
    where is_enabled

),

counts as (

    select
        members_before.group_key,
        count(*) as members_before,
        sum(case when current_members.customer_id is null then 1 else 0 end) as members_removed
    from members_before
    inner join enabled_groups
        on members_before.group_key = enabled_groups.group_key
    left join current_members
        on
            members_before.customer_id = current_members.customer_id
            and members_before.group_key = current_members.group_key
    group by members_before.group_key

),

final as (

    select
        cast(group_key as {{ dbt.type_string() }}) as group_key,
        {{ as_of_date() }} as as_of_date,
        cast(members_before as integer) as members_before,
        cast(members_removed as integer) as members_removed,
        cast(
            members_before > {{ var('churn_guard_min_members', 100) }}
            and members_removed > {{ var('churn_guard_max_removed_share', 0.5) }} * members_before
            as boolean
        ) as is_mass_removal,
        cast(
            {% if allow_all %}true
            {% elif allowed_groups %}group_key in ({{ sql_string_list(allowed_groups) }})
            {% else %}false
            {% endif %}
            as boolean
        ) as is_allowed
    from counts

)

select * from final
