"""The main job, end to end: generate sample data into DuckDB, run the daily
pipeline over simulated days (checking history and events against each
day's from-scratch membership), print a summary and write the HTML report.

    python scripts/demo.py                       # 30 days, 10,000 customers
    python scripts/demo.py --days 3 --customers 2000

The warehouse lands in warehouse/customer_groups.duckdb (replaced each time).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.report import write_report  # noqa: E402
from scripts.simulate import simulate  # noqa: E402
from scripts.summary import print_summary  # noqa: E402


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
    simulate(args.db, days=args.days, customers=args.customers, seed=args.seed, start=args.start, verify=True)
    print_summary(args.db)
    report = write_report(args.db, Path("reports/customer_groups.html"))
    print(f"report: open {report.resolve()} in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
