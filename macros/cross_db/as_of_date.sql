{#- The day this run evaluates, from var as_of_date (YYYY-MM-DD); absent, it
    is today in UTC. An empty value (what an unset scheduler variable gives),
    a malformed or impossible date, or a date after today (UTC) plus var
    as_of_date_future_margin_days (default 1) stops the run; var
    allow_future_as_of_date: true lets a future date through on purpose. -#}
{% macro as_of_date_string() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is none -%}
        {{ return(run_started_at.strftime('%Y-%m-%d')) }}
    {%- endif -%}
    {%- set text = configured | string | trim -%}
    {%- if text == '' -%}
        {{ exceptions.raise_compiler_error(
            "var as_of_date is empty (an unset scheduler variable?). Give a date written YYYY-MM-DD,"
            ~ " or leave the var out to run for today (UTC)."
        ) }}
    {%- endif -%}
    {%- if not is_date_text(text) -%}
        {{ exceptions.raise_compiler_error("var as_of_date must be a real date written YYYY-MM-DD, got '" ~ text ~ "'") }}
    {%- endif -%}
    {%- set margin = var('as_of_date_future_margin_days', 1) | int -%}
    {%- set latest = (run_started_at + modules.datetime.timedelta(days=margin)).strftime('%Y-%m-%d') -%}
    {%- if text > latest and var('allow_future_as_of_date', false) not in [true, 'true', 'True'] -%}
        {{ exceptions.raise_compiler_error(
            "var as_of_date " ~ text ~ " is after today (" ~ run_started_at.strftime('%Y-%m-%d')
            ~ " UTC, plus " ~ margin ~ " day(s) of margin): a typo would move the history forward and"
            ~ " block every daily run until then. To evaluate a future date on purpose, add"
            ~ " allow_future_as_of_date: true to --vars."
        ) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}

{#- Whether a text is a real calendar date written YYYY-MM-DD (not
    2026-02-30): the one check behind every date var. -#}
{% macro is_date_text(text) -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set year = text[0:4] | int -%}
    {%- set month = text[5:7] | int -%}
    {%- set day = text[8:10] | int -%}
    {%- if month < 1 or month > 12 or day < 1 or year < 1 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set first_of_next_month = modules.datetime.date(year + (1 if month == 12 else 0), (month % 12) + 1, 1) -%}
    {{ return(day <= (first_of_next_month - modules.datetime.timedelta(days=1)).day) }}
{%- endmacro %}

{% macro as_of_date() -%}
    cast('{{ as_of_date_string() }}' as date)
{%- endmacro %}

{#- Var extra_evaluation_dates: further dates (YYYY-MM-DD, on or before
    as_of_date) the run evaluates metrics and groups on, besides its own
    (int_evaluation_dates). Anything else stops the run rather than reach SQL. -#}
{% macro extra_evaluation_dates() -%}
    {%- set configured = var('extra_evaluation_dates', []) or [] -%}
    {%- if configured is string -%}{%- set configured = [configured] -%}{%- endif -%}
    {%- set run_date = as_of_date_string() -%}
    {%- set dates = [] -%}
    {%- for value in configured -%}
        {%- set text = value | string | trim -%}
        {%- if not is_date_text(text) or text > run_date -%}
            {{ exceptions.raise_compiler_error(
                "var extra_evaluation_dates takes real dates written YYYY-MM-DD on or before as_of_date ("
                ~ run_date ~ "), got '" ~ text ~ "'"
            ) }}
        {%- endif -%}
        {%- do dates.append(text) -%}
    {%- endfor -%}
    {{ return(dates | unique | list) }}
{%- endmacro %}

{#- The first date this run evaluates and writes history for: var
    backfill_start_date (YYYY-MM-DD, on or before as_of_date) when the run
    replays a range of past days in one go (scripts/backfill.py), else
    as_of_date. Every date from it to as_of_date is processed as if a run had
    been made for each day in turn. -#}
{% macro run_start_date_string() -%}
    {%- set configured = var('backfill_start_date', none) -%}
    {%- set run_date = as_of_date_string() -%}
    {%- if configured is none or (configured | string | trim) == '' -%}
        {{ return(run_date) }}
    {%- endif -%}
    {%- set text = configured | string | trim -%}
    {%- if not is_date_text(text) or text > run_date -%}
        {{ exceptions.raise_compiler_error(
            "var backfill_start_date must be a real date written YYYY-MM-DD on or before as_of_date ("
            ~ run_date ~ "), got '" ~ text ~ "'"
        ) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}

{% macro run_start_date() -%}
    cast('{{ run_start_date_string() }}' as date)
{%- endmacro %}

{#- Every date from run_start_date to as_of_date, as YYYY-MM-DD strings. -#}
{% macro run_dates() -%}
    {%- set start = modules.datetime.date.fromisoformat(run_start_date_string()) -%}
    {%- set end = modules.datetime.date.fromisoformat(as_of_date_string()) -%}
    {%- set dates = [] -%}
    {%- for offset in range((end - start).days + 1) -%}
        {%- do dates.append((start + modules.datetime.timedelta(days=offset)).isoformat()) -%}
    {%- endfor -%}
    {{ return(dates) }}
{%- endmacro %}
