-- Business rule (SPEC §2, docs/data_quality.md): staging never drops a raw
-- row silently. Every raw row of every RevCent table ends up clean,
-- collapsed, superseded or quarantined, so per table
-- clean + collapsed + superseded + quarantined = raw rows.
-- Returns every table whose raw row count differs from its accounted rows
-- (or that is missing on either side).
{%- set tables = revcent_tables() %}

with

raw_counts as (

    {#- A table switched off (revcent_source.sql) has no raw rows to account for. #}
    {% for source_table in tables %}
    select
        '{{ source_table }}' as source_table,
        count(*) as raw_row_count
    from {{ revcent_source(source_table) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

accounted_counts as (

    select
        source_table,
        sum(row_count) as accounted_row_count
    from {{ ref('source_row_accounting') }}
    group by source_table

),

final as (

    select
        coalesce(raw_counts.source_table, accounted_counts.source_table) as source_table,
        coalesce(raw_counts.raw_row_count, 0) as raw_row_count,
        coalesce(accounted_counts.accounted_row_count, 0) as accounted_row_count
    from raw_counts
    full outer join accounted_counts
        on raw_counts.source_table = accounted_counts.source_table
    where
        raw_counts.source_table is null
        or coalesce(raw_counts.raw_row_count, 0) <> coalesce(accounted_counts.accounted_row_count, 0)

)

select * from final
