{#- The median (50th percentile, interpolated between the two middle values
    when their number is even) of a numeric expression, as an aggregate;
    NULL when there is no non-NULL value. -#}
{% macro median_of(expression) -%}
    {{ return(adapter.dispatch('median_of', 'customer_groups')(expression)) }}
{%- endmacro %}

{#- PostgreSQL, Redshift, Snowflake: the ordered-set aggregate. -#}
{% macro default__median_of(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median_of(expression) -%}
    median({{ expression }})
{%- endmacro %}

{#- Spark: the middle value(s) of the sorted values, averaged; exact for
    decimals (Spark's percentile() and median() return a double). -#}
{% macro spark__median_of(expression) -%}
    case
        when count({{ expression }}) > 0 then (
            element_at(array_sort(collect_list({{ expression }})), cast(floor((count({{ expression }}) + 1) / 2) as int))
            + element_at(array_sort(collect_list({{ expression }})), cast(ceil((count({{ expression }}) + 1) / 2) as int))
        ) / 2
    end
{%- endmacro %}
