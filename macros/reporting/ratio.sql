{#- numerator / denominator as a rate, NULL when the denominator is 0 or
    NULL (never a division error, never a 0 that hides "nothing to
    measure"). Both sides are cast to decimals first, so integer counts are
    not divided with integer division on engines that do that. -#}
{% macro ratio(numerator, denominator) -%}
    cast(
        cast({{ numerator }} as decimal(38, 12))
        / nullif(cast({{ denominator }} as decimal(38, 12)), 0)
    as decimal(18, 8))
{%- endmacro %}
