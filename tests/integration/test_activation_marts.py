"""The sync-ready audience contract (models/marts/activation) on the
standard generated warehouse, and the built events delivered end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from scripts.delivery.config import Destination
from scripts.delivery.runner import deliver
from scripts.delivery.warehouse import DuckDBStore
from tests.integration.conftest import BuiltWarehouse

ACTIVATION_COLUMNS = {
    "activation_audiences": {
        "audience_id": "VARCHAR", "audience_name": "VARCHAR", "audience_description": "VARCHAR",
        "audience_type": "VARCHAR", "is_enabled": "BOOLEAN", "definition_version": "VARCHAR",
        "contactable_members": "INTEGER", "as_of_date": "DATE",
    },
    "activation_people": {
        "person_id": "VARCHAR", "email": "VARCHAR", "phone": "VARCHAR", "first_name": "VARCHAR",
        "last_name": "VARCHAR", "country": "VARCHAR", "as_of_date": "DATE",
    },
    "activation_audience_memberships": {
        "person_id": "VARCHAR", "audience_id": "VARCHAR", "member_since": "DATE", "as_of_date": "DATE",
    },
}  # fmt: skip


def test_activation_marts_are_built_with_their_contracted_columns(built_warehouse: BuiltWarehouse) -> None:
    for model, columns in ACTIVATION_COLUMNS.items():
        relation = built_warehouse.relation(model)
        schema, name = (part.strip('"') for part in relation.split("."))
        rows = built_warehouse.query(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        )
        assert {r["column_name"]: r["data_type"] for r in rows} == columns, model


def test_only_customers_who_may_be_contacted_are_published(built_warehouse: BuiltWarehouse) -> None:
    customers = {r["customer_id"]: r for r in built_warehouse.model_rows("customer_360")}
    people = built_warehouse.model_rows("activation_people")
    assert people, "the generated warehouse has contactable customers"
    assert all(customers[p["person_id"]]["may_be_contacted"] for p in people)
    assert all(p["email"] is not None or p["phone"] is not None for p in people)
    excluded = [c for c in customers.values() if not c["may_be_contacted"]]
    assert excluded, "the generated warehouse has customers who may not be contacted"
    assert not {c["customer_id"] for c in excluded} & {p["person_id"] for p in people}


def test_memberships_are_the_current_memberships_of_published_people(built_warehouse: BuiltWarehouse) -> None:
    people = {p["person_id"] for p in built_warehouse.model_rows("activation_people")}
    expected = {
        (m["customer_id"], m["group_key"], m["member_since"])
        for m in built_warehouse.model_rows("customer_group_memberships")
        if m["customer_id"] in people
    }
    published = {
        (m["person_id"], m["audience_id"], m["member_since"])
        for m in built_warehouse.model_rows("activation_audience_memberships")
    }
    assert published == expected and published
    audiences = {a["audience_id"]: a for a in built_warehouse.model_rows("activation_audiences")}
    definitions = built_warehouse.model_rows("customer_group_definitions")
    assert set(audiences) == {d["group_key"] for d in definitions}
    for audience_id, audience in audiences.items():
        assert audience["contactable_members"] == sum(1 for m in published if m[1] == audience_id)


def test_the_built_event_log_is_delivered_whole_to_jsonl(built_warehouse: BuiltWarehouse, tmp_path: Path) -> None:
    # A copy: delivery state must not leak into the shared warehouse.
    db = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    events = built_warehouse.model_rows("customer_group_events")
    folder = tmp_path / "exports"
    store = DuckDBStore(db)
    try:
        (result,) = deliver(store, [Destination(name="lake", type="jsonl", path=folder, contact_fields=("email",))])
    finally:
        store.close()
    lines = [json.loads(line) for f in folder.glob("*.jsonl") for line in f.read_text().splitlines()]
    assert result.delivered == len(events) == len(lines) > 0
    assert {e["event_id"] for e in lines} == {e["event_id"] for e in events}
    names = {d["group_key"]: d["group_name"] for d in built_warehouse.model_rows("customer_group_definitions")}
    assert all(e["group_name"] == names.get(e["group_key"]) for e in lines)
