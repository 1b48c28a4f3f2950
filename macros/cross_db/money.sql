{#- A raw amount as the project's money type (scale 4 keeps every cent). -#}
{% macro cast_money(column) -%}
    cast({{ column }} as decimal(18, 4))
{%- endmacro %}

{#- An amount in the reporting currency: amount x rate, unrounded (the
    product of scale 4 and scale 8 is exact at scale 12). -#}
{% macro to_reporting_currency(amount_column, rate_column) -%}
    cast({{ cast_money(amount_column) }} * {{ rate_column }} as decimal(38, 12))
{%- endmacro %}

{#- Trimmed, lower-cased enum value; blank means unknown. A card number in
    it is redacted (the value is then unknown). -#}
{% macro normalize_enum(column) -%}
    {{ redact_card_numbers("nullif(lower(trim(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "))), '')") }}
{%- endmacro %}

{#- Trimmed text id; blank means missing. A card number in it is redacted,
    and validation quarantines the row (`card_number_in_id`). -#}
{% macro normalize_id(column) -%}
    {{ redact_card_numbers("nullif(trim(cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")), '')") }}
{%- endmacro %}

{#- Trimmed, upper-cased ISO 4217 code (a card number in it is redacted). -#}
{% macro normalize_currency(column) -%}
    {{ redact_card_numbers("nullif(upper(trim(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "))), '')") }}
{%- endmacro %}

{#- A sum of reporting-currency amounts at the project's money scale.
    DuckDB's sum() keeps DECIMAL(38, s) but PostgreSQL's returns numeric
    with no declared scale, so both engines get an explicit decimal(p, s). -#}
{% macro sum_reporting_amount(expression) -%}
    cast(sum({{ expression }}) as decimal(38, 12))
{%- endmacro %}
