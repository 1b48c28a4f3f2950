{#- `as materialized` for a CTE read by several later CTEs, so engines that
    would otherwise inline it do not recompute it once per reader. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'customer_groups')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}{%- endmacro %}

{% macro duckdb__materialized_cte() -%}materialized{%- endmacro %}

{% macro postgres__materialized_cte() -%}materialized{%- endmacro %}
