"""Bad raw values never stop the pipeline, and never pass as clean (SPEC §2,
docs/data_quality.md): text where a number is expected, numbers beyond
their type, booleans that are not, implausible epoch timestamps and card
numbers in ids and free text. One small generated warehouse (300
customers) gets a row of each bad kind in every raw table, with the
amounts, booleans and epochs of the raw tables turned into text columns as
some real sources deliver them; the build stays green, every raw row is
accounted for, every bad row is quarantined with its reason and column (or
kept clean with the card number redacted), and the independent reference
reaches the same verdict on every row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from scripts.generate_data import generate
from tests.integration.conftest import AS_OF, PROJECT_DIR, RAW_SCHEMA, BuiltWarehouse
from tests.integration.reference import SOURCE_TABLES, classify_rows, load_currency_rates

CUSTOMERS = 300
SEED = 11
VISA = "4111111111111111"  # Luhn-valid test card number
VISA_DOTTED = "4111.1111.1111.1111"
MS_2024 = 1_718_000_000_000  # milliseconds: year 56411 when read as seconds
MICROSECONDS = 1_718_000_000_000_000  # overflows a timestamp when read as seconds
YEAR_2100 = 4_102_444_800
GOOD_EPOCH = 1_718_000_000  # 2024-06-10

# Columns turned into text in the raw tables, as a CSV or JSON loader leaves them.
TEXT_COLUMNS = {
    "customer": ["enabled", "marketing_consent", "created_date_unix", "updated_date_unix"],
    "customer_metadata": ["created_date_unix"],
    "sale": ["amount_gross", "amount_net", "is_upsell", "created_date_unix", "updated_date_unix"],
    "product_sale": ["quantity", "amount"],
    "refund": ["amount", "created_date_unix"],
    "subscription": ["created_date_unix", "updated_date_unix"],
    "subscription_renewal": ["amount_total", "created_date_unix"],
    "chargeback": ["amount", "chargeback_date_unix"],
    "paypal_dispute": ["amount", "dispute_date_unix"],
    "fraud_detection": ["fraud_detection_date_unix"],
    "customer_card": ["exp_month", "exp_year", "is_default", "enabled", "created_date_unix"],
    "customer_group_action": ["created_date_unix"],
    "email_event": ["created_date_unix"],
}


@dataclass(frozen=True)
class BadRow:
    """A copy of a good raw row under ``raw_id`` with some values replaced
    (SQL literals), and what validation must make of it."""

    table: str
    raw_id: str
    values: dict[str, str]
    reason: str | None  # None: the row stays clean
    detail: str | None = None


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


BAD_ROWS: tuple[BadRow, ...] = (
    # ---- customer
    BadRow("customer", "cus_bad_ms", {"created_date_unix": _q(str(MS_2024))}, "implausible_timestamp", "created_date_unix"),
    BadRow("customer", "cus_bad_zero", {"created_date_unix": "'0'"}, "implausible_timestamp", "created_date_unix"),
    BadRow("customer", "cus_bad_negative", {"created_date_unix": "'-86400'"}, "implausible_timestamp", "created_date_unix"),
    BadRow("customer", "cus_bad_2100", {"created_date_unix": _q(str(YEAR_2100))}, "implausible_timestamp", "created_date_unix"),
    BadRow("customer", "cus_bad_micro", {"created_date_unix": _q(str(MICROSECONDS))}, "implausible_timestamp", "created_date_unix"),
    BadRow("customer", "cus_bad_bool", {"enabled": "'maybe'"}, "invalid_value", "enabled"),
    BadRow("customer", "cus_bad_text_epoch", {"created_date_unix": "'2024-06-10'"}, "invalid_value", "created_date_unix"),
    BadRow("customer", "cus_dotted_pan", {"address_line_1": _q(f"card {VISA_DOTTED} on file")}, None),
    BadRow("customer", f"cus_{VISA}", {}, "card_number_in_id", "customer_id"),
    # ---- customer_metadata (no id: the key is the row's raw values)
    BadRow("customer_metadata", "meta_pan_name", {"name": _q(f"note {VISA_DOTTED}")}, None),
    BadRow("customer_metadata", "meta_bad_epoch", {"created_date_unix": "'soon'"}, "invalid_value", "created_date_unix"),
    # ---- sale
    BadRow("sale", "sal_bad_comma", {"amount_gross": "'12,50'"}, "invalid_value", "amount_gross"),
    BadRow("sale", "sal_bad_abc", {"amount_net": "'abc'"}, "invalid_value", "amount_net"),
    BadRow("sale", "sal_bad_huge", {"amount_gross": "'1e15'"}, "invalid_value", "amount_gross"),
    BadRow("sale", "sal_bad_upsell", {"is_upsell": "'maybe'"}, "invalid_value", "is_upsell"),
    BadRow("sale", "sal_bad_ms", {"created_date_unix": _q(str(MS_2024)), "updated_date_unix": "null"}, "implausible_timestamp", "created_date_unix"),
    BadRow("sale", "sal_pan_campaign", {"campaign_id": _q(VISA_DOTTED)}, "card_number_in_id", "campaign_id"),
    BadRow("sale", "sal_pan_shop", {"third_party_shop_id": _q(f"shop {VISA}")}, "card_number_in_id", "third_party_shop_id"),
    # ---- product
    BadRow("product", "prd_pan_name", {"name": _q(f"Gift card {VISA_DOTTED}")}, None),
    BadRow("product", "prd_pan_group", {"product_group_id": _q(VISA)}, "card_number_in_id", "product_group_id"),
    # ---- product_sale
    BadRow("product_sale", "psl_bad_quantity", {"quantity": "'two'"}, "invalid_value", "quantity"),
    BadRow("product_sale", "psl_bad_amount", {"amount": "'9.999.999,00'"}, "invalid_value", "amount"),
    # ---- refund
    BadRow("refund", "ref_bad_amount", {"amount": "'abc'"}, "invalid_value", "amount"),
    BadRow("refund", "ref_bad_1969", {"created_date_unix": "'-1'"}, "implausible_timestamp", "created_date_unix"),
    # ---- subscription
    BadRow("subscription", "sub_bad_2100", {"created_date_unix": _q(str(YEAR_2100)), "updated_date_unix": "null"}, "implausible_timestamp", "created_date_unix"),
    # ---- subscription_renewal
    BadRow("subscription_renewal", "ren_bad_amount", {"amount_total": "'12,50'"}, "invalid_value", "amount_total"),
    # ---- chargeback
    BadRow("chargeback", "chb_bad_amount", {"amount": "'1000000000000000'"}, "invalid_value", "amount"),
    BadRow("chargeback", "chb_pan_reason", {"reason_code": _q(VISA)}, None),
    BadRow("chargeback", "chb_bad_ms", {"chargeback_date_unix": _q(str(MS_2024))}, "implausible_timestamp", "chargeback_date_unix"),
    # ---- paypal_dispute
    BadRow("paypal_dispute", "ppd_bad_amount", {"amount": "'n/a'"}, "invalid_value", "amount"),
    BadRow("paypal_dispute", "ppd_bad_zero", {"dispute_date_unix": "'0'"}, "implausible_timestamp", "dispute_date_unix"),
    # ---- fraud_detection
    BadRow("fraud_detection", "frd_bad_2100", {"fraud_detection_date_unix": _q(str(YEAR_2100))}, "implausible_timestamp", "fraud_detection_date_unix"),
    BadRow("fraud_detection", "frd_pan_method", {"method": _q(VISA_DOTTED)}, "unknown_enum_value"),
    # ---- customer_card
    BadRow("customer_card", "crd_bad_month", {"exp_month": "'ab'"}, "invalid_value", "exp_month"),
    BadRow("customer_card", "crd_bad_default", {"is_default": "'maybe'"}, "invalid_value", "is_default"),
    # ---- customer_group_action
    BadRow("customer_group_action", "cga_pan_group", {"group_key": _q(f"pan_{VISA}")}, "card_number_in_id", "group_key"),
    BadRow("customer_group_action", "cga_pan_actor", {"actor": _q(f"agent {VISA_DOTTED}")}, None),
    BadRow("customer_group_action", "cga_bad_ms", {"created_date_unix": _q(str(MS_2024))}, "implausible_timestamp", "created_date_unix"),
    # ---- email_event
    BadRow("email_event", "eev_bad_epoch", {"created_date_unix": "'yesterday'"}, "invalid_value", "created_date_unix"),
    BadRow("email_event", "eev_bad_ms", {"created_date_unix": _q(str(MS_2024))}, "implausible_timestamp", "created_date_unix"),
)


def _insert_bad_rows(db_path: Path) -> dict[str, str]:
    """Turn TEXT_COLUMNS into text and insert BAD_ROWS; returns the
    metadata rows' keys (customer_metadata has no id) by their label."""
    metadata_keys: dict[str, str] = {}
    con = duckdb.connect(str(db_path))
    try:
        for table, columns in TEXT_COLUMNS.items():
            for column in columns:
                con.execute(f'alter table {RAW_SCHEMA}.{table} alter column "{column}" type varchar')
        injected = f"(select raw_id from {RAW_SCHEMA}._injected_bad_rows where raw_id is not null)"
        for bad in BAD_ROWS:
            replace = dict(bad.values)
            if bad.table == "customer_metadata":
                template = f"customer_id || '|' || name || '|' || coalesce(value, '') || '|' || created_date_unix not in {injected}"
                order = "customer_id, name, value"
            else:
                replace["id"] = _q(bad.raw_id)
                template = f"id not in {injected}"
                order = "id"
            replacements = ", ".join(f'{value} as "{column}"' for column, value in replace.items())
            con.execute(
                f"insert into {RAW_SCHEMA}.{bad.table} select * replace ({replacements})"
                f" from {RAW_SCHEMA}.{bad.table} where {template} order by {order} limit 1"
            )
            if bad.table == "customer_metadata":
                (key,) = con.execute(
                    f"select customer_id || '|' || coalesce(name, '') || '|' || coalesce(value, '') || '|'"
                    f" || coalesce(created_date_unix, '') from {RAW_SCHEMA}.customer_metadata"
                    f" where {' and '.join(f'{c} = {v}' for c, v in bad.values.items())} limit 1"
                ).fetchone()
                metadata_keys[bad.raw_id] = key
    finally:
        con.close()
    return metadata_keys


