{#- One row per calendar day from start_date to end_date, both included, as
    the column `spine_date`. Both arguments are SQL expressions that need no
    FROM clause (literals, macros such as as_of_date(), scalar subqueries
    such as "(select min(valid_from) from history)"); there are no rows when
    either is NULL or start_date is after end_date. Built in SQL, without
    the compile-time query dbt.date_spine runs, so it also works inside unit
    tests, where the bounds come from fixture rows. -#}
{% macro day_spine(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_spine', 'customer_groups')(start_date, end_date)) }}
{%- endmacro %}

{#- Portable: 2^16 day numbers (about 179 years) from cross joins of a
    two-row table (dbt.generate_series), added to start_date. -#}
{% macro default__day_spine(start_date, end_date) -%}
    select spine_date
    from (
        select cast({{ dbt.dateadd('day', 'day_numbers.generated_number - 1', start_date) }} as date) as spine_date
        from ({{ dbt.generate_series(65536) }}) as day_numbers
    ) as days
    where spine_date <= {{ end_date }}
{%- endmacro %}

{#- DuckDB: the generate_series list function, no number table needed. -#}
{% macro duckdb__day_spine(start_date, end_date) -%}
    select cast(spine_timestamp as date) as spine_date
    from (
        select unnest(generate_series(
            cast({{ start_date }} as timestamp),
            cast({{ end_date }} as timestamp),
            interval 1 day
        )) as spine_timestamp
    ) as days
{%- endmacro %}

{#- Spark: sequence() of dates, exploded (sequence fails when start is
    after end, hence the case). -#}
{% macro spark__day_spine(start_date, end_date) -%}
    select spine_date
    from (
        select explode(
            case
                when cast({{ start_date }} as date) <= cast({{ end_date }} as date)
                    then sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)
            end
        ) as spine_date
    ) as days
{%- endmacro %}
