{#- The action that decides each (customer, group) by hand: the latest
    applied action on or before as_of_date (ties: the larger id). -#}
with

applied as (

    select * from {{ ref('int_customer_group_actions_classified') }}
    where outcome = 'applied'

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id, group_key
            order by acted_at desc, customer_group_action_id desc
        ) as action_rank
    from applied

),

final as (

    select
        customer_id,
        group_key,
        action as latest_action,
        acted_on as latest_action_on,
        actor as latest_actor
    from ranked
    where action_rank = 1

)

select * from final
