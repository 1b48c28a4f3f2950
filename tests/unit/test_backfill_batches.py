"""How scripts/backfill.py cuts a range into runs: memory grows with customers
× days evaluated at once, so by default a run holds at most
CUSTOMER_DAYS_PER_RUN customer-days, counted from the warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from scripts import backfill as backfill_script


@pytest.mark.parametrize(
    ("customers", "expected"),
    [(None, None), (0, None), (100_000, 50), (1_000_000, 5), (10_000_000, 1), (250, 20_000)],
)
def test_days_per_run_keeps_a_run_under_the_customer_day_budget(customers: int | None, expected: int | None) -> None:
    assert backfill_script.CUSTOMER_DAYS_PER_RUN == 5_000_000
    assert backfill_script.days_per_run(customers) == expected


def test_customers_are_counted_from_the_last_run_else_from_the_raw_table(tmp_path: Path) -> None:
    db_path = tmp_path / "warehouse.duckdb"
    assert backfill_script.customer_count(db_path) is None
    con = duckdb.connect(str(db_path))
    con.execute("create schema raw_revcent")
    con.execute("create table raw_revcent.customer as select range as id from range(7)")
    con.close()
    assert backfill_script.customer_count(db_path) == 7
    con = duckdb.connect(str(db_path))
    con.execute("create table main.customer_metrics as select range as customer_id from range(4)")
    con.close()
    assert backfill_script.customer_count(db_path) == 4


def test_a_backfill_without_batch_days_runs_the_days_the_budget_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(db_path))
    con.execute("create table main.customer_metrics as select range as customer_id from range(3)")
    con.close()
    runs: list[dict[str, Any]] = []

    class RecordingProject:
        def __init__(self, **_: Any) -> None:
            self._built_once = False

        def daily_run(self, as_of_date: str, **options: Any) -> None:
            runs.append({"as_of_date": as_of_date, **options})

    monkeypatch.setattr(backfill_script, "DbtProject", RecordingProject)
    monkeypatch.setattr(backfill_script, "CUSTOMER_DAYS_PER_RUN", 6)  # 3 customers: 2 days per run
    replayed = backfill_script.backfill(db_path, date(2026, 6, 1), date(2026, 6, 5), progress=False)
    assert len(replayed) == 5
    assert [(run["extra_vars"]["backfill_start_date"], run["as_of_date"]) for run in runs] == [
        ("2026-06-01", "2026-06-02"),
        ("2026-06-03", "2026-06-04"),
        ("2026-06-05", "2026-06-05"),
    ]
    assert [run["raw_data_changed"] for run in runs] == [True, False, False]
    assert [run["test"] for run in runs] == [False, False, True]