@pytest.fixture(scope="module")
def bad_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuiltWarehouse, dict[str, str]]]:
    work_dir = tmp_path_factory.mktemp("bad_raw_values")
    warehouse = BuiltWarehouse(
        db_path=work_dir / "customer_groups.duckdb",
        as_of=AS_OF,
        project_dir=PROJECT_DIR,
        profiles_dir=work_dir / "profiles",
    )
    generate(str(warehouse.db_path), customers=CUSTOMERS, seed=SEED, as_of=AS_OF, schema=RAW_SCHEMA, progress=False)
    metadata_keys = _insert_bad_rows(warehouse.db_path)
    warehouse.run(["seed"])
    # The whole build, data tests included: the card scan and the row accounting must pass.
    warehouse.run(["build", "--exclude", "test_type:unit"])
    yield warehouse, metadata_keys


def _model_key(bad: BadRow, metadata_keys: dict[str, str]) -> str:
    from tests.integration.reference import redact_card_numbers

    key = metadata_keys[bad.raw_id] if bad.table == "customer_metadata" else bad.raw_id
    return redact_card_numbers(key)


def test_every_bad_raw_value_is_quarantined_with_its_reason_and_column_and_the_build_stays_green(
    bad_warehouse: tuple[BuiltWarehouse, dict[str, str]],
) -> None:
    warehouse, metadata_keys = bad_warehouse
    quarantined = {
        (row["source_table"], row["raw_id"]): row
        for row in warehouse.model_rows("quarantined_source_rows")
    }
    problems = []
    for bad in BAD_ROWS:
        entry = quarantined.get((bad.table, _model_key(bad, metadata_keys)))
        found = None if entry is None else (entry["quarantine_reason"], entry["quarantine_detail"])
        expected = None if bad.reason is None else (bad.reason, bad.detail)
        if found != expected:
            problems.append(f"{bad.table} {bad.raw_id}: expected {expected}, found {found}")
    assert not problems, "\n".join(problems)


