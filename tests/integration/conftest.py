"""Harness for the integration tests: generate raw data, build the dbt
project against it, and query the result.

Every build gets its own temporary DuckDB file, profiles dir, target path and
log path, so tests never share state. dbt runs in-process through
``dbtRunner``; dbt-duckdb keeps its database instance open after a run, so
``run_dbt`` closes it again before returning, and ``query`` opens the file
read-only only for the length of one statement ("Could not set lock on
file" otherwise).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

from tests.integration.reference import (
    RowVerdict,
    classify_rows,
    clean_rows_of,
    compute_metrics,
    load_currency_rates,
)

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

    from scripts.postgres_server import PostgresServer

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROFILE_NAME = "customer_groups"
RAW_SCHEMA = "raw_revcent"
CURRENCY_RATES_SEED = PROJECT_DIR / "seeds" / "currency_rates.csv"

# The standard generated warehouse every integration test reads.
GENERATED_CUSTOMERS = 2000
GENERATOR_SEED = 7
AS_OF = date(2026, 6, 30)

_INTEGRATION_DIR = Path(__file__).resolve().parent


# The longest test files, started first so that with two workers
# (scripts/test.sh) neither is left running one alone at the end.
LONGEST_FILES = ("test_three_engines.py", "test_history_and_events.py", "test_backfill_in_one_run.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration builds the project: mark it so
    ``-m "not integration"`` gives the fast suite. The longest files go
    first."""
    for item in items:
        if _INTEGRATION_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.slow)
    rank = {name: position for position, name in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: rank.get(Path(str(item.path)).name, len(rank)))


# --------------------------------------------------------------------------
# Running dbt
# --------------------------------------------------------------------------


from scripts.pipeline import DbtRunError, release_duckdb, run_dbt, write_profiles  # noqa: E402,F401


# --------------------------------------------------------------------------
# Querying
# --------------------------------------------------------------------------


def query_duckdb(db_path: Path, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
    """Run one statement on a read-only connection that is closed at once."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        cursor = con.execute(sql, params or [])
        columns = [description[0] for description in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
    finally:
        con.close()


@dataclass(frozen=True)
class BuiltWarehouse:
    """A generated raw database with the dbt project built on it."""

    db_path: Path
    as_of: date
    project_dir: Path
    profiles_dir: Path
    raw_schema: str = RAW_SCHEMA

    def run(
        self,
        args: Sequence[str],
        *,
        vars: Mapping[str, Any] | None = None,
        expect_success: bool = True,
    ) -> dbtRunnerResult:
        """Run dbt on this warehouse; ``as_of_date`` defaults to ``self.as_of``."""
        return run_dbt(
            args,
            project_dir=self.project_dir,
            profiles_dir=self.profiles_dir,
            db_path=self.db_path,
            vars={"as_of_date": self.as_of.isoformat(), **(vars or {})},
            expect_success=expect_success,
        )

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        return query_duckdb(self.db_path, sql, params)

    def relation(self, name: str) -> str:
        """The quoted ``schema.name`` of a model, found in information_schema."""
        matches = self.query(
            "select table_schema from information_schema.tables"
            " where table_name = ? and table_schema <> ? order by table_schema",
            [name, self.raw_schema],
        )
        if not matches:
            built = self.query(
                "select table_schema || '.' || table_name as relation"
                " from information_schema.tables where table_schema <> ? order by 1",
                [self.raw_schema],
            )
            raise AssertionError(
                f"model {name!r} is not in the warehouse; built: {[r['relation'] for r in built]}"
            )
        if len(matches) > 1:
            schemas = [m["table_schema"] for m in matches]
            raise AssertionError(f"model {name!r} exists in several schemas: {schemas}")
        return f'"{matches[0]["table_schema"]}"."{name}"'

    def model_rows(self, name: str) -> list[dict[str, Any]]:
        return self.query(f"select * from {self.relation(name)}")

    def raw_rows(self, table: str) -> list[dict[str, Any]]:
        return self.query(f'select * from "{self.raw_schema}"."{table}"')


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWarehouse]:
    """2000 generated customers (seed 7), seeded and built as of 2026-06-30."""
    from scripts.generate_data import generate

    work_dir = tmp_path_factory.mktemp("warehouse")
    warehouse = BuiltWarehouse(
        db_path=work_dir / "customer_groups.duckdb",
        as_of=AS_OF,
        project_dir=PROJECT_DIR,
        profiles_dir=work_dir / "profiles",
    )
    generate(
        str(warehouse.db_path),
        customers=GENERATED_CUSTOMERS,
        seed=GENERATOR_SEED,
        as_of=AS_OF,
        schema=RAW_SCHEMA,
        progress=False,
    )
    warehouse.run(["seed"])
    warehouse.run(["build"])
    yield warehouse


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session (scripts/postgres_server.py):
    installed from the distribution's packages when missing, initialised in a
    temporary directory as a non-root user, listening on 127.0.0.1 on a free
    port, and stopped and deleted at the end, whatever the outcome. Its
    sessions default to a time zone far from UTC (UTC+13 or +12), so a model
    that depended on the session's zone would not match DuckDB (SPEC 2)."""
    from scripts.postgres_server import running_server

    with running_server(timezone="Pacific/Auckland") as server:
        yield server


@pytest.fixture(scope="session")
def currency_rates() -> dict[str, Decimal]:
    return load_currency_rates(CURRENCY_RATES_SEED)


@pytest.fixture(scope="session")
def reference_verdicts(
    built_warehouse: BuiltWarehouse, currency_rates: dict[str, Decimal]
) -> dict[str, list[RowVerdict]]:
    """The reference's verdict on every raw row of the built warehouse."""
    con = duckdb.connect(str(built_warehouse.db_path), read_only=True)
    try:
        return classify_rows(con, built_warehouse.raw_schema, currency_rates)
    finally:
        con.close()


@pytest.fixture(scope="session")
def reference_metrics(
    built_warehouse: BuiltWarehouse,
    reference_verdicts: dict[str, list[RowVerdict]],
    currency_rates: dict[str, Decimal],
) -> dict[str, dict[str, Any]]:
    return compute_metrics(clean_rows_of(reference_verdicts), built_warehouse.as_of, currency_rates)
