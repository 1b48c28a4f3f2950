{#- Every problem in the group definition seeds, one row each, naming the
    seed row (by its content), the group and the problem. Any row here stops the build before
    evaluation (see customer_group_definitions' pre-hook). -#}
{%- set text = dbt.type_string() -%}
{%- set q = "'" -%}
{#- A depth of this many steps means "at least" that deep. -#}
{%- set max_walk_steps = group_dependency_walk_steps() -%}
{%- set max_conditions = max_conditions_per_rule_set() -%}
{%- set group_checks = [
    ("group_key is null", ["'a group needs a group_key'"]),
    ("group_key is not null and not " ~ matches_pattern('group_key', '[a-z][a-z0-9_]*'),
        ["'group_key '''", "group_key", "''' is not lower snake case (a-z, 0-9, _)'"]),
    ("group_key is not null and duplicate_count > 1",
        ["'duplicate group_key '''", "group_key", "''' (on '", "cast(duplicate_count as " ~ text ~ ")", "' rows)'"]),
    ("is_enabled is null", ["'enabled '''", "enabled_text", "''' is not true or false'"]),
    ("qualifier_method not in ('none', 'specific_values', 'customer_group')",
        ["'unknown qualifier_method '''", "qualifier_method", "''' (none, specific_values, customer_group)'"]),
    ("group_type not in ('segment', 'audience', 'badge')",
        ["'unknown group_type '''", "group_type", "''' (segment, audience, badge)'"]),
    ("recalculation not in ('flexi', 'fixed')",
        ["'unknown recalculation '''", "recalculation", "''' (flexi, fixed)'"]),
    ("created_on_text is not null and created_on is null",
        ["'created_on '''", "created_on_text", "''' is not a date written YYYY-MM-DD'"]),
    ("locked_on_text is not null and locked_on is null",
        ["'locked_on '''", "locked_on_text", "''' is not a date written YYYY-MM-DD'"]),
    ("created_on_text is null and (recalculation = 'fixed' or group_type = 'audience')",
        ["'a fixed segment or audience needs created_on'"]),
    ("locked_on_text is not null and group_type != 'audience'",
        ["'locked_on applies to audiences only (group_type is '''", "group_type", "''')'"]),
    ("locked_on < created_on",
        ["'locked_on '", "cast(locked_on as " ~ text ~ ")", "' is before created_on '", "cast(created_on as " ~ text ~ ")"]),
    ("priority_text is not null and priority is null",
        ["'priority '''", "priority_text", "''' is not a whole number'"]),
] -%}
{%- set qualifier_checks = [
    ("group_key is null", ["'a qualifier row needs a group_key'"]),
    ("group_key is not null and group_row_id is null",
        ["'qualifier row for unknown group '''", "group_key", "''''"]),
    ("qualifier_method = 'none'",
        ["'group is manual (qualifier_method none) but has qualifier rows'"]),
    ("rule_set_text is not null and rule_set is null",
        ["'rule_set '''", "rule_set_text", "''' is not a whole number'"]),
    ("qualifier is null", ["'qualifier row without a qualifier'"]),
    ("qualifier is not null and qualifier_kind is null",
        ["'unknown qualifier '''", "qualifier", "''''"]),
    ("min_value_text is not null and min_value is null",
        ["'min_value '''", "min_value_text", "''' is not a number'"]),
    ("max_value_text is not null and max_value is null",
        ["'max_value '''", "max_value_text", "''' is not a number'"]),
    ("min_value > max_value",
        ["'min_value '", "min_value_text", "' is greater than max_value '", "max_value_text"]),
    ("qualifier_kind = 'range' and (qualifier_value is not null or qualifier_name is not null)",
        ["'range qualifier '''", "qualifier", "''' takes min_value/max_value, not a name or value'"]),
    ("qualifier_kind in ('list', 'flag', 'relation') and (min_value_text is not null or max_value_text is not null)",
        ["'qualifier '''", "qualifier", "''' takes a value, not min_value/max_value'"]),
    ("qualifier_kind = 'list' and qualifier != 'metadata' and qualifier_value is null",
        ["'list qualifier '''", "qualifier", "''' needs a value'"]),
    ("qualifier = 'metadata' and qualifier_name is null",
        ["'metadata qualifier needs a name (value may be empty: has the name at all)'"]),
    ("qualifier_kind = 'flag' and qualifier_value is not null and " ~ text_to_boolean('qualifier_value', 'true') ~ " is null",
        ["'qualifier '''", "qualifier", "''' value '''", "qualifier_value", "''' is not true or false'"]),
    ("qualifier_kind = 'relation' and qualifier_value is null",
        ["'relation qualifier '''", "qualifier", "''' needs a group_key in value'"]),
    ("qualifier_kind = 'relation' and qualifier_value is not null and referenced_row_id is null",
        ["'references unknown group '''", "referenced_group_key", "''''"]),
    ("qualifier_kind != 'relation' and condition_number > " ~ max_conditions,
        ["'rule set '", "cast(rule_set as " ~ text ~ ")", "' has more than " ~ max_conditions
            ~ " conditions that read no other group (this row is condition '",
            "cast(condition_number as " ~ text ~ ")",
            "'); split it into groups joined with in_all_customer_group'"]),
] -%}

with

groups as (

    select
        *,
        count(*) over (partition by group_key) as duplicate_count
    from {{ ref('int_customer_groups_parsed') }}

),

first_group_rows as (

    select
        group_key,
        min(seed_row_id) as group_row_id,
        min(seed_row) as group_seed_row,
        min(qualifier_method) as qualifier_method
    from groups
    group by group_key

),

qualifiers_checked as (

    select
        qualifiers.*,
        owning.group_row_id,
        owning.qualifier_method,
        referenced.group_row_id as referenced_row_id,
        dense_rank() over (
            partition by qualifiers.group_key, qualifiers.rule_set, qualifiers.qualifier_kind = 'relation'
            order by qualifiers.condition_key
        ) as condition_number
    from {{ ref('int_customer_group_qualifiers_parsed') }} as qualifiers
    left join first_group_rows as owning
        on qualifiers.group_key = owning.group_key
    left join first_group_rows as referenced
        on qualifiers.referenced_group_key = referenced.group_key

),

dependencies as (

    select * from {{ ref('int_customer_group_dependencies_resolved') }}

),

problems as (

    {% for condition, message in group_checks %}
        select
            'customer_groups' as seed_name,
            seed_row,
            seed_row_id,
            group_key,
            cast(null as integer) as rule_set,
            cast(null as {{ text }}) as qualifier,
            {{ dbt.concat(message) }} as problem
        from groups
        where {{ condition }}

        union all

    {% endfor %}
    {% for condition, message in qualifier_checks %}
        select
            'customer_group_qualifiers' as seed_name,
            seed_row,
            seed_row_id,
            group_key,
            rule_set,
            qualifier,
            {{ dbt.concat(message) }} as problem
        from qualifiers_checked
        where {{ condition }}

        union all

    {% endfor %}
    select
        'customer_groups' as seed_name,
        owning_groups.group_seed_row as seed_row,
        owning_groups.group_row_id as seed_row_id,
        dependencies.group_key,
        cast(null as integer) as rule_set,
        cast(null as {{ text }}) as qualifier,
        {{ dbt.concat(["'cycle in group references: '", "dependencies.cycle_path"]) }} as problem
    from dependencies
    inner join first_group_rows as owning_groups
        on
            dependencies.group_key = owning_groups.group_key
            and dependencies.is_in_cycle

    union all

    select
        'customer_groups' as seed_name,
        owning_groups.group_seed_row as seed_row,
        owning_groups.group_row_id as seed_row_id,
        dependencies.group_key,
        cast(null as integer) as rule_set,
        cast(null as {{ text }}) as qualifier,
        {{ dbt.concat([
            "'groups nest '",
            "case when dependencies.nesting_depth >= " ~ max_walk_steps ~ " then 'at least ' else '' end",
            "cast(dependencies.nesting_depth as " ~ text ~ ")",
            "' levels deep below this one'",
            "case when dependencies.nesting_depth >= " ~ max_walk_steps
                ~ " then ' (or lead into a cycle of more groups)' else '' end",
            "'; the limit is var max_group_nesting_depth = " ~ var('max_group_nesting_depth') ~ "'",
        ]) }} as problem
    from dependencies
    inner join first_group_rows as owning_groups
        on dependencies.group_key = owning_groups.group_key
    where
        not dependencies.is_in_cycle
        and dependencies.nesting_depth > {{ var('max_group_nesting_depth') }}

),

final as (

    select
        cast(seed_name as {{ text }}) as seed_name,
        cast(seed_row as {{ text }}) as seed_row,
        cast(seed_row_id as {{ text }}) as seed_row_id,
        cast(group_key as {{ text }}) as group_key,
        cast(rule_set as integer) as rule_set,
        cast(qualifier as {{ text }}) as qualifier,
        cast(problem as {{ text }}) as problem
    from problems

)

select * from final
