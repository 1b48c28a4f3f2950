{#- One row per group, parsed and checked (SPEC §3): what evaluation reads,
    published for people and BI tools. Computed in
    int_customer_group_definitions_checked. -#}
-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

definitions as (

    select * from {{ ref('int_customer_group_definitions_checked') }}

),

final as (

    select
        group_key,
        group_name,
        group_description,
        is_enabled,
        qualifier_method,
        group_type,
        recalculation,
        created_on,
        locked_on,
        badge_icon,
        priority,
        qualifier_rows,
        rule_sets,
        nesting_depth,
        definition_version
    from definitions

)

select * from final
