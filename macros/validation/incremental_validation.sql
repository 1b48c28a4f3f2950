{#-
    Incremental validation (docs/architecture.md, "Incremental validation"). A
    validated model materialized `incremental` keeps its rows between runs;
    each run re-validates every raw row of the ids listed here, appends them
    stamped with the run's start (`validated_at`), and its post-hook
    delete_revalidated_rows() drops the rows those ids had before. An id's
    rows are always validated together, so copies, versions and conflicts
    come out as a full rebuild would decide them.
-#}

{#- When this run started, as a timestamp literal: one value per dbt
    invocation, to the microsecond so that two runs never share it. -#}
{% macro validation_run_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- The latest of a staged row's own timestamps: when RevCent created or last
    updated it. None for tables that have no timestamp (product_sale). -#}
{% macro source_row_change_time(spec, alias) -%}
    {%- set columns = [] -%}
    {%- for column in [spec.get('version_column'), spec.get('timestamp_column')] if column and column not in columns -%}
        {%- do columns.append(column) -%}
    {%- endfor -%}
    {%- if columns | length == 0 -%}
        {{ return(none) }}
    {%- elif columns | length == 1 -%}
        {{ return(alias ~ '.' ~ columns[0]) }}
    {%- else -%}
        {#- greatest() skips NULLs on DuckDB, PostgreSQL and Spark alike. -#}
        {{ return('greatest(' ~ alias ~ '.' ~ columns | join(', ' ~ alias ~ '.') ~ ')') }}
    {%- endif -%}
{%- endmacro %}

{#- What is compared per id between the raw rows and the rows kept: how
    many, the latest timestamp, and for tables with a currency the rates
    staging found (a changed or added rate in seed currency_rates changes
    them). -#}
{% macro kept_rows_signature(spec, alias) -%}
    count(*) as row_count,
    max({{ source_row_change_time(spec, alias) or 'cast(null as timestamp)' }}) as last_changed_at
    {%- if spec.get('has_currency') %},
    sum({{ alias }}.rate_to_reporting) as rate_total,
    count({{ alias }}.rate_to_reporting) as rated_rows
    {%- endif %}
{%- endmacro %}

{#- The ids (staged keys) an incremental run must re-validate, as a query
    with one column `source_row_key`. Rows without an id are re-validated
    by every run (validate_source_rows.sql). An id is listed when:
    1. its raw rows differ from the rows kept for it in number (a new
       record, copy or version, whenever it was loaded and whatever its
       timestamps say), in their latest timestamp (a row updated in place:
       RevCent moves updated_date_unix) or in their currency's rate (seed
       currency_rates changed);
    2. whether one of its references holds now (the row it points to is
       clean) differs from what its stored row says: the customer of a sale
       was quarantined, or a missing subscription arrived;
    3. it was quarantined as implausible_timestamp: the plausible window
       moves with the build date.
    An id listed whose raw rows are all gone loses its rows
    (validate_source_rows.sql). A row changed in place without a new
    timestamp, and changed validation rules or vars, need `dbt build
    --full-refresh` (README, "What a daily run costs"). -#}
{% macro changed_source_row_keys(spec) -%}
    {%- set references = spec.get('references', []) -%}
    {%- set reference_reasons = references | map(attribute='reason') | list -%}
    {%- set staged_change_time = source_row_change_time(spec, 'staged_rows') -%}
    {%- set kept_change_time = source_row_change_time(spec, 'kept') -%}
    {%- set parts = [] -%}

    {%- set raw_and_kept_differ -%}
    select coalesce(raw_rows.source_row_key, kept_rows.source_row_key) as source_row_key
    from (
        select
            staged_rows.{{ spec.key }} as source_row_key,
            {{ kept_rows_signature(spec, 'staged_rows') }}
        from {{ ref(spec.staging_model) }} as staged_rows
        group by staged_rows.{{ spec.key }}
    ) as raw_rows
    full outer join (
        select
            kept.source_row_key,
            {{ kept_rows_signature(spec, 'kept') }}
        from {{ this }} as kept
        group by kept.source_row_key
    ) as kept_rows
        on raw_rows.source_row_key = kept_rows.source_row_key
    where
        raw_rows.row_count is distinct from kept_rows.row_count
        or raw_rows.last_changed_at is distinct from kept_rows.last_changed_at
        {%- if spec.get('has_currency') %}
        or raw_rows.rate_total is distinct from kept_rows.rate_total
        or raw_rows.rated_rows is distinct from kept_rows.rated_rows
        {%- endif %}
    {%- endset -%}
    {%- do parts.append(raw_and_kept_differ) -%}

    {%- for reference in references -%}
        {%- set reference_flipped -%}
    select kept.source_row_key
    from {{ this }} as kept
    left join (
        select {{ reference.column }} as referenced_key
        from {{ ref(reference.model) }}
        where row_status = 'clean'
    ) as referenced
        on kept.{{ reference.column }} = referenced.referenced_key
    where
        (kept.row_status = 'clean' or kept.quarantine_reason in ('{{ reference_reasons | join("', '") }}'))
        and case
            when referenced.referenced_key is null{% if not reference.required %} and kept.{{ reference.column }} is not null{% endif %} then 1
            else 0
        end
        <> case when kept.quarantine_reason = '{{ reference.reason }}' then 1 else 0 end
        {%- endset -%}
        {%- do parts.append(reference_flipped) -%}
    {%- endfor -%}

    {%- set window_moved -%}
    select source_row_key
    from {{ this }}
    where quarantine_reason = 'implausible_timestamp'
    {%- endset -%}
    {%- do parts.append(window_moved) -%}

    {{ parts | join('\n\n    union\n\n') }}
{%- endmacro %}

{#- Post-hook of every validated model: after an incremental run appended
    the re-validated rows, the rows their ids had before go (and every
    earlier row without an id, since each run re-validates those), and so
    do the rows marking ids whose raw rows vanished (validate_source_rows).
    A full build has nothing to delete. -#}
{% macro delete_revalidated_rows() -%}
    {%- if not execute or not is_incremental() -%}{{ return('') }}{%- endif -%}
    delete from {{ this }}
    where
        row_status = 'vanished'
        or (
            validated_at < {{ validation_run_timestamp() }}
            and (
                source_row_key is null
                or source_row_key in (
                    select revalidated.source_row_key
                    from {{ this }} as revalidated
                    where revalidated.validated_at = {{ validation_run_timestamp() }}
                )
            )
        )
{%- endmacro %}

{#- `dbt run-operation audit_incremental_validation`: validates every raw
    row again, as a full rebuild would, and compares the result with each
    incremental validated table (all columns but validated_at, as
    multisets both ways). Stops naming each table that differs and by how
    many rows; the fix is `dbt build --full-refresh`. Costs what a rebuild
    of those tables costs, so it runs on demand or weekly, not daily. -#}
{% macro audit_incremental_validation() %}
    {%- set differences = [] -%}
    {%- set audited = [] -%}
    {%- for source_table, spec in revcent_tables().items() -%}
        {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            | selectattr('name', 'equalto', spec.validated_model) | first -%}
        {%- if node.config.materialized == 'incremental' and node.config.enabled -%}
            {%- set columns = validated_row_columns(spec) -%}
            {%- set compared -%}
                with

                rebuilt as (
                    select {{ columns | join(', ') }}
                    from ({{ validate_source_rows(source_table, every_row=true) }}) as validation
                ),

                kept as (
                    select {{ columns | join(', ') }}
                    from {{ ref(spec.validated_model) }}
                ),

                only_kept as (
                    select * from kept
                    except all
                    select * from rebuilt
                ),

                only_rebuilt as (
                    select * from rebuilt
                    except all
                    select * from kept
                )

                select
                    (select count(*) from only_kept) as only_kept,
                    (select count(*) from only_rebuilt) as only_rebuilt,
                    (select count(*) from kept) as kept_rows
            {%- endset -%}
            {%- set counts = run_query(compared).rows[0] -%}
            {%- do audited.append(spec.validated_model ~ ' (' ~ counts['kept_rows'] ~ ' rows)') -%}
            {%- if counts['only_kept'] > 0 or counts['only_rebuilt'] > 0 -%}
                {%- do differences.append(
                    '  - ' ~ spec.validated_model ~ ': ' ~ counts['only_kept'] ~ ' row(s) only in the table, '
                    ~ counts['only_rebuilt'] ~ ' only in a rebuild') -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if differences -%}
        {{ exceptions.raise_compiler_error(
            'Incremental validation differs from a rebuild in ' ~ differences | length ~ ' table(s); run'
            ~ ' `dbt build --full-refresh` (the history is kept) and report what changed in the raw tables:\n'
            ~ differences | join('\n')) }}
    {%- endif -%}
    {{ log('Incremental validation equals a rebuild: ' ~ audited | join(', '), info=true) }}
{% endmacro %}
