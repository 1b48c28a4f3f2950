{#- Walks the "group references group" graph: every path from each group
    through its relation qualifiers. Gives each group its nesting depth (the
    longest path below it: groups are evaluated in that order) and finds
    cycles, with their path for the error message.

    No recursive CTE (Spark has none): the walk takes one step per CTE, up
    to group_dependency_walk_steps() = max_group_nesting_depth + 2 steps. That finds every depth up to one
    past the limit exactly, and every cycle of up to that many groups; a
    walk still going after the last step means the group nests at least
    that deep (or sits on a longer cycle): too deep either way, which
    int_customer_group_definition_problems_found reports. -#}
{%- set max_steps = group_dependency_walk_steps() -%}

with

groups as (

    select distinct group_key from {{ ref('int_customer_groups_parsed') }}
    where group_key is not null

),

edges as (

    select distinct
        qualifiers.group_key,
        qualifiers.referenced_group_key
    from {{ ref('int_customer_group_qualifiers_parsed') }} as qualifiers
    inner join groups as referenced
        on qualifiers.referenced_group_key = referenced.group_key
    where qualifiers.qualifier_kind = 'relation'

),

-- Walks of one step: every reference.
walks_1 as (

    select
        group_key as start_group_key,
        referenced_group_key as current_group_key,
        {{ dbt.concat(["'|'", "group_key", "'|'", "referenced_group_key", "'|'"]) }} as visited,
        {{ dbt.concat(["group_key", "' -> '", "referenced_group_key"]) }} as path,
        1 as steps,
        group_key = referenced_group_key as closes_cycle
    from edges

),

{% for step in range(2, max_steps + 1) %}
    -- Walks of {{ step }} steps: one more reference from where a walk of
    -- {{ step - 1 }} stopped, to a group not visited yet or back to its start.
    walks_{{ step }} as (

        select
            walks.start_group_key,
            edges.referenced_group_key as current_group_key,
            {{ dbt.concat(["walks.visited", "edges.referenced_group_key", "'|'"]) }} as visited,
            {{ dbt.concat(["walks.path", "' -> '", "edges.referenced_group_key"]) }} as path,
            {{ step }} as steps,
            edges.referenced_group_key = walks.start_group_key as closes_cycle
        from walks_{{ step - 1 }} as walks
        inner join edges
            on walks.current_group_key = edges.group_key
        where
            not walks.closes_cycle
            and (
                edges.referenced_group_key = walks.start_group_key
                or {{ dbt.position(dbt.concat(["'|'", "edges.referenced_group_key", "'|'"]), 'walks.visited') }} = 0
            )

    ),

{% endfor %}
walks as (

    {% for step in range(1, max_steps + 1) %}
        select
            start_group_key,
            path,
            steps,
            closes_cycle
        from walks_{{ step }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

cycles as (

    select
        start_group_key as group_key,
        min(path) as cycle_path
    from walks
    where closes_cycle
    group by start_group_key

),

depths as (

    select
        start_group_key as group_key,
        max(steps) as nesting_depth
    from walks
    group by start_group_key

),

final as (

    select
        groups.group_key,
        coalesce(depths.nesting_depth, 0) as nesting_depth,
        cycles.cycle_path,
        cycles.cycle_path is not null as is_in_cycle
    from groups
    left join depths on groups.group_key = depths.group_key
    left join cycles on groups.group_key = cycles.group_key

)

select * from final
