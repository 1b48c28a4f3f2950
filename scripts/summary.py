"""Print a short summary of a built warehouse: customers, quarantined rows by
reason, a few metric distributions, group sizes and recent movement.

    python scripts/summary.py --db warehouse/customer_groups.duckdb

A DuckDB tool: it reads the DuckDB file directly (with DuckDB-only SQL), and
says so instead of failing when profiles.yml's target is another engine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.pipeline import require_duckdb_warehouse  # noqa: E402

console = Console()


def _table(con: duckdb.DuckDBPyConnection, title: str, sql: str) -> Table:
    cursor = con.execute(sql)
    table = Table(title=title, title_justify="left")
    for description in cursor.description:
        table.add_column(description[0], justify="right" if description[0] not in {"source_table", "reason", "group_key", "metric", "event_name"} else "left")
    for row in cursor.fetchall():
        table.add_row(*["" if value is None else f"{value:,.2f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value) for value in row])
    return table


def print_summary(db_path: Path) -> None:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        as_of, customers = con.execute("select max(as_of_date), count(*) from customer_metrics").fetchone()
        console.rule(f"[bold]customer groups warehouse[/] {db_path} as of {as_of}")
        console.print(f"customers evaluated: [bold]{customers:,}[/]")
        console.print(_table(con, "Quarantined raw rows by reason", """
            select quarantine_reason as reason, sum(raw_row_count) as raw_rows, count(distinct source_table) as tables
            from quarantined_source_rows group by all order by raw_rows desc, reason"""))
        console.print(_table(con, "Metric distributions", """
            unpivot (
                select
                    cast(lifetime_value as double) as lifetime_value,
                    cast(successful_sales as double) as successful_sales,
                    cast(days_since_last_sale as double) as days_since_last_sale,
                    cast(days_until_card_expiry as double) as days_until_card_expiry
                from customer_metrics
            ) on columns(*) into name metric value metric_value
            """.replace("unpivot (", "select metric, count(metric_value) as known, round(min(metric_value), 2) as min, "
                         "round(quantile_cont(metric_value, 0.5), 2) as median, round(avg(metric_value), 2) as mean, "
                         "round(quantile_cont(metric_value, 0.9), 2) as p90, round(max(metric_value), 2) as max from (unpivot (")
            + ") group by metric order by metric"))
        console.print(_table(con, "Groups on " + str(as_of), """
            select
                definitions.group_key,
                definitions.group_type,
                definitions.recalculation,
                count(memberships.customer_id) as members,
                coalesce(sum(case when memberships.member_since = memberships.as_of_date then 1 else 0 end), 0) as entered_today
            from customer_group_definitions as definitions
            left join customer_group_memberships as memberships on definitions.group_key = memberships.group_key
            group by all
            order by members desc, definitions.group_key"""))
        console.print(_table(con, "Events by name and reason", """
            select event_name, reason, count(*) as events, min(occurred_on) as first_day, max(occurred_on) as last_day
            from customer_group_events group by all order by event_name, reason"""))
        ignored = con.execute(
            "select outcome, count(*) from customer_group_action_outcomes where outcome != 'applied' group by 1 order by 1"
        ).fetchall()
        if ignored:
            console.print("manual actions ignored: " + ", ".join(f"{outcome.removeprefix('ignored_')} {count:,}" for outcome, count in ignored))
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("warehouse/customer_groups.duckdb"))
    args = parser.parse_args(argv)
    require_duckdb_warehouse("scripts/summary.py", args.db)
    print_summary(args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
