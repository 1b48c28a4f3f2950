"""An independent, pure-Python reference for the warehouse's data rules.

The integration tests compare the dbt models against this module, so it is
written from the documents alone (docs/data_quality.md and SPEC sections 2
and 3), never from the models' SQL. The only SQL it runs is
``SELECT * FROM <schema>.<raw table>``; everything else is plain Python over
dictionaries, kept simple enough to be read against the documents line by
line.

Three entry points:

* ``classify_rows`` gives every raw row its ``row_status`` (clean, collapsed,
  superseded, quarantined) and, when quarantined, its ``quarantine_reason``.
* ``compute_metrics`` gives every range metric of SPEC section 3 for each
  clean customer created on or before ``as_of``.
* ``list_values`` gives the per-customer values the list qualifiers read
  (initial sale, its campaign, shop and product groups, subscription
  statuses, metadata).
"""

from __future__ import annotations

import calendar
import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb

Row = dict[str, Any]
CleanRows = Mapping[str, Sequence[Mapping[str, Any]]]
MetricValue = int | Decimal | None

RowStatus = Literal["clean", "collapsed", "superseded", "quarantined"]
ROW_STATUSES: tuple[RowStatus, ...] = ("clean", "collapsed", "superseded", "quarantined")

# The project's marker for a redacted card number in free text.
REDACTED_CARD_NUMBER = "[redacted]"
# A run of 13-19 digits, which a typist may have split with spaces, dashes or dots.
_CARD_NUMBER = re.compile(r"[0-9](?:[ .-]?[0-9]){12,18}")
# A value that is one decimal number is a number, not a card.
_DECIMAL_NUMBER = re.compile(r"[+-]?[0-9]+[.][0-9]+")

# The plausible window of raw epoch timestamps (docs/data_quality.md): from
# 2000-01-01 to the build's UTC date plus 31 days, both inclusive.
EARLIEST_PLAUSIBLE_DATE = date(2000, 1, 1)
PLAUSIBLE_DAYS_AFTER_BUILD = 31
# Money is DECIMAL(18, 4): below 10^14 once rounded to 4 places.
_MONEY_LIMIT = Decimal(10) ** 14
_TRUE_TEXT = frozenset({"true", "t", "yes", "y", "1"})
_FALSE_TEXT = frozenset({"false", "f", "no", "n", "0"})

# Columns whose values are ids; compared as strings everywhere.
_ID_COLUMNS = frozenset(
    {
        "id",
        "customer_id",
        "sale_id",
        "product_id",
        "subscription_id",
        "subscription_renewal_id",
        "campaign_id",
        "third_party_shop_id",
        "product_group_id",
    }
)


# --------------------------------------------------------------------------
# The rules of each raw table, in the order references need them
# --------------------------------------------------------------------------

Reference = tuple[str, str, str, bool]
"""(column, referenced table, quarantine reason, required)."""


@dataclass(frozen=True)
class TableRules:
    """What docs/data_quality.md says about one raw table."""

    name: str
    timestamp_column: str | None = "created_date_unix"
    has_id: bool = True
    versioned: bool = False
    required_text_columns: tuple[str, ...] = ()
    enum_column: str | None = None
    enum_values: frozenset[str] = frozenset()
    amount_columns: tuple[str, ...] = ()
    has_currency: bool = False
    has_card_expiry: bool = False
    free_text_columns: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    # Ids and codes that join: a card number in one quarantines the row.
    id_columns: tuple[str, ...] = ("id", "customer_id")
    # Typed raw columns other than amounts and epochs: (column, kind).
    typed_columns: tuple[tuple[str, str], ...] = ()

    @property
    def epoch_columns(self) -> tuple[str, ...]:
        columns = (self.timestamp_column,) if self.timestamp_column else ()
        return columns + (("updated_date_unix",) if self.versioned else ())

    @property
    def value_kinds(self) -> tuple[tuple[str, str], ...]:
        """Every typed raw column with its kind, as staging reads it."""
        return (
            tuple((column, "money") for column in self.amount_columns)
            + self.typed_columns
            + tuple((column, "epoch") for column in self.epoch_columns)
        )


