{#- The action that decides each (customer, group) by hand on each evaluation
    date (int_evaluation_dates): the latest applied action on or before that
    date (ties: the larger id). -#}
with

applied as (

    select * from {{ ref('int_customer_group_actions_classified') }}
    where outcome = 'applied'

),

evaluation_dates as (

    select evaluation_date from {{ ref('int_evaluation_dates') }}

),

ranked as (

    select
        applied.*,
        evaluation_dates.evaluation_date,
        row_number() over (
            partition by applied.customer_id, applied.group_key, evaluation_dates.evaluation_date
            order by applied.acted_at desc, applied.customer_group_action_id desc
        ) as action_rank
    from applied
    inner join evaluation_dates
        on applied.acted_on <= evaluation_dates.evaluation_date

),

final as (

    select
        customer_id,
        group_key,
        evaluation_date,
        action as latest_action,
        acted_on as latest_action_on,
        actor as latest_actor
    from ranked
    where action_rank = 1

)

select * from final
