"""Measure a backfill in one run against the daily runs it replaces.

    python scripts/benchmark_backfill.py --customers 100000 --days 30

Generates the data once, builds the day before the range in full (not timed),
then on two copies of that warehouse:

- daily: one pipeline run per day of the range, as the scheduler makes them
  (``dbt run`` with the raw tables re-validated); the first is "one daily run".
  ``--daily-sample N`` runs only the first N days and counts the rest at
  their median (then the equality check below is skipped: the integration
  test test_backfill_in_one_run.py makes it on 30 days);
- backfill: scripts/backfill.py over the range, in one run (or --batch-days),
  the same kind of run (`dbt run`, raw tables re-validated once, no tests).

Checks that both wrote the same history, events and event ids (recorded_by
aside), prints a table and writes it to --output (the README quotes it).
Nothing is asserted about speed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts import backfill as backfill_script  # noqa: E402
from scripts.generate_data import generate  # noqa: E402
from scripts.pipeline import DbtProject  # noqa: E402

console = Console()
DB_NAME = "customer_groups.duckdb"
COMPARED = {
    "customer_group_membership_history": "*",
    "customer_group_events": "* exclude (recorded_by)",
    "customer_group_run_log": "* exclude (recorded_by)",
    "customer_group_frozen_members": "*",
}


def copy_warehouse(source: Path, directory: Path) -> Path:
    directory.mkdir(parents=True)
    shutil.copy(source, directory / DB_NAME)
    return directory / DB_NAME


def table_rows(db_path: Path, table: str, columns: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(f"select {columns} from main.{table} order by all").fetchall()
    finally:
        con.close()


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 6, 30))
    parser.add_argument("--batch-days", type=int, default=None)
    parser.add_argument("--daily-sample", type=int, default=None, help="time only this many daily runs")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--work-dir", type=Path, default=None, help="keep the warehouses here (default: a temp dir)")
    args = parser.parse_args(argv)

    root = args.work_dir or Path(tempfile.mkdtemp(prefix="benchmark_backfill_"))
    start = args.end - timedelta(days=args.days - 1)
    console.print(f"generating {args.customers:,} customers (facts to {args.end}) in {root}")
    base = root / "base" / DB_NAME
    ready = root / "base" / "ready"
    if not ready.exists():  # a --work-dir kept from an earlier run is reused
        base.parent.mkdir(parents=True, exist_ok=True)
        generate(str(base), customers=args.customers, seed=5, as_of=args.end, schema="raw_revcent", progress=True)
        setup = DbtProject(db_path=base)
        setup.run(["seed"])
        console.print(f"building {start - timedelta(days=1)} in full (not timed)")
        setup.daily_run((start - timedelta(days=1)).isoformat(), full=True)
        ready.touch()
    for previous in ("daily", "backfill"):
        shutil.rmtree(root / previous, ignore_errors=True)

    daily_db = copy_warehouse(base, root / "daily")
    daily = DbtProject(db_path=daily_db)
    daily._built_once = True
    day_seconds: list[float] = []
    for offset in range(min(args.days, args.daily_sample or args.days)):
        day = (start + timedelta(days=offset)).isoformat()
        day_seconds.append(timed(lambda day=day: daily.daily_run(day, raw_data_changed=True)))
        console.print(f"daily run {day}: {day_seconds[-1]:.1f} s")

    backfill_db = copy_warehouse(base, root / "backfill")
    backfill_seconds = timed(
        lambda: backfill_script.backfill(
            backfill_db, start, args.end, progress=False, batch_days=args.batch_days, full_first_run=False, test=False
        )
    )
    console.print(f"backfill {start} .. {args.end}: {backfill_seconds:.1f} s")

    sampled = len(day_seconds) < args.days
    identical = None if sampled else all(
        table_rows(daily_db, table, columns) == table_rows(backfill_db, table, columns)
        for table, columns in COMPARED.items()
    )
    events = len(table_rows(backfill_db, "customer_group_events", "event_id"))
    one_day = day_seconds[0]
    typical_day = statistics.median(day_seconds)
    all_days = typical_day * args.days if sampled else sum(day_seconds)
    rows = [
        ("one daily run (first day of the range)", one_day),
        (f"one daily run (median of {len(day_seconds)})", typical_day),
        (f"{args.days} daily runs" + (f" ({args.days} × the median)" if sampled else ""), all_days),
        (f"backfill of {args.days} days" + (f" in runs of {args.batch_days}" if args.batch_days else " in one run"),
         backfill_seconds),
    ]
    table = Table(title=f"Backfill vs daily runs, {args.customers:,} customers, {start} .. {args.end}")
    table.add_column("what")
    table.add_column("seconds", justify="right")
    table.add_column("daily runs' worth", justify="right")
    for what, seconds in rows:
        table.add_row(what, f"{seconds:.1f}", f"{seconds / typical_day:.1f}")
    console.print(table)
    verdict = "not compared (--daily-sample)" if identical is None else ("yes" if identical else "NO")
    console.print(f"history, events ({events:,}, same event_id), run log and frozen lists identical: {verdict}")

    lines = [
        f"Backfill vs daily runs: {args.customers:,} customers, {start} .. {args.end}, "
        f"generated by `python scripts/benchmark_backfill.py --customers {args.customers} --days {args.days}"
        + (f" --batch-days {args.batch_days}" if args.batch_days else "")
        + (f" --daily-sample {args.daily_sample}" if sampled else "") + "`, on 2 cores shared with other work.",
        "",
        "| what | seconds | daily runs' worth |",
        "|---|---:|---:|",
        *(f"| {what} | {seconds:.1f} | {seconds / typical_day:.1f} |" for what, seconds in rows),
        "",
        f"History, events ({events:,}, same `event_id`), run log and frozen lists of the backfill "
        f"identical to the daily runs' (recorded_by aside): **{verdict}**.",
        "",
    ]
    output = args.output or Path(f"docs/benchmarks/backfill_{args.customers}.md")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines), encoding="utf-8")
    console.print(f"written to {output}")
    if args.work_dir is None:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if identical is False else 0


if __name__ == "__main__":
    sys.exit(main())