_CUSTOMER: Reference = ("customer_id", "customer", "dangling_customer", True)
_SALE: Reference = ("sale_id", "sale", "dangling_sale", True)

TABLE_RULES: tuple[TableRules, ...] = (
    TableRules(
        "customer",
        versioned=True,
        free_text_columns=(
            "first_name",
            "last_name",
            "address_line_1",
            "city",
            "state",
            "zip",
            "country",
            "company",
            "email",
            "phone",
        ),
        id_columns=("id",),
        typed_columns=(("enabled", "boolean"), ("marketing_consent", "boolean")),
    ),
    TableRules(
        "product",
        timestamp_column=None,
        free_text_columns=("name", "sku"),
        id_columns=("id", "product_group_id"),
    ),
    TableRules(
        "customer_metadata",
        has_id=False,
        required_text_columns=("name",),
        free_text_columns=("name", "value"),
        references=(_CUSTOMER,),
        id_columns=("customer_id",),
    ),
    TableRules(
        "sale",
        versioned=True,
        enum_column="status",
        enum_values=frozenset({"success", "declined", "abandoned", "void"}),
        amount_columns=("amount_gross", "amount_net"),
        has_currency=True,
        references=(_CUSTOMER,),
        id_columns=("id", "customer_id", "campaign_id", "third_party_shop_id"),
        typed_columns=(("is_upsell", "boolean"),),
    ),
    TableRules(
        "product_sale",
        timestamp_column=None,
        amount_columns=("amount",),
        references=(_SALE, ("product_id", "product", "dangling_product", True)),
        id_columns=("id", "sale_id", "product_id"),
        typed_columns=(("quantity", "integer"),),
    ),
    TableRules(
        "subscription",
        versioned=True,
        enum_column="status",
        enum_values=frozenset(
            {"active", "trial", "overdue", "occurrence_limit", "suspended", "cancelled"}
        ),
        references=(_CUSTOMER,),
        id_columns=("id", "customer_id", "product_id"),
    ),
    TableRules(
        "subscription_renewal",
        enum_column="status",
        enum_values=frozenset({"success", "overdue"}),
        amount_columns=("amount_total",),
        has_currency=True,
        references=(
            _CUSTOMER,
            ("subscription_id", "subscription", "dangling_subscription", True),
        ),
        id_columns=("id", "subscription_id", "customer_id"),
    ),
    TableRules(
        "refund",
        amount_columns=("amount",),
        has_currency=True,
        references=(
            _CUSTOMER,
            ("sale_id", "sale", "dangling_sale", False),
            (
                "subscription_renewal_id",
                "subscription_renewal",
                "dangling_subscription_renewal",
                False,
            ),
        ),
        id_columns=("id", "customer_id", "sale_id", "subscription_renewal_id"),
    ),
    TableRules(
        "chargeback",
        timestamp_column="chargeback_date_unix",
        amount_columns=("amount",),
        has_currency=True,
        free_text_columns=("reason_code",),
        references=(_CUSTOMER, _SALE),
        id_columns=("id", "customer_id", "sale_id"),
    ),
    TableRules(
        "paypal_dispute",
        timestamp_column="dispute_date_unix",
        amount_columns=("amount",),
        has_currency=True,
        references=(_CUSTOMER, _SALE),
        id_columns=("id", "customer_id", "sale_id"),
    ),
    TableRules(
        "fraud_detection",
        timestamp_column="fraud_detection_date_unix",
        enum_column="method",
        enum_values=frozenset(
            {"sale_create", "subscription_renew", "trial_expire", "salvage_transaction_process"}
        ),
        references=(_CUSTOMER,),
    ),
    TableRules(
        "customer_card",
        has_card_expiry=True,
        references=(_CUSTOMER,),
        typed_columns=(
            ("exp_month", "integer"),
            ("exp_year", "integer"),
            ("is_default", "boolean"),
            ("enabled", "boolean"),
        ),
    ),
    TableRules(
        "customer_group_action",
        required_text_columns=("group_key",),
        enum_column="action",
        enum_values=frozenset({"add", "remove"}),
        free_text_columns=("actor",),
        references=(_CUSTOMER,),
        id_columns=("id", "customer_id", "group_key"),
    ),
    TableRules(
        "email_event",
        enum_column="event_type",
        enum_values=frozenset({"hard_bounce", "soft_bounce", "unsubscribe"}),
        references=(_CUSTOMER,),
    ),
)
SOURCE_TABLES: tuple[str, ...] = tuple(rules.name for rules in TABLE_RULES)


