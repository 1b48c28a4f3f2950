{#- Every clean manual action taken by as_of_date and whether it counted
    (applied, or why it was ignored), for the people who take them.
    Classified in int_customer_group_actions_classified. -#}
-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

actions as (

    select * from {{ ref('int_customer_group_actions_classified') }}

),

final as (

    select
        customer_group_action_id,
        customer_id,
        group_key,
        action,
        actor,
        acted_at,
        acted_on,
        outcome,
        as_of_date
    from actions

)

select * from final
