{#- How many steps int_customer_group_dependencies_resolved walks the
    "group references group" graph (it has no recursive CTE: one CTE per
    step): max_group_nesting_depth + 2, so every depth up to one past the
    limit is found exactly, and a depth of this many means "at least". -#}
{% macro group_dependency_walk_steps() -%}
    {{ return(var('max_group_nesting_depth') | int + 2) }}
{%- endmacro %}
