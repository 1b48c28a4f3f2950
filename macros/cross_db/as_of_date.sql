{#- The day this run evaluates, from var as_of_date (YYYY-MM-DD), by default
    today in UTC. A malformed or impossible date stops the run. -#}
{% macro as_of_date_string() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is none or configured | string | trim == '' -%}
        {{ return(run_started_at.strftime('%Y-%m-%d')) }}
    {%- endif -%}
    {%- set text = configured | string | trim -%}
    {%- set problem = "var as_of_date must be a real date written YYYY-MM-DD, got '" ~ text ~ "'" -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error(problem) }}
    {%- endif -%}
    {%- set year = text[0:4] | int -%}
    {%- set month = text[5:7] | int -%}
    {%- set day = text[8:10] | int -%}
    {%- if month < 1 or month > 12 or day < 1 or year < 1 -%}
        {{ exceptions.raise_compiler_error(problem) }}
    {%- endif -%}
    {%- set first_of_next_month = modules.datetime.date(year + (1 if month == 12 else 0), (month % 12) + 1, 1) -%}
    {%- if day > (first_of_next_month - modules.datetime.timedelta(days=1)).day -%}
        {{ exceptions.raise_compiler_error(problem) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}

{% macro as_of_date() -%}
    cast('{{ as_of_date_string() }}' as date)
{%- endmacro %}
