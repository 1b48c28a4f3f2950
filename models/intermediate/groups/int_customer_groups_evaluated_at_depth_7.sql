{#- Disabled when var max_group_nesting_depth is below 7: no group can be this deep. -#}
{{ config(enabled=(var('max_group_nesting_depth') | int >= 7)) }}
{#- The final members of the enabled groups at nesting depth 7 on each
    evaluation date: see macro evaluate_customer_groups_at_depth. -#}
{{ evaluate_customer_groups_at_depth(7) }}
