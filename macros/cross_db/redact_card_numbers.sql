{#- Replaces any run of 13-19 digits (optionally split by spaces or dashes)
    in free text with a marker, so a card number typed into a note or an
    address can never reach a model. -#}
{% macro redact_card_numbers(column) -%}
    {{ return(adapter.dispatch('redact_card_numbers', 'customer_groups')(column)) }}
{%- endmacro %}

{% macro card_number_pattern() -%}
    '[0-9](?:[ -]?[0-9]){12,18}'
{%- endmacro %}

{% macro default__redact_card_numbers(column) -%}
    regexp_replace({{ column }}, {{ card_number_pattern() }}, '[redacted]', 'g')
{%- endmacro %}

{% macro spark__redact_card_numbers(column) -%}
    regexp_replace({{ column }}, {{ card_number_pattern() }}, '[redacted]')
{%- endmacro %}
