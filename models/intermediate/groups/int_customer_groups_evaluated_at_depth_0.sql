{#- Disabled when var max_group_nesting_depth is below 0: no group can be this deep. -#}
{{ config(enabled=(var('max_group_nesting_depth') | int >= 0)) }}
{#- The final members of the enabled groups at nesting depth 0 on each
    evaluation date: see macro evaluate_customer_groups_at_depth. -#}
{{ evaluate_customer_groups_at_depth(0) }}
