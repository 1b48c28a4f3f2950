{#-
    State left by earlier runs, read before this run writes its own: the
    tables customer_group_run_log and customer_group_frozen_members are
    written downstream of group evaluation, so evaluation cannot ref() them
    (that would be a cycle); it reads them as plain relations, and only the
    rows from dates before this run's first date, so a rerun of a date sees
    the same state as its first run did.

    Where each relation lives comes from the project's graph (the model's
    resolved database, schema and alias), so a custom schema per folder or a
    generate_schema_name override is followed. A missing relation means a
    first run only when nothing else says otherwise: if the run log records
    earlier dates but another state table is missing, or the run log is
    missing while the history holds stays, the run stops and names what it
    could not find instead of silently starting over.
-#}
{% macro state_model_relation(model_name) -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.name == model_name and node.package_name == project_name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("state model " ~ model_name ~ " is not in this project's graph") }}
{%- endmacro %}

{% macro previous_run_relation(model_name) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set expected = state_model_relation(model_name) -%}
    {%- set found = adapter.get_relation(
        database=expected.database, schema=expected.schema, identifier=expected.identifier
    ) -%}
    {#- A missing run log beside a history is an unfinished first run, or a
        moved run log: guard_customer_group_run says which date to run. -#}
    {%- if found is none and model_name != 'customer_group_run_log' -%}
        {%- do assert_first_run_without(model_name, expected) -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}

{#- Stops the run when model_name's table is missing although earlier runs
    left state: a run must never behave as a first run by mistake. -#}
{% macro assert_first_run_without(model_name, expected) -%}
    {%- set witness = state_model_relation('customer_group_run_log') -%}
    {%- set witness_found = adapter.get_relation(
        database=witness.database, schema=witness.schema, identifier=witness.identifier
    ) -%}
    {%- if witness_found is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set earlier = run_query(
        "select count(*) from " ~ witness_found ~ " where as_of_date < " ~ run_start_date()
    ).columns[0].values()[0] -%}
    {%- if earlier | int > 0 -%}
        {{ exceptions.raise_compiler_error(
            "Customer group state is incomplete: " ~ witness_found ~ " records earlier runs, but "
            ~ model_name ~ " was not found at " ~ expected ~ ". If it was moved (a schema or alias"
            ~ " change), move it back or point the model there; if it was dropped, restore it, or"
            ~ " start history again on purpose with"
            ~ " dbt run-operation reset_customer_group_history --args '{confirm: erase history}'."
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- Fixed groups already frozen before this run: group_key, frozen_on. -#}
{% macro previous_freezes_sql() -%}
    {%- set run_log = previous_run_relation('customer_group_run_log') -%}
    {%- if run_log is not none -%}
    select
        group_key,
        max(frozen_on) as frozen_on
    from {{ run_log }}
    where as_of_date < {{ run_start_date() }} and frozen_on is not null
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
        where as_of_date < {{ run_start_date() }}
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
