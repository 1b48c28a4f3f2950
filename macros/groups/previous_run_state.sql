{#-
    State left by earlier runs, read before this run writes its own: the
    tables customer_group_run_log and customer_group_frozen_members are
    written downstream of group evaluation, so evaluation cannot ref() them
    (that would be a cycle); it reads them as plain relations, and only the
    rows from dates before this run's as_of_date, so a rerun of a date sees
    the same state as its first run did.
-#}
{% macro previous_run_relation(identifier) -%}
    {%- if not execute or this is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier=identifier)) }}
{%- endmacro %}

{#- Fixed groups already frozen before this run: group_key, frozen_on. -#}
{% macro previous_freezes_sql() -%}
    {%- set run_log = previous_run_relation('customer_group_run_log') -%}
    {%- if run_log is not none -%}
    select
        group_key,
        max(frozen_on) as frozen_on
    from {{ run_log }}
    where as_of_date < {{ as_of_date() }} and frozen_on is not null
    group by group_key
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as group_key,
        cast(null as date) as frozen_on
    where 1 = 0
    {%- endif -%}
{%- endmacro %}

{#- The frozen lists of those groups: group_key, customer_id. Only lists a
    completed run recorded in the run log count, so rows an interrupted run
    left behind are never merged into a later list. -#}
{% macro previous_frozen_members_sql() -%}
    {%- set frozen = previous_run_relation('customer_group_frozen_members') -%}
    {%- if frozen is not none -%}
    select
        frozen.group_key,
        frozen.customer_id
    from {{ frozen }} as frozen
    inner join ({{ previous_freezes_sql() }}) as recorded
        on
            frozen.group_key = recorded.group_key
            and frozen.frozen_on = recorded.frozen_on
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as group_key,
        cast(null as {{ dbt.type_string() }}) as customer_id
    where 1 = 0
    {%- endif -%}
{%- endmacro %}

{#- Each group's definition version and enabled flag on the last run before
    this one, to tell a definition change from a data change. -#}
{% macro previous_group_definitions_sql() -%}
    {%- set run_log = previous_run_relation('customer_group_run_log') -%}
    {%- if run_log is not none -%}
    select
        run_log.group_key,
        run_log.definition_version,
        run_log.is_enabled
    from {{ run_log }} as run_log
    inner join (
        select group_key, max(as_of_date) as as_of_date
        from {{ run_log }}
        where as_of_date < {{ as_of_date() }}
        group by group_key
    ) as latest
        on run_log.group_key = latest.group_key and run_log.as_of_date = latest.as_of_date
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as group_key,
        cast(null as {{ dbt.type_string() }}) as definition_version,
        cast(null as boolean) as is_enabled
    where 1 = 0
    {%- endif -%}
{%- endmacro %}
