{#- One row per current member of every group on as_of_date (SPEC §4), with
    member_since = the start of the current stay in the history. -#}
-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

members as (

    select * from {{ ref('int_customer_groups_evaluated') }}

),

definitions as (

    select * from {{ ref('customer_group_definitions') }}

),

open_stays as (

    select
        customer_id,
        group_key,
        valid_from
    from {{ ref('customer_group_membership_history') }}
    where valid_to is null

),

final as (

    select
        cast(members.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(members.group_key as {{ dbt.type_string() }}) as group_key,
        {{ as_of_date() }} as as_of_date,
        cast(open_stays.valid_from as date) as member_since,
        cast(members.membership_source as {{ dbt.type_string() }}) as source,
        cast(members.matched_rule_set as integer) as matched_rule_set,
        cast(definitions.group_name as {{ dbt.type_string() }}) as group_name,
        cast(definitions.group_type as {{ dbt.type_string() }}) as group_type,
        cast(definitions.badge_icon as {{ dbt.type_string() }}) as badge_icon,
        cast(definitions.definition_version as {{ dbt.type_string() }}) as definition_version
    from members
    inner join definitions
        on members.group_key = definitions.group_key
    left join open_stays
        on
            members.customer_id = open_stays.customer_id
            and members.group_key = open_stays.group_key

)

select * from final
