"""Throughput of event delivery: N events (default 1M) from a DuckDB events
table to a local webhook endpoint (a separate process that verifies every
signature and parses every body), and to a JSONL folder.

    python scripts/benchmark_delivery.py                    # 1,000,000 events, batches of 1000
    python scripts/benchmark_delivery.py --events 200000 --batch-size 500

Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.delivery.config import Destination  # noqa: E402
from scripts.delivery.payload import SIGNATURE_HEADER, verify_signature  # noqa: E402
from scripts.delivery.runner import deliver  # noqa: E402
from scripts.delivery.sample_events import create_sample_warehouse  # noqa: E402
from scripts.delivery.warehouse import DuckDBStore  # noqa: E402

SECRET = "benchmark-secret"


def serve(ready: Any, received: Any, bad_signatures: Any) -> None:
    """The local endpoint: verify, parse, count, answer 200."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if not verify_signature(SECRET, body, self.headers.get(SIGNATURE_HEADER)):
                with bad_signatures.get_lock():
                    bad_signatures.value += 1
            events = len(json.loads(body)["events"])
            with received.get_lock():
                received.value += events
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ready.put(server.server_address[1])
    server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "events.duckdb"
        started = time.perf_counter()
        create_sample_warehouse(db, events=args.events, customers=100_000, days=30)
        print(f"sample warehouse: {args.events:,} events in {time.perf_counter() - started:.1f} s")

        ready: Any = multiprocessing.Queue()
        received: Any = multiprocessing.Value("q", 0)
        bad: Any = multiprocessing.Value("q", 0)
        endpoint = multiprocessing.Process(target=serve, args=(ready, received, bad), daemon=True)
        endpoint.start()
        url = f"http://127.0.0.1:{ready.get(timeout=30)}/events"
        try:
            webhook = Destination(
                name="bench_webhook", type="webhook", url=url, secret=SECRET, batch_size=args.batch_size
            )
            store = DuckDBStore(db)
            try:
                started = time.perf_counter()
                (result,) = deliver(store, [webhook], progress=sys.stdout.isatty())
                webhook_seconds = time.perf_counter() - started
            finally:
                store.close()
        finally:
            endpoint.terminate()
            endpoint.join()
        if result.delivered != args.events or received.value < args.events or bad.value:
            print(f"FAILED: delivered {result.delivered}, received {received.value}, bad signatures {bad.value}")
            return 1
        rate = args.events / webhook_seconds
        print(
            f"webhook: {args.events:,} events in {webhook_seconds:.1f} s = {rate:,.0f} events/s "
            f"(batches of {args.batch_size}, {result.batches:,} signed POSTs, every signature verified)"
        )

        jsonl = Destination(name="bench_jsonl", type="jsonl", path=Path(tmp) / "exports")
        store = DuckDBStore(db)
        try:
            started = time.perf_counter()
            (result,) = deliver(store, [jsonl])
            jsonl_seconds = time.perf_counter() - started
        finally:
            store.close()
        print(f"jsonl:   {result.delivered:,} events in {jsonl_seconds:.1f} s = {result.delivered / jsonl_seconds:,.0f} events/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
