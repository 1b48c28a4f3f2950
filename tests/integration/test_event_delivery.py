"""Event delivery's business rules, in-process against a real HTTP receiver
and a small DuckDB events table: filters, payload fields (contact data only
on request, never card data), 4xx not retried, reruns send nothing new,
bad configuration named."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from scripts.deliver_events import main as deliver_main
from scripts.delivery.config import EVENT_NAMES, Destination, EventFilter
from scripts.delivery.payload import EVENT_FIELDS
from scripts.delivery.runner import deliver
from scripts.delivery.sample_events import create_sample_warehouse
from scripts.delivery.warehouse import DuckDBStore
from tests.integration.delivery_receiver import FailureMix, Receiver, running_receiver

SECRET = "in-process-secret"


def webhook(name: str, url: str, **options: object) -> Destination:
    return Destination(name=name, type="webhook", url=url, secret=SECRET, timeout_seconds=5.0, **options)  # type: ignore[arg-type]


def events_table(db: Path, where: str = "true") -> list[tuple[str, str, str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select event_id, event_name, group_key, customer_id from main.customer_group_events"
            f" where {where} order by occurred_on, event_id"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "events.duckdb"
    create_sample_warehouse(db, events=600, customers=50, days=3)
    return db


def run(db: Path, destinations: list[Destination]) -> list:  # type: ignore[type-arg]
    store = DuckDBStore(db)
    try:
        return deliver(store, destinations)
    finally:
        store.close()


def test_a_destination_gets_only_its_events_in_order_and_contact_fields_only_when_asked(warehouse: Path) -> None:
    receiver = Receiver(secret=SECRET, mix=FailureMix(), seed=1)
    with running_receiver(receiver):
        recovery = webhook(
            "email_payment_recovery",
            receiver.url,
            batch_size=7,
            filter=EventFilter(event_names=tuple(EVENT_NAMES.values()), group_keys=("payment_recovery",)),
            contact_fields=("email", "first_name"),
        )
        vip_added = webhook(
            "slack_vip",
            receiver.url,
            batch_size=50,
            filter=EventFilter(event_names=(EVENT_NAMES["added"],), group_keys=("vip",)),
        )
        results = run(warehouse, [recovery, vip_added])

    expected_recovery = [row[0] for row in events_table(warehouse, "group_key = 'payment_recovery'")]
    expected_vip = [
        row[0] for row in events_table(warehouse, f"group_key = 'vip' and event_name = '{EVENT_NAMES['added']}'")
    ]
    assert expected_recovery and expected_vip
    received = receiver.snapshot()
    # Destinations run one after the other, each in (occurred_on, event_id) order.
    assert [i for r in received for i in r.event_ids] == expected_recovery + expected_vip
    assert max(len(r.event_ids) for r in received[: -(-len(expected_recovery) // 7)]) == 7
    assert [(r.destination, r.delivered, r.dead_lettered) for r in results] == [
        ("email_payment_recovery", len(expected_recovery), 0),
        ("slack_vip", len(expected_vip), 0),
    ]
    assert all(r.signature_ok for r in received)


def test_payloads_carry_the_event_fields_contact_fields_on_request_and_never_card_data(warehouse: Path) -> None:
    folder = warehouse.parent / "out"
    plain = Destination(name="plain", type="jsonl", path=folder / "plain")
    contact = Destination(
        name="contact", type="jsonl", path=folder / "contact", contact_fields=("email", "may_be_contacted")
    )
    run(warehouse, [plain, contact])
    plain_events = [json.loads(line) for f in (folder / "plain").glob("*.jsonl") for line in f.read_text().splitlines()]
    contact_text = "".join(f.read_text() for f in (folder / "contact").glob("*.jsonl"))
    contact_events = [json.loads(line) for line in contact_text.splitlines()]
    assert len(plain_events) == len(contact_events) == 600
    assert all(list(event) == list(EVENT_FIELDS) for event in plain_events)
    assert all(list(event) == [*EVENT_FIELDS, "email", "may_be_contacted"] for event in contact_events)
    first = contact_events[0]
    assert first["email"] == f"customer{int(first['customer_id'][4:])}@example.com"
    assert first["group_name"] and first["group_type"] == "segment"
    assert date.fromisoformat(first["occurred_on"])
    # customer_360 holds a masked card in the sample; it must not travel.
    assert "4242" not in contact_text and "card" not in contact_text


def test_a_4xx_is_not_retried_and_goes_to_dead_letters_while_delivery_goes_on(warehouse: Path) -> None:
    all_ids = [row[0] for row in events_table(warehouse)]
    poison = all_ids[25]
    receiver = Receiver(secret=SECRET, mix=FailureMix(poison_event_ids=frozenset({poison})), seed=2)
    with running_receiver(receiver):
        destination = webhook("crm", receiver.url, batch_size=10, max_attempts=5)
        (result,) = run(warehouse, [destination])
    refused = [r for r in receiver.snapshot() if poison in r.event_ids]
    assert [r.attempt for r in refused] == [1], "a 400 must not be retried"
    assert result.dead_lettered == 10 and result.delivered == 590
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        letter = con.execute(
            "select event_ids, attempts, last_error, payload from event_delivery.dead_letters"
        ).fetchall()
        cursor = con.execute("select event_id, events_delivered, events_dead_lettered from event_delivery.cursors").fetchone()
    finally:
        con.close()
    assert len(letter) == 1
    event_ids, attempts, last_error, payload = letter[0]
    assert poison in json.loads(event_ids) and attempts == 1 and "HTTP 400" in last_error
    assert poison in payload, "the dead letter keeps the body it could not deliver"
    assert cursor == (all_ids[-1], 590, 10)


def test_a_rerun_sends_nothing_and_a_later_day_sends_only_its_events(warehouse: Path) -> None:
    receiver = Receiver(secret=SECRET, mix=FailureMix(), seed=3)
    with running_receiver(receiver):
        destination = webhook("crm", receiver.url, batch_size=100)
        run(warehouse, [destination])
        first = len(receiver.snapshot())
        (again,) = run(warehouse, [destination])
        assert again.delivered == 0 and len(receiver.snapshot()) == first

        con = duckdb.connect(str(warehouse))
        con.execute(
            "insert into main.customer_group_events select 'next_' || event_id, event_name, customer_id, group_key,"
            " occurred_on + 30, reason, membership_source, definition_version, recorded_by"
            " from main.customer_group_events where group_key = 'vip'"
        )
        con.close()
        (later,) = run(warehouse, [destination])
    new_ids = [i for r in receiver.snapshot()[first:] for i in r.event_ids]
    assert new_ids and all(i.startswith("next_") for i in new_ids)
    assert later.delivered == len(new_ids)


def test_the_command_names_the_destination_and_problem_of_a_bad_config(
    tmp_path: Path, warehouse: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_SECRET", raising=False)
    config = tmp_path / "bad.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "destinations": [
                    {"name": "crm_tasks", "type": "webhook", "url": "https://x.example.com", "secret_env": "NO_SUCH_SECRET"}
                ],
            }
        )
    )
    assert deliver_main(["--config", str(config), "--db", str(warehouse)]) == 2
    error = capsys.readouterr().err
    assert "destination 'crm_tasks'" in error and "NO_SUCH_SECRET" in error

    missing = tmp_path / "missing.duckdb"
    good = tmp_path / "good.yml"
    good.write_text(yaml.safe_dump({"version": 1, "destinations": [{"name": "l", "type": "jsonl", "path": "x"}]}))
    assert deliver_main(["--config", str(good), "--db", str(missing)]) == 2
    assert "run dbt build first" in capsys.readouterr().err
