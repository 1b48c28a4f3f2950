"""The incrementally validated tables (docs/architecture.md, "The daily
run") hold after a day of changes exactly what a full rebuild gives.

A generated warehouse is built for D1. Before D2 the raw tables get a
simulated day of new facts (scripts/simulate.py) and, by hand, every kind of
change the incremental run must notice:

- a conflicting copy of a customer (same id and update time, another email):
  the customer is quarantined, so its sales and renewals must follow, and
  the product lines of those sales (rebuilt every run) after them;
- a differing copy of a product, which quarantines it: its product lines
  must become dangling;
- a sale updated in place (new status and update time, same row count);
- a sale delivered late, with a timestamp weeks older than the lookback;
- a changed rate for EUR in the loaded seed table;
- a sale deleted from the raw table (a bad load): its rows must go.

D2 is a `dbt build` without the seeds, which would reload the rate (data tests included: the raw-row accounting and the
card-number scan of the re-validated rows). A copy of the warehouse then
rebuilds the validation layer with --full-refresh, and the three incremental
tables must hold the same rows (all but `validated_at`) in both, compared as
multisets both ways; and most rows must still carry D1's `validated_at`,
so the D2 run was incremental and not a rebuild in disguise. The on-demand
audit (`dbt run-operation audit_incremental_validation`) must agree, and
must name the table when one validated row is altered by hand.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pytest

from scripts.pipeline import DbtProject
from tests.integration.conftest import RAW_SCHEMA, query_duckdb

pytestmark = pytest.mark.integration

CUSTOMERS = 1000
GENERATOR_SEED = 13
D1 = date(2026, 6, 30)
D2 = D1 + timedelta(days=1)
INCREMENTAL_MODELS = ("int_customers_validated", "int_sales_validated", "int_subscription_renewals_validated")
NEW_EUR_RATE = "1.11000000"
LATE_SALE_ID = "sal_late_0001"


def _epoch(day: date, hour: int = 12) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc).timestamp())


@dataclass
class Changes:
    """The ids the hand-made changes touched."""

    conflicted_customer: str
    conflicted_product: str
    updated_sale: str
    deleted_sale: str


def _change_raw_tables(db_path: Path) -> Changes:
    from scripts.simulate import evolve_day

    con = duckdb.connect(str(db_path))
    try:
        evolve_day(con, D2, seed=GENERATOR_SEED, scale=CUSTOMERS / 10_000, schema=RAW_SCHEMA)
        # A customer with sales that have product lines and a renewal.
        customer = con.execute(
            f"""select s.customer_id from {RAW_SCHEMA}.sale as s
            inner join {RAW_SCHEMA}.product_sale as p on p.sale_id = s.id
            inner join {RAW_SCHEMA}.subscription_renewal as r on r.customer_id = s.customer_id
            group by s.customer_id order by s.customer_id limit 1"""
        ).fetchone()[0]
        con.execute(
            f"""insert into {RAW_SCHEMA}.customer
            select * replace ('conflict@example.com' as email)
            from {RAW_SCHEMA}.customer where id = ? limit 1""",
            [customer],
        )
        product = con.execute(f"select min(product_id) from {RAW_SCHEMA}.product_sale").fetchone()[0]
        con.execute(
            f"insert into {RAW_SCHEMA}.product select * replace ('Another name' as name)"
            f" from {RAW_SCHEMA}.product where id = ? limit 1",
            [product],
        )
        updated_sale = con.execute(
            f"""select min(id) from {RAW_SCHEMA}.sale
            where status = 'declined' and id in (select id from {RAW_SCHEMA}.sale group by id having count(*) = 1)
            and customer_id != ?""",
            [customer],
        ).fetchone()[0]
        con.execute(
            f"update {RAW_SCHEMA}.sale set status = 'success', updated_date_unix = ? where id = ?",
            [_epoch(D2), updated_sale],
        )
        con.execute(
            f"""insert into {RAW_SCHEMA}.sale
            select * replace (? as id, ? as created_date_unix, ? as updated_date_unix)
            from {RAW_SCHEMA}.sale where id = ?""",
            [LATE_SALE_ID, _epoch(D1 - timedelta(days=40)), _epoch(D1 - timedelta(days=40)), updated_sale],
        )
        con.execute(f"update main.currency_rates set rate_to_reporting = {NEW_EUR_RATE} where iso_currency = 'EUR'")
        deleted_sale = con.execute(
            f"select max(id) from {RAW_SCHEMA}.sale where customer_id != ? and id not in (?, ?)",
            [customer, updated_sale, LATE_SALE_ID],
        ).fetchone()[0]
        con.execute(f"delete from {RAW_SCHEMA}.sale where id = ?", [deleted_sale])
    finally:
        con.close()
    return Changes(customer, product, updated_sale, deleted_sale)


@dataclass
class Outcome:
    incremental: Path
    rebuilt: Path
    changes: Changes
    d1_stamp: Any
    audit_messages: list[str]  # audit_incremental_validation on the incremental warehouse
    tampered_audit_messages: list[str]  # ...and on a copy with one validated row altered


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    from scripts.generate_data import generate

    work = tmp_path_factory.mktemp("incremental_validation")
    incremental = work / "incremental" / "warehouse.duckdb"
    generate(str(incremental), customers=CUSTOMERS, seed=GENERATOR_SEED, as_of=D1, schema=RAW_SCHEMA, progress=False)
    project = DbtProject(db_path=incremental)
    project.run(["seed"])
    project.run(["build", "--exclude", "test_type:unit"], vars={"as_of_date": D1.isoformat()})
    d1_stamp = query_duckdb(incremental, "select max(validated_at) as stamp from main.int_sales_validated")[0]["stamp"]

    changes = _change_raw_tables(incremental)
    # The seeds are not reloaded: the changed rate stands for an edited CSV.
    project.run(
        ["build", "--exclude", "test_type:unit", "resource_type:seed"], vars={"as_of_date": D2.isoformat()}
    )

    audit = project.run(["run-operation", "audit_incremental_validation"], vars={"as_of_date": D2.isoformat()})

    rebuilt, tampered = work / "rebuilt" / "warehouse.duckdb", work / "tampered" / "warehouse.duckdb"
    for copy in (rebuilt, tampered):
        copy.parent.mkdir()
        shutil.copy(incremental, copy)
    DbtProject(db_path=rebuilt).run(
        ["run", "--full-refresh", "--select", "path:models/intermediate/validation"], vars={"as_of_date": D2.isoformat()}
    )
    con = duckdb.connect(str(tampered))
    try:
        con.execute(
            "update main.int_sales_validated set row_status = 'quarantined', quarantine_reason = 'dangling_customer'"
            " where source_row_key = (select min(source_row_key) from main.int_sales_validated where row_status = 'clean')"
        )
    finally:
        con.close()
    tampered_audit = DbtProject(db_path=tampered).run(
        ["run-operation", "audit_incremental_validation"], vars={"as_of_date": D2.isoformat()}, expect_success=False
    )
    return Outcome(incremental, rebuilt, changes, d1_stamp, audit.messages, tampered_audit.messages)


def _rows(db_path: Path, model: str) -> Counter[tuple[Any, ...]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return Counter(con.execute(f"select * exclude (validated_at) from main.{model}").fetchall())
    finally:
        con.close()


@pytest.mark.parametrize("model", INCREMENTAL_MODELS)
def test_the_incremental_table_holds_what_a_full_rebuild_gives(outcome: Outcome, model: str) -> None:
    incremental, rebuilt = _rows(outcome.incremental, model), _rows(outcome.rebuilt, model)
    only_incremental, only_rebuilt = incremental - rebuilt, rebuilt - incremental
    assert not only_incremental and not only_rebuilt, (
        f"{model}: {sum(only_incremental.values())} rows only in the incremental table, e.g."
        f" {list(only_incremental)[:3]}; {sum(only_rebuilt.values())} only in the rebuild, e.g. {list(only_rebuilt)[:3]}"
    )


@pytest.mark.parametrize("model", INCREMENTAL_MODELS)
def test_the_second_day_rewrote_a_small_part_of_each_table(outcome: Outcome, model: str) -> None:
    stamps = query_duckdb(
        outcome.incremental,
        f"select count(*) filter (where validated_at = ?) as kept, count(*) as total,"
        f" count(distinct validated_at) as runs from main.{model}",
        [outcome.d1_stamp],
    )[0]
    assert stamps["runs"] == 2, stamps
    assert stamps["kept"] > 0.8 * stamps["total"], stamps


def test_a_customer_turned_conflicting_takes_its_sales_lines_and_renewals_along(outcome: Outcome) -> None:
    customer = outcome.changes.conflicted_customer
    statuses = query_duckdb(
        outcome.incremental,
        """select 'customer' as what, row_status, quarantine_reason from main.int_customers_validated
            where source_row_key = ?
        union all
        select 'sale', row_status, quarantine_reason from main.int_sales_validated
            where customer_id = ? and row_status in ('clean', 'quarantined')
        union all
        select 'line', lines.row_status, lines.quarantine_reason from main.int_product_sales_validated as lines
            inner join main.int_sales_validated as sales on lines.sale_id = sales.source_row_key
            where sales.customer_id = ? and lines.row_status in ('clean', 'quarantined')
        union all
        select 'renewal', row_status, quarantine_reason from main.int_subscription_renewals_validated
            where customer_id = ? and row_status in ('clean', 'quarantined')""",
        [customer] * 4,
    )
    kinds = {row["what"] for row in statuses}
    assert kinds == {"customer", "sale", "line", "renewal"}, statuses
    assert {row["row_status"] for row in statuses} == {"quarantined"}, statuses
    by_kind = {row["what"]: row["quarantine_reason"] for row in statuses}
    assert by_kind["customer"] == "conflicting_duplicate"
    assert by_kind["sale"] == by_kind["renewal"] == "dangling_customer"
    assert by_kind["line"] == "dangling_sale"


def test_lines_of_a_product_turned_conflicting_become_dangling(outcome: Outcome) -> None:
    reasons = query_duckdb(
        outcome.incremental,
        "select distinct quarantine_reason from main.int_product_sales_validated"
        " where product_id = ? and row_status in ('clean', 'quarantined')",
        [outcome.changes.conflicted_product],
    )
    assert {row["quarantine_reason"] for row in reasons} <= {"dangling_product", "dangling_sale"}, reasons
    assert {"quarantine_reason": "dangling_product"} in reasons


def test_an_update_in_place_a_late_row_and_a_new_rate_are_all_picked_up(outcome: Outcome) -> None:
    rows = query_duckdb(
        outcome.incremental,
        "select source_row_key, sale_status, row_status from main.int_sales_validated where source_row_key in (?, ?)",
        [outcome.changes.updated_sale, LATE_SALE_ID],
    )
    assert {(row["source_row_key"], row["sale_status"]) for row in rows} == {
        (outcome.changes.updated_sale, "success"),
        (LATE_SALE_ID, "success"),
    }, rows
    rates = query_duckdb(
        outcome.incremental,
        "select distinct cast(rate_to_reporting as varchar) as rate from main.int_sales_validated where iso_currency = 'EUR'",
    )
    assert rates == [{"rate": NEW_EUR_RATE}]


def test_the_audit_finds_the_incremental_tables_equal_to_a_rebuild(outcome: Outcome) -> None:
    text = "\n".join(outcome.audit_messages)
    assert "Incremental validation equals a rebuild" in text, text
    for model in INCREMENTAL_MODELS:
        assert model in text, text


def test_the_audit_names_a_table_that_differs_from_a_rebuild(outcome: Outcome) -> None:
    text = "\n".join(outcome.tampered_audit_messages)
    assert "int_sales_validated: 1 row(s) only in the table, 1 only in a rebuild" in text, text
    assert "int_customers_validated:" not in text, text


def test_a_sale_deleted_from_the_raw_table_leaves_no_row_behind(outcome: Outcome) -> None:
    rows = query_duckdb(
        outcome.incremental,
        "select row_status from main.int_sales_validated where source_row_key = ? or row_status = 'vanished'",
        [outcome.changes.deleted_sale],
    )
    assert rows == [], rows
