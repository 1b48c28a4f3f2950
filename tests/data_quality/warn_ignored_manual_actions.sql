-- Manual actions that do not count (on flexi rule groups, unknown, disabled
-- or locked groups, or before a fixed group's created_on) are reported on
-- every build, so an agent's edit that silently does nothing gets noticed.
{{ config(severity='warn') }}

select
    outcome,
    group_key,
    count(*) as actions
from {{ ref('customer_group_action_outcomes') }}
where outcome != 'applied'
group by outcome, group_key
