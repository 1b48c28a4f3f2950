-- Business rule (SPEC §2): an invalid raw row is never dropped silently; it
-- is kept out of the clean models and reported. This warn-level test lists
-- one row per (source table, quarantine reason) with the number of raw rows
-- quarantined, so `dbt build` warns whenever anything is quarantined and the
-- stored failures table shows what to look at in quarantined_source_rows.
{{ config(severity='warn', store_failures=true) }}

with

quarantined as (

    select * from {{ ref('quarantined_source_rows') }}

),

final as (

    select
        source_table,
        quarantine_reason,
        sum(raw_row_count) as raw_rows
    from quarantined
    group by source_table, quarantine_reason

)

select * from final