@dataclass(frozen=True)
class RowVerdict:
    """The fate of one raw row."""

    source_table: str
    raw_id: str | None
    row_status: RowStatus
    quarantine_reason: str | None
    row: Row = field(compare=False, repr=False)


# --------------------------------------------------------------------------
# Small value helpers
# --------------------------------------------------------------------------


def load_currency_rates(path: Path) -> dict[str, Decimal]:
    """Read the ``currency_rates`` seed as ``{ISO code: Decimal rate}``."""
    with path.open(newline="") as handle:
        return {
            row["iso_currency"].strip().upper(): Decimal(row["rate_to_reporting"].strip())
            for row in csv.DictReader(handle)
        }


def to_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def epoch_seconds(value: Any) -> int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else int(round(float(value)))


def utc_date(epoch: Any) -> date | None:
    """The UTC calendar date of Unix epoch seconds."""
    seconds = epoch_seconds(epoch)
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).date()


def redact_card_numbers(text: Any) -> Any:
    if not isinstance(text, str) or _DECIMAL_NUMBER.fullmatch(text):
        return text
    return _CARD_NUMBER.sub(REDACTED_CARD_NUMBER, text)


@dataclass(frozen=True)
class PlausibleWindow:
    """Raw epoch seconds from ``earliest`` 00:00 to ``latest`` 23:59:59 UTC."""

    earliest: date
    latest: date

    @classmethod
    def default(cls, build_date: date | None = None) -> PlausibleWindow:
        today = build_date or datetime.now(timezone.utc).date()
        return cls(EARLIEST_PLAUSIBLE_DATE, date.fromordinal(today.toordinal() + PLAUSIBLE_DAYS_AFTER_BUILD))

    def holds(self, seconds: int) -> bool:
        first = int(datetime(self.earliest.year, self.earliest.month, self.earliest.day, tzinfo=timezone.utc).timestamp())
        last = int(datetime(self.latest.year, self.latest.month, self.latest.day, tzinfo=timezone.utc).timestamp()) + 86399
        return first <= seconds <= last


_UNREADABLE = object()


