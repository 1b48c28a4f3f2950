{#- Whether a text fully matches a regular expression. -#}
{% macro matches_pattern(column, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'customer_groups')(column, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(column, pattern) -%}
    ({{ column }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro duckdb__matches_pattern(column, pattern) -%}
    regexp_full_match({{ column }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(column, pattern) -%}
    ({{ column }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro number_pattern() -%}[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+){%- endmacro %}
{% macro integer_pattern() -%}[+-]?[0-9]+{%- endmacro %}
{% macro date_pattern() -%}[0-9]{4}-[0-9]{2}-[0-9]{2}{%- endmacro %}

{#- Seed text to a number, or NULL when blank or not a number (reported
    separately as a definition problem, never a load error). The cast is
    outside the case: PostgreSQL drops a branch's precision and scale when
    the case has no else. -#}
{% macro text_to_number(column) -%}
    cast(
        case
            when {{ matches_pattern('trim(' ~ column ~ ')', number_pattern()) }}
                then trim({{ column }})
        end
        as decimal(38, 12)
    )
{%- endmacro %}

{% macro text_to_integer(column) -%}
    case
        when {{ matches_pattern('trim(' ~ column ~ ')', integer_pattern()) }}
            then cast(trim({{ column }}) as integer)
    end
{%- endmacro %}

{#- Seed text to a date; impossible dates such as 2026-02-30 stay NULL. -#}
{% macro text_to_date(column) -%}
    {{ return(adapter.dispatch('text_to_date', 'customer_groups')(column)) }}
{%- endmacro %}

{% macro default__text_to_date(column) -%}
    case
        when {{ matches_pattern('trim(' ~ column ~ ')', date_pattern()) }}
            then cast(trim({{ column }}) as date)
    end
{%- endmacro %}

{% macro duckdb__text_to_date(column) -%}
    try_cast(trim({{ column }}) as date)
{%- endmacro %}

{#- Seed text to a boolean: true/false/yes/no/1/0 (any case); blank takes
    the default; anything else is NULL and reported as a problem. -#}
{% macro text_to_boolean(column, default) -%}
    case
        when nullif(trim({{ column }}), '') is null then {{ default }}
        when lower(trim({{ column }})) in ('true', 't', 'yes', 'y', '1') then true
        when lower(trim({{ column }})) in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}

{#- Blank text is NULL; otherwise the text, trimmed. -#}
{% macro blank_to_null(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}