def test_every_raw_row_is_accounted_for_with_bad_values_in_every_table(
    bad_warehouse: tuple[BuiltWarehouse, dict[str, str]],
) -> None:
    warehouse, _ = bad_warehouse
    accounted: Counter[str] = Counter()
    for row in warehouse.model_rows("source_row_accounting"):
        accounted[row["source_table"]] += int(row["row_count"])
    raw = {table: warehouse.query(f'select count(*) as n from {RAW_SCHEMA}."{table}"')[0]["n"] for table in SOURCE_TABLES}
    assert dict(accounted) == raw
    bad_tables = {bad.table for bad in BAD_ROWS}
    assert bad_tables == set(SOURCE_TABLES), f"tables without a bad row: {set(SOURCE_TABLES) - bad_tables}"


def test_the_reference_reaches_the_same_verdict_on_text_typed_bad_rows(
    bad_warehouse: tuple[BuiltWarehouse, dict[str, str]],
) -> None:
    warehouse, _ = bad_warehouse
    con = duckdb.connect(str(warehouse.db_path), read_only=True)
    try:
        verdicts = classify_rows(con, RAW_SCHEMA, load_currency_rates(PROJECT_DIR / "seeds" / "currency_rates.csv"))
    finally:
        con.close()
    reference = Counter(
        (v.source_table, v.raw_id, v.quarantine_reason)
        for table in verdicts.values()
        for v in table
        if v.row_status == "quarantined"
    )
    model: Counter[tuple[str, str | None, str]] = Counter()
    for row in warehouse.model_rows("quarantined_source_rows"):
        model[(row["source_table"], row["raw_id"], row["quarantine_reason"])] += int(row["raw_row_count"])
    assert reference - model == Counter() and model - reference == Counter(), (
        f"only in the reference: {sorted(reference - model)}\nonly in the model: {sorted(model - reference)}"
    )


