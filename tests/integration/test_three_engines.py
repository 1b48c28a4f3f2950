"""The project runs unchanged on DuckDB, PostgreSQL and Apache Spark with
Iceberg tables, and gives the same answers on all three (SPEC section 1).

One generated dataset (300 customers) is written into DuckDB, copied into a
real PostgreSQL server (the session's ``postgres_server``) with
scripts/load_postgres.py and into a local Spark session with
scripts/load_spark.py. The daily pipeline then runs on each engine for three
consecutive days, D1..D3 (D2 is the ``created_on`` of the fixed groups in the
seeds), plus a rerun of D3. On DuckDB and PostgreSQL the first day is a
whole ``dbt build``, so every dbt unit test and data test runs there; later
days are ``dbt run``, as ``DbtProject.daily_run`` does. Spark, slower per
node, builds a focused selection (``SPARK_SELECTION``) and runs every dbt
unit test once.

At the end the metrics, the memberships, the membership history and the
event log (``event_id`` included) must hold the same rows on all engines,
compared as multisets both ways, with numbers compared by value (12.34 ==
12.340000000000) and nothing else normalised.

On Spark, the card-number scan must also find a card number planted in a
built table: Spark's ``string`` columns are scanned with Spark's own SQL.
And an incremental run of the validated sales must take in a new sale and a
new version of another, and leave the other rows as they were.
The Spark session (and its JVM) is stopped before the assertions run.
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

from scripts.pipeline import DbtProject, DbtRunError, PostgresTarget
from scripts.postgres_server import PostgresServer
from tests.integration.conftest import RAW_SCHEMA, query_duckdb

pytestmark = pytest.mark.integration

CUSTOMERS = 300
GENERATOR_SEED = 5
GENERATED_AS_OF = date(2026, 6, 30)
DAYS = [date(2026, 5, 31) + timedelta(days=offset) for offset in range(3)]
DATABASE = "customer_groups"
MODEL_SCHEMA = "customer_groups"
ENGINES = ("DuckDB", "PostgreSQL", "Spark")

COMPARED_TABLES = (
    "customer_metrics",
    "customer_group_memberships",
    "customer_group_membership_history",
    "customer_group_events",
)
EVENTS = "customer_group_events"
# Spark runs one node at a time and each costs seconds, so the Spark part of
# CI builds what the comparison reads plus the reporting models that use the
# Spark day spine and median, runs every dbt unit test once, and on later
# days leaves out the models that do not depend on as_of_date (the raw
# tables do not change between the days). Data tests run on DuckDB and
# PostgreSQL here; scripts/spark_build.py runs the whole build on Spark.
SPARK_SELECTION = tuple(
    f"+{model}"
    for model in (
        *COMPARED_TABLES,
        # The run log is each day's commit marker (the next day's guard reads
        # it); the frozen lists are the rest of the state kept across runs.
        "customer_group_run_log",
        "customer_group_frozen_members",
        "metricflow_time_spine",
        "customer_group_performance",
        "customer_group_daily_movement",
        "customer_group_transitions",
    )
)
# The dependency walk's unit tests cost Spark's planner minutes (a walk of
# ten self-joins per fixture); the model itself is built on Spark every day
# here, and its unit tests run on DuckDB and PostgreSQL.
SPARK_UNIT_TEST_EXCLUDE = ("int_customer_group_dependencies_resolved",)
VISA_TEST_NUMBER = "4111 1111 1111 1111"  # Luhn-valid, written with spaces
NEW_SPARK_SALE = "sal_spark_new_0001"

Row = tuple[Any, ...]


@dataclass(frozen=True)
class TableContents:
    columns: tuple[str, ...]
    rows: Counter[Row]


@dataclass(frozen=True)
class SparkOutcome:
    tables: dict[str, TableContents]
    unit_tests: dict[str, str]  # unit test name -> status of the day-1 build
    card_scan_failure: str  # the scan's message after a card number was planted
    revalidated_sales: dict[str, Any]  # what _revalidate_sales_on_spark read back
    timings: dict[str, float]


@dataclass(frozen=True)
class ThreeEngines:
    duckdb_path: Path
    postgres: PostgresTarget
    unit_tests_on_postgres: dict[str, str]  # unit test name -> status of the day-1 build
    postgres_events_before_rerun: TableContents
    spark: SparkOutcome

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

    def table(self, engine: str, name: str) -> TableContents:
        if engine == "DuckDB":
            return self.duckdb_table(name)
        if engine == "PostgreSQL":
            return self.postgres_table(name)
        return self.spark.tables[name]


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


def differences(
    left: TableContents, right: TableContents, limit: int = 10, names: tuple[str, str] = ("DuckDB", "PostgreSQL")
) -> list[str]:
    """Rows of ``left`` not in ``right`` and the other way round (as
    multisets), at most ``limit`` of each, as readable lines."""
    problems: list[str] = []
    if left.columns != right.columns:
        problems.append(f"columns differ: {left.columns} vs {right.columns}")
        return problems
    for label, extra in ((f"only on {names[0]}", left.rows - right.rows), (f"only on {names[1]}", right.rows - left.rows)):
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


def _unit_test_statuses(result: Any) -> dict[str, str]:
    return {
        node_result.node.name: str(node_result.status)
        for node_result in result.result.results
        if node_result.node.resource_type == "unit_test"
    }


def _run_on_spark(duckdb_path: Path, work_dir: Path) -> SparkOutcome:
    """The three days and the rerun on a local Spark session; then a card
    number planted in customer_metrics must stop the card-number scan. The
    session and its JVM are stopped before returning."""
    from scripts.spark_build import SparkRun

    with SparkRun(work_dir / "warehouse", work_dir / "dbt", schema=MODEL_SCHEMA) as run:
        copied = run.load(duckdb_path)
        assert copied["customer"] >= CUSTOMERS
        run.daily_runs(
            DAYS, rerun_last=True, select=SPARK_SELECTION, first_command="run", later_exclude=["tag:as_of_independent"]
        )
        unit_tests = run.unit_tests(DAYS[-1], exclude=SPARK_UNIT_TEST_EXCLUDE)
        tables = {name: _contents(run.rows(name)) for name in COMPARED_TABLES}

        planted_for = run.sql(f"select min(customer_id) as customer_id from {MODEL_SCHEMA}.customer_metrics")
        run.session.sql(
            f"update {MODEL_SCHEMA}.customer_metrics set customer_id = '{VISA_TEST_NUMBER}'"
            f" where customer_id = '{planted_for[0]['customer_id']}'"
        )
        try:
            scan = run.project.run(
                ["test", "--select", "assert_no_card_numbers_in_any_model"],
                vars={"as_of_date": DAYS[-1].isoformat()},
                expect_success=False,
            )
            card_scan_failure = "\n".join(scan.messages)
        except DbtRunError as error:  # the scan passed: no card number found
            card_scan_failure = f"the scan passed: {error}"
        return SparkOutcome(
            tables, _unit_test_statuses(unit_tests), card_scan_failure, _revalidate_sales_on_spark(run), dict(run.timings)
        )


SALE_COLUMNS = (
    "customer_id, campaign_id, third_party_shop_id, status, is_upsell, amount_gross, amount_net, iso_currency,"
    " created_date_unix"
)


def _revalidate_sales_on_spark(run: Any) -> dict[str, Any]:
    """A new sale and a new version of an existing one reach Spark's raw
    table; an incremental run of the sales (an append, then the post-hook's
    DELETE on Iceberg) must re-validate just those."""
    versioned = run.sql(
        f"select min(id) as id from {RAW_SCHEMA}.sale where status = 'declined'"
        f" and id in (select id from {RAW_SCHEMA}.sale group by id having count(*) = 1)"
    )[0]["id"]
    run.session.sql(
        f"insert into {RAW_SCHEMA}.sale select '{NEW_SPARK_SALE}', {SALE_COLUMNS}, created_date_unix"
        f" from {RAW_SCHEMA}.sale where id = '{versioned}'"
    )
    run.session.sql(
        f"insert into {RAW_SCHEMA}.sale select id, customer_id, campaign_id, third_party_shop_id, 'success', is_upsell,"
        f" amount_gross, amount_net, iso_currency, created_date_unix, coalesce(updated_date_unix, created_date_unix) + 60"
        f" from {RAW_SCHEMA}.sale where id = '{versioned}'"
    )
    run.project.run(
        ["run", "--select", "int_sales_validated"],
        vars={"as_of_date": DAYS[-1].isoformat()},
    )
    sales = f"{MODEL_SCHEMA}.int_sales_validated"
    return {
        "versioned": versioned,
        "rows": run.sql(
            f"select source_row_key, sale_status, row_status from {sales}"
            f" where source_row_key in ('{NEW_SPARK_SALE}', '{versioned}')"
        ),
        "validated_rows": run.sql(f"select count(*) as n from {sales}")[0]["n"],
        "raw_rows": run.sql(f"select count(*) as n from {RAW_SCHEMA}.sale")[0]["n"],
        "runs": run.sql(f"select count(distinct validated_at) as n from {sales}")[0]["n"],
    }


@pytest.fixture(scope="module")
def three_engines(tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer) -> ThreeEngines:
    from scripts.generate_data import generate
    from scripts.load_postgres import load_raw_tables

    work_dir = tmp_path_factory.mktemp("three_engines")
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

    spark = _run_on_spark(duckdb_path, work_dir / "spark")
    return ThreeEngines(duckdb_path, target, _unit_test_statuses(first_day), events_before_rerun, spark)


@pytest.mark.parametrize("table", COMPARED_TABLES)
@pytest.mark.parametrize("engine", ENGINES[1:])
def test_every_engine_builds_the_same_table_as_duckdb_over_three_days_and_a_rerun(
    three_engines: ThreeEngines, engine: str, table: str
) -> None:
    on_duckdb = three_engines.duckdb_table(table)
    on_engine = three_engines.table(engine, table)
    assert sum(on_duckdb.rows.values()) > 0, f"{table} is empty on DuckDB: the comparison would prove nothing"
    problems = differences(on_duckdb, on_engine, names=("DuckDB", engine))
    assert not problems, f"{table} differs between DuckDB and {engine}:\n" + "\n".join(problems)


def test_events_span_every_day_and_both_kinds_so_the_comparison_covers_history(three_engines: ThreeEngines) -> None:
    events = three_engines.postgres_table(EVENTS)
    column = {name: index for index, name in enumerate(events.columns)}
    days = {row[column["occurred_on"]] for row in events.rows}
    names = {row[column["event_name"]] for row in events.rows}
    assert days == set(DAYS), f"events on {sorted(days)}, expected one set per day {DAYS}"
    assert names == {"customer.updated.customer_group.added", "customer.updated.customer_group.removed"}
    assert all(row[column["event_id"]] for row in events.rows)


def test_rerunning_the_last_day_on_postgres_leaves_the_event_log_unchanged(three_engines: ThreeEngines) -> None:
    problems = differences(three_engines.postgres_events_before_rerun, three_engines.postgres_table(EVENTS))
    assert not problems, "rerunning the last day changed PostgreSQL's events:\n" + "\n".join(problems)


@pytest.mark.parametrize("engine", ENGINES[1:])
def test_every_dbt_unit_test_passes_on_every_engine(three_engines: ThreeEngines, engine: str) -> None:
    unit_tests = three_engines.unit_tests_on_postgres if engine == "PostgreSQL" else three_engines.spark.unit_tests
    assert len(unit_tests) >= 40, f"only {len(unit_tests)} unit tests ran on {engine}"
    failed = {name: status for name, status in unit_tests.items() if status != "pass"}
    assert not failed, f"unit tests not passing on {engine}: {failed}"


def test_the_card_number_scan_finds_a_number_planted_in_a_spark_table(three_engines: ThreeEngines) -> None:
    failure = three_engines.spark.card_scan_failure
    assert "customer_metrics.customer_id" in failure, failure
    assert "************1111" in failure, failure
    assert VISA_TEST_NUMBER not in failure, "the scan's message must mask the card number"


def test_an_incremental_run_on_spark_revalidates_a_new_sale_and_a_new_version(three_engines: ThreeEngines) -> None:
    outcome = three_engines.spark.revalidated_sales
    rows = {(row["source_row_key"], row["sale_status"], row["row_status"]) for row in outcome["rows"]}
    assert rows == {
        (NEW_SPARK_SALE, "declined", "clean"),
        (outcome["versioned"], "declined", "superseded"),
        (outcome["versioned"], "success", "clean"),
    }, outcome
    assert outcome["validated_rows"] == outcome["raw_rows"], outcome
    assert outcome["runs"] == 2, "the run rebuilt the table instead of adding to it"


def test_the_spark_session_is_stopped_after_the_run(three_engines: ThreeEngines) -> None:
    from pyspark import SparkContext

    assert three_engines.spark.timings, "the Spark run recorded no steps"
    assert SparkContext._active_spark_context is None, "a Spark context is still running after the Spark run"


def test_the_backfill_script_reads_the_last_date_and_the_customers_on_postgres(
    postgres_server: PostgresServer,
) -> None:
    """scripts/backfill.py sizes its runs from the customers of the last run
    (or the raw table before it) and resumes after the run log's last date;
    on PostgreSQL it reads both from the target's schema."""
    import psycopg2

    from scripts import backfill as backfill_script

    postgres_server.create_database("backfill_counts")
    target = PostgresTarget(
        host=postgres_server.host, port=postgres_server.port, user=postgres_server.user, dbname="backfill_counts",
        schema=MODEL_SCHEMA,
    )

    def execute(sql: str) -> None:
        connection = psycopg2.connect(target.conninfo())
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    assert backfill_script.last_processed_date(None, target) is None
    assert backfill_script.customer_count(None, target) is None
    execute(f"create schema {RAW_SCHEMA}; create table {RAW_SCHEMA}.customer as select generate_series(1, 7) as id")
    assert backfill_script.customer_count(None, target) == 7
    execute(
        f"create schema {MODEL_SCHEMA};"
        f" create table {MODEL_SCHEMA}.customer_metrics as select generate_series(1, 4) as customer_id;"
        f" create table {MODEL_SCHEMA}.customer_group_run_log as"
        " select date '2026-06-29' + generate_series(0, 1) as as_of_date"
    )
    assert backfill_script.customer_count(None, target) == 4
    assert backfill_script.last_processed_date(None, target) == date(2026, 6, 30)
