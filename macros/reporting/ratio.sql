{#- numerator / denominator as a rate, NULL when the denominator is 0 or
    NULL (never a division error, never a 0 that hides "nothing to
    measure"). Both sides are cast to decimals first, so integer counts are
    not divided with integer division on engines that do that. -#}
{% macro ratio(numerator, denominator) -%}
    {{ return(adapter.dispatch('ratio', 'customer_groups')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__ratio(numerator, denominator) -%}
    cast(
        cast({{ numerator }} as decimal(38, 12))
        / nullif(cast({{ denominator }} as decimal(38, 12)), 0)
    as decimal(18, 8))
{%- endmacro %}

{#- Spark keeps only 6 decimals when dividing two decimal(38, 12) (1/3 is
    0.333333), so it divides doubles, as DuckDB does with decimals, and
    rounds to the same 8 decimals. -#}
{% macro spark__ratio(numerator, denominator) -%}
    cast(
        cast({{ numerator }} as double)
        / nullif(cast({{ denominator }} as double), 0)
    as decimal(18, 8))
{%- endmacro %}
