{#- Guards: the event log is complete and exact (SPEC §4). Every stay
    opening in customer_group_membership_history has exactly one `added`
    event on its valid_from, every closing exactly one `removed` event on its
    valid_to, and no event exists without such a change. A run that stopped
    between writing the history and the events would show here (and the
    next run refuses to go on until that day is run again). -#}
with

stays as (

    select * from {{ ref('customer_group_membership_history') }}

),

expected as (

    select
        customer_id,
        group_key,
        'customer.updated.customer_group.added' as event_name,
        valid_from as occurred_on
    from stays

    union all

    select
        customer_id,
        group_key,
        'customer.updated.customer_group.removed' as event_name,
        valid_to as occurred_on
    from stays
    where valid_to is not null

),

recorded as (

    select
        customer_id,
        group_key,
        event_name,
        occurred_on,
        count(*) as events
    from {{ ref('customer_group_events') }}
    group by customer_id, group_key, event_name, occurred_on

),

final as (

    select
        coalesce(expected.customer_id, recorded.customer_id) as customer_id,
        coalesce(expected.group_key, recorded.group_key) as group_key,
        coalesce(expected.event_name, recorded.event_name) as event_name,
        coalesce(expected.occurred_on, recorded.occurred_on) as occurred_on,
        case
            when recorded.customer_id is null then 'stay change without an event'
            when expected.customer_id is null then 'event without a stay change'
            else 'stay change with ' || cast(recorded.events as {{ dbt.type_string() }}) || ' events'
        end as problem
    from expected
    full outer join recorded
        on
            expected.customer_id = recorded.customer_id
            and expected.group_key = recorded.group_key
            and expected.event_name = recorded.event_name
            and expected.occurred_on = recorded.occurred_on

)

select * from final
where problem != 'stay change with 1 events'
