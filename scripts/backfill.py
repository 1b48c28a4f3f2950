"""Replay past dates from the timestamped facts, a whole range in one run.

    python scripts/backfill.py --start 2026-06-01 --end 2026-06-30

One `dbt build` with vars ``backfill_start_date`` = --start and
``as_of_date`` = --end evaluates metrics and groups on every day of the range
at once, rolls history, events and frozen lists back to the start of --start,
and writes the history, events (same event_id) and run log that running each
day in turn would have written. Memory grows with the days evaluated at once
(customers × days rows), so the range is split into runs of at most
``CUSTOMER_DAYS_PER_RUN`` customer-days (5M: 50 days per run at 100k
customers, 5 at 1M, 1 at 10M); ``--batch-days N`` sets the days per run
instead, ``--day-by-day`` is ``--batch-days 1``. Statuses are read as the
raw tables hold them now, facts count from their creation dates (SPEC §3).

--end defaults to the last date processed. Ending before it would drop the
history after --end, so it is refused unless --discard-later-history.

On PostgreSQL (``--target postgres``, the default when profiles.yml's target
is a postgres one) the connection comes from the variables profiles.yml's
postgres target reads: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE and
CUSTOMER_GROUPS_PG_SCHEMA.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.pipeline import PROJECT_DIR, DbtProject, PostgresTarget, configured_target_type  # noqa: E402

console = Console(stderr=True)

# A backfill run evaluates every customer on each of its days, and its peak
# memory grows with customers × days: 61 days of 100k customers (6.1M
# customer-days) peaked at 4.4 GB with DuckDB's default 4GB limit, 60 days of
# 1M customers ran out of it. Runs are cut to at most this many.
CUSTOMER_DAYS_PER_RUN = 5_000_000
# Where the raw tables are by default (var revcent_schema): counted before
# the first run, when there is no customer_metrics yet.
RAW_SCHEMA = "raw_revcent"


def last_processed_date(db_path: Path | None, postgres: PostgresTarget | None = None) -> date | None:
    """The last as_of_date in the run log, or None before the first run."""
    schema = postgres.schema if postgres is not None else "main"
    value = _scalar_if_table_exists(db_path, postgres, schema, "customer_group_run_log", "max(as_of_date)")
    return value if isinstance(value, date) else None


def customer_count(db_path: Path | None, postgres: PostgresTarget | None = None) -> int | None:
    """How many customers a run evaluates: the rows of customer_metrics, or
    before the first run of the raw customer table; None when neither exists."""
    schema = postgres.schema if postgres is not None else "main"
    for table_schema, table in [(schema, "customer_metrics"), (RAW_SCHEMA, "customer")]:
        value = _scalar_if_table_exists(db_path, postgres, table_schema, table, "count(*)")
        if value is not None:
            return int(value)
    return None


def _scalar_if_table_exists(
    db_path: Path | None, postgres: PostgresTarget | None, schema: str, table: str, expression: str
) -> object | None:
    """``select <expression> from schema.table``, or None when the table does not exist."""
    exists_sql = "select count(*) from information_schema.tables where table_schema = %s and table_name = %s"
    query = f'select {expression} from "{schema}"."{table}"'
    if postgres is not None:
        import psycopg2

        connection = psycopg2.connect(postgres.conninfo())
        try:
            with connection.cursor() as cursor:
                cursor.execute(exists_sql, [schema, table])
                found = cursor.fetchone()
                if not found or not found[0]:
                    return None
                cursor.execute(query)
                row = cursor.fetchone()
                return row[0] if row else None
        finally:
            connection.close()
    if db_path is None or not db_path.exists():
        return None
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        found = con.execute(exists_sql.replace("%s", "?"), [schema, table]).fetchone()
        if not found or not found[0]:
            return None
        row = con.execute(query).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def days_per_run(customers: int | None) -> int | None:
    """The most days one run may evaluate for ``customers`` customers (at
    least 1), or None (the whole range) when the count is unknown or zero."""
    if not customers:
        return None
    return max(1, CUSTOMER_DAYS_PER_RUN // customers)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def batches(start: date, end: date, batch_days: int | None) -> list[tuple[date, date]]:
    """start..end cut into consecutive (first, last) ranges of at most batch_days days."""
    every_day = days(start, end)
    size = batch_days or len(every_day)
    return [(chunk[0], chunk[-1]) for chunk in (every_day[i : i + size] for i in range(0, len(every_day), size))]


def backfill(
    db_path: Path | None,
    start: date,
    end: date | None = None,
    *,
    discard_later_history: bool = False,
    progress: bool = True,
    postgres: PostgresTarget | None = None,
    batch_days: int | None = None,
    full_first_run: bool = True,
    test: bool = True,
) -> list[date]:
    """Replay start..end (inclusive) on the DuckDB file ``db_path``, or on
    ``postgres`` when given, in runs of at most ``batch_days`` days (default:
    ``days_per_run`` of the warehouse's customers), and return the dates
    replayed. The first run is a whole `dbt build` (unit and data tests
    included) unless not ``full_first_run`` (then a `dbt run` that
    re-validates the raw tables); later runs only evaluate; the data tests
    run with the last one when ``test``."""
    if batch_days is not None and batch_days < 1:
        raise SystemExit(f"--batch-days must be at least 1, got {batch_days}")
    last = last_processed_date(db_path, postgres)
    end = end or last or start
    if end < start:
        raise SystemExit(f"--end {end} is before --start {start}")
    if last is not None and end < last and not discard_later_history:
        raise SystemExit(
            f"History already reaches {last}; replaying only to {end} would drop the history after {end}. "
            f"Use --end {last} (the default), or --discard-later-history if that is what you mean."
        )
    if postgres is not None:
        project = DbtProject(postgres=postgres, work_dir=PROJECT_DIR / "target" / "backfill-postgres")
    else:
        project = DbtProject(db_path=db_path)
    if not full_first_run:
        project._built_once = True
    replayed = days(start, end)
    runs = batches(start, end, batch_days or days_per_run(customer_count(db_path, postgres)))
    with Progress(
        TextColumn("[bold]backfill[/] {task.fields[span]}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} days"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not progress,
    ) as bar:
        task = bar.add_task("backfill", total=len(replayed), span="")
        for index, (first, last) in enumerate(runs):
            bar.update(task, span=f"{first} .. {last}")
            project.daily_run(
                last.isoformat(),
                backfill=True,
                raw_data_changed=index == 0,
                test=test and last == end,
                extra_vars={"backfill_start_date": first.isoformat()},
            )
            bar.advance(task, (last - first).days + 1)
    return replayed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("warehouse/customer_groups.duckdb"))
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, default=None)
    parser.add_argument("--discard-later-history", action="store_true")
    days_per_run = parser.add_mutually_exclusive_group()
    days_per_run.add_argument(
        "--batch-days", type=int, default=None,
        help=f"at most this many days per dbt run (default: {CUSTOMER_DAYS_PER_RUN:,} customer-days per run)",
    )
    days_per_run.add_argument("--day-by-day", action="store_true", help="one dbt run per day (--batch-days 1)")
    parser.add_argument(
        "--target", choices=["duckdb", "postgres"], default=None,
        help="engine (default: the type of profiles.yml's target); postgres reads the PG* variables",
    )
    args = parser.parse_args(argv)
    target = args.target or configured_target_type()
    if target not in {"duckdb", "postgres"}:
        parser.error(f"backfill runs on duckdb or postgres; profiles.yml's target is {target}: pass --target")
    postgres = PostgresTarget.from_environment() if target == "postgres" else None
    replayed = backfill(
        args.db,
        args.start,
        args.end,
        discard_later_history=args.discard_later_history,
        postgres=postgres,
        batch_days=1 if args.day_by_day else args.batch_days,
    )
    console.print(f"replayed {len(replayed)} days: {replayed[0]} .. {replayed[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
