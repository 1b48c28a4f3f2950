{#- Who is in which audience, for reverse-ETL diff syncs: one row per
    contactable person and group they are in on as_of_date. A tool adds the
    rows that appeared since its last sync and removes those that went.
    Customers who may not be contacted never appear, even when they are
    members (activation_people decides who may). -#}
{%- set text = dbt.type_string() %}

with

memberships as (

    select * from {{ ref('customer_group_memberships') }}

),

people as (

    select person_id from {{ ref('activation_people') }}

),

final as (

    select
        cast(memberships.customer_id as {{ text }}) as person_id,
        cast(memberships.group_key as {{ text }}) as audience_id,
        cast(memberships.member_since as date) as member_since,
        {{ as_of_date() }} as as_of_date
    from memberships
    inner join people on memberships.customer_id = people.person_id

)

select * from final
