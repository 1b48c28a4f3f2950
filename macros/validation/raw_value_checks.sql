{#-
    How staging reads raw values it cannot trust (docs/data_quality.md,
    "Unreadable values and implausible timestamps"). Staging types every
    raw column through try_cast_value(), so a bad value becomes NULL instead of
    stopping the build, and names the columns it could not read in
    `invalid_value_columns`; validation quarantines such rows
    (`invalid_value`). Epoch timestamps outside the plausible window
    become NULL too and are named in `implausible_timestamp_columns`
    (`implausible_timestamp`).

    The window does not depend on as_of_date (staging and validation are
    as_of_independent; a fact after as_of_date is not an error, SPEC §2):
      from var earliest_plausible_date (default 2000-01-01)
      to   var latest_plausible_date, by default the UTC date the build
           started plus var plausible_days_after_build (default 31) days,
           inclusive.
-#}

{#- (first, last) epoch second of the plausible window, computed once at compile time. -#}
{% macro plausible_epoch_bounds() -%}
    {%- set datetime = modules.datetime -%}
    {%- set epoch = datetime.datetime(1970, 1, 1) -%}
    {%- set earliest_text = var('earliest_plausible_date', '2000-01-01') | string | trim -%}
    {%- set latest_text = var('latest_plausible_date', none) -%}
    {%- set earliest = datetime.datetime.strptime(earliest_text, '%Y-%m-%d') -%}
    {%- if latest_text is none or latest_text | string | trim == '' -%}
        {%- set build_day = datetime.datetime.strptime(run_started_at.strftime('%Y-%m-%d'), '%Y-%m-%d') -%}
        {%- set latest = build_day + datetime.timedelta(days=var('plausible_days_after_build', 31) | int) -%}
    {%- else -%}
        {%- set latest = datetime.datetime.strptime(latest_text | string | trim, '%Y-%m-%d') -%}
    {%- endif -%}
    {%- if latest < earliest -%}
        {{ exceptions.raise_compiler_error(
            'the plausible timestamp window is empty: latest ' ~ latest.strftime('%Y-%m-%d')
            ~ ' is before earliest_plausible_date ' ~ earliest_text) }}
    {%- endif -%}
    {%- set first_second = (earliest - epoch).total_seconds() | int -%}
    {%- set last_second = (latest - epoch).total_seconds() | int + 86399 -%}
    {{ return([first_second, last_second]) }}
{%- endmacro %}

{#- Raw epoch seconds, or NULL when unreadable or outside the window. -#}
{% macro plausible_epoch_seconds(column) -%}
    {%- set bounds = plausible_epoch_bounds() -%}
    case
        when {{ try_cast_value(column, 'bigint') }} between {{ bounds[0] }} and {{ bounds[1] }}
            then {{ try_cast_value(column, 'bigint') }}
    end
{%- endmacro %}

{#- A raw epoch column as a UTC timestamp / date; NULL when it is missing,
    unreadable or implausible (the problem columns below say which). -#}
{% macro staged_timestamp(column) -%}
    {{ epoch_seconds_to_timestamp(plausible_epoch_seconds(column)) }}
{%- endmacro %}

{% macro staged_date(column) -%}
    {{ to_utc_date(staged_timestamp(column)) }}
{%- endmacro %}

{#- Comma-separated names of the raw columns whose value is present but
    cannot be read as its kind; NULL when every value was readable.
    `columns`: a mapping of raw column name to kind; `prefix`: how the
    source relation is named in the query ('source.' or ''). -#}
{% macro invalid_value_columns(columns, prefix='') -%}
    {%- set checks = [] -%}
    {%- for name, kind in columns.items() -%}
        {%- do checks.append(
            "case when " ~ raw_text(prefix ~ name) ~ " is not null and "
            ~ try_cast_value(prefix ~ name, kind) ~ " is null then '" ~ name ~ "' end") -%}
    {%- endfor -%}
    {{ problem_column_list(checks) }}
{%- endmacro %}

{#- Comma-separated names of the raw epoch columns that hold a readable
    number outside the plausible window; NULL when none. -#}
{% macro implausible_timestamp_columns(columns, prefix='') -%}
    {%- set checks = [] -%}
    {%- for name in columns -%}
        {%- do checks.append(
            "case when " ~ try_cast_value(prefix ~ name, 'bigint') ~ " is not null and "
            ~ plausible_epoch_seconds(prefix ~ name) ~ " is null then '" ~ name ~ "' end") -%}
    {%- endfor -%}
    {{ problem_column_list(checks) }}
{%- endmacro %}

{% macro problem_column_list(checks) -%}
    {%- if checks | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        nullif(concat_ws(', ', {{ checks | join(', ') }}), '')
    {%- endif -%}
{%- endmacro %}

{#- A free-text raw column as text, card numbers redacted. -#}
{% macro redacted_text(column) -%}
    {{ redact_card_numbers('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')') }}
{%- endmacro %}
