"""The semantic layer (models/marts/reporting/_reporting__semantic_models.yml):
`mf query` gives the figures of the reporting marts.

One module fixture generates 400 customers (facts up to 2026-06-30), runs the
daily pipeline for 2026-06-28 .. 2026-06-30 so `metric_time` has three days
of membership history, and keeps the parse dbt made on the way. The MetricFlow
CLI (`mf`, installed with dbt-metricflow next to the Python running the tests)
then answers queries as a user would run them.

`mf` reads `profiles.yml` and `dbt_project.yml` from the folder it runs in and
the semantic manifest from `target/semantic_manifest.json` below it. The work
folder of ``DbtProject`` already holds profiles.yml (pointing at the test's
DuckDB file) and target/ (the parse); with a copy of dbt_project.yml it is the
folder mf runs in, so the repository's own target/ is never read or written.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scripts.pipeline import AS_OF_DEPENDENT_SELECTOR, DbtProject
from tests.integration.conftest import PROJECT_DIR, RAW_SCHEMA, query_duckdb

pytestmark = pytest.mark.integration

CUSTOMERS = 400
GENERATOR_SEED = 7
GENERATED_AS_OF = date(2026, 6, 30)
DAYS = [date(2026, 6, 28), date(2026, 6, 29), date(2026, 6, 30)]
LAST_DAY = DAYS[-1]

MF = Path(sys.executable).parent / "mf"
MONEY_TOLERANCE = Decimal("0.000001")


@dataclass(frozen=True)
class SemanticLayer:
    """A warehouse with three days of history, and the folder mf runs in."""

    db_path: Path
    mf_dir: Path

    def mf_query(self, metrics: Sequence[str], group_by: Sequence[str]) -> list[dict[str, str]]:
        """Run `mf query` and return its rows (CSV text; an empty cell is NULL)."""
        csv_path = self.mf_dir / f"mf_query_{'-'.join(metrics)}_by_{'-'.join(group_by)}.csv"
        command = [str(MF), "query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by)]
        command += ["--csv", str(csv_path), "--quiet"]
        # Point every dbt setting at this folder, whatever the caller's shell has.
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(self.mf_dir),
            "DBT_PROJECT_DIR": str(self.mf_dir),
            "DBT_LOG_PATH": str(self.mf_dir / "logs"),
        }
        completed = subprocess.run(command, cwd=self.mf_dir, env=env, capture_output=True, text=True, timeout=300)
        assert completed.returncode == 0 and csv_path.exists(), (
            f"{' '.join(command)} failed ({completed.returncode}):\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
        with csv_path.open(newline="") as file:
            return list(csv.DictReader(file))

    def sql(self, sql: str) -> list[dict[str, Any]]:
        return query_duckdb(self.db_path, sql)


@pytest.fixture(scope="module")
def semantic_layer(tmp_path_factory: pytest.TempPathFactory) -> SemanticLayer:
    from scripts.generate_data import generate

    assert MF.exists(), f"{MF} not found: pip install -r requirements.txt (dbt-metricflow)"
    db_path = tmp_path_factory.mktemp("semantic_layer") / "customer_groups.duckdb"
    generate(
        str(db_path),
        customers=CUSTOMERS,
        seed=GENERATOR_SEED,
        as_of=GENERATED_AS_OF,
        schema=RAW_SCHEMA,
        progress=False,
    )
    project = DbtProject(db_path=db_path)
    project.run(["seed"])
    # The daily pipeline; after the first day the raw tables have not
    # changed, so staging and validation are not rebuilt (as in a backfill).
    for index, day in enumerate(DAYS):
        command = ["run"] if index == 0 else ["run", "--selector", AS_OF_DEPENDENT_SELECTOR]
        project.run(command, vars={"as_of_date": day.isoformat()})

    assert project.work_dir is not None
    assert (project.work_dir / "target" / "semantic_manifest.json").exists(), "dbt parse wrote no semantic manifest"
    shutil.copy(PROJECT_DIR / "dbt_project.yml", project.work_dir / "dbt_project.yml")
    return SemanticLayer(db_path=db_path, mf_dir=project.work_dir)


def csv_decimal(text: str) -> Decimal | None:
    """A number of mf's CSV output; an empty cell is NULL."""
    return None if text == "" else Decimal(text)


def test_members_and_revenue_by_group_name_equal_the_group_performance_mart(semantic_layer: SemanticLayer) -> None:
    """`mf query --metrics revenue,members --group-by customer_group__name`:
    per group, the members on the last day (a level: not summed over the
    three days) and their revenue, as in customer_group_performance; the
    ratio metrics divide the same sums the mart divides."""
    rows = semantic_layer.mf_query(
        ["revenue", "members", "ltv_average", "refund_rate"], ["customer_group__name"]
    )
    by_name = {row["customer_group__name"]: row for row in rows if row["customer_group__name"] != ""}
    expected = semantic_layer.sql(
        "select group_name, members, revenue, ltv_average, refund_rate, as_of_date from customer_group_performance"
    )
    assert {row["as_of_date"] for row in expected} == {LAST_DAY}
    assert len({row["group_name"] for row in expected}) == len(expected), "group names are not unique"
    assert set(by_name) == {row["group_name"] for row in expected}
    assert any(row["members"] > 0 for row in expected)

    for mart in expected:
        got = by_name[mart["group_name"]]
        assert int(got["members"]) == mart["members"], mart["group_name"]
        assert abs(csv_decimal(got["revenue"]) - mart["revenue"]) <= MONEY_TOLERANCE, mart["group_name"]
        for rate in ("ltv_average", "refund_rate"):
            expected_rate = None if mart[rate] is None else pytest.approx(mart[rate], rel=Decimal("1e-6"))
            assert csv_decimal(got[rate]) == expected_rate, (mart["group_name"], rate)


def test_members_by_day_are_the_end_of_day_counts_and_revenue_sits_on_as_of_date(
    semantic_layer: SemanticLayer,
) -> None:
    """Over `metric_time__day`: each history day's members at the end of the
    day, entries, exits and net change, summed over groups as in
    customer_group_daily_movement; revenue describes the members of
    `as_of_date`, so it appears on that day only."""
    rows = semantic_layer.mf_query(
        ["members", "entered", "left_group", "net_change", "revenue"], ["metric_time__day"]
    )
    by_day = {date.fromisoformat(row["metric_time__day"][:10]): row for row in rows}
    assert sorted(by_day) == DAYS

    expected = {
        row["movement_date"]: row
        for row in semantic_layer.sql(
            "select movement_date, sum(members_end_of_day) as members, sum(entered) as entered,"
            " sum(left_group) as left_group from customer_group_daily_movement group by movement_date"
        )
    }
    assert sorted(expected) == DAYS
    for day in DAYS:
        got = by_day[day]
        for metric in ("members", "entered", "left_group"):
            assert int(got[metric]) == expected[day][metric], (day, metric)
        assert int(got["net_change"]) == expected[day]["entered"] - expected[day]["left_group"], day
    # Days after the first change the member count by exactly the net change.
    for before, after in zip(DAYS, DAYS[1:]):
        assert int(by_day[after]["members"]) - int(by_day[before]["members"]) == int(by_day[after]["net_change"])

    [total_revenue] = semantic_layer.sql("select sum(revenue) as revenue from customer_group_performance")
    assert abs(csv_decimal(by_day[LAST_DAY]["revenue"]) - total_revenue["revenue"]) <= MONEY_TOLERANCE
    assert all(by_day[day]["revenue"] == "" for day in DAYS[:-1])
