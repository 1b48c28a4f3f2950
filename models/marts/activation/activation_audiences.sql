{#- The audiences a reverse-ETL tool (Hightouch, Census, Fivetran
    Activations) syncs as warehouse-managed audiences: one row per customer
    group, in the id / name / description / type shape those tools ingest.
    Disabled groups stay listed (with no members) so a tool can archive the
    list rather than lose track of it. -#}
{%- set text = dbt.type_string() %}

with

definitions as (

    select * from {{ ref('customer_group_definitions') }}

),

members as (

    select
        audience_id,
        count(*) as members
    from {{ ref('activation_audience_memberships') }}
    group by audience_id

),

final as (

    select
        cast(definitions.group_key as {{ text }}) as audience_id,
        cast(definitions.group_name as {{ text }}) as audience_name,
        cast(definitions.group_description as {{ text }}) as audience_description,
        cast(definitions.group_type as {{ text }}) as audience_type,
        cast(definitions.is_enabled as boolean) as is_enabled,
        cast(definitions.definition_version as {{ text }}) as definition_version,
        cast(coalesce(members.members, 0) as integer) as contactable_members,
        {{ as_of_date() }} as as_of_date
    from definitions
    left join members on definitions.group_key = members.audience_id

)

select * from final
