"""Metrics on several dates in one build equal a run on each date (SPEC §3).

One generated warehouse (400 customers) is built once with ten random past
dates besides its as_of_date (var ``extra_evaluation_dates``):
``int_customer_metrics_by_date`` then holds every metric per customer and
date, computed set-based (per-day deltas and running sums). For each of the
ten dates, a run on that date alone publishes ``customer_metrics``; the rows
must be the same, customer for customer and metric for metric, and equal to
the independent Python reference (tests/integration/reference.py) on that
date.
"""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from scripts.pipeline import DbtProject
from tests.integration.conftest import CURRENCY_RATES_SEED, RAW_SCHEMA, query_duckdb
from tests.integration.reference import (
    AVERAGE_METRICS,
    METRIC_NAMES,
    classify_rows,
    clean_rows_of,
    compute_metrics,
    load_currency_rates,
)

pytestmark = pytest.mark.integration

CUSTOMERS = 400
GENERATOR_SEED = 5
AS_OF = date(2026, 6, 30)
DATES = sorted(random.Random(20260630).sample([AS_OF - timedelta(days=n) for n in range(1, 400)], 10))
DB_NAME = "customer_groups.duckdb"
TOLERANCE = Decimal("1e-9")


def _same(metric: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (Decimal, float)) or isinstance(b, (Decimal, float)):
        difference = abs(Decimal(str(a)) - Decimal(str(b)))
        return difference <= TOLERANCE if metric in AVERAGE_METRICS else difference == 0
    return a == b


def _diff(label: str, actual: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]) -> list[str]:
    problems = [f"{label}: customers only in by-date rows: {sorted(set(actual) - set(expected))[:5]}"] if set(
        actual
    ) - set(expected) else []
    problems += [f"{label}: customers missing from by-date rows: {sorted(set(expected) - set(actual))[:5]}"] if set(
        expected
    ) - set(actual) else []
    for customer_id in sorted(set(actual) & set(expected)):
        for metric in METRIC_NAMES:
            if not _same(metric, actual[customer_id][metric], expected[customer_id][metric]):
                problems.append(
                    f"{label}: {customer_id}.{metric} = {actual[customer_id][metric]!r},"
                    f" expected {expected[customer_id][metric]!r}"
                )
    return problems


@pytest.fixture(scope="module")
def raw_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from scripts.generate_data import generate

    path = tmp_path_factory.mktemp("raw") / DB_NAME
    generate(str(path), customers=CUSTOMERS, seed=GENERATOR_SEED, as_of=AS_OF, schema=RAW_SCHEMA, progress=False)
    return path


@pytest.fixture(scope="module")
def by_date(raw_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[date, dict[str, dict[str, Any]]]:
    """int_customer_metrics_by_date of one build over AS_OF and the ten DATES."""
    db_path = tmp_path_factory.mktemp("multi") / DB_NAME
    shutil.copy(raw_db, db_path)
    project = DbtProject(db_path=db_path)
    project.run(["seed"])
    project.run(
        ["run", "--select", "+int_customer_metrics_by_date"],
        vars={"as_of_date": AS_OF.isoformat(), "extra_evaluation_dates": [d.isoformat() for d in DATES]},
    )
    rows = query_duckdb(db_path, "select * from main.int_customer_metrics_by_date")
    result: dict[date, dict[str, dict[str, Any]]] = {}
    for row in rows:
        result.setdefault(row["evaluation_date"], {})[row["customer_id"]] = row
    return result


FIXED_CREATED_ON = date(2026, 6, 1)  # created_on of the seeds' fixed segment and audience


def test_one_build_evaluates_exactly_the_dates_it_is_asked_for(by_date: dict[date, Any]) -> None:
    """as_of_date, the extra dates, and (a first run) the created_on of the
    fixed groups it freezes."""
    assert sorted(by_date) == sorted({*DATES, AS_OF, FIXED_CREATED_ON})


def test_metrics_on_ten_random_dates_equal_a_single_date_run_and_the_reference(
    raw_db: Path, by_date: dict[date, dict[str, dict[str, Any]]], tmp_path: Path
) -> None:
    db_path = tmp_path / DB_NAME
    shutil.copy(raw_db, db_path)
    project = DbtProject(db_path=db_path)
    project.run(["seed"])
    rates = load_currency_rates(CURRENCY_RATES_SEED)
    con = duckdb.connect(str(raw_db), read_only=True)
    try:
        clean = clean_rows_of(classify_rows(con, RAW_SCHEMA, rates))
    finally:
        con.close()
    problems: list[str] = []
    for day in DATES:
        project.run(["run", "--select", "+customer_metrics"], vars={"as_of_date": day.isoformat()})
        single = {r["customer_id"]: r for r in query_duckdb(db_path, "select * from main.customer_metrics")}
        assert single, f"no customer on {day}: the comparison would prove nothing"
        problems += _diff(f"{day} vs a run on that date", by_date.get(day, {}), single)
        problems += _diff(f"{day} vs the reference", by_date.get(day, {}), compute_metrics(clean, day, rates))
    assert not problems, f"{len(problems)} differences, e.g.\n  " + "\n  ".join(problems[:20])
