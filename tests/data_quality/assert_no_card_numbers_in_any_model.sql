-- Business rule (SPEC §2, docs/data_quality.md "Card numbers"): raw card
-- numbers (PANs) must never reach any model; only the card reference
-- (bin, last 4) may. Scans every string column of every table model, seed
-- and snapshot that exists in the warehouse when the test runs for Luhn-valid
-- 13-19 digit numbers (digits possibly separated by single spaces or
-- dashes) and returns, per model and column, each number found, masked to
-- its last four digits.
-- The depends_on lines make `dbt build` run this after the marts.
-- depends_on: {{ ref('customer_metrics') }}
-- depends_on: {{ ref('quarantined_source_rows') }}
-- depends_on: {{ ref('source_row_accounting') }}
{%- set scans = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() -%}
        {#- Views are skipped: every value they show is computed from the
            tables scanned here (staging views feed the validated tables), and
            recomputing a view per column would dominate the build. -#}
        {%- if node.resource_type in ['model', 'seed', 'snapshot'] and node.config.materialized not in ['ephemeral', 'view'] -%}
            {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- if relation is not none -%}
                {%- for column in adapter.get_columns_in_relation(relation) -%}
                    {%- if column.is_string() -%}
                        {%- do scans.append({'model': node.name, 'relation': relation, 'column': column.name}) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

candidates as (

    {% for scan in scans %}
    select
        '{{ scan.model }}' as model_name,
        '{{ scan.column }}' as column_name,
        candidate_digits
    from (
        {{ card_number_candidates(scan.relation, adapter.quote(scan.column)) }}
    ) as scan_{{ loop.index }}
    {% if not loop.last %}union all{% endif %}
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
        masked_sample,
        count(*) as occurrences
    from card_numbers
    group by model_name, column_name, masked_sample

)

select * from final
