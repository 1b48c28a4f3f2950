"""A stand-in warehouse for tests and the benchmark: the tables delivery
reads (customer_group_events, customer_group_definitions, customer_360),
with their contract's columns, filled by SQL in a DuckDB file. Building the
dbt project would take minutes; these take milliseconds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

GROUP_KEYS = ("vip", "payment_recovery", "winback_candidates", "trial_conversion", "high_value_recovery")


def create_sample_warehouse(
    db_path: Path, *, events: int, customers: int = 1000, start: date = date(2026, 6, 1), days: int = 10
) -> None:
    """``events`` events spread over ``days`` days from ``start`` in schema main."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute(
            """
            create or replace table main.customer_group_definitions as
            select
                group_key,
                upper(group_key[1]) || replace(group_key[2:], '_', ' ') as group_name,
                'segment' as group_type
            from unnest(?::varchar[]) as t(group_key)
            """,
            [list(GROUP_KEYS)],
        )
        con.execute(
            f"""
            create or replace table main.customer_360 as
            select
                printf('cus_%07d', i) as customer_id,
                printf('customer%d@example.com', i) as email,
                'First' || i as first_name,
                'Last' || i as last_name,
                'US' as country,
                i % 5 <> 0 as may_be_contacted,
                'visa •••• 4242 exp 01/30' as default_card
            from range({customers}) as t(i)
            """
        )
        con.execute(
            f"""
            create or replace table main.customer_group_events as
            with numbered as (
                select
                    i,
                    printf('cus_%07d', i % {customers}) as customer_id,
                    (?::varchar[])[1 + (i // {customers}) % {len(GROUP_KEYS)}] as group_key,
                    cast(? as date) + cast(i % {days} as integer) as occurred_on,
                    case when i % 3 = 0 then 'removed' else 'added' end as change
                from range({events}) as t(i)
            )
            select
                md5(customer_id || '|' || group_key || '|' || change || '|' || i) as event_id,
                'customer.updated.customer_group.' || change as event_name,
                customer_id,
                group_key,
                occurred_on,
                case when change = 'added' then 'qualified' else 'disqualified' end as reason,
                'rule' as membership_source,
                md5(group_key) as definition_version,
                'daily_run' as recorded_by
            from numbered
            """,
            [list(GROUP_KEYS), start],
        )
    finally:
        con.close()
