-- Manual actions that do not count (on flexi rule groups, unknown, disabled
-- or locked groups, or before a fixed group's created_on) are reported for
-- var ignored_action_warn_days (default 7) days after they were taken, so
-- an agent's edit that silently does nothing gets noticed while it is
-- fresh, without an old mistake warning on every build forever. Every
-- ignored action stays listed in customer_group_action_outcomes.
{{ config(severity='warn') }}

select
    outcome,
    group_key,
    count(*) as actions
from {{ ref('customer_group_action_outcomes') }}
where
    outcome != 'applied'
    and acted_on > {{ dbt.dateadd('day', -1 * (var('ignored_action_warn_days', 7) | int), as_of_date()) }}
group by outcome, group_key
