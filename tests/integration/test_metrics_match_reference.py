"""The built warehouse agrees with the independent Python reference.

One generated warehouse (2000 customers, seed 7, as of 2026-06-30) is built
with ``dbt seed`` and ``dbt build``; the models' metrics, quarantine and row
accounting are then compared with tests/integration/reference.py, which
implements docs/data_quality.md and SPEC section 3 without SQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.reference import (
    AVERAGE_METRICS,
    METRIC_NAMES,
    ROW_STATUSES,
    SOURCE_TABLES,
    RowVerdict,
    redact_card_numbers,
)

if TYPE_CHECKING:
    from tests.integration.conftest import BuiltWarehouse

MANIFEST_TABLE = "_injected_bad_rows"
PLANTED_CARD_NUMBER = "4111111111111111"
AVERAGE_TOLERANCE = Decimal("1e-9")
MAX_REPORTED = 20

QuarantineEntry = tuple[str, str | None, str]


def _report(problems: list[str], total: int | None = None) -> str:
    shown = "\n  ".join(problems[:MAX_REPORTED])
    count = total if total is not None else len(problems)
    more = f"\n  ... and {count - MAX_REPORTED} more" if count > MAX_REPORTED else ""
    return f"{count} problem(s):\n  {shown}{more}"


def _as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _metric_matches(metric: str, model: Any, reference: Any) -> bool:
    if model is None or reference is None:
        return model is None and reference is None
    if isinstance(reference, Decimal):
        difference = abs(_as_decimal(model) - reference)
        return difference <= AVERAGE_TOLERANCE if metric in AVERAGE_METRICS else difference == 0
    return model == reference and not isinstance(model, float)


def _diff_multisets(label_a: str, a: Counter[Any], label_b: str, b: Counter[Any]) -> list[str]:
    problems = [f"only in {label_a} (x{n}): {item}" for item, n in sorted((a - b).items(), key=repr)]
    problems += [f"only in {label_b} (x{n}): {item}" for item, n in sorted((b - a).items(), key=repr)]
    return problems


def _quarantine_entries(verdicts: Iterable[RowVerdict]) -> Counter[QuarantineEntry]:
    return Counter(
        (v.source_table, v.raw_id, v.quarantine_reason or "")
        for v in verdicts
        if v.row_status == "quarantined"
    )


@pytest.fixture(scope="module")
def model_quarantine(built_warehouse: BuiltWarehouse) -> Counter[QuarantineEntry]:
    """(source_table, raw_id, reason) per raw row; a model row standing for
    several identical raw rows says how many in ``raw_row_count``."""
    entries: Counter[QuarantineEntry] = Counter()
    for row in built_warehouse.model_rows("quarantined_source_rows"):
        raw_id = None if row["raw_id"] is None else str(row["raw_id"])
        entries[(row["source_table"], raw_id, row["quarantine_reason"])] += int(
            row.get("raw_row_count", 1)
        )
    return entries


@pytest.fixture(scope="module")
def reference_quarantine(reference_verdicts: dict[str, list[RowVerdict]]) -> Counter[QuarantineEntry]:
    return _quarantine_entries(v for verdicts in reference_verdicts.values() for v in verdicts)


# --------------------------------------------------------------------------
# (a) metrics
# --------------------------------------------------------------------------


def test_customer_metrics_has_one_row_per_evaluated_customer_with_every_metric(
    built_warehouse: BuiltWarehouse, reference_metrics: dict[str, dict[str, Any]]
) -> None:
    rows = built_warehouse.model_rows("customer_metrics")
    assert rows, "customer_metrics is empty"
    missing_columns = {"customer_id", "as_of_date", *METRIC_NAMES} - set(rows[0])
    assert not missing_columns, f"customer_metrics lacks columns {sorted(missing_columns)}"

    ids = Counter(str(row["customer_id"]) for row in rows)
    duplicated = sorted(customer_id for customer_id, n in ids.items() if n > 1)
    assert not duplicated, f"customers with several rows: {duplicated[:MAX_REPORTED]}"
    assert {row["as_of_date"] for row in rows} == {built_warehouse.as_of}

    only_model = sorted(set(ids) - set(reference_metrics))
    only_reference = sorted(set(reference_metrics) - set(ids))
    assert not only_model and not only_reference, (
        f"customer sets differ: {len(only_model)} only in the model (e.g. {only_model[:10]}),"
        f" {len(only_reference)} only in the reference (e.g. {only_reference[:10]})"
    )


def test_every_metric_of_every_customer_equals_the_reference(
    built_warehouse: BuiltWarehouse, reference_metrics: dict[str, dict[str, Any]]
) -> None:
    rows = {str(row["customer_id"]): row for row in built_warehouse.model_rows("customer_metrics")}
    problems: list[str] = []
    mismatches_by_metric: Counter[str] = Counter()
    for customer_id in sorted(set(rows) & set(reference_metrics)):
        for metric in METRIC_NAMES:
            model, reference = rows[customer_id].get(metric), reference_metrics[customer_id][metric]
            if not _metric_matches(metric, model, reference):
                mismatches_by_metric[metric] += 1
                problems.append(
                    f"customer {customer_id} {metric}: model={model!r} reference={reference!r}"
                )
    assert not problems, (
        f"mismatches per metric: {dict(mismatches_by_metric.most_common())}\n" + _report(problems)
    )


# --------------------------------------------------------------------------
# (b) quarantine
# --------------------------------------------------------------------------


def test_every_injected_bad_row_is_quarantined_with_its_expected_reason(
    built_warehouse: BuiltWarehouse, model_quarantine: Counter[QuarantineEntry]
) -> None:
    manifest = built_warehouse.raw_rows(MANIFEST_TABLE)
    expected = [row for row in manifest if row["expected_status"] == "quarantined"]
    assert expected, "the generator injected no quarantined rows; the test would prove nothing"
    problems = []
    for row in expected:
        entry = (row["source_table"], redact_card_numbers(row["raw_id"]), row["expected_reason"])
        if model_quarantine[entry] == 0:
            found = sorted(
                reason for table, raw_id, reason in model_quarantine
                if (table, raw_id) == entry[:2]
            )
            problems.append(f"{entry} not quarantined as expected; quarantined as: {found or 'nothing'}")
    assert not problems, _report(problems)


def test_reference_classification_agrees_with_the_injection_manifest(
    built_warehouse: BuiltWarehouse, reference_verdicts: dict[str, list[RowVerdict]]
) -> None:
    """Guards the reference itself: what the generator meant, it concludes.

    The manifest names metadata rows by their raw text; models (and the
    reference) show card numbers in it redacted."""
    outcomes: dict[tuple[str, str | None], set[tuple[str, str | None]]] = {}
    for verdicts in reference_verdicts.values():
        for v in verdicts:
            outcomes.setdefault((v.source_table, v.raw_id), set()).add((v.row_status, v.quarantine_reason))
    problems = []
    for row in built_warehouse.raw_rows(MANIFEST_TABLE):
        key = (row["source_table"], redact_card_numbers(row["raw_id"]))
        status = row["expected_status"]
        reason = row["expected_reason"] if status == "quarantined" else None
        found = outcomes.get(key, set())
        if (status, reason) not in found:
            problems.append(f"{key}: manifest expects {(status, reason)}, reference has {sorted(found, key=repr)}")
    assert not problems, _report(problems)


def test_quarantined_source_rows_equal_the_reference_row_for_row(
    model_quarantine: Counter[QuarantineEntry], reference_quarantine: Counter[QuarantineEntry]
) -> None:
    problems = _diff_multisets("model", model_quarantine, "reference", reference_quarantine)
    assert not problems, _report(problems)


# --------------------------------------------------------------------------
# (c) row accounting
# --------------------------------------------------------------------------


def test_row_accounting_per_table_and_status_equals_the_reference_and_the_raw_count(
    built_warehouse: BuiltWarehouse, reference_verdicts: dict[str, list[RowVerdict]]
) -> None:
    accounting: Counter[tuple[str, str]] = Counter()
    for row in built_warehouse.model_rows("source_row_accounting"):
        accounting[(row["source_table"], row["row_status"])] += int(row["row_count"])
    unknown = {status for _, status in accounting} - set(ROW_STATUSES)
    assert not unknown, f"unknown row_status values: {unknown}"

    reference = Counter(
        (v.source_table, v.row_status) for verdicts in reference_verdicts.values() for v in verdicts
    )
    problems = [
        f"{table}.{status}: model={accounting[(table, status)]} reference={reference[(table, status)]}"
        for table in SOURCE_TABLES
        for status in ROW_STATUSES
        if accounting[(table, status)] != reference[(table, status)]
    ]
    for table in SOURCE_TABLES:
        (raw,) = built_warehouse.query(
            f'select count(*) as n from "{built_warehouse.raw_schema}"."{table}"'
        )
        accounted = sum(accounting[(table, status)] for status in ROW_STATUSES)
        if accounted != raw["n"]:
            problems.append(f"{table}: statuses sum to {accounted}, raw table has {raw['n']} rows")
    stray_tables = {table for table, _ in accounting} - set(SOURCE_TABLES)
    if stray_tables:
        problems.append(f"accounting names tables outside SPEC section 2: {sorted(stray_tables)}")
    assert not problems, _report(problems)


# --------------------------------------------------------------------------
# (d) card numbers
# --------------------------------------------------------------------------


def test_no_model_holds_the_card_number_planted_in_customer_metadata(
    built_warehouse: BuiltWarehouse,
) -> None:
    planted = built_warehouse.query(
        f'select count(*) as n from "{built_warehouse.raw_schema}".customer_metadata'
        " where contains(value, ?)",
        [PLANTED_CARD_NUMBER],
    )[0]["n"]
    if planted == 0:
        pytest.skip(f"the generator planted no {PLANTED_CARD_NUMBER} in customer_metadata.value")

    string_columns = built_warehouse.query(
        "select table_schema, table_name, column_name from information_schema.columns"
        " where table_schema not in (?, 'information_schema', 'pg_catalog')"
        " and data_type = 'VARCHAR' order by all",
        [built_warehouse.raw_schema],
    )
    assert string_columns, "no model has a string column to scan"
    leaks = []
    for column in string_columns:
        relation = f'"{column["table_schema"]}"."{column["table_name"]}"'
        (hits,) = built_warehouse.query(
            f'select count(*) as n from {relation} where contains("{column["column_name"]}", ?)',
            [PLANTED_CARD_NUMBER],
        )
        if hits["n"]:
            leaks.append(f"{relation}.{column['column_name']}: {hits['n']} row(s)")
    assert not leaks, _report(leaks)
