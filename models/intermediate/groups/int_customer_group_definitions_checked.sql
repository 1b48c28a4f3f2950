{{ config(pre_hook="{{ raise_on_customer_group_definition_problems() }}") }}
{#- One row per group, parsed and checked: the definitions evaluation reads.
    definition_version is a hash of the group's seed rows, so a consumer can
    tell a definition change from a data change. -#}
{%- set text = dbt.type_string() %}
-- depends_on: {{ ref('int_customer_group_definition_problems_found') }}

with

groups as (

    select * from {{ ref('int_customer_groups_parsed') }}

),

qualifiers as (

    select * from {{ ref('int_customer_group_qualifiers_parsed') }}

),

dependencies as (

    select * from {{ ref('int_customer_group_dependencies_resolved') }}

),

qualifier_fingerprints as (

    select
        group_key,
        count(*) as qualifier_rows,
        count(distinct rule_set) as rule_sets,
        {{ ordered_listagg(
            dbt.concat([
                "cast(rule_set as " ~ text ~ ")", "'|'", "qualifier", "'|'",
                "coalesce(min_value_text, '')", "'|'", "coalesce(max_value_text, '')", "'|'",
                "coalesce(qualifier_name, '')", "'|'", "coalesce(qualifier_value, '')",
            ]),
            "';'",
            ["rule_set", "qualifier", "min_value_text", "max_value_text", "qualifier_name", "qualifier_value"]
        ) }} as qualifier_fingerprint
    from qualifiers
    group by group_key

),

final as (

    select
        cast(groups.group_key as {{ text }}) as group_key,
        cast(groups.group_name as {{ text }}) as group_name,
        cast(groups.group_description as {{ text }}) as group_description,
        cast(groups.is_enabled as boolean) as is_enabled,
        cast(groups.qualifier_method as {{ text }}) as qualifier_method,
        cast(groups.group_type as {{ text }}) as group_type,
        cast(case when groups.group_type = 'audience' then 'fixed' else groups.recalculation end as {{ text }})
            as recalculation,
        cast(groups.created_on as date) as created_on,
        cast(groups.locked_on as date) as locked_on,
        cast(groups.badge_icon as {{ text }}) as badge_icon,
        cast(groups.priority as integer) as priority,
        cast(coalesce(qualifier_fingerprints.qualifier_rows, 0) as integer) as qualifier_rows,
        cast(coalesce(qualifier_fingerprints.rule_sets, 0) as integer) as rule_sets,
        cast(dependencies.nesting_depth as integer) as nesting_depth,
        cast({{ dbt.hash(dbt.concat([
            "groups.group_key", "'|'", "cast(groups.is_enabled as " ~ text ~ ")", "'|'",
            "groups.qualifier_method", "'|'", "groups.group_type", "'|'", "groups.recalculation", "'|'",
            "coalesce(cast(groups.created_on as " ~ text ~ "), '')", "'|'",
            "coalesce(cast(groups.locked_on as " ~ text ~ "), '')", "'|'",
            "coalesce(qualifier_fingerprints.qualifier_fingerprint, '')",
        ])) }} as {{ text }}) as definition_version
    from groups
    left join qualifier_fingerprints on groups.group_key = qualifier_fingerprints.group_key
    left join dependencies on groups.group_key = dependencies.group_key

)

select * from final
