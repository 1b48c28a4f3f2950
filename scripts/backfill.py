"""Replay past dates day by day, from the timestamped facts.

    python scripts/backfill.py --start 2026-06-01 --end 2026-06-30

Each day is one pipeline run with ``as_of_date`` = that day and the var
``backfill: true``, which lets a run go back before the last date processed
and rolls history, events and frozen lists back to the start of --start
before the first day is replayed. The result is the history running each day
would have given: statuses are read as the raw tables hold them now, facts
count from their creation dates (SPEC §3).

--end defaults to the last date processed. Ending before it would drop the
history after --end, so it is refused unless --discard-later-history.
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
from scripts.pipeline import DbtProject  # noqa: E402

console = Console(stderr=True)


def last_processed_date(db_path: Path) -> date | None:
    """The last as_of_date in the run log, or None before the first run."""
    if not db_path.exists():
        return None
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        found = con.execute(
            "select count(*) from information_schema.tables where table_name = 'customer_group_run_log'"
        ).fetchone()
        if not found or not found[0]:
            return None
        row = con.execute("select max(as_of_date) from customer_group_run_log").fetchone()
        return row[0] if row else None
    finally:
        con.close()


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def backfill(db_path: Path, start: date, end: date | None = None, *, discard_later_history: bool = False, progress: bool = True) -> list[date]:
    """Replay start..end (inclusive) and return the dates replayed."""
    last = last_processed_date(db_path)
    end = end or last or start
    if end < start:
        raise SystemExit(f"--end {end} is before --start {start}")
    if last is not None and end < last and not discard_later_history:
        raise SystemExit(
            f"History already reaches {last}; replaying only to {end} would drop the history after {end}. "
            f"Use --end {last} (the default), or --discard-later-history if that is what you mean."
        )
    project = DbtProject(db_path=db_path)
    replayed = days(start, end)
    with Progress(
        TextColumn("[bold]backfill[/] {task.fields[day]}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} days"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not progress,
    ) as bar:
        task = bar.add_task("backfill", total=len(replayed), day="")
        for day in replayed:
            bar.update(task, day=day.isoformat())
            project.daily_run(day.isoformat(), backfill=True, raw_data_changed=False, test=day == end)
            bar.advance(task)
    return replayed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("warehouse/customer_groups.duckdb"))
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, default=None)
    parser.add_argument("--discard-later-history", action="store_true")
    args = parser.parse_args(argv)
    replayed = backfill(args.db, args.start, args.end, discard_later_history=args.discard_later_history)
    console.print(f"replayed {len(replayed)} days: {replayed[0]} .. {replayed[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
