-- Business rule (activation marts): reverse-ETL tools only ever receive
-- people who may be contacted (customer_360.may_be_contacted: consent, not
-- unsubscribed, not hard-bounced, not in do_not_contact) and who can be
-- matched (an email or a phone). Returns every published person that breaks
-- either rule.

with

people as (

    select * from {{ ref('activation_people') }}

),

customers as (

    select
        customer_id,
        may_be_contacted
    from {{ ref('customer_360') }}

),

final as (

    select
        people.person_id,
        coalesce(customers.may_be_contacted, false) as may_be_contacted,
        people.email,
        people.phone
    from people
    left join customers on people.person_id = customers.customer_id
    where
        not coalesce(customers.may_be_contacted, false)
        or (people.email is null and people.phone is null)

)

select * from final
