{#- Whole UTC calendar days from start_date to end_date. -#}
{% macro days_between(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}

{#- Last calendar day of a card's expiry month; two-digit years mean 20xx. -#}
{% macro card_expiry_date(exp_month, exp_year) -%}
    {{ dbt.last_day(
        "make_date(case when " ~ exp_year ~ " < 100 then " ~ exp_year ~ " + 2000 else " ~ exp_year ~ " end, " ~ exp_month ~ ", 1)",
        'month'
    ) }}
{%- endmacro %}

{#- Timestamp to its UTC calendar date (timestamps here are UTC already). -#}
{% macro to_utc_date(column) -%}
    cast({{ column }} as date)
{%- endmacro %}
