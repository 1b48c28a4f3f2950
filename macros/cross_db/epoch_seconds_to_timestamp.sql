{#- Unix epoch seconds (UTC) to a timezone-less UTC timestamp. Never goes
    through the session time zone, so results do not depend on it. -#}
{% macro epoch_seconds_to_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_seconds_to_timestamp', 'customer_groups')(column)) }}
{%- endmacro %}

{% macro default__epoch_seconds_to_timestamp(column) -%}
    cast((to_timestamp({{ column }}) at time zone 'UTC') as timestamp)
{%- endmacro %}

{% macro duckdb__epoch_seconds_to_timestamp(column) -%}
    make_timestamp(cast({{ column }} as bigint) * 1000000)
{%- endmacro %}

{% macro spark__epoch_seconds_to_timestamp(column) -%}
    timestamp_seconds(cast({{ column }} as bigint))
{%- endmacro %}
