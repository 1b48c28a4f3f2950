"""The main job, end to end: generate sample data into DuckDB, run the daily
pipeline over simulated days (checking history and events against each
day's from-scratch membership), print a summary, deliver the group events to
the local JSONL destination of delivery/destinations.yml (and count them),
and write the HTML report.

    python scripts/demo.py                       # 30 days, 10,000 customers
    python scripts/demo.py --days 3 --customers 2000

The warehouse lands in warehouse/customer_groups.duckdb (replaced each time).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.delivery.config import Destination, EventFilter, load_config  # noqa: E402
from scripts.delivery.runner import deliver  # noqa: E402
from scripts.delivery.warehouse import DuckDBStore  # noqa: E402
from scripts.report import write_report  # noqa: E402
from scripts.simulate import simulate  # noqa: E402
from scripts.summary import print_summary  # noqa: E402


DESTINATIONS = Path("delivery/destinations.yml")
JSONL_DESTINATION = "local_jsonl"


def jsonl_destination() -> Destination:
    (destination,) = [d for d in load_config(DESTINATIONS).destinations if d.name == JSONL_DESTINATION]
    assert destination.path is not None
    return destination


def deliver_events_to_jsonl(db_path: Path) -> None:
    """What `python -m scripts.deliver_events` does after each build, for the
    demo's local JSONL destination; checks every event arrived."""
    destination = jsonl_destination()
    store = DuckDBStore(db_path)
    try:
        (result,) = deliver(store, [destination])
        events = store.count_events_after(None, EventFilter())
    finally:
        store.close()
    assert destination.path is not None
    lines = [json.loads(line)["event_id"] for f in destination.path.glob("*.jsonl") for line in f.read_text().splitlines()]
    print(
        f"event delivery: {result.delivered:,} group events written to {destination.path}/ "
        f"({len(lines):,} lines, {len(set(lines)):,} distinct ids; customer_group_events holds {events:,})"
    )
    if len(set(lines)) != events:
        raise SystemExit("event delivery: the JSONL files do not hold every event")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("warehouse/customer_groups.duckdb"))
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 6, 1))
    args = parser.parse_args(argv)

    args.db.parent.mkdir(parents=True, exist_ok=True)
    for stale in (args.db, args.db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    # A new warehouse starts its delivery cursors afresh: so do its files.
    folder = jsonl_destination().path
    for stale in (folder.glob("*.jsonl") if folder is not None and folder.exists() else []):
        stale.unlink()
    simulate(args.db, days=args.days, customers=args.customers, seed=args.seed, start=args.start, verify=True)
    print_summary(args.db)
    deliver_events_to_jsonl(args.db)
    report = write_report(args.db, Path("reports/customer_groups.html"))
    print(f"report: open {report.resolve()} in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
