-- Business rule (SPEC §2, docs/data_quality.md "Card numbers"): raw card
-- numbers (PANs) must never reach any model; only the card reference
-- (bin, last 4) may. Scans every string column of every model (tables and
-- views), seed and snapshot of this project for Luhn-valid 13-19 digit
-- numbers (digits possibly separated by single spaces or dashes) and stops
-- the build naming each model and column, with the number masked to its
-- last four digits.
--
-- A staging view is read through its validated table (validate_source_rows
-- keeps every staged row and column, whatever its status), so the raw table
-- behind it is not read twice; when the validated table lacks one of the
-- view's text columns, the view is scanned itself.
--
-- It runs after every model: the depends_on lines name every mart, and
-- every other model is upstream of one of them
-- (tests/unit/test_project_structure.py checks that this stays true).
-- depends_on: {{ ref('customer_metrics') }}
-- depends_on: {{ ref('customer_group_definitions') }}
-- depends_on: {{ ref('customer_group_definition_problems') }}
-- depends_on: {{ ref('customer_group_qualifier_catalogue') }}
-- depends_on: {{ ref('customer_group_memberships') }}
-- depends_on: {{ ref('customer_group_explanations') }}
-- depends_on: {{ ref('customer_group_action_outcomes') }}
-- depends_on: {{ ref('customer_group_membership_history') }}
-- depends_on: {{ ref('customer_group_events') }}
-- depends_on: {{ ref('customer_group_frozen_members') }}
-- depends_on: {{ ref('customer_group_run_log') }}
-- depends_on: {{ ref('customer_360') }}
-- depends_on: {{ ref('customer_outcomes') }}
-- depends_on: {{ ref('customer_group_performance') }}
-- depends_on: {{ ref('customer_group_daily_movement') }}
-- depends_on: {{ ref('customer_group_transitions') }}
-- depends_on: {{ ref('customer_group_overview') }}
-- depends_on: {{ ref('payment_recovery_outcomes') }}
-- depends_on: {{ ref('metricflow_time_spine') }}
-- depends_on: {{ ref('quarantined_source_rows') }}
-- depends_on: {{ ref('source_row_accounting') }}
-- depends_on: {{ ref('activation_audiences') }}
-- depends_on: {{ ref('activation_people') }}
-- depends_on: {{ ref('activation_audience_memberships') }}
-- The explanations are scanned through macro customer_group_explanation_rows
-- (below), whose refs dbt must see here:
-- depends_on: {{ ref('int_customer_group_qualifiers_parsed') }}
-- depends_on: {{ ref('int_customer_group_definitions_checked') }}
-- depends_on: {{ ref('int_evaluation_dates') }}
-- depends_on: {{ ref('int_customer_metrics_by_date') }}
-- depends_on: {{ ref('int_customer_attributes_unioned') }}
-- depends_on: {{ ref('int_customer_group_qualifier_rows_passed') }}
-- depends_on: {{ ref('int_customer_groups_evaluated_by_date') }}
{%- set scanned_relations = [] -%}
{%- if execute -%}
    {#- staging view unique_id -> the validated model that keeps all its rows and columns -#}
    {%- set validated_by_staging_view = {} -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and 'macro.customer_groups.validate_source_rows' in node.depends_on.macros -%}
        {%- for upstream_id in node.depends_on.nodes
            if upstream_id in graph.nodes and graph.nodes[upstream_id].fqn[1] == 'staging' -%}
            {%- do validated_by_staging_view.update({upstream_id: node}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ['model', 'seed', 'snapshot']
        and node.package_name == project_name
        and node.config.materialized != 'ephemeral' -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- set validated = validated_by_staging_view.get(node.unique_id) -%}
        {%- if relation is not none and validated is not none -%}
            {%- set validated_relation = adapter.get_relation(
                database=validated.database, schema=validated.schema, identifier=validated.alias) -%}
            {%- if validated_relation is not none -%}
                {%- set kept_columns = adapter.get_columns_in_relation(validated_relation)
                    | map(attribute='name') | map('lower') | list -%}
                {%- set unkept_text_columns = [] -%}
                {%- for column in adapter.get_columns_in_relation(relation)
                    if is_text_column(column)
                    and (column.name | lower) not in kept_columns
                    and column.name not in problem_columns() -%}
                    {%- do unkept_text_columns.append(column.name) -%}
                {%- endfor -%}
                {%- if not unkept_text_columns -%}
                    {%- set relation = none -%}
                {%- endif -%}
            {%- endif -%}
        {%- endif -%}
        {%- if relation is not none -%}
            {#- A model whose meta names a customer_sample_macro (the
                explanations view: customers x groups x qualifier rows) is
                scanned as that macro's rows for the hashed sample of
                customers of in_customer_test_sample: its texts come from
                models scanned whole (seeds, metrics, attributes), and a
                value of a group or qualifier row shows for every customer,
                sampled or not. -#}
            {%- set sample_macro = node.config.get('meta', {}).get('customer_sample_macro') -%}
            {%- set source_rows = relation if not sample_macro else
                '(' ~ context[sample_macro](in_customer_test_sample('customer_id')) ~ ')' -%}
            {#- An incrementally validated table is scanned as the rows its
                last run wrote: every older row was scanned by the run that
                wrote it, and no run changes a row it did not write. -#}
            {%- if node.config.materialized == 'incremental'
                and 'macro.customer_groups.validate_source_rows' in node.depends_on.macros -%}
                {%- set source_rows = '(select * from ' ~ relation ~ ' where validated_at = (select max(last_run.validated_at) from '
                    ~ relation ~ ' as last_run))' -%}
            {%- endif -%}
            {%- set text_columns = [] -%}
            {%- for column in adapter.get_columns_in_relation(relation) if is_text_column(column) -%}
                {%- do text_columns.append(column.name) -%}
            {%- endfor -%}
            {%- if text_columns -%}
                {%- do scanned_relations.append({
                    'model': node.name, 'source_rows': source_rows, 'columns': text_columns,
                    'cte': 'rows_of_' ~ (scanned_relations | length + 1)
                }) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{#- Each relation (a view is a query) is read once: the rows where some text
    column may hold a card number are kept aside, and only they are split
    into candidate numbers, column by column. -#}
{%- set scan_sql -%}
with

{% for scanned in scanned_relations %}
{{ scanned.cte }} as {{ materialized_cte() }} (

    select
        {% for column in scanned.columns -%}
        {{ adapter.quote(column) }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ scanned.source_rows }} as source_rows
    where
        {% for column in scanned.columns -%}
        {{ may_hold_card_number(adapter.quote(column)) }}{% if not loop.last %} or{% endif %}
        {% endfor %}

),

{% endfor %}
candidates as (

    {% for scanned in scanned_relations %}
    {% set relation_loop = loop %}
    {% for column in scanned.columns %}
    select
        '{{ scanned.model }}' as model_name,
        '{{ column }}' as column_name,
        candidate_digits
    from (
        {{ card_number_candidates(scanned.cte, adapter.quote(column)) }}
    ) as scan_{{ relation_loop.index }}_{{ loop.index }}
    {% if not (loop.last and relation_loop.last) %}union all{% endif %}
    {% endfor %}
    {% else %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as candidate_digits
    where 1 = 0
    {% endfor %}

),

card_numbers as (

    select
        model_name,
        column_name,
        {{ mask_card_number('candidate_digits') }} as masked_sample
    from candidates
    where {{ is_luhn_valid('candidate_digits') }}

),

final as (

    select
        model_name,
        column_name,
        min(masked_sample) as masked_sample,
        count(*) as occurrences
    from card_numbers
    group by model_name, column_name

)

select * from final
{%- endset -%}
{%- if execute -%}
    {%- set found = run_query(scan_sql ~ ' order by model_name, column_name') -%}
    {%- if found.rows | length > 0 -%}
        {%- set places = [] -%}
        {%- for row in found.rows -%}
            {%- do places.append('  - ' ~ row['model_name'] ~ '.' ~ row['column_name'] ~ ': '
                ~ row['occurrences'] ~ ' card number(s), e.g. ' ~ row['masked_sample']) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            'Card numbers (PANs) reached ' ~ places | length ~ ' model column(s); redact them at staging'
            ~ ' (macros/cross_db/redact_card_numbers.sql) and rebuild:\n' ~ places | join('\n')
        ) }}
    {%- endif -%}
{%- endif %}
{#- The scan ran above (a clean result leaves nothing to select); at parse
    time this renders the scan itself. #}
{% if execute -%}
select
    cast(null as {{ dbt.type_string() }}) as model_name,
    cast(null as {{ dbt.type_string() }}) as column_name
where 1 = 0
{%- else -%}
{{ scan_sql }}
{%- endif %}
