"""The project runs unchanged on PostgreSQL and gives the same answers as on
DuckDB (SPEC section 1: "DuckDB by default, and unchanged on PostgreSQL").

One generated dataset (400 customers) is written into DuckDB and copied into
a real PostgreSQL server (the session's ``postgres_server``) with
scripts/load_postgres.py. The daily pipeline then runs on both engines for
three consecutive days, D1..D3 (D2 is the ``created_on`` of the fixed groups
in the seeds), plus a rerun of D3. The first day is a whole ``dbt build``, so
every dbt unit test and data test runs on PostgreSQL too; later days are
``dbt run``, as ``DbtProject.daily_run`` does.

At the end the metrics, the memberships, the membership history and the
event log (``event_id`` included) must hold the same rows on both engines,
compared as multisets both ways (``except`` in each direction), with numbers
compared by value (12.34 == 12.340000000000) and nothing else normalised.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scripts.pipeline import DbtProject, PostgresTarget
from scripts.postgres_server import PostgresServer
from tests.integration.conftest import RAW_SCHEMA, query_duckdb

pytestmark = pytest.mark.integration

CUSTOMERS = 400
GENERATOR_SEED = 5
GENERATED_AS_OF = date(2026, 6, 30)
DAYS = [date(2026, 5, 31) + timedelta(days=offset) for offset in range(3)]
DATABASE = "customer_groups"
MODEL_SCHEMA = "customer_groups"

COMPARED_TABLES = (
    "customer_metrics",
    "customer_group_memberships",
    "customer_group_membership_history",
    "customer_group_events",
)
EVENTS = "customer_group_events"

Row = tuple[Any, ...]


@dataclass(frozen=True)
class TableContents:
    columns: tuple[str, ...]
    rows: Counter[Row]


@dataclass(frozen=True)
class BothEngines:
    duckdb_path: Path
    postgres: PostgresTarget
    unit_tests_on_postgres: dict[str, str]  # unit test name -> status of the day-1 build
    postgres_events_before_rerun: TableContents

    def duckdb_table(self, name: str) -> TableContents:
        schemas = query_duckdb(
            self.duckdb_path,
            "select table_schema from information_schema.tables where table_name = ? and table_schema <> ?",
            [name, RAW_SCHEMA],
        )
        assert len(schemas) == 1, f"{name} found in DuckDB schemas {schemas}"
        return _contents(_duckdb_rows(self.duckdb_path, f'select * from "{schemas[0]["table_schema"]}"."{name}"'))

    def postgres_table(self, name: str) -> TableContents:
        return _contents(_postgres_rows(self.postgres, f'select * from "{self.postgres.schema}"."{name}"'))


def _duckdb_rows(db_path: Path, sql: str) -> tuple[list[str], list[Row]]:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        cursor = con.execute(sql)
        return [column[0] for column in cursor.description], cursor.fetchall()
    finally:
        con.close()


def _postgres_rows(target: PostgresTarget, sql: str) -> tuple[list[str], list[Row]]:
    import psycopg2

    connection = psycopg2.connect(target.conninfo())
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [column.name for column in cursor.description], cursor.fetchall()
    finally:
        connection.close()


def _normalised(value: Any) -> Any:
    """Numbers by value (Decimal('12.340') and 12.34 are one key); everything
    else (text, dates, booleans, NULL) as it is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(repr(value)).normalize()
    if isinstance(value, (int, Decimal)):
        return Decimal(value).normalize()
    return value


def _contents(result: tuple[list[str], list[Row]]) -> TableContents:
    columns, rows = result
    return TableContents(tuple(columns), Counter(tuple(_normalised(value) for value in row) for row in rows))


def differences(left: TableContents, right: TableContents, limit: int = 10) -> list[str]:
    """Rows of ``left`` not in ``right`` and the other way round (as
    multisets), at most ``limit`` of each, as readable lines."""
    problems: list[str] = []
    if left.columns != right.columns:
        problems.append(f"columns differ: {left.columns} vs {right.columns}")
        return problems
    for label, extra in (("only on DuckDB", left.rows - right.rows), ("only on PostgreSQL", right.rows - left.rows)):
        for row in sorted(extra.elements(), key=repr)[:limit]:
            problems.append(f"{label}: {dict(zip(left.columns, row))}")
        if sum(extra.values()) > limit:
            problems.append(f"... {sum(extra.values()) - limit} more rows {label}")
    return problems


