{#- Customers an audience must leave out (SPEC §3): those under a contact
    restriction by the audience's created_on: no marketing consent,
    unsubscribed, hard-bounced, or five or more soft bounces. The
    restrictions themselves are defined once, in
    int_contact_restrictions_identified; the first reason in that order is
    given. -#}
with

audiences as (

    select
        group_key,
        created_on
    from {{ ref('int_customer_group_definitions_checked') }}
    where group_type = 'audience' and created_on is not null

),

restrictions as (

    select
        customer_id,
        restriction,
        restricted_on,
        case restriction
            when 'no_marketing_consent' then 1
            when 'unsubscribed' then 2
            when 'hard_bounced' then 3
            else 4
        end as reason_order
    from {{ ref('int_contact_restrictions_identified') }}

),

excluded as (

    select
        audiences.group_key,
        restrictions.customer_id,
        restrictions.restriction,
        row_number() over (
            partition by audiences.group_key, restrictions.customer_id
            order by restrictions.reason_order
        ) as reason_rank
    from audiences
    inner join restrictions
        on audiences.created_on >= restrictions.restricted_on or restrictions.restricted_on is null

),

final as (

    select
        group_key,
        customer_id,
        restriction as exclusion_reason
    from excluded
    where reason_rank = 1

)

select * from final
