{#-
    Classifies every staged row of one raw table as clean, collapsed,
    superseded or quarantined (with a reason), following the catalogue entry
    in revcent_tables() and docs/data_quality.md. Keeps every staged column,
    so the clean rows are read from here and nothing is lost on the way.
-#}
{% macro validate_source_rows(source_table, every_row=false) %}
{%- set spec = revcent_tables()[source_table] -%}
{%- set references = spec.get('references', []) -%}
{%- set version_column = spec.get('version_column') -%}
{%- set key_holds_card_number = spec.key in spec.get('id_columns', []) -%}
{%- set other_id_columns = spec.get('id_columns', []) | reject('equalto', spec.key) | list -%}

{#- An incremental run (docs/architecture.md, "Incremental validation")
    re-validates only the ids that changed_source_row_keys() lists, and every
    row of each: copies, versions and references are decided per id.
    every_row: all rows whatever the model (audit_incremental_validation).
    `this` is none in a dbt unit test that gives no `this` input: such a
    test checks the full validation. -#}
{%- set revalidates_changed_keys = not every_row and this is not none and is_incremental() -%}

with

{% if revalidates_changed_keys %}
changed_keys as (

    {{ changed_source_row_keys(spec) }}

),

{% endif %}
{#- staged is read by three CTEs below: materialized once where the engine allows. #}
staged as {{ materialized_cte() }} (

    select
        *,
        {{ spec.key }} as source_row_key
    from {{ ref(spec.staging_model) }}
    {% if revalidates_changed_keys -%}
    where {{ spec.key }} is null or {{ spec.key }} in (select changed_keys.source_row_key from changed_keys)
    {%- endif %}

),

{% for reference in references %}
clean_{{ reference.column }}s as (

    select {{ reference.column }} as referenced_key
    from {{ ref(reference.model) }}
    where row_status = 'clean'

),

{% endfor %}
{#- Copies and versions only exist among rows whose id repeats (a few in
    a thousand): only those are fingerprinted and ranked; a row whose id is
    unique is its own first copy and latest version. Ranking every row
    (three windows over all columns of 8M sales) was most of the cost. -#}
repeated_keys as (

    select source_row_key
    from staged
    where source_row_key is not null
    group by source_row_key
    having count(*) > 1

),

repeated_rows as (

    select
        staged.*,
        {{ dbt.hash(dbt.concat(fingerprint_parts(spec.columns + problem_columns(), "'|'"))) }} as row_fingerprint
    from staged
    left join repeated_keys
        on staged.source_row_key = repeated_keys.source_row_key
    where staged.source_row_key is null or repeated_keys.source_row_key is not null

),

repeated_copies as (

    select
        *,
        row_number() over (
            partition by source_row_key, row_fingerprint
            order by row_fingerprint
        ) as copy_number
    from repeated_rows

),

distinct_copies as (

    select
        source_row_key,
        row_fingerprint,
        {% if version_column -%}
        coalesce({{ version_column }}, created_at, cast('0001-01-01' as timestamp))
        {%- else -%}
        cast(null as timestamp)
        {%- endif %} as row_version
    from repeated_copies
    where copy_number = 1 and source_row_key is not null

),

ranked_versions as (

    select
        *,
        rank() over (
            partition by source_row_key
            order by row_version desc nulls last
        ) as version_rank
    from distinct_copies

),

latest_versions as (

    select
        ranked_versions.*,
        count(*) over (partition by source_row_key, version_rank) as copies_at_this_version
    from ranked_versions

),

copies as (

    select
        staged.*,
        cast(null as {{ dbt.type_string() }}) as row_fingerprint,
        1 as copy_number,
        1 as version_rank,
        1 as copies_at_this_version
    from staged
    left join repeated_keys
        on staged.source_row_key = repeated_keys.source_row_key
    where staged.source_row_key is not null and repeated_keys.source_row_key is null

    union all

    select
        repeated_copies.*,
        latest_versions.version_rank,
        latest_versions.copies_at_this_version
    from repeated_copies
    left join latest_versions
        on
            repeated_copies.source_row_key = latest_versions.source_row_key
            and repeated_copies.row_fingerprint = latest_versions.row_fingerprint

),

checked as (

    select
        copies.*,
        case
            when copies.source_row_key is null then 'null_id'
            {% if key_holds_card_number -%}
            when {{ holds_redacted_card_number('copies.source_row_key') }} then 'card_number_in_id'
            {% endif -%}
            when copies.copy_number > 1 then null
            when copies.version_rank > 1 then null
            when copies.copies_at_this_version > 1 then 'conflicting_duplicate'
            {% for column in other_id_columns -%}
            when {{ holds_redacted_card_number('copies.' ~ column) }} then 'card_number_in_id'
            {% endfor -%}
            when copies.invalid_value_columns is not null then 'invalid_value'
            when copies.implausible_timestamp_columns is not null then 'implausible_timestamp'
            {% if spec.get('timestamp_column') -%}
            when copies.{{ spec.timestamp_column }} is null then 'null_timestamp'
            {% endif -%}
            {% for column in spec.get('required_columns', []) -%}
            when nullif(trim(copies.{{ column }}), '') is null then 'null_required_value'
            {% endfor -%}
            {% for column, accepted in spec.get('enums', {}).items() -%}
            when copies.{{ column }} is null
                or copies.{{ column }} not in ({% for value in accepted %}'{{ value }}'{% if not loop.last %}, {% endif %}{% endfor %})
                then 'unknown_enum_value'
            {% endfor -%}
            {% for column in spec.get('amount_columns', []) -%}
            when copies.{{ column }} is null then 'null_amount'
            {% endfor -%}
            {% for column in spec.get('amount_columns', []) -%}
            when copies.{{ column }} < 0 then 'negative_amount'
            {% endfor -%}
            {% if spec.get('has_currency') -%}
            when copies.rate_to_reporting is null then 'unknown_currency'
            {% endif -%}
            {% if spec.get('card_expiry') -%}
            when copies.exp_year is null
                or copies.exp_month is null
                or copies.exp_month not between 1 and 12
                or not (copies.exp_year between 0 and 99 or copies.exp_year between 1970 and 2199)
                then 'invalid_card_expiry'
            {% endif -%}
            {% for reference in references -%}
            when
                {% if reference.required -%}
                clean_{{ reference.column }}s.referenced_key is null
                {%- else -%}
                copies.{{ reference.column }} is not null and clean_{{ reference.column }}s.referenced_key is null
                {%- endif %}
                then '{{ reference.reason }}'
            {% endfor -%}
        end as quarantine_reason,
        case
            when copies.invalid_value_columns is not null then copies.invalid_value_columns
            when copies.implausible_timestamp_columns is not null then copies.implausible_timestamp_columns
        end as value_problem_columns,
        {{ card_number_id_columns(spec) }} as card_number_id_columns,
        case
            when copies.source_row_key is null then 'quarantined'
            {% if key_holds_card_number -%}
            when {{ holds_redacted_card_number('copies.source_row_key') }} then 'quarantined'
            {% endif -%}
            when copies.copy_number > 1 then 'collapsed'
            when copies.version_rank > 1 then 'superseded'
        end as early_status
    from copies
    {% for reference in references -%}
    left join clean_{{ reference.column }}s
        on copies.{{ reference.column }} = clean_{{ reference.column }}s.referenced_key
    {% endfor %}

),

final as (

    select
        '{{ source_table }}' as source_table,
        {% for column in spec.columns -%}
        {{ column }},
        {% endfor -%}
        {% for column in extra_validated_columns(spec) -%}
        {{ column }},
        {% endfor -%}
        source_row_key,
        copy_number,
        coalesce(
            early_status,
            case when quarantine_reason is null then 'clean' else 'quarantined' end
        ) as row_status,
        quarantine_reason,
        case
            when quarantine_reason = 'card_number_in_id' then card_number_id_columns
            when quarantine_reason in ('invalid_value', 'implausible_timestamp') then value_problem_columns
        end as quarantine_detail,
        {{ validation_run_timestamp() }} as validated_at
    from checked

)

{% if revalidates_changed_keys -%}
,

{#- An id whose raw rows are all gone has nothing to re-validate: one row
    marked vanished (its other columns NULL), which the post-hook deletes
    with the id's older rows. #}
vanished as (

    select
        {% for column in validated_row_columns(spec) -%}
        {% if column == 'source_row_key' -%}
        changed_keys.source_row_key,
        {% elif column == 'row_status' -%}
        'vanished' as row_status,
        {% else -%}
        no_row.{{ column }},
        {% endif -%}
        {% endfor -%}
        {{ validation_run_timestamp() }} as validated_at
    from changed_keys
    left join final as no_row
        on 1 = 0
    where
        changed_keys.source_row_key is not null
        and not exists (
            select 1
            from staged
            where staged.source_row_key = changed_keys.source_row_key
        )

)

select * from final
union all
select * from vanished
{%- else -%}
select * from final
{%- endif %}
{% endmacro %}

{#- Each column as text, NULL spelled out, for fingerprints and composite keys. -#}
{% macro fingerprint_parts(columns, separator) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
        {%- if not loop.last -%}{%- do parts.append(separator) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}

{#- The columns of a validated row, in their order, but validated_at. -#}
{% macro validated_row_columns(spec) -%}
    {{ return(['source_table'] + spec.columns + extra_validated_columns(spec)
        + ['source_row_key', 'copy_number', 'row_status', 'quarantine_reason', 'quarantine_detail']) }}
{%- endmacro %}

{#- Staged columns derived from the raw ones (dates, reporting amounts). -#}
{% macro extra_validated_columns(spec) -%}
    {%- set extra = [] -%}
    {%- if spec.get('timestamp_column') -%}{%- do extra.append('created_date') -%}{%- endif -%}
    {%- if spec.get('has_currency') -%}
        {%- do extra.append('rate_to_reporting') -%}
        {%- for column in spec.amount_columns -%}{%- do extra.append(column ~ '_reporting') -%}{%- endfor -%}
    {%- endif -%}
    {{ return(extra) }}
{%- endmacro %}

{#- Staging's columns naming the raw values it could not read (raw_value_checks.sql). -#}
{% macro problem_columns() -%}
    {{ return(['invalid_value_columns', 'implausible_timestamp_columns']) }}
{%- endmacro %}

{#- Comma-separated staged id columns of a row that held a card number. -#}
{% macro card_number_id_columns(spec) -%}
    {%- set checks = [] -%}
    {%- for column in spec.get('id_columns', []) -%}
        {%- do checks.append("case when " ~ holds_redacted_card_number('copies.' ~ column) ~ " then '" ~ column ~ "' end") -%}
    {%- endfor -%}
    {{ problem_column_list(checks) }}
{%- endmacro %}
