{#- One row per current member of every group on as_of_date (SPEC §4). -#}
with

members as (

    select * from {{ ref('int_customer_groups_evaluated') }}

),

definitions as (

    select * from {{ ref('customer_group_definitions') }}

),

final as (

    select
        cast(members.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(members.group_key as {{ dbt.type_string() }}) as group_key,
        {{ as_of_date() }} as as_of_date,
        {{ as_of_date() }} as member_since,
        cast(members.membership_source as {{ dbt.type_string() }}) as source,
        cast(members.matched_rule_set as integer) as matched_rule_set,
        cast(definitions.group_type as {{ dbt.type_string() }}) as group_type,
        cast(definitions.badge_icon as {{ dbt.type_string() }}) as badge_icon,
        cast(definitions.definition_version as {{ dbt.type_string() }}) as definition_version
    from members
    inner join definitions
        on members.group_key = definitions.group_key

)

select * from final
