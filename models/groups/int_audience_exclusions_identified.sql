{#- Customers an audience must leave out: no marketing consent, unsubscribed,
    hard-bounced, or five or more soft bounces by the audience's created_on. -#}
with

audiences as (

    select
        group_key,
        created_on
    from {{ ref('customer_group_definitions') }}
    where group_type = 'audience' and created_on is not null

),

customers as (

    select
        customer_id,
        has_marketing_consent
    from {{ ref('customer_metrics') }}

),

email_events as (

    select * from {{ ref('int_email_events_validated') }}
    where row_status = 'clean'

),

email_counts as (

    select
        audiences.group_key,
        email_events.customer_id,
        sum(case when email_events.event_type = 'unsubscribe' then 1 else 0 end) as unsubscribes,
        sum(case when email_events.event_type = 'hard_bounce' then 1 else 0 end) as hard_bounces,
        sum(case when email_events.event_type = 'soft_bounce' then 1 else 0 end) as soft_bounces
    from audiences
    inner join email_events
        on audiences.created_on >= email_events.created_date
    group by audiences.group_key, email_events.customer_id

),

final as (

    select
        audiences.group_key,
        customers.customer_id,
        case
            when not coalesce(customers.has_marketing_consent, false) then 'no_marketing_consent'
            when email_counts.unsubscribes > 0 then 'unsubscribed'
            when email_counts.hard_bounces > 0 then 'hard_bounced'
            when email_counts.soft_bounces >= 5 then 'soft_bounced_5_times'
        end as exclusion_reason
    from audiences
    cross join customers
    left join email_counts
        on
            audiences.group_key = email_counts.group_key
            and customers.customer_id = email_counts.customer_id

)

select * from final
where exclusion_reason is not null
