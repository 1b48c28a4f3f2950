"""The daily pipeline on a local Spark session with Iceberg tables, timed.

Generates a dataset (or takes a DuckDB file of raw tables), loads it into
Spark (scripts/load_spark.py), seeds, then runs one day after another (the
first a whole ``dbt build``: every model, data test and unit test; later days
``dbt build`` without the unit tests, or ``dbt run`` with ``--later-days run``
as scripts/pipeline.py's daily run does) and reruns the last day.
Prints how long each step took.

    python scripts/spark_build.py                          # 500 customers, 3 days + a rerun
    python scripts/spark_build.py --customers 2000 --days 3 --warehouse /tmp/cg-spark
    python scripts/spark_build.py --db warehouse/customer_groups.duckdb --no-rerun

Everything runs in this process: one Spark session (its JVM is a child of
this process and stops with it), shared by the loader and dbt-spark's
session method. From Python (tests)::

    from scripts.spark_build import SparkRun
    with SparkRun(warehouse_dir, work_dir) as run:
        run.load(raw_duckdb_path)
        run.daily_runs(days)
        rows = run.rows("customer_metrics")
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.pipeline import DbtProject, SparkTarget  # noqa: E402
from scripts.spark_setup import spark_settings  # noqa: E402

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

RAW_SCHEMA = "raw_revcent"


@dataclass
class SparkRun:
    """One local Spark session with the project's settings, the raw tables
    loaded into it, and the project run on it. Use as a context manager: the
    session and its JVM are stopped on exit, whatever happened."""

    warehouse_dir: Path
    work_dir: Path
    schema: str = "customer_groups"
    timings: dict[str, float] = field(default_factory=dict)
    _session: Any = field(default=None, init=False, repr=False)
    _project: DbtProject | None = field(default=None, init=False, repr=False)

    def __enter__(self) -> SparkRun:
        from scripts.load_spark import local_session

        with self.timed("start Spark session"):
            self._session = local_session(self.warehouse_dir, spark_settings(self.warehouse_dir))
        self._project = DbtProject(spark=SparkTarget(self.warehouse_dir, schema=self.schema), work_dir=self.work_dir)
        return self

    def __exit__(self, *exc: object) -> None:
        stop_spark(self._session)
        self._session = None

    @property
    def session(self) -> SparkSession:
        if self._session is None:
            raise RuntimeError("SparkRun is not started: use it in a with block")
        return self._session

    @property
    def project(self) -> DbtProject:
        assert self._project is not None, "SparkRun is not started: use it in a with block"
        return self._project

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = time.perf_counter() - started

    def load(self, raw_duckdb: Path, schema: str = RAW_SCHEMA) -> dict[str, int]:
        from scripts.load_spark import load_raw_tables

        with self.timed("load raw tables"):
            return load_raw_tables(raw_duckdb, self.session, schema=schema, progress=False)

    def seed(self) -> Any:
        with self.timed("dbt seed"):
            return self.project.run(["seed"])

    def daily_runs(
        self,
        days: Sequence[date],
        *,
        rerun_last: bool = True,
        select: Sequence[str] = (),
        first_command: str = "build",
        later_command: str = "run",
        later_exclude: Sequence[str] = (),
    ) -> Any:
        """Seed, then one run per day and a rerun of the last; returns the
        first day's dbt result. The first day is ``first_command`` (a whole
        ``build``: models, data tests, unit tests); later days are
        ``later_command``: ``run`` (models only, as scripts/pipeline.py's
        daily run) or ``build`` (models and data tests; unit tests do not
        depend on the data, so they run on the first day only).
        With ``select``, every day builds only those nodes; ``later_exclude``
        leaves nodes out of the later days (e.g. ``tag:as_of_independent``
        when the raw tables do not change between days)."""
        self.seed()
        selection = ["--select", *select] if select else []
        first = None
        for index, day in enumerate([*days, days[-1]] if rerun_last else list(days)):
            label = f"day {index + 1} ({day.isoformat()})" if index < len(days) else f"rerun ({day.isoformat()})"
            excluded = [*later_exclude, *(["test_type:unit"] if later_command == "build" else [])]
            command = [first_command] if index == 0 else [later_command, *(["--exclude", *excluded] if excluded else [])]
            with self.timed(f"dbt {command[0]} {label}"):
                result = self.project.run([*command, *selection], vars={"as_of_date": day.isoformat()})
            first = first or result
        return first

    def unit_tests(self, as_of: date, exclude: Sequence[str] = ()) -> Any:
        """The dbt unit tests, but those of the models in ``exclude`` (they
        read fixtures, not the warehouse, but need the models they test to
        have been built once)."""
        exclusion = ["--exclude", *exclude] if exclude else []
        with self.timed("dbt test (unit tests)"):
            return self.project.run(
                ["test", "--select", "test_type:unit", *exclusion], vars={"as_of_date": as_of.isoformat()}
            )

    def rows(self, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of a model (or any table of the model schema)."""
        frame = self.session.sql(f"select * from `{self.schema}`.`{table}`")
        return list(frame.columns), [tuple(row) for row in frame.collect()]

    def sql(self, statement: str) -> list[Mapping[str, Any]]:
        return [row.asDict() for row in self.session.sql(statement).collect()]


