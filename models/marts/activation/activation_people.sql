{#- The people a reverse-ETL tool may push to marketing, email and CRM
    tools: only customers who may be contacted (the `may_be_contacted`
    definition of customer_360: marketing consent, not unsubscribed, not
    hard-bounced, not in do_not_contact), and only the attributes those tools
    match records on. Email is trimmed and lower-cased, as the tools compare
    it. A person with neither email nor phone cannot be matched and is left
    out. Never card data. -#}
{%- set text = dbt.type_string() %}

with

contactable_customers as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        country
    from {{ ref('customer_360') }}
    where may_be_contacted

),

phones as (

    select
        customer_id,
        phone
    from ({{ clean_rows_as_of('int_customers_validated') }}) as customers

),

people as (

    select
        contactable_customers.customer_id,
        contactable_customers.first_name,
        contactable_customers.last_name,
        lower(trim(contactable_customers.email)) as email,
        nullif(trim(phones.phone), '') as phone,
        contactable_customers.country
    from contactable_customers
    left join phones on contactable_customers.customer_id = phones.customer_id

),

final as (

    select
        cast(customer_id as {{ text }}) as person_id,
        cast(nullif(email, '') as {{ text }}) as email,
        cast(phone as {{ text }}) as phone,
        cast(first_name as {{ text }}) as first_name,
        cast(last_name as {{ text }}) as last_name,
        cast(country as {{ text }}) as country,
        {{ as_of_date() }} as as_of_date
    from people
    where nullif(email, '') is not null or phone is not null

)

select * from final
