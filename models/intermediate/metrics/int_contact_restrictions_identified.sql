{#- Why a customer may not receive marketing, and since when: one row per
    customer and restriction in force on as_of_date. The one definition of
    "may we email this customer": audiences leave out the customers
    restricted by their created_on (int_audience_exclusions_identified), and
    customer_360 says whether a customer may be contacted today.
    restricted_on is NULL when the restriction has no date (consent is a
    current flag on the customer). -#}
with

customers as (

    select
        customer_id,
        has_marketing_consent
    from {{ ref('int_customer_metrics_computed') }}

),

email_events as (

    {{ clean_rows_as_of('int_email_events_validated') }}

),

soft_bounces_numbered as (

    select
        customer_id,
        created_date,
        row_number() over (
            partition by customer_id
            order by created_date, email_event_id
        ) as soft_bounce_number
    from email_events
    where event_type = 'soft_bounce'

),

restrictions as (

    select
        customer_id,
        'no_marketing_consent' as restriction,
        cast(null as date) as restricted_on
    from customers
    where not coalesce(has_marketing_consent, false)

    union all

    select
        customer_id,
        case event_type when 'unsubscribe' then 'unsubscribed' else 'hard_bounced' end as restriction,
        min(created_date) as restricted_on
    from email_events
    where event_type in ('unsubscribe', 'hard_bounce')
    group by customer_id, event_type

    union all

    -- Five soft bounces make an address unreachable from the fifth on.
    select
        customer_id,
        'soft_bounced_5_times' as restriction,
        created_date as restricted_on
    from soft_bounces_numbered
    where soft_bounce_number = 5

),

final as (

    select
        cast(restrictions.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(restrictions.restriction as {{ dbt.type_string() }}) as restriction,
        cast(restrictions.restricted_on as date) as restricted_on
    from restrictions
    inner join customers
        on restrictions.customer_id = customers.customer_id

)

select * from final