def stop_spark(session: SparkSession | None) -> None:
    """Stop a session and the JVM pyspark started for it, so nothing keeps
    running after a test or a script (a later session starts a fresh one)."""
    if session is None:
        return
    from pyspark import SparkContext

    session.stop()
    gateway = SparkContext._gateway
    if gateway is not None:
        process = getattr(gateway, "proc", None)
        gateway.shutdown()
        if process is not None:
            if process.stdin:
                process.stdin.close()  # the JVM exits when its stdin closes
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    SparkContext._gateway = None
    SparkContext._jvm = None
    SparkContext._active_spark_context = None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the whole project on a local Spark session (Iceberg), timed.")
    parser.add_argument("--db", type=Path, help="DuckDB file of raw tables; default: generate --customers")
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7, help="generator seed")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 5, 31), help="first day")
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--no-rerun", action="store_true", help="do not rerun the last day")
    parser.add_argument("--warehouse", type=Path, help="Spark warehouse folder; default: a temporary one, deleted")
    parser.add_argument("--select", nargs="*", default=[], help="dbt selection (default: everything)")
    parser.add_argument(
        "--later-days", choices=("build", "run"), default="build",
        help="after day 1: `dbt build` without unit tests (default) or `dbt run` (models only)",
    )
    args = parser.parse_args(argv)

    from rich.console import Console
    from rich.table import Table

    console = Console()
    days = [args.start + timedelta(days=offset) for offset in range(args.days)]
    scratch = Path(tempfile.mkdtemp(prefix="spark_build_"))
    warehouse = args.warehouse or scratch / "warehouse"
    started = time.perf_counter()
    try:
        raw = args.db
        generate_seconds = 0.0
        if raw is None:
            from scripts.generate_data import generate

            raw = scratch / "raw.duckdb"
            console.print(f"generating {args.customers:,} customers as of {days[-1]} ...")
            generate_started = time.perf_counter()
            generate(str(raw), customers=args.customers, seed=args.seed, as_of=days[-1], schema=RAW_SCHEMA,
                     progress=False)
            generate_seconds = time.perf_counter() - generate_started
        with SparkRun(warehouse, scratch / "dbt") as run:
            if generate_seconds:
                run.timings = {"generate raw data (DuckDB)": generate_seconds, **run.timings}
            copied = run.load(raw)
            console.print(f"loaded {sum(copied.values()):,} raw rows into Spark; running dbt ...")
            run.daily_runs(days, rerun_last=not args.no_rerun, select=args.select, later_command=args.later_days)
            members = run.sql("select count(*) as members from customer_groups.customer_group_memberships")
            events = run.sql("select count(*) as events from customer_groups.customer_group_events")
            timings = dict(run.timings)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    table = Table(title=f"Spark (local session, Iceberg): {args.customers:,} customers, {args.days} days")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    for step, seconds in timings.items():
        table.add_row(step, f"{seconds:,.1f}")
    table.add_row("total", f"{time.perf_counter() - started:,.1f}")
    console.print(table)
    console.print(f"memberships: {members[0]['members']:,}; events: {events[0]['events']:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
