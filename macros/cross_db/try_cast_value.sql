{#- A raw value read as one of the project's types, or NULL when it cannot
    be: text where a number is expected ('12,50', 'abc'), a number beyond
    the type (1e15 as money), a boolean 'maybe'. Blank text reads as NULL.
    Never fails, so one bad raw value cannot stop the build: staging reads
    every typed raw column through it, and validation quarantines the row
    (`invalid_value`, see raw_value_checks.sql). Works whether the raw
    column is typed or text. `kind`: money | integer | bigint | boolean. -#}
{% macro try_cast_value(column, kind) -%}
    {{ return(adapter.dispatch('try_cast_value', 'customer_groups')(column, kind)) }}
{%- endmacro %}

{% macro try_cast_value_type(kind) -%}
    {%- set types = {'money': 'decimal(18, 4)', 'integer': 'integer', 'bigint': 'bigint', 'boolean': 'boolean'} -%}
    {%- if kind not in types -%}
        {{ exceptions.raise_compiler_error("try_cast_value: unknown kind '" ~ kind ~ "', expected one of " ~ types.keys() | list | join(', ')) }}
    {%- endif -%}
    {{ return(types[kind]) }}
{%- endmacro %}

{#- The raw value as trimmed text; blank is NULL. -#}
{% macro raw_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{% macro duckdb__try_cast_value(column, kind) -%}
    try_cast({{ raw_text(column) }} as {{ try_cast_value_type(kind) }})
{%- endmacro %}

{% macro spark__try_cast_value(column, kind) -%}
    try_cast({{ raw_text(column) }} as {{ try_cast_value_type(kind) }})
{%- endmacro %}

{#- PostgreSQL has no try_cast: a regular expression guards the cast and a
    range check keeps it inside the type (CASE evaluates in order). -#}
{% macro default__try_cast_value(column, kind) -%}
    {%- set text = raw_text(column) -%}
    {%- if kind == 'money' -%}
    {#- The cast wraps the CASE: PostgreSQL drops the scale of a CASE
        without ELSE, and the column must keep decimal(18, 4). -#}
    cast(
        case
            when {{ text }} ~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$' then
                case
                    when abs(cast({{ text }} as numeric)) < 99999999999999.99995
                        then cast({{ text }} as numeric)
                end
        end
        as {{ try_cast_value_type(kind) }}
    )
    {%- elif kind in ('integer', 'bigint') -%}
    {%- set bound = '2147483647' if kind == 'integer' else '9223372036854775807' -%}
    case
        when {{ text }} ~ '^[+-]?[0-9]{1,19}$' then
            case
                when cast({{ text }} as numeric) between -{{ bound }} - 1 and {{ bound }}
                    then cast({{ text }} as {{ try_cast_value_type(kind) }})
            end
    end
    {%- elif kind == 'boolean' -%}
    case
        when lower({{ text }}) in ('true', 't', 'yes', 'y', 'on', '1') then true
        when lower({{ text }}) in ('false', 'f', 'no', 'n', 'off', '0') then false
    end
    {%- else -%}
    cast({{ text }} as {{ try_cast_value_type(kind) }})
    {%- endif -%}
{%- endmacro %}