def read_value(value: Any, kind: str) -> Any:
    """A raw value as staging reads it (macro try_cast_value): None when
    missing or blank, ``_UNREADABLE`` when present but not of its kind."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value if kind == "boolean" else _UNREADABLE
    text = str(value).strip()
    if text == "":
        return None
    if kind == "boolean":
        if text.lower() in _TRUE_TEXT:
            return True
        return False if text.lower() in _FALSE_TEXT else _UNREADABLE
    try:
        number = Decimal(text)
    except ArithmeticError:
        return _UNREADABLE
    if not number.is_finite():
        return _UNREADABLE
    if kind == "money":
        number = number.quantize(Decimal("0.0001"))
        return number if abs(number) < _MONEY_LIMIT else _UNREADABLE
    whole = int(number.to_integral_value())
    limit = 2**31 if kind == "integer" else 2**63
    return whole if -limit <= whole < limit else _UNREADABLE


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _as_int(value: Any) -> int | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    if number != number.to_integral_value():
        return None
    return int(number)


def card_expiry_date(exp_month: Any, exp_year: Any) -> date | None:
    """Last day of the expiry month; two-digit years mean 20xx. None if invalid."""
    month, year = _as_int(exp_month), _as_int(exp_year)
    if month is None or year is None or not 1 <= month <= 12:
        return None
    if not (0 <= year <= 99 or 1970 <= year <= 2199):
        return None
    if year < 100:
        year += 2000
    return date(year, month, calendar.monthrange(year, month)[1])


def metadata_raw_id(row: Mapping[str, Any]) -> str:
    """``customer_id|name|value|created_date_unix``, NULL parts written empty."""
    parts = (row["customer_id"], row["name"], row["value"], row["created_date_unix"])
    return "|".join("" if part is None else str(part) for part in parts)


# --------------------------------------------------------------------------
# Row classification
# --------------------------------------------------------------------------


def read_raw_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[Row]:
    cursor = con.execute(f'SELECT * FROM "{schema}"."{table}"')
    columns = [description[0] for description in cursor.description]
    return [dict(zip(columns, values)) for values in cursor.fetchall()]


def normalise_row(rules: TableRules, raw: Mapping[str, Any], window: PlausibleWindow) -> Row:
    """Staging's normalisation: ids as text, enums trimmed and lower-cased,
    currencies trimmed and upper-cased, card numbers redacted from free text,
    ids, enums and currencies; typed values read, the unreadable and
    implausible ones as None and named in ``_invalid`` / ``_implausible``."""
    row: Row = dict(raw)
    for column, value in row.items():
        if column in _ID_COLUMNS and value is not None:
            row[column] = str(value)
    for column in rules.id_columns:
        if isinstance(row.get(column), str):
            row[column] = redact_card_numbers(row[column].strip()) or None
    if rules.enum_column and isinstance(row.get(rules.enum_column), str):
        row[rules.enum_column] = redact_card_numbers(row[rules.enum_column].strip().lower())
    if rules.has_currency and isinstance(row.get("iso_currency"), str):
        row["iso_currency"] = redact_card_numbers(row["iso_currency"].strip().upper())
    for column in rules.free_text_columns:
        if column in row:
            row[column] = redact_card_numbers(row[column])
    if not rules.has_id:
        row["_key"] = redact_card_numbers(metadata_raw_id(raw))
    invalid, implausible = [], []
    for column, kind in rules.value_kinds:
        value = read_value(row[column], "bigint" if kind == "epoch" else kind)
        if value is _UNREADABLE:
            invalid.append(column)
            value = None
        elif kind == "epoch" and value is not None and not window.holds(value):
            implausible.append(column)
            value = None
        row[column] = value
    row["_invalid"] = ", ".join(invalid) or None
    row["_implausible"] = ", ".join(implausible) or None
    return row


def _row_identity(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted(row.items()))


def _version(row: Mapping[str, Any]) -> int | None:
    updated = epoch_seconds(row.get("updated_date_unix"))
    return updated if updated is not None else epoch_seconds(row.get("created_date_unix"))


def _first_failed_check(
    rules: TableRules,
    row: Mapping[str, Any],
    rates: Mapping[str, Decimal],
    clean_ids: Mapping[str, set[str]],
) -> str | None:
    """The first check of docs/data_quality.md the row fails, or None."""
    if any(REDACTED_CARD_NUMBER in (row[column] or "") for column in rules.id_columns if column != "id"):
        return "card_number_in_id"
    if row["_invalid"]:
        return "invalid_value"
    if row["_implausible"]:
        return "implausible_timestamp"
    if rules.timestamp_column and row[rules.timestamp_column] is None:
        return "null_timestamp"
    if any(_is_blank(row[column]) for column in rules.required_text_columns):
        return "null_required_value"
    if rules.enum_column and row[rules.enum_column] not in rules.enum_values:
        return "unknown_enum_value"
    amounts = [to_decimal(row[column]) for column in rules.amount_columns]
    if any(amount is None for amount in amounts):
        return "null_amount"
    if any(amount is not None and amount < 0 for amount in amounts):
        return "negative_amount"
    if rules.has_currency and row["iso_currency"] not in rates:
        return "unknown_currency"
    if rules.has_card_expiry and card_expiry_date(row["exp_month"], row["exp_year"]) is None:
        return "invalid_card_expiry"
    for column, table, reason, required in rules.references:
        value = row[column]
        if value is None:
            if required:
                return reason
        elif value not in clean_ids[table]:
            return reason
    return None


def _classify_table(
    rules: TableRules,
    raw_rows: Iterable[Mapping[str, Any]],
    rates: Mapping[str, Decimal],
    clean_ids: Mapping[str, set[str]],
    window: PlausibleWindow,
) -> list[RowVerdict]:
    def verdict(row: Row, status: RowStatus, reason: str | None = None) -> RowVerdict:
        raw_id = (
            row["_key"]
            if not rules.has_id
            else (None if _is_blank(row["id"]) else str(row["id"]))
        )
        return RowVerdict(rules.name, raw_id, status, reason, row)

    verdicts: list[RowVerdict] = []
    copies_by_key: dict[str, list[Row]] = defaultdict(list)
    for raw in raw_rows:
        row = normalise_row(rules, raw, window)
        if rules.has_id and _is_blank(row["id"]):
            verdicts.append(verdict(row, "quarantined", "null_id"))
            continue
        if rules.has_id and REDACTED_CARD_NUMBER in row["id"]:
            verdicts.append(verdict(row, "quarantined", "card_number_in_id"))
            continue
        key = row["_key"] if not rules.has_id else row["id"]
        copies_by_key[key].append(row)

    for copies in copies_by_key.values():
        # 1. Identical copies collapse onto the first.
        distinct: dict[tuple[Any, ...], Row] = {}
        for row in copies:
            identity = _row_identity(row)
            if identity in distinct:
                verdicts.append(verdict(row, "collapsed"))
            else:
                distinct[identity] = row
        survivors = list(distinct.values())

        # 2. Older versions are superseded (a NULL version is older than any).
        if rules.versioned:
            versions = [_version(row) for row in survivors]
            known = [version for version in versions if version is not None]
            if known:
                latest = max(known)
                for row, version in zip(survivors, versions):
                    if version != latest:
                        verdicts.append(verdict(row, "superseded"))
                survivors = [row for row, v in zip(survivors, versions) if v == latest]

        # 3. Still more than one distinct copy: all conflict.
        if len(survivors) > 1:
            verdicts.extend(verdict(row, "quarantined", "conflicting_duplicate") for row in survivors)
            continue

        # 4. The single survivor is checked.
        (row,) = survivors
        reason = _first_failed_check(rules, row, rates, clean_ids)
        verdicts.append(verdict(row, "quarantined", reason) if reason else verdict(row, "clean"))
    return verdicts


def classify_rows(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    rates: Mapping[str, Decimal],
    window: PlausibleWindow | None = None,
    disabled_tables: Iterable[str] = (),
) -> dict[str, list[RowVerdict]]:
    """Every raw row of every source table with its row_status and reason.

    ``window``: the plausible window of epoch timestamps (default: as a
    build today). ``disabled_tables``: optional tables switched off, read
    as empty.

    Tables are classified in dependency order so that references cascade:
    a row referencing a quarantined (or missing) record is itself dangling.
    """
    normalised_rates = {code.strip().upper(): rate for code, rate in rates.items()}
    clean_ids: dict[str, set[str]] = {}
    verdicts_by_table: dict[str, list[RowVerdict]] = {}
    for rules in TABLE_RULES:
        raw_rows = [] if rules.name in set(disabled_tables) else read_raw_table(con, schema, rules.name)
        verdicts = _classify_table(
            rules, raw_rows, normalised_rates, clean_ids, window or PlausibleWindow.default()
        )
        verdicts_by_table[rules.name] = verdicts
        if rules.has_id:
            clean_ids[rules.name] = {
                str(v.row["id"]) for v in verdicts if v.row_status == "clean"
            }
    return verdicts_by_table


def clean_rows_of(verdicts_by_table: Mapping[str, Sequence[RowVerdict]]) -> dict[str, list[Row]]:
    """The normalised rows of clean verdicts, per table."""
    return {
        table: [v.row for v in verdicts if v.row_status == "clean"]
        for table, verdicts in verdicts_by_table.items()
    }


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------

MONEY_METRICS: tuple[str, ...] = (
    "lifetime_value",
    "lifetime_refunded",
    "lifetime_chargeback",
    "lifetime_paypal_dispute",
)
AVERAGE_METRICS: tuple[str, ...] = ("average_sale",)
METRIC_NAMES: tuple[str, ...] = (
    "days_since_created",
    "lifetime_value",
    "lifetime_refunded",
    "sales",
    "average_sale",
    "days_since_last_sale",
    "successful_sales",
    "upsell_sales",
    "declined_sales",
    "abandoned_sales",
    "fraud_detections",
    "lifetime_chargeback",
    "chargebacks",
    "lifetime_paypal_dispute",
    "paypal_disputes",
    "days_since_last_renewal",
    "renewals",
    "successful_renewals",
    "overdue_renewals",
    "days_until_card_expiry",
)


def _facts_by_customer(
    rows: Iterable[Mapping[str, Any]], timestamp_column: str, as_of: date
) -> dict[str, list[Mapping[str, Any]]]:
    """Rows created on or before ``as_of`` (UTC), grouped by their own customer_id."""
    grouped: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        created = utc_date(row[timestamp_column])
        if created is not None and created <= as_of:
            grouped[str(row["customer_id"])].append(row)
    return grouped


def _money(row: Mapping[str, Any], column: str, rates: Mapping[str, Decimal]) -> Decimal:
    amount = to_decimal(row[column])
    assert amount is not None, f"clean row with NULL {column}: {row}"
    return amount * rates[row["iso_currency"]]


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def _days_since_latest(rows: Sequence[Mapping[str, Any]], as_of: date) -> int | None:
    dates = [utc_date(row["created_date_unix"]) for row in rows]
    known = [d for d in dates if d is not None]
    return (as_of - max(known)).days if known else None


def eligible_customers(clean_rows: CleanRows, as_of: date) -> dict[str, Mapping[str, Any]]:
    """Clean customers created on or before ``as_of``, by id."""
    customers: dict[str, Mapping[str, Any]] = {}
    for row in clean_rows.get("customer", ()):
        created = utc_date(row["created_date_unix"])
        if created is not None and created <= as_of:
            customers[str(row["id"])] = row
    return customers


def _default_card(cards: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    candidates = [card for card in cards if card["is_default"] is True and card["enabled"] is True]
    if not candidates:
        return None
    return max(candidates, key=lambda card: (epoch_seconds(card["created_date_unix"]), str(card["id"])))


def compute_metrics(
    clean_rows: CleanRows, as_of: date, rates: Mapping[str, Decimal]
) -> dict[str, dict[str, MetricValue]]:
    """Every SPEC section 3 range metric for every customer evaluated on ``as_of``."""
    rates = {code.strip().upper(): rate for code, rate in rates.items()}
    sales = _facts_by_customer(clean_rows.get("sale", ()), "created_date_unix", as_of)
    renewals = _facts_by_customer(
        clean_rows.get("subscription_renewal", ()), "created_date_unix", as_of
    )
    refunds = _facts_by_customer(clean_rows.get("refund", ()), "created_date_unix", as_of)
    chargebacks = _facts_by_customer(
        clean_rows.get("chargeback", ()), "chargeback_date_unix", as_of
    )
    disputes = _facts_by_customer(
        clean_rows.get("paypal_dispute", ()), "dispute_date_unix", as_of
    )
    frauds = _facts_by_customer(
        clean_rows.get("fraud_detection", ()), "fraud_detection_date_unix", as_of
    )
    cards = _facts_by_customer(clean_rows.get("customer_card", ()), "created_date_unix", as_of)

    metrics: dict[str, dict[str, MetricValue]] = {}
    for customer_id, customer in eligible_customers(clean_rows, as_of).items():
        customer_sales = sales.get(customer_id, [])
        successful = [s for s in customer_sales if s["status"] == "success"]
        customer_renewals = renewals.get(customer_id, [])
        successful_renewals = [r for r in customer_renewals if r["status"] == "success"]
        customer_chargebacks = chargebacks.get(customer_id, [])
        customer_disputes = disputes.get(customer_id, [])

        refunded = _sum(_money(r, "amount", rates) for r in refunds.get(customer_id, []))
        earned = _sum(_money(s, "amount_net", rates) for s in successful) + _sum(
            _money(r, "amount_total", rates) for r in successful_renewals
        )
        gross = [_money(s, "amount_gross", rates) for s in successful]
        card = _default_card(cards.get(customer_id, []))
        expiry = card_expiry_date(card["exp_month"], card["exp_year"]) if card else None
        created = utc_date(customer["created_date_unix"])
        assert created is not None

        metrics[customer_id] = {
            "days_since_created": (as_of - created).days,
            "lifetime_value": earned - refunded,
            "lifetime_refunded": refunded,
            "sales": sum(1 for s in customer_sales if s["status"] != "void"),
            "average_sale": _sum(gross) / len(gross) if gross else None,
            "days_since_last_sale": _days_since_latest(successful, as_of),
            "successful_sales": len(successful),
            "upsell_sales": sum(1 for s in successful if s["is_upsell"] is True),
            "declined_sales": sum(1 for s in customer_sales if s["status"] == "declined"),
            "abandoned_sales": sum(1 for s in customer_sales if s["status"] == "abandoned"),
            "fraud_detections": len(frauds.get(customer_id, [])),
            "lifetime_chargeback": _sum(_money(c, "amount", rates) for c in customer_chargebacks),
            "chargebacks": len(customer_chargebacks),
            "lifetime_paypal_dispute": _sum(_money(d, "amount", rates) for d in customer_disputes),
            "paypal_disputes": len(customer_disputes),
            "days_since_last_renewal": _days_since_latest(successful_renewals, as_of),
            "renewals": len(customer_renewals),
            "successful_renewals": len(successful_renewals),
            "overdue_renewals": sum(1 for r in customer_renewals if r["status"] == "overdue"),
            "days_until_card_expiry": (expiry - as_of).days if expiry else None,
        }
    return metrics


# --------------------------------------------------------------------------
# Values of list qualifiers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerListValues:
    """What the list qualifiers of SPEC section 3 read for one customer."""

    initial_sale_id: str | None
    initial_campaign_id: str | None
    initial_shop_id: str | None
    initial_product_groups: frozenset[str]
    subscription_statuses: frozenset[str]
    has_subscription: bool
    has_sales: bool
    metadata: frozenset[tuple[str, str | None]]


def _initial_sale(sales: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """Earliest non-upsell sale of any status; ties go to the smaller id (as text)."""
    candidates = [sale for sale in sales if sale["is_upsell"] is not True]
    if not candidates:
        return None
    return min(candidates, key=lambda sale: (epoch_seconds(sale["created_date_unix"]), str(sale["id"])))


def list_values(clean_rows: CleanRows, as_of: date) -> dict[str, CustomerListValues]:
    """List-qualifier inputs for every customer evaluated on ``as_of``."""
    sales = _facts_by_customer(clean_rows.get("sale", ()), "created_date_unix", as_of)
    subscriptions = _facts_by_customer(
        clean_rows.get("subscription", ()), "created_date_unix", as_of
    )
    metadata = _facts_by_customer(
        clean_rows.get("customer_metadata", ()), "created_date_unix", as_of
    )
    group_of_product = {
        str(p["id"]): (None if p["product_group_id"] is None else str(p["product_group_id"]))
        for p in clean_rows.get("product", ())
    }
    products_of_sale: dict[str, list[str]] = defaultdict(list)
    for line in clean_rows.get("product_sale", ()):
        products_of_sale[str(line["sale_id"])].append(str(line["product_id"]))

    values: dict[str, CustomerListValues] = {}
    for customer_id in eligible_customers(clean_rows, as_of):
        customer_sales = sales.get(customer_id, [])
        initial = _initial_sale(customer_sales)
        initial_id = None if initial is None else str(initial["id"])
        groups = (
            frozenset(
                group
                for product_id in products_of_sale.get(initial_id, [])
                if (group := group_of_product.get(product_id)) is not None
            )
            if initial_id is not None
            else frozenset()
        )
        customer_subscriptions = subscriptions.get(customer_id, [])
        values[customer_id] = CustomerListValues(
            initial_sale_id=initial_id,
            initial_campaign_id=None if initial is None else initial["campaign_id"],
            initial_shop_id=None if initial is None else initial["third_party_shop_id"],
            initial_product_groups=groups,
            subscription_statuses=frozenset(s["status"] for s in customer_subscriptions),
            has_subscription=bool(customer_subscriptions),
            has_sales=bool(customer_sales),
            metadata=frozenset((m["name"], m["value"]) for m in metadata.get(customer_id, [])),
        )
    return values
