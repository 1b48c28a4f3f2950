"""Deliver customer group events to the destinations in delivery/destinations.yml.

    python -m scripts.deliver_events                         # every enabled destination
    python -m scripts.deliver_events --destination slack_vip --config delivery/destinations.yml
    python -m scripts.deliver_events --db /path/to/customer_groups.duckdb

Run it after `dbt build`: each destination gets the events after its cursor,
in (occurred_on, event_id) order, at least once. A rerun with nothing new
sends nothing. Delivery state lives in schema event_delivery of the same
warehouse (docs/event_delivery.md). Exit status: 0 when every destination
was processed (dead-lettered batches included; they are counted), 2 on a
configuration or warehouse problem.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.delivery.config import ConfigError, load_config  # noqa: E402
from scripts.delivery.runner import DestinationResult, deliver  # noqa: E402
from scripts.delivery.warehouse import DuckDBStore, WarehouseError  # noqa: E402

DEFAULT_CONFIG = Path("delivery/destinations.yml")
DEFAULT_DB = Path("warehouse/customer_groups.duckdb")


def default_db_path() -> Path:
    """The same file dbt builds (profiles.yml.example)."""
    return Path(os.environ.get("CUSTOMER_GROUPS_DUCKDB_PATH") or DEFAULT_DB)


def print_results(console: Console, results: list[DestinationResult]) -> None:
    table = Table(title="event delivery")
    for column in ("destination", "delivered", "dead-lettered", "batches", "cursor"):
        table.add_column(column)
    for result in results:
        cursor = f"{result.cursor.occurred_on} {result.cursor.event_id[:12]}" if result.cursor else "-"
        table.add_row(
            result.destination, str(result.delivered), str(result.dead_lettered), str(result.batches), cursor
        )
    console.print(table)
    for result in results:
        for path in result.files or []:
            console.print(f"{result.destination}: wrote {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--db", type=Path, default=None, help="DuckDB file (default: $CUSTOMER_GROUPS_DUCKDB_PATH)")
    parser.add_argument("--destination", action="append", default=[], help="only these destinations (repeatable)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    args = parser.parse_args(argv)
    console = Console(stderr=False)

    try:
        config = load_config(args.config)
        destinations = list(config.destinations)
        if args.destination:
            known = {d.name for d in destinations}
            missing = [name for name in args.destination if name not in known]
            if missing:
                raise ConfigError(f"destination {missing[0]!r}: not in {args.config} (or disabled)")
            destinations = [d for d in destinations if d.name in args.destination]
        store = DuckDBStore(args.db or default_db_path(), events_schema=config.events_schema)
    except (ConfigError, WarehouseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        show_progress = console.is_terminal if args.progress is None else args.progress
        results = deliver(store, destinations, progress=show_progress)
    finally:
        store.close()
    print_results(console, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
