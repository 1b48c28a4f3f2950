"""Tests of the pure-Python reference (tests/integration/reference.py).

The integration tests trust the reference to judge the dbt models, so the
reference itself is checked here, rule by rule, on tiny hand-built DuckDB
databases shaped like SPEC section 2. No dbt involved; these run in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.integration.reference import (
    _UNREADABLE,
    SOURCE_TABLES,
    PlausibleWindow,
    RowVerdict,
    classify_rows,
    clean_rows_of,
    compute_metrics,
    list_values,
    load_currency_rates,
    read_value,
    redact_card_numbers,
)

SCHEMA = "raw_revcent"
AS_OF = date(2026, 6, 30)
RATES = {"USD": Decimal("1.0"), "EUR": Decimal("1.08"), "JPY": Decimal("0.0067")}
# Pinned, so that no test depends on the day it runs.
WINDOW = PlausibleWindow(date(2000, 1, 1), date(2030, 12, 31))

# SPEC section 2, with the types a loader would plausibly give them.
RAW_COLUMNS: dict[str, dict[str, str]] = {
    "customer": {
        "id": "VARCHAR",
        "first_name": "VARCHAR",
        "last_name": "VARCHAR",
        "email": "VARCHAR",
        "phone": "VARCHAR",
        "address_line_1": "VARCHAR",
        "city": "VARCHAR",
        "state": "VARCHAR",
        "zip": "VARCHAR",
        "country": "VARCHAR",
        "company": "VARCHAR",
        "enabled": "BOOLEAN",
        "marketing_consent": "BOOLEAN",
        "created_date_unix": "BIGINT",
        "updated_date_unix": "BIGINT",
    },
    "customer_metadata": {
        "customer_id": "VARCHAR",
        "name": "VARCHAR",
        "value": "VARCHAR",
        "created_date_unix": "BIGINT",
    },
    "sale": {
        "id": "VARCHAR",
        "customer_id": "VARCHAR",
        "campaign_id": "VARCHAR",
        "third_party_shop_id": "VARCHAR",
        "status": "VARCHAR",
        "is_upsell": "BOOLEAN",
        "amount_gross": "DECIMAL(18,2)",
        "amount_net": "DECIMAL(18,2)",
        "iso_currency": "VARCHAR",
        "created_date_unix": "BIGINT",
        "updated_date_unix": "BIGINT",
    },
    "product": {"id": "VARCHAR", "name": "VARCHAR", "sku": "VARCHAR", "product_group_id": "VARCHAR"},
    "product_sale": {
        "id": "VARCHAR",
        "sale_id": "VARCHAR",
        "product_id": "VARCHAR",
        "quantity": "INTEGER",
        "amount": "DECIMAL(18,2)",
    },
    "refund": {
        "id": "VARCHAR",
        "customer_id": "VARCHAR",
        "sale_id": "VARCHAR",
        "subscription_renewal_id": "VARCHAR",
        "amount": "DECIMAL(18,2)",
        "iso_currency": "VARCHAR",
        "created_date_unix": "BIGINT",
    },
    "subscription": {
        "id": "VARCHAR",
        "customer_id": "VARCHAR",
        "product_id": "VARCHAR",
        "status": "VARCHAR",
        "created_date_unix": "BIGINT",
        "updated_date_unix": "BIGINT",
    },
    "subscription_renewal": {
        "id": "VARCHAR",
        "subscription_id": "VARCHAR",
        "customer_id": "VARCHAR",
        "status": "VARCHAR",
        "amount_total": "DECIMAL(18,2)",
        "iso_currency": "VARCHAR",
        "created_date_unix": "BIGINT",
    },
    "chargeback": {
        "id": "VARCHAR",
        "customer_id": "VARCHAR",
        "sale_id": "VARCHAR",
        "amount": "DECIMAL(18,2)",
        "iso_currency": "VARCHAR",
        "reason_code": "VARCHAR",
        "chargeback_date_unix": "BIGINT",
    },
    "paypal_dispute": {
        "id": "VARCHAR",
        "customer_id": "VARCHAR",
        "sale_id": "VARCHAR",
        "amount": "DECIMAL(18,2)",
        "iso_currency": "VARCHAR",
        "dispute_date_unix": "BIGINT",
    },
    "fraud_detection": {
        "id": "VARCHAR",
        "customer_id": "VARCHAR",
        "method": "VARCHAR",
        "fraud_detection_date_unix": "BIGINT",
    },
    "customer_card": {
        "id": "VARCHAR",
        "customer_id": "VARCHAR",
        "card_type": "VARCHAR",
        "bin": "VARCHAR",
        "last_4": "VARCHAR",
        "exp_month": "INTEGER",
        "exp_year": "INTEGER",
        "is_default": "BOOLEAN",
        "enabled": "BOOLEAN",
        "created_date_unix": "BIGINT",
    },
    "customer_group_action": {
        "id": "VARCHAR",
        "customer_id": "VARCHAR",
        "group_key": "VARCHAR",
        "action": "VARCHAR",
        "actor": "VARCHAR",
        "created_date_unix": "BIGINT",
    },
    "email_event": {
        "id": "VARCHAR",
        "customer_id": "VARCHAR",
        "event_type": "VARCHAR",
        "created_date_unix": "BIGINT",
    },
}


def test_raw_column_catalogue_covers_every_source_table() -> None:
    assert set(RAW_COLUMNS) == set(SOURCE_TABLES)


# --------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------


def ts(day: str, clock: str = "12:00:00") -> int:
    """Unix seconds of a UTC wall-clock time."""
    moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), timezone.utc)
    return int(moment.timestamp())


def customer(id: str, created: str = "2026-01-01", **extra: Any) -> dict[str, Any]:
    return {"id": id, "first_name": "Ada", "enabled": True, "created_date_unix": ts(created)} | extra


def sale(id: str, customer_id: str, created: str = "2026-02-01", **extra: Any) -> dict[str, Any]:
    return {
        "id": id,
        "customer_id": customer_id,
        "campaign_id": "camp_1",
        "status": "success",
        "is_upsell": False,
        "amount_gross": Decimal("12.00"),
        "amount_net": Decimal("10.00"),
        "iso_currency": "USD",
        "created_date_unix": ts(created),
    } | extra


def refund(id: str, customer_id: str, amount: str = "3.00", created: str = "2026-03-01", **extra: Any) -> dict[str, Any]:
    return {
        "id": id,
        "customer_id": customer_id,
        "amount": Decimal(amount),
        "iso_currency": "USD",
        "created_date_unix": ts(created),
    } | extra


def subscription(id: str, customer_id: str, status: str = "active", created: str = "2026-02-01", **extra: Any) -> dict[str, Any]:
    return {
        "id": id,
        "customer_id": customer_id,
        "product_id": "p1",
        "status": status,
        "created_date_unix": ts(created),
    } | extra


def renewal(id: str, subscription_id: str, customer_id: str, status: str = "success", amount: str = "20.00", created: str = "2026-03-01", **extra: Any) -> dict[str, Any]:
    return {
        "id": id,
        "subscription_id": subscription_id,
        "customer_id": customer_id,
        "status": status,
        "amount_total": Decimal(amount),
        "iso_currency": "USD",
        "created_date_unix": ts(created),
    } | extra


def card(id: str, customer_id: str, exp_month: int | None, exp_year: int | None, created: str = "2026-01-02", **extra: Any) -> dict[str, Any]:
    return {
        "id": id,
        "customer_id": customer_id,
        "card_type": "visa",
        "bin": "411111",
        "last_4": "1111",
        "exp_month": exp_month,
        "exp_year": exp_year,
        "is_default": True,
        "enabled": True,
        "created_date_unix": ts(created),
    } | extra


def build_raw_db(path: Path, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> Path:
    """A DuckDB file holding every SPEC table in SCHEMA; unlisted tables are empty."""
    con = duckdb.connect(str(path))
    try:
        con.execute(f"CREATE SCHEMA {SCHEMA}")
        for table, columns in RAW_COLUMNS.items():
            ddl = ", ".join(f"{name} {type_}" for name, type_ in columns.items())
            con.execute(f"CREATE TABLE {SCHEMA}.{table} ({ddl})")
            for row in tables.get(table, ()):
                unknown = set(row) - set(columns)
                assert not unknown, f"{table} has no columns {unknown}"
                names = list(columns)
                placeholders = ", ".join("?" for _ in names)
                con.execute(
                    f"INSERT INTO {SCHEMA}.{table} VALUES ({placeholders})",
                    [row.get(name) for name in names],
                )
    finally:
        con.close()
    return path


Classify = Callable[..., dict[str, list[RowVerdict]]]


@pytest.fixture
def classify(tmp_path: Path) -> Classify:
    """Build a raw database from keyword tables and classify it."""
    counter = iter(range(1_000_000))

    def run(**tables: Sequence[Mapping[str, Any]]) -> dict[str, list[RowVerdict]]:
        db = build_raw_db(tmp_path / f"raw_{next(counter)}.duckdb", tables)
        con = duckdb.connect(str(db), read_only=True)
        try:
            return classify_rows(con, SCHEMA, RATES, WINDOW)
        finally:
            con.close()

    return run


def outcomes(verdicts: dict[str, list[RowVerdict]], table: str) -> list[tuple[str | None, str, str | None]]:
    return sorted(
        ((v.raw_id, v.row_status, v.quarantine_reason) for v in verdicts[table]),
        key=lambda outcome: tuple("" if part is None else part for part in outcome),
    )


def reason_of(verdicts: dict[str, list[RowVerdict]], table: str, raw_id: str) -> str | None:
    (match,) = [v for v in verdicts[table] if v.raw_id == raw_id]
    return match.quarantine_reason if match.row_status == "quarantined" else match.row_status


# --------------------------------------------------------------------------
# Repeated ids: collapse, supersede, conflict
# --------------------------------------------------------------------------


def test_identical_copies_collapse_onto_one_clean_row(classify: Classify) -> None:
    verdicts = classify(customer=[customer("c1")], sale=[sale("s1", "c1")] * 3)
    assert outcomes(verdicts, "sale") == [
        ("s1", "clean", None),
        ("s1", "collapsed", None),
        ("s1", "collapsed", None),
    ]


def test_copies_equal_after_enum_and_currency_normalisation_collapse(classify: Classify) -> None:
    verdicts = classify(
        customer=[customer("c1")],
        sale=[sale("s1", "c1"), sale("s1", "c1", status=" Success ", iso_currency="usd ")],
    )
    assert outcomes(verdicts, "sale") == [("s1", "clean", None), ("s1", "collapsed", None)]


def test_older_versions_are_superseded_and_latest_update_wins(classify: Classify) -> None:
    verdicts = classify(
        customer=[
            customer("c1", first_name="Old", updated_date_unix=ts("2026-01-05")),
            customer("c1", first_name="New", updated_date_unix=ts("2026-01-09")),
            customer("c1", first_name="Oldest"),  # version = created date
        ]
    )
    assert outcomes(verdicts, "customer") == [
        ("c1", "clean", None),
        ("c1", "superseded", None),
        ("c1", "superseded", None),
    ]
    (clean,) = [v for v in verdicts["customer"] if v.row_status == "clean"]
    assert clean.row["first_name"] == "New"


def test_distinct_copies_of_the_latest_version_all_conflict(classify: Classify) -> None:
    same_time = ts("2026-02-03")
    verdicts = classify(
        customer=[customer("c1")],
        sale=[
            sale("s1", "c1", amount_net=Decimal("1.00"), updated_date_unix=ts("2026-02-02")),
            sale("s1", "c1", amount_net=Decimal("2.00"), updated_date_unix=same_time),
            sale("s1", "c1", amount_net=Decimal("3.00"), updated_date_unix=same_time),
            sale("s1", "c1", amount_net=Decimal("3.00"), updated_date_unix=same_time),
        ],
    )
    assert outcomes(verdicts, "sale") == [
        ("s1", "collapsed", None),
        ("s1", "quarantined", "conflicting_duplicate"),
        ("s1", "quarantined", "conflicting_duplicate"),
        ("s1", "superseded", None),
    ]


def test_differing_copies_in_a_table_without_versions_conflict(classify: Classify) -> None:
    verdicts = classify(
        customer=[customer("c1")],
        refund=[refund("r1", "c1", amount="1.00"), refund("r1", "c1", amount="2.00")],
    )
    assert outcomes(verdicts, "refund") == [
        ("r1", "quarantined", "conflicting_duplicate"),
        ("r1", "quarantined", "conflicting_duplicate"),
    ]


def test_null_or_blank_ids_are_quarantined_and_never_collapsed(classify: Classify) -> None:
    verdicts = classify(
        customer=[customer("c1")],
        sale=[sale(None, "c1"), sale(None, "c1"), sale("  ", "c1")],  # type: ignore[arg-type]
    )
    assert outcomes(verdicts, "sale") == [(None, "quarantined", "null_id")] * 3


def test_metadata_is_keyed_by_the_whole_row_so_it_only_collapses(classify: Classify) -> None:
    created = ts("2026-01-03")
    row = {"customer_id": "c1", "name": "tier", "value": "gold", "created_date_unix": created}
    verdicts = classify(
        customer=[customer("c1")],
        customer_metadata=[row, row, row | {"value": "silver"}],
    )
    assert outcomes(verdicts, "customer_metadata") == [
        (f"c1|tier|gold|{created}", "clean", None),
        (f"c1|tier|gold|{created}", "collapsed", None),
        (f"c1|tier|silver|{created}", "clean", None),
    ]


def test_card_numbers_in_metadata_values_are_redacted(classify: Classify) -> None:
    created = ts("2026-01-03")
    verdicts = classify(
        customer=[customer("c1")],
        customer_metadata=[
            {"customer_id": "c1", "name": "note", "value": "card 4111 1111 1111 1111 ok", "created_date_unix": created},
            {"customer_id": "c2", "name": "note", "value": "4111111111111111", "created_date_unix": created},
        ],
    )
    assert outcomes(verdicts, "customer_metadata") == [
        (f"c1|note|card [redacted] ok|{created}", "clean", None),
        (f"c2|note|[redacted]|{created}", "quarantined", "dangling_customer"),
    ]


# --------------------------------------------------------------------------
# Checks, in order
# --------------------------------------------------------------------------


def test_checks_report_the_first_failure_in_documented_order(classify: Classify) -> None:
    verdicts = classify(
        customer=[customer("c1"), customer("c_no_ts", created_date_unix=None)],
        sale=[
            sale("no_ts", "c1", created_date_unix=None, status="bogus"),
            sale("bad_enum", "c1", status="refunded", amount_net=None),
            sale("null_status", "c1", status=None),
            sale("null_amt", "c1", amount_gross=Decimal("-1"), amount_net=None),
            sale("neg_amt", "c1", amount_gross=Decimal("-0.01"), iso_currency="XXX"),
            sale("zero_amt", "c1", amount_gross=Decimal("0"), amount_net=Decimal("0")),
            sale("no_rate", "nobody", iso_currency="XXX"),
            sale("no_currency", "c1", iso_currency=None),
            sale("orphan", "nobody"),
            sale("no_customer", None),  # type: ignore[arg-type]
        ],
    )
    assert reason_of(verdicts, "customer", "c_no_ts") == "null_timestamp"
    assert {v.raw_id: v.quarantine_reason or v.row_status for v in verdicts["sale"]} == {
        "no_ts": "null_timestamp",
        "bad_enum": "unknown_enum_value",
        "null_status": "unknown_enum_value",
        "null_amt": "null_amount",
        "neg_amt": "negative_amount",
        "zero_amt": "clean",
        "no_rate": "unknown_currency",
        "no_currency": "unknown_currency",
        "orphan": "dangling_customer",
        "no_customer": "dangling_customer",
    }


def test_required_text_values_must_not_be_blank(classify: Classify) -> None:
    created = ts("2026-01-03")
    verdicts = classify(
        customer=[customer("c1")],
        customer_metadata=[{"customer_id": "c1", "name": " ", "value": "x", "created_date_unix": created}],
        customer_group_action=[
            {"id": "a1", "customer_id": "c1", "group_key": None, "action": "add", "created_date_unix": created},
            {"id": "a2", "customer_id": "c1", "group_key": "vip", "action": " ADD", "created_date_unix": created},
            {"id": "a3", "customer_id": "c1", "group_key": "vip", "action": "toggle", "created_date_unix": created},
        ],
    )
    assert reason_of(verdicts, "customer_metadata", f"c1| |x|{created}") == "null_required_value"
    assert reason_of(verdicts, "customer_group_action", "a1") == "null_required_value"
    assert reason_of(verdicts, "customer_group_action", "a2") == "clean"
    assert reason_of(verdicts, "customer_group_action", "a3") == "unknown_enum_value"


def test_card_expiry_needs_a_real_month_and_a_year(classify: Classify) -> None:
    verdicts = classify(
        customer=[customer("c1")],
        customer_card=[
            card("ok_two_digit_year", "c1", 12, 27),
            card("month_13", "c1", 13, 2027),
            card("month_0", "c1", 0, 2027),
            card("no_month", "c1", None, 2027),
            card("no_year", "c1", 5, None),
            card("orphan", "nobody", 5, 2027),
        ],
    )
    assert {v.raw_id: v.quarantine_reason or v.row_status for v in verdicts["customer_card"]} == {
        "ok_two_digit_year": "clean",
        "month_13": "invalid_card_expiry",
        "month_0": "invalid_card_expiry",
        "no_month": "invalid_card_expiry",
        "no_year": "invalid_card_expiry",
        "orphan": "dangling_customer",
    }


def test_timestamp_columns_differ_per_table(classify: Classify) -> None:
    verdicts = classify(
        customer=[customer("c1")],
        sale=[sale("s1", "c1")],
        chargeback=[
            {"id": "cb1", "customer_id": "c1", "sale_id": "s1", "amount": Decimal("1"), "iso_currency": "USD", "chargeback_date_unix": None},
            {"id": "cb2", "customer_id": "c1", "sale_id": None, "amount": Decimal("1"), "iso_currency": "USD", "chargeback_date_unix": ts("2026-02-02")},
        ],
        paypal_dispute=[
            {"id": "pd1", "customer_id": "c1", "sale_id": "s1", "amount": None, "iso_currency": "USD", "dispute_date_unix": None},
        ],
        fraud_detection=[
            {"id": "f1", "customer_id": "c1", "method": "Sale_Create", "fraud_detection_date_unix": ts("2026-02-02")},
            {"id": "f2", "customer_id": "c1", "method": "sale_create", "fraud_detection_date_unix": None},
        ],
        product=[{"id": "p1", "name": "Widget", "product_group_id": "g1"}],
        product_sale=[
            {"id": "ps1", "sale_id": "s1", "product_id": "p1", "quantity": 1, "amount": Decimal("0")},
            {"id": "ps2", "sale_id": "s1", "product_id": "p_missing", "quantity": 1, "amount": Decimal("1")},
            {"id": "ps3", "sale_id": "s1", "product_id": "p1", "quantity": 1, "amount": Decimal("-1")},
        ],
    )
    assert reason_of(verdicts, "chargeback", "cb1") == "null_timestamp"
    assert reason_of(verdicts, "chargeback", "cb2") == "dangling_sale"  # sale_id required
    assert reason_of(verdicts, "paypal_dispute", "pd1") == "null_timestamp"
    assert reason_of(verdicts, "fraud_detection", "f1") == "clean"
    assert reason_of(verdicts, "fraud_detection", "f2") == "null_timestamp"
    assert reason_of(verdicts, "product_sale", "ps1") == "clean"  # no timestamp to check
    assert reason_of(verdicts, "product_sale", "ps2") == "dangling_product"
    assert reason_of(verdicts, "product_sale", "ps3") == "negative_amount"


# --------------------------------------------------------------------------
# References cascade through clean ids
# --------------------------------------------------------------------------


def test_quarantine_cascades_through_references(classify: Classify) -> None:
    verdicts = classify(
        customer=[
            customer("good"),
            customer("bad", first_name="A"),
            customer("bad", first_name="B"),  # conflicting, so not clean
        ],
        sale=[sale("s_good", "good"), sale("s_bad", "bad"), sale("s_bad_status", "good", status="lost")],
        product=[{"id": "p1", "name": "Widget", "product_group_id": "g1"}],
        product_sale=[{"id": "ps1", "sale_id": "s_bad", "product_id": "p1", "quantity": 1, "amount": Decimal("1")}],
        subscription=[subscription("sub_good", "good"), subscription("sub_bad", "bad")],
        subscription_renewal=[
            renewal("ren_good", "sub_good", "good"),
            renewal("ren_of_bad_sub", "sub_bad", "good"),
            renewal("ren_no_sub", None, "good"),  # type: ignore[arg-type]
        ],
        refund=[
            refund("ref_bad_customer", "bad", sale_id="s_bad"),
            refund("ref_of_bad_sale", "good", sale_id="s_bad"),
            refund("ref_of_bad_status_sale", "good", sale_id="s_bad_status"),
            refund("ref_of_bad_renewal", "good", subscription_renewal_id="ren_of_bad_sub"),
            refund("ref_of_good_renewal", "good", subscription_renewal_id="ren_good"),
            refund("ref_standalone", "good"),
        ],
    )
    assert outcomes(verdicts, "customer") == [
        ("bad", "quarantined", "conflicting_duplicate"),
        ("bad", "quarantined", "conflicting_duplicate"),
        ("good", "clean", None),
    ]
    assert reason_of(verdicts, "sale", "s_bad") == "dangling_customer"
    assert reason_of(verdicts, "sale", "s_bad_status") == "unknown_enum_value"
    assert reason_of(verdicts, "product_sale", "ps1") == "dangling_sale"
    assert reason_of(verdicts, "subscription", "sub_bad") == "dangling_customer"
    assert reason_of(verdicts, "subscription_renewal", "ren_good") == "clean"
    assert reason_of(verdicts, "subscription_renewal", "ren_of_bad_sub") == "dangling_subscription"
    assert reason_of(verdicts, "subscription_renewal", "ren_no_sub") == "dangling_subscription"
    assert reason_of(verdicts, "refund", "ref_bad_customer") == "dangling_customer"
    assert reason_of(verdicts, "refund", "ref_of_bad_sale") == "dangling_sale"
    assert reason_of(verdicts, "refund", "ref_of_bad_status_sale") == "dangling_sale"
    assert reason_of(verdicts, "refund", "ref_of_bad_renewal") == "dangling_subscription_renewal"
    assert reason_of(verdicts, "refund", "ref_of_good_renewal") == "clean"
    assert reason_of(verdicts, "refund", "ref_standalone") == "clean"


def test_references_resolve_to_the_surviving_version_of_a_record(classify: Classify) -> None:
    verdicts = classify(
        customer=[
            customer("c1", updated_date_unix=ts("2026-01-02")),
            customer("c1", first_name="Bea", updated_date_unix=ts("2026-01-03")),
        ],
        sale=[sale("s1", "c1")],
    )
    assert reason_of(verdicts, "sale", "s1") == "clean"


def test_validation_ignores_as_of_so_future_facts_are_clean(classify: Classify) -> None:
    verdicts = classify(customer=[customer("c1", created="2030-01-01")], sale=[sale("s1", "c1", created="2030-01-02")])
    assert reason_of(verdicts, "sale", "s1") == "clean"


def test_epochs_outside_the_plausible_window_are_quarantined_as_implausible(classify: Classify) -> None:
    verdicts = classify(
        customer=[
            customer("c_ms", created_date_unix=ts("2024-06-10") * 1000),
            customer("c_zero", created_date_unix=0),
            customer("c_negative", created_date_unix=-1),
            customer("c_2100", created_date_unix=ts("2100-01-01")),
            customer("c_last_second", created_date_unix=ts("2030-12-31", "23:59:59")),
            customer("c_first_second", created_date_unix=ts("2000-01-01", "00:00:00")),
        ],
        sale=[sale("s_late_update", "c_last_second", updated_date_unix=ts("2031-01-01", "00:00:00"))],
    )
    assert outcomes(verdicts, "customer") == [
        ("c_2100", "quarantined", "implausible_timestamp"),
        ("c_first_second", "clean", None),
        ("c_last_second", "clean", None),
        ("c_ms", "quarantined", "implausible_timestamp"),
        ("c_negative", "quarantined", "implausible_timestamp"),
        ("c_zero", "quarantined", "implausible_timestamp"),
    ]
    assert reason_of(verdicts, "sale", "s_late_update") == "implausible_timestamp"


def test_a_card_number_in_an_id_quarantines_the_row_and_in_free_text_is_redacted(classify: Classify) -> None:
    verdicts = classify(
        customer=[customer("c1"), customer("cus_4111111111111111")],
        sale=[
            sale("s_campaign", "c1", campaign_id="4111.1111.1111.1111"),
            sale("s_shop", "c1", third_party_shop_id="shop 4111 1111 1111 1111"),
            sale("s_status", "c1", status="4111-1111-1111-1111"),
        ],
        chargeback=[],
    )
    assert reason_of(verdicts, "customer", "cus_[redacted]") == "card_number_in_id"
    assert reason_of(verdicts, "sale", "s_campaign") == "card_number_in_id"
    assert reason_of(verdicts, "sale", "s_shop") == "card_number_in_id"
    assert reason_of(verdicts, "sale", "s_status") == "unknown_enum_value"


def test_card_numbers_are_found_with_spaces_dashes_and_dots_but_not_in_decimals() -> None:
    assert redact_card_numbers("paid with 4111.1111.1111.1111 today") == "paid with [redacted] today"
    assert redact_card_numbers("4111 1111-1111.1111") == "[redacted]"
    assert redact_card_numbers("1234.560000000000") == "1234.560000000000"
    assert redact_card_numbers("callback ref 555012345678") == "callback ref 555012345678"


@pytest.mark.parametrize(
    ("value", "kind", "read"),
    [
        ("12,50", "money", _UNREADABLE),
        ("abc", "money", _UNREADABLE),
        ("1e15", "money", _UNREADABLE),
        (" 12.5 ", "money", Decimal("12.5")),
        (Decimal("99999999999999.9999"), "money", Decimal("99999999999999.9999")),
        ("", "money", None),
        ("maybe", "boolean", _UNREADABLE),
        ("Yes", "boolean", True),
        ("0", "boolean", False),
        ("two", "integer", _UNREADABLE),
        ("2147483648", "integer", _UNREADABLE),
        ("1718000000", "bigint", 1718000000),
        ("2024-06-10", "bigint", _UNREADABLE),
    ],
)
def test_raw_values_read_as_staging_reads_them(value: Any, kind: str, read: Any) -> None:
    assert read_value(value, kind) == read if read is not _UNREADABLE else read_value(value, kind) is _UNREADABLE


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------


def metrics_for(classify: Classify, as_of: date = AS_OF, **tables: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    return compute_metrics(clean_rows_of(classify(**tables)), as_of, RATES)


def test_customer_without_facts_has_zero_sums_and_unknown_recency(classify: Classify) -> None:
    metrics = metrics_for(classify, customer=[customer("c1", created="2026-06-01")])
    assert metrics == {
        "c1": {
            "days_since_created": 29,
            "lifetime_value": Decimal(0),
            "lifetime_refunded": Decimal(0),
            "sales": 0,
            "average_sale": None,
            "days_since_last_sale": None,
            "successful_sales": 0,
            "upsell_sales": 0,
            "declined_sales": 0,
            "abandoned_sales": 0,
            "fraud_detections": 0,
            "lifetime_chargeback": Decimal(0),
            "chargebacks": 0,
            "lifetime_paypal_dispute": Decimal(0),
            "paypal_disputes": 0,
            "days_since_last_renewal": None,
            "renewals": 0,
            "successful_renewals": 0,
            "overdue_renewals": 0,
            "days_until_card_expiry": None,
        }
    }


def test_customers_created_after_as_of_and_quarantined_customers_are_not_evaluated(classify: Classify) -> None:
    metrics = metrics_for(
        classify,
        customer=[
            customer("on_time", created="2026-06-30"),
            customer("late", created="2026-07-01"),
            customer("bad", created_date_unix=None),
        ],
    )
    assert set(metrics) == {"on_time"}
    assert metrics["on_time"]["days_since_created"] == 0


def test_only_declined_sales_count_as_sales_but_bring_no_value(classify: Classify) -> None:
    metrics = metrics_for(
        classify,
        customer=[customer("c1")],
        sale=[sale("s1", "c1", status="declined"), sale("s2", "c1", status="declined")],
    )["c1"]
    assert (metrics["sales"], metrics["declined_sales"], metrics["successful_sales"]) == (2, 2, 0)
    assert metrics["lifetime_value"] == 0
    assert metrics["average_sale"] is None
    assert metrics["days_since_last_sale"] is None


def test_sale_counts_by_status_exclude_void_from_sales(classify: Classify) -> None:
    metrics = metrics_for(
        classify,
        customer=[customer("c1")],
        sale=[
            sale("s1", "c1"),
            sale("s2", "c1", is_upsell=True),
            sale("s3", "c1", status="declined", is_upsell=True),
            sale("s4", "c1", status="abandoned"),
            sale("s5", "c1", status="void"),
        ],
    )["c1"]
    assert {name: metrics[name] for name in ("sales", "successful_sales", "upsell_sales", "declined_sales", "abandoned_sales")} == {
        "sales": 4,
        "successful_sales": 2,
        "upsell_sales": 1,
        "declined_sales": 1,
        "abandoned_sales": 1,
    }


def test_money_is_converted_at_the_seed_rate_without_rounding(classify: Classify) -> None:
    metrics = metrics_for(
        classify,
        customer=[customer("c1")],
        sale=[
            sale("s1", "c1", amount_gross=Decimal("11.11"), amount_net=Decimal("10.01"), iso_currency="EUR"),
            sale("s2", "c1", amount_gross=Decimal("100"), amount_net=Decimal("99"), iso_currency="JPY"),
            sale("s3", "c1", amount_gross=Decimal("1.00"), amount_net=Decimal("1.00"), status="declined"),
        ],
    )["c1"]
    assert metrics["lifetime_value"] == Decimal("10.01") * Decimal("1.08") + Decimal("99") * Decimal("0.0067")
    assert metrics["lifetime_value"] == Decimal("11.4741")
    assert metrics["average_sale"] == (Decimal("11.11") * Decimal("1.08") + Decimal("0.67")) / 2


def test_average_sale_is_not_rounded_to_cents(classify: Classify) -> None:
    metrics = metrics_for(
        classify,
        customer=[customer("c1")],
        sale=[sale(f"s{i}", "c1", amount_gross=Decimal(gross)) for i, gross in enumerate(("1.00", "1.00", "2.00"))],
    )["c1"]
    assert abs(metrics["average_sale"] - Decimal(4) / Decimal(3)) < Decimal("1e-20")


def test_lifetime_value_nets_successful_sales_and_renewals_against_all_refunds(classify: Classify) -> None:
    metrics = metrics_for(
        classify,
        customer=[customer("c1"), customer("c2")],
        sale=[sale("s1", "c1", amount_net=Decimal("50.00"))],
        subscription=[subscription("sub1", "c1")],
        subscription_renewal=[
            renewal("r_ok", "sub1", "c1", amount="20.00"),
            renewal("r_overdue", "sub1", "c1", status="overdue", amount="20.00"),
            # A renewal belongs to the customer it names, not the subscription's.
            renewal("r_other", "sub1", "c2", amount="7.00"),
        ],
        refund=[
            refund("f_sale", "c1", amount="5.00", sale_id="s1"),
            refund("f_renewal", "c1", amount="4.00", subscription_renewal_id="r_ok"),
            refund("f_free", "c1", amount="1.00"),
        ],
    )
    assert metrics["c1"]["lifetime_value"] == Decimal("60.00")  # 50 + 20 - (5 + 4 + 1)
    assert metrics["c1"]["lifetime_refunded"] == Decimal("10.00")
    assert (metrics["c1"]["renewals"], metrics["c1"]["successful_renewals"], metrics["c1"]["overdue_renewals"]) == (2, 1, 1)
    assert metrics["c2"]["lifetime_value"] == Decimal("7.00")
    assert metrics["c2"]["renewals"] == 1


def test_refund_of_a_renewal_counts_from_the_refund_date_not_the_renewal_date(classify: Classify) -> None:
    tables = dict(
        customer=[customer("c1")],
        subscription=[subscription("sub1", "c1")],
        subscription_renewal=[renewal("r1", "sub1", "c1", amount="20.00", created="2026-06-01")],
        refund=[refund("f1", "c1", amount="20.00", subscription_renewal_id="r1", created="2026-07-02")],
    )
    before = metrics_for(classify, **tables)["c1"]
    after = metrics_for(classify, as_of=date(2026, 7, 2), **tables)["c1"]
    assert (before["lifetime_value"], before["lifetime_refunded"]) == (Decimal("20.00"), Decimal(0))
    assert (after["lifetime_value"], after["lifetime_refunded"]) == (Decimal(0), Decimal("20.00"))


def test_facts_count_from_their_utc_creation_date(classify: Classify) -> None:
    metrics = metrics_for(
        classify,
        customer=[customer("c1")],
        sale=[
            sale("last_second", "c1", created_date_unix=ts("2026-06-30", "23:59:59")),
            sale("next_day", "c1", created_date_unix=ts("2026-07-01", "00:00:00")),
        ],
        chargeback=[
            {"id": "cb_in", "customer_id": "c1", "sale_id": "last_second", "amount": Decimal("2"), "iso_currency": "EUR", "chargeback_date_unix": ts("2026-06-30")},
            {"id": "cb_out", "customer_id": "c1", "sale_id": "last_second", "amount": Decimal("9"), "iso_currency": "USD", "chargeback_date_unix": ts("2026-07-01")},
        ],
        paypal_dispute=[
            {"id": "pd_out", "customer_id": "c1", "sale_id": "last_second", "amount": Decimal("3"), "iso_currency": "USD", "dispute_date_unix": ts("2026-07-01", "00:00:01")},
            {"id": "pd_in", "customer_id": "c1", "sale_id": "last_second", "amount": Decimal("0"), "iso_currency": "USD", "dispute_date_unix": ts("2026-01-01")},
        ],
        fraud_detection=[
            {"id": "fd_in", "customer_id": "c1", "method": "trial_expire", "fraud_detection_date_unix": ts("2026-06-29")},
            {"id": "fd_out", "customer_id": "c1", "method": "trial_expire", "fraud_detection_date_unix": ts("2026-08-01")},
        ],
    )["c1"]
    assert (metrics["sales"], metrics["days_since_last_sale"]) == (1, 0)
    assert (metrics["chargebacks"], metrics["lifetime_chargeback"]) == (1, Decimal("2.16"))
    assert (metrics["paypal_disputes"], metrics["lifetime_paypal_dispute"]) == (1, Decimal(0))
    assert metrics["fraud_detections"] == 1


def test_days_since_last_sale_and_renewal_use_the_latest_successful_one(classify: Classify) -> None:
    metrics = metrics_for(
        classify,
        customer=[customer("c1")],
        sale=[
            sale("s_old", "c1", created="2026-06-10"),
            sale("s_new", "c1", created="2026-06-20"),
            sale("s_declined", "c1", created="2026-06-29", status="declined"),
        ],
        subscription=[subscription("sub1", "c1")],
        subscription_renewal=[
            renewal("r1", "sub1", "c1", created="2026-05-31"),
            renewal("r2", "sub1", "c1", created="2026-06-28", status="overdue"),
        ],
    )["c1"]
    assert metrics["days_since_last_sale"] == 10
    assert metrics["days_since_last_renewal"] == 30


def test_card_expiry_uses_the_latest_created_enabled_default_card(classify: Classify) -> None:
    metrics = metrics_for(
        classify,
        customer=[customer(c) for c in ("several", "tie", "expired", "none_usable")],
        customer_card=[
            card("old_default", "several", 1, 2030, created="2026-01-01"),
            card("new_default", "several", 7, 26, created="2026-03-01"),  # wins: 2026-07-31
            card("newer_not_default", "several", 1, 2031, created="2026-04-01", is_default=False),
            card("newer_disabled", "several", 1, 2031, created="2026-04-02", enabled=False),
            card("future", "several", 1, 2032, created="2026-07-01"),
            card("a", "tie", 1, 2027, created="2026-02-01"),
            card("b", "tie", 2, 2027, created="2026-02-01"),  # same time, larger id wins
            card("gone", "expired", 5, 2026),
            card("off", "none_usable", 5, 2029, enabled=False),
        ],
    )
    assert metrics["several"]["days_until_card_expiry"] == 31
    assert metrics["tie"]["days_until_card_expiry"] == (date(2027, 2, 28) - AS_OF).days
    assert metrics["expired"]["days_until_card_expiry"] == -30
    assert metrics["none_usable"]["days_until_card_expiry"] is None


def test_currency_rates_seed_loads_as_decimals() -> None:
    seed = Path(__file__).resolve().parents[2] / "seeds" / "currency_rates.csv"
    rates = load_currency_rates(seed)
    assert rates["USD"] == Decimal("1.0")
    assert all(isinstance(rate, Decimal) for rate in rates.values())


# --------------------------------------------------------------------------
# List values
# --------------------------------------------------------------------------


def test_initial_sale_skips_upsells_and_accepts_any_status(classify: Classify) -> None:
    values = list_values(
        clean_rows_of(
            classify(
                customer=[customer("c1")],
                sale=[
                    sale("up", "c1", created="2026-01-05", is_upsell=True, campaign_id="camp_up"),
                    sale("declined_first", "c1", created="2026-01-06", status="declined", campaign_id="camp_d", third_party_shop_id="shop_9"),
                    sale("later", "c1", created="2026-01-07", campaign_id="camp_l"),
                ],
            )
        ),
        AS_OF,
    )["c1"]
    assert values.initial_sale_id == "declined_first"
    assert (values.initial_campaign_id, values.initial_shop_id) == ("camp_d", "shop_9")
    assert values.has_sales


def test_initial_sale_tie_goes_to_the_smaller_id_compared_as_text(classify: Classify) -> None:
    same_time = ts("2026-01-05", "08:00:00")
    values = list_values(
        clean_rows_of(
            classify(
                customer=[customer("c1")],
                sale=[
                    sale("9", "c1", created_date_unix=same_time, campaign_id="camp_9"),
                    sale("10", "c1", created_date_unix=same_time, campaign_id="camp_10"),
                    sale("2", "c1", created_date_unix=same_time + 1),
                ],
            )
        ),
        AS_OF,
    )["c1"]
    assert values.initial_sale_id == "10"
    assert values.initial_campaign_id == "camp_10"


def test_list_values_only_see_facts_created_by_as_of(classify: Classify) -> None:
    values = list_values(
        clean_rows_of(
            classify(
                customer=[customer("c1"), customer("c2")],
                sale=[
                    sale("s_future", "c1", created="2026-07-01"),
                    sale("s1", "c2", created="2026-03-01"),
                ],
                product=[
                    {"id": "p1", "name": "A", "product_group_id": "g1"},
                    {"id": "p2", "name": "B", "product_group_id": "g2"},
                ],
                product_sale=[
                    {"id": "l1", "sale_id": "s1", "product_id": "p1", "quantity": 1, "amount": Decimal("1")},
                    {"id": "l2", "sale_id": "s1", "product_id": "p2", "quantity": 1, "amount": Decimal("1")},
                    {"id": "l3", "sale_id": "s_future", "product_id": "p2", "quantity": 1, "amount": Decimal("1")},
                ],
                subscription=[
                    subscription("sub1", "c2", status="Overdue"),
                    subscription("sub2", "c2", status="trial", created="2026-07-01"),
                    subscription("sub3", "c1", created="2026-07-01"),
                ],
                customer_metadata=[
                    {"customer_id": "c2", "name": "tier", "value": "Gold", "created_date_unix": ts("2026-06-30")},
                    {"customer_id": "c2", "name": "late", "value": "x", "created_date_unix": ts("2026-07-01")},
                    {"customer_id": "c2", "name": "empty", "value": None, "created_date_unix": ts("2026-06-01")},
                ],
            )
        ),
        AS_OF,
    )
    assert not values["c1"].has_sales and values["c1"].initial_sale_id is None
    assert not values["c1"].has_subscription and values["c1"].subscription_statuses == frozenset()
    assert values["c2"].initial_product_groups == frozenset({"g1", "g2"})
    assert values["c2"].subscription_statuses == frozenset({"overdue"})
    assert values["c2"].has_subscription
    assert values["c2"].metadata == frozenset({("tier", "Gold"), ("empty", None)})
