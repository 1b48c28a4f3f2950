{#- A raw amount as the project's money type (scale 4 keeps every cent). -#}
{% macro cast_money(column) -%}
    cast({{ column }} as decimal(18, 4))
{%- endmacro %}

{#- An amount in the reporting currency: amount x rate, unrounded (the
    product of scale 4 and scale 8 is exact at scale 12). -#}
{% macro to_reporting_currency(amount_column, rate_column) -%}
    cast({{ cast_money(amount_column) }} * {{ rate_column }} as decimal(38, 12))
{%- endmacro %}

{#- Trimmed, lower-cased enum value; blank means unknown. -#}
{% macro normalize_enum(column) -%}
    nullif(lower(trim(cast({{ column }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}

{#- Trimmed text id; blank means missing. -#}
{% macro normalize_id(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- Trimmed, upper-cased ISO 4217 code. -#}
{% macro normalize_currency(column) -%}
    nullif(upper(trim(cast({{ column }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}

{#- A sum of reporting-currency amounts at the project's money scale.
    DuckDB's sum() keeps DECIMAL(38, s) but PostgreSQL's returns numeric
    with no declared scale, so both engines get an explicit decimal(p, s). -#}
{% macro sum_reporting_amount(expression) -%}
    cast(sum({{ expression }}) as decimal(38, 12))
{%- endmacro %}
