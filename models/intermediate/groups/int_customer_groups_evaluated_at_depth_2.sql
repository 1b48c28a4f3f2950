{#- The final members of the enabled groups at nesting depth 2 on each
    evaluation date: see macro evaluate_customer_groups_at_depth. -#}
{{ evaluate_customer_groups_at_depth(2) }}
