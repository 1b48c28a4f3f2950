"""Group evaluation reads the state earlier runs left (run log, frozen
lists, history) through the project's graph, so it follows a custom schema
per folder, and it stops loudly when that state cannot be read instead of
behaving as a first run (no churn guard, no earlier-date refusal, fixed
lists frozen again)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.integration.conftest import RAW_SCHEMA
from tests.integration.test_history_and_events import (
    D1,
    D2,
    D3,
    DB_NAME,
    FIXED_CREATED_ON,
    FIXED_SEGMENT,
    FROZEN,
    RUN_LOG,
    Warehouse,
    copy_project,
    failure_text,
)

CUSTOMERS = 300
STATE_SCHEMA = "group_state"


@pytest.fixture(scope="module")
def custom_schema_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The project with its history models in their own schema, run on D1
    and D2."""
    from scripts.generate_data import generate

    root = tmp_path_factory.mktemp("custom_schema")
    project_dir = copy_project(root / "project")
    settings = project_dir / "dbt_project.yml"
    text = settings.read_text()
    history_folder = "      history:\n"
    assert text.count(history_folder) == 1, "dbt_project.yml: the marts/history folder config moved"
    settings.write_text(text.replace(history_folder, f"{history_folder}        +schema: {STATE_SCHEMA}\n"))

    db_path = root / "warehouse" / DB_NAME
    db_path.parent.mkdir()
    generate(str(db_path), customers=CUSTOMERS, seed=5, as_of=date(2026, 6, 30), schema=RAW_SCHEMA, progress=False)
    warehouse = Warehouse(db_path, project_dir=project_dir)
    warehouse.dbt(["seed"])
    warehouse.day(D1, raw_changed=True)
    warehouse.day(D2)
    return warehouse


def state_schemas(warehouse: Warehouse) -> set[str]:
    rows = warehouse.query(
        "select table_schema from information_schema.tables where table_name = ?", [RUN_LOG]
    )
    return {row["table_schema"] for row in rows}


def test_state_in_a_custom_schema_is_found_by_the_earlier_date_guard(custom_schema_warehouse: Warehouse) -> None:
    warehouse = custom_schema_warehouse
    assert state_schemas(warehouse) == {f"main_{STATE_SCHEMA}"}
    refused = warehouse.day(D1, expect_success=False)
    text = failure_text(refused)
    assert "earlier than the last date processed" in text and D2.isoformat() in text, text


def test_a_missing_state_table_stops_the_run_naming_it(custom_schema_warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse = custom_schema_warehouse.fork(tmp_path)
    warehouse.execute(f"drop table main_{STATE_SCHEMA}.{FROZEN}")
    refused = warehouse.day(D3, expect_success=False)
    text = failure_text(refused)
    assert "Customer group state is incomplete" in text, text
    assert FROZEN in text and RUN_LOG in text, text


def test_fixed_lists_in_a_custom_schema_are_not_frozen_again(
    custom_schema_warehouse: Warehouse, tmp_path: Path
) -> None:
    """Evaluation (in the default schema) must read the frozen lists from the
    history models' schema; otherwise a later run freezes the fixed segment
    again from its rules. A member frozen on D2 whose successful sales then
    vanish from the raw data stays in the list on D3."""
    warehouse = custom_schema_warehouse.fork(tmp_path)
    frozen = sorted(customer for customer, _ in warehouse.members(FIXED_SEGMENT))
    assert frozen, "test setup: the fixed segment has no members"
    customer = frozen[0]
    warehouse.execute(f"delete from {RAW_SCHEMA}.sale where customer_id = '{customer}' and status = 'success'")
    warehouse.day(D3, raw_changed=True)
    assert (customer, FIXED_SEGMENT) in warehouse.members(FIXED_SEGMENT)
