"""scripts/report.py shows the figures the marts hold, never its own recount:
the "last 7 days" of the headline and of the movement table are
customer_group_overview's, first history day included (the mart's rule).

Built on hand-made mart tables in DuckDB (no dbt): a history that began
yesterday, when two customers entered `vip`, and today one left.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from scripts.report import load, render

AS_OF = date(2026, 6, 30)


@pytest.fixture()
def marts(tmp_path: Path) -> Path:
    db_path = tmp_path / "marts.duckdb"
    con = duckdb.connect(str(db_path))
    try:
        con.execute(
            """create table customer_group_overview as select * from (values
                ('vip', 'VIP', 1, 2, 1, 2, 1, date '2026-06-30'),
                ('quiet', 'Quiet', 0, 0, 0, 0, 0, date '2026-06-30')
            ) as t(group_key, group_name, members, entered_last_7_days, left_last_7_days,
                   entered_last_30_days, left_last_30_days, as_of_date)"""
        )
        con.execute(
            """create table customer_group_daily_movement as select * from (values
                ('vip', date '2026-06-29', 2, 2, 0, true, date '2026-06-30'),
                ('vip', date '2026-06-30', 1, 0, 1, false, date '2026-06-30')
            ) as t(group_key, movement_date, members_end_of_day, entered, left_group,
                   is_first_history_date, as_of_date)"""
        )
    finally:
        con.close()
    return db_path


def test_recent_movement_is_customer_group_overviews_not_a_recount(marts: Path) -> None:
    data = load(marts, currency="USD")
    assert data.as_of == AS_OF
    assert (data.headline.entered_last_7_days, data.headline.left_last_7_days) == (2, 1)
    vip = next(row for row in data.group_movement if row["group_key"] == "vip")
    assert (vip["members"], vip["entered_last_30_days"], vip["left_last_30_days"]) == (1, 2, 1)


def test_groups_without_members_or_movement_are_left_out_of_the_movement_table(marts: Path) -> None:
    assert [row["group_key"] for row in load(marts, currency="USD").group_movement] == ["vip"]


def test_the_page_renders_with_marts_missing(marts: Path) -> None:
    page = render(load(marts, currency="USD"))
    assert "Movement per group" in page and "Entered, 7 d" in page
    assert "Not built yet" in page and "customer_group_performance" in page