def _run_days(project: DbtProject, days: Sequence[date]) -> Any:
    """Seed, then one daily run per day (the first a whole dbt build) and a
    rerun of the last day; returns the first day's dbt result."""
    project.run(["seed"])
    first = project.daily_run(days[0].isoformat())
    for day in days[1:]:
        project.daily_run(day.isoformat())
    return first


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer) -> BothEngines:
    from scripts.generate_data import generate
    from scripts.load_postgres import load_raw_tables

    work_dir = tmp_path_factory.mktemp("postgres_vs_duckdb")
    duckdb_path = work_dir / "duckdb" / "customer_groups.duckdb"
    generate(
        str(duckdb_path), customers=CUSTOMERS, seed=GENERATOR_SEED, as_of=GENERATED_AS_OF, schema=RAW_SCHEMA,
        progress=False,
    )
    postgres_server.create_database(DATABASE)
    target = PostgresTarget(
        host=postgres_server.host, port=postgres_server.port, user=postgres_server.user, dbname=DATABASE,
        schema=MODEL_SCHEMA,
    )
    copied = load_raw_tables(duckdb_path, target.conninfo(), schema=RAW_SCHEMA, progress=False)
    assert copied["customer"] >= CUSTOMERS

    _run_days(DbtProject(db_path=duckdb_path), [*DAYS, DAYS[-1]])

    on_postgres = DbtProject(postgres=target, work_dir=work_dir / "postgres.dbt")
    first_day = _run_days(on_postgres, DAYS)
    events_before_rerun = _contents(_postgres_rows(target, f'select * from "{MODEL_SCHEMA}"."{EVENTS}"'))
    on_postgres.daily_run(DAYS[-1].isoformat())

    unit_tests = {
        result.node.name: str(result.status)
        for result in first_day.result.results
        if result.node.resource_type == "unit_test"
    }
    return BothEngines(duckdb_path, target, unit_tests, events_before_rerun)


@pytest.mark.parametrize("table", COMPARED_TABLES)
def test_postgres_builds_the_same_table_as_duckdb_over_three_days_and_a_rerun(
    both_engines: BothEngines, table: str
) -> None:
    on_duckdb = both_engines.duckdb_table(table)
    on_postgres = both_engines.postgres_table(table)
    assert sum(on_duckdb.rows.values()) > 0, f"{table} is empty on DuckDB: the comparison would prove nothing"
    problems = differences(on_duckdb, on_postgres)
    assert not problems, f"{table} differs between DuckDB and PostgreSQL:\n" + "\n".join(problems)


def test_events_span_every_day_and_both_kinds_so_the_comparison_covers_history(both_engines: BothEngines) -> None:
    events = both_engines.postgres_table(EVENTS)
    column = {name: index for index, name in enumerate(events.columns)}
    days = {row[column["occurred_on"]] for row in events.rows}
    names = {row[column["event_name"]] for row in events.rows}
    assert days == set(DAYS), f"events on {sorted(days)}, expected one set per day {DAYS}"
    assert names == {"customer.updated.customer_group.added", "customer.updated.customer_group.removed"}
    assert all(row[column["event_id"]] for row in events.rows)


def test_rerunning_the_last_day_on_postgres_leaves_the_event_log_unchanged(both_engines: BothEngines) -> None:
    problems = differences(both_engines.postgres_events_before_rerun, both_engines.postgres_table(EVENTS))
    assert not problems, "rerunning the last day changed PostgreSQL's events:\n" + "\n".join(problems)


def test_every_dbt_unit_test_passes_on_postgres(both_engines: BothEngines) -> None:
    unit_tests = both_engines.unit_tests_on_postgres
    assert len(unit_tests) >= 40, f"only {len(unit_tests)} unit tests ran on PostgreSQL"
    failed = {name: status for name, status in unit_tests.items() if status != "pass"}
    assert not failed, f"unit tests not passing on PostgreSQL: {failed}"
