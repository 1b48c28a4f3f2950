"""The warehouse keeps working when its inputs change shape: a definition
seed gains an optional column after the first build, and a business lacks
an optional raw table (no PayPal, no card vault, no email platform)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from scripts.generate_data import generate
from tests.integration.conftest import AS_OF, PROJECT_DIR, RAW_SCHEMA, BuiltWarehouse
from tests.integration.test_card_number_scan import read_seed
from tests.integration.test_group_definition_errors import GROUP_COLUMNS, QUALIFIER_COLUMNS, copy_project

# Optional tables dropped from the raw schema, with the var that switches each off.
MISSING_TABLES = {
    "paypal_dispute": "revcent__using_paypal_disputes",
    "customer_card": "revcent__using_customer_cards",
    "email_event": "revcent__using_email_events",
}


def test_a_column_added_to_a_definition_seed_after_the_first_build_loads_on_the_next_seed(tmp_path: Path) -> None:
    groups = [{column: row.get(column, "") for column in GROUP_COLUMNS} for row in read_seed("customer_groups")]
    qualifiers = [
        {column: row.get(column, "") for column in QUALIFIER_COLUMNS} for row in read_seed("customer_group_qualifiers")
    ]
    project = copy_project(tmp_path, groups, qualifiers)
    project.run(["seed"])

    # An optional column of the project's own (SPEC §3 allows them) appears later.
    seed = project.project_dir / "seeds" / "customer_groups.csv"
    with seed.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[0].append("owner")
    for row in rows[1:]:
        row.append("crm team")
    with seed.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)

    project.run(["seed"])
    owners = project.query(f"select distinct owner from {project.relation('customer_groups')}")
    assert owners == [{"owner": "crm team"}]


def test_missing_optional_raw_tables_switched_off_by_their_vars_give_empty_models_and_zero_metrics(
    tmp_path: Path,
) -> None:
    warehouse = BuiltWarehouse(
        db_path=tmp_path / "customer_groups.duckdb",
        as_of=AS_OF,
        project_dir=PROJECT_DIR,
        profiles_dir=tmp_path / "profiles",
    )
    generate(str(warehouse.db_path), customers=300, seed=5, as_of=AS_OF, schema=RAW_SCHEMA, progress=False)
    con = duckdb.connect(str(warehouse.db_path))
    try:
        for table in MISSING_TABLES:
            con.execute(f"drop table {RAW_SCHEMA}.{table}")
    finally:
        con.close()

    switched_off = {var: False for var in MISSING_TABLES.values()}
    warehouse.run(["seed"])
    warehouse.run(["build"], vars=switched_off)  # unit tests and data tests included

    for model in ("stg_revcent__paypal_disputes", "int_paypal_disputes_validated", "stg_revcent__customer_cards"):
        assert warehouse.query(f"select count(*) as n from {warehouse.relation(model)}") == [{"n": 0}], model
    metrics = warehouse.query(
        f"select count(*) as customers, sum(paypal_disputes) as disputes,"
        f" sum(lifetime_paypal_dispute) as disputed, count(days_until_card_expiry) as with_card"
        f" from {warehouse.relation('customer_metrics')}"
    )
    assert metrics[0]["customers"] > 0
    assert metrics[0]["disputes"] == 0 and metrics[0]["disputed"] == 0 and metrics[0]["with_card"] == 0
    accounted = {
        row["source_table"] for row in warehouse.query(f"select source_table from {warehouse.relation('source_row_accounting')}")
    }
    assert accounted.isdisjoint(MISSING_TABLES), accounted