def test_card_numbers_in_free_text_are_redacted_with_dots_too(
    bad_warehouse: tuple[BuiltWarehouse, dict[str, str]],
) -> None:
    warehouse, _ = bad_warehouse
    (customer,) = warehouse.query(
        f"select address_line_1 from {warehouse.relation('stg_revcent__customers')} where customer_id = 'cus_dotted_pan'"
    )
    assert customer["address_line_1"] == "card [redacted] on file"
    (product,) = warehouse.query(
        f"select product_name from {warehouse.relation('int_products_validated')} where product_id = 'prd_pan_name'"
    )
    assert product["product_name"] == "Gift card [redacted]"
    reasons = warehouse.query(
        f"select reason_code from {warehouse.relation('int_chargebacks_validated')}"
        " where chargeback_id = 'chb_pan_reason' and row_status = 'clean'"
    )
    assert reasons == [{"reason_code": "[redacted]"}]


def test_the_card_scan_finds_dotted_card_numbers_but_not_decimal_metrics(
    bad_warehouse: tuple[BuiltWarehouse, dict[str, str]],
) -> None:
    warehouse, _ = bad_warehouse
    # A DECIMAL(38, 12) metric read as text is one decimal number, not a card.
    values = f"(select * from (values ('{VISA_DOTTED}'), ('4111111.111111111000'), ('1234.560000000000')) as t (v))"
    sql = (
        "select count(*) as found from ({{ card_number_candidates(\"" + values + "\", 'v') }}) as c"
        " where {{ is_luhn_valid('candidate_digits') }}"
    )
    result = warehouse.run(["show", "--inline", sql])
    (row,) = result.result.results[0].agate_table.rows
    assert int(row["found"]) == 1


def test_a_customer_with_an_implausible_creation_date_has_no_metrics_instead_of_20634_days(
    bad_warehouse: tuple[BuiltWarehouse, dict[str, str]],
) -> None:
    warehouse, _ = bad_warehouse
    rows = warehouse.query(
        f"select customer_id from {warehouse.relation('customer_metrics')}"
        " where customer_id like 'cus_bad_%' or days_since_created > 20000 or days_since_created < 0"
    )
    assert rows == []
    clean = warehouse.query(
        f"select count(*) as n from {warehouse.relation('int_customers_validated')}"
        " where row_status = 'clean' and (created_at < '2000-01-01' or created_at > '2100-01-01')"
    )
    assert clean[0]["n"] == 0
