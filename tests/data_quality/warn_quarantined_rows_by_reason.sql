-- Business rule (SPEC §2): an invalid raw row is never dropped silently; it
-- is kept out of the clean models and listed in quarantined_source_rows.
-- A few bad rows are normal in real sources, so this test speaks only when
-- a table's share of quarantined rows says something is wrong with a load:
--   warn  when a table has more than var quarantine_warn_share (default
--         1 %) of its raw rows quarantined;
--   error when it has more than var quarantine_error_share (default 90 %):
--         nearly nothing of it is usable, which is a broken load, not bad
--         rows.
-- It returns one row per (table, reason) of such a table, with the raw rows
-- quarantined and the table's share; `level` is 1 (warn) or 2 (error).
{{ config(
    severity='error',
    store_failures=true,
    fail_calc='coalesce(max(level), 0)',
    warn_if='>= 1',
    error_if='>= 2',
) }}

with

accounting as (

    select
        source_table,
        sum(row_count) as raw_rows,
        sum(case when row_status = 'quarantined' then row_count else 0 end) as quarantined_rows
    from {{ ref('source_row_accounting') }}
    group by source_table

),

shares as (

    select
        source_table,
        cast(quarantined_rows as {{ dbt.type_float() }}) / raw_rows as quarantined_share
    from accounting
    where raw_rows > 0

),

quarantined as (

    select
        source_table,
        quarantine_reason,
        sum(raw_row_count) as raw_rows
    from {{ ref('quarantined_source_rows') }}
    group by source_table, quarantine_reason

),

final as (

    select
        quarantined.source_table,
        quarantined.quarantine_reason,
        quarantined.raw_rows,
        shares.quarantined_share,
        case
            when shares.quarantined_share > {{ var('quarantine_error_share', 0.9) }} then 2
            else 1
        end as level
    from quarantined
    inner join shares
        on quarantined.source_table = shares.source_table
    where shares.quarantined_share > {{ var('quarantine_warn_share', 0.01) }}

)

select * from final
