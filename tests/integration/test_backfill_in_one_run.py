"""A backfill of a whole range in one dbt run writes what running each day
would have written (issue: point-in-time evaluation, item 3).

30 days, 2026-05-20 .. 2026-06-18, on generated customers whose facts run to
2026-06-30: the range crosses the ``created_on`` of the seeds' fixed segment
and audience (2026-06-01), the audience's ``locked_on`` and manual actions.
The reference is the pipeline run day by day (one ``dbt run`` per day on the
same raw tables, as scripts/backfill.py --day-by-day does); against it:

- one run for the whole range (``backfill_start_date`` .. ``as_of_date``);
- runs of at most 7 days (``--batch-days 7``);
- a backfill from the middle of an existing history (it rolls back and
  rewrites only from its first day).

History, events (with ``event_id``), the run log and frozen lists must be
equal row for row; ``recorded_by`` says which kind of run wrote a row, so it
is left out where the kinds differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_history_and_events import (
    DAY_EXCLUDES,
    DB_NAME,
    EVENTS,
    FROZEN,
    HISTORY,
    RUN_LOG,
    UNCHANGED_DAY_EXCLUDES,
    Warehouse,
    assert_same_rows,
    failure_text,
)
from tests.integration.conftest import RAW_SCHEMA

pytestmark = pytest.mark.integration

CUSTOMERS = 250
GENERATOR_SEED = 23
GENERATED_AS_OF = date(2026, 6, 30)
FIXED_SEGMENT = "spring_promo_buyers"  # created_on 2026-06-01 in the seeds
FIRST_DAY = date(2026, 5, 20)
DAYS = [FIRST_DAY + timedelta(days=offset) for offset in range(30)]
LAST_DAY = DAYS[-1]
FIXED_CREATED_ON = date(2026, 6, 1)
assert FIRST_DAY < FIXED_CREATED_ON < LAST_DAY

STATE = (HISTORY, EVENTS, RUN_LOG, FROZEN)
WRITER_COLUMN = {EVENTS: ["recorded_by"], RUN_LOG: ["recorded_by"]}


def state_of(warehouse: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    return {table: warehouse.rows(table, exclude=WRITER_COLUMN.get(table, ())) for table in STATE}


def assert_same_state(actual: Warehouse, expected: dict[str, list[tuple[Any, ...]]], what: str) -> None:
    found = state_of(actual)
    for table in STATE:
        assert_same_rows(found[table], expected[table], f"{table}, {what}")


def range_run(warehouse: Warehouse, first: date, last: date, *, first_build: bool = False, **vars: Any) -> Any:
    excludes: Iterable[str] = DAY_EXCLUDES if first_build else UNCHANGED_DAY_EXCLUDES
    return warehouse.dbt(
        ["run", "--exclude", *excludes],
        vars={"as_of_date": last.isoformat(), "backfill_start_date": first.isoformat(), **vars},
    )


@pytest.fixture(scope="module")
def raw_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from scripts.generate_data import generate

    path = tmp_path_factory.mktemp("raw") / DB_NAME
    generate(str(path), customers=CUSTOMERS, seed=GENERATOR_SEED, as_of=GENERATED_AS_OF, schema=RAW_SCHEMA, progress=False)
    return path


@pytest.fixture(scope="module")
def day_by_day(raw_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The reference: one run per day, D1 .. D30."""
    warehouse = Warehouse.copy_of(raw_db, tmp_path_factory.mktemp("day_by_day"))
    warehouse.dbt(["seed"])
    for index, day in enumerate(DAYS):
        warehouse.day(day, raw_changed=index == 0, backfill=True)
    return warehouse


@pytest.fixture(scope="module")
def reference(day_by_day: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    state = state_of(day_by_day)
    stays = day_by_day.query(
        f"select count(*) as n from main.{HISTORY} where valid_to is not null and valid_from > cast('{FIRST_DAY}' as date)"
    )[0]["n"]
    frozen = day_by_day.query(f"select count(*) as n from main.{FROZEN}")[0]["n"]
    assert stays > 20 and frozen > 0, f"the simulation changes too little to prove anything ({stays} stays, {frozen} frozen)"
    assert len({row[0] for row in state[RUN_LOG]}) == len(DAYS), "the run log lacks a day"
    return state


def fresh(raw_db: Path, directory: Path, day_by_day: Warehouse) -> Warehouse:
    warehouse = Warehouse.copy_of(raw_db, directory, manifest=day_by_day.parsed())
    warehouse.dbt(["seed"])
    return warehouse


def test_thirty_days_in_one_run_equal_thirty_daily_runs(
    raw_db: Path, day_by_day: Warehouse, reference: dict[str, list[tuple[Any, ...]]], tmp_path: Path
) -> None:
    warehouse = fresh(raw_db, tmp_path, day_by_day)
    range_run(warehouse, FIRST_DAY, LAST_DAY, first_build=True)
    assert_same_state(warehouse, reference, "one run vs day by day")
    assert {r["recorded_by"] for r in warehouse.events()} == {"backfill"}


def test_the_backfill_script_in_batches_equals_daily_runs(
    raw_db: Path, day_by_day: Warehouse, reference: dict[str, list[tuple[Any, ...]]], tmp_path: Path
) -> None:
    from scripts import backfill as backfill_script
    from scripts.pipeline import DbtProject

    manifest = day_by_day.parsed()

    class ProjectSharingTheManifest(DbtProject):
        def __post_init__(self) -> None:
            super().__post_init__()
            self._manifest = manifest

    warehouse = Warehouse.copy_of(raw_db, tmp_path, manifest=manifest)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backfill_script, "DbtProject", ProjectSharingTheManifest)
        replayed = backfill_script.backfill(warehouse.db_path, FIRST_DAY, LAST_DAY, progress=False, batch_days=7)
    assert replayed == DAYS
    assert len(backfill_script.batches(FIRST_DAY, LAST_DAY, 7)) == 5
    assert_same_state(warehouse, reference, "runs of 7 days vs day by day")


def test_a_backfill_from_the_middle_of_history_rewrites_only_from_its_first_day(
    raw_db: Path, day_by_day: Warehouse, reference: dict[str, list[tuple[Any, ...]]], tmp_path: Path
) -> None:
    warehouse = fresh(raw_db, tmp_path, day_by_day)
    range_run(warehouse, FIRST_DAY, LAST_DAY, first_build=True)
    middle = DAYS[12]
    events_before_middle = warehouse.query(
        f"select event_id, recorded_by from main.{EVENTS} where occurred_on < cast('{middle}' as date) order by 1"
    )
    range_run(warehouse, middle, LAST_DAY)
    assert_same_state(warehouse, reference, "after a backfill from the middle")
    assert warehouse.query(
        f"select event_id, recorded_by from main.{EVENTS} where occurred_on < cast('{middle}' as date) order by 1"
    ) == events_before_middle


def test_an_unfinished_range_run_is_named_and_rerunning_it_completes_it(
    raw_db: Path, day_by_day: Warehouse, reference: dict[str, list[tuple[Any, ...]]], tmp_path: Path
) -> None:
    warehouse = fresh(raw_db, tmp_path, day_by_day)
    range_run(warehouse, FIRST_DAY, DAYS[9], first_build=True)
    # A range run killed after it wrote history and events but before its
    # run log (the commit marker): the run log stops at DAYS[9].
    range_run(warehouse, DAYS[10], LAST_DAY)
    warehouse.execute(f"delete from main.{RUN_LOG} where as_of_date > cast('{DAYS[9]}' as date)")

    refused = warehouse.dbt(
        ["run", "--exclude", *UNCHANGED_DAY_EXCLUDES],
        vars={"as_of_date": (LAST_DAY + timedelta(days=1)).isoformat()},
        expect_success=False,
    )
    message = failure_text(refused)
    assert f"{DAYS[10]} to {LAST_DAY} did not finish" in message, message
    assert f"backfill.py --start {DAYS[10]} --end {LAST_DAY}" in message, message
    # Rerunning only the last day would leave the days before it without a
    # commit marker: refused as well.
    refused_again = warehouse.dbt(
        ["run", "--exclude", *UNCHANGED_DAY_EXCLUDES], vars={"as_of_date": LAST_DAY.isoformat()}, expect_success=False
    )
    assert "did not finish" in failure_text(refused_again)

    range_run(warehouse, DAYS[10], LAST_DAY)
    assert_same_state(warehouse, reference, "after the unfinished range was rerun")


def test_explanations_on_a_past_date_use_that_date_s_values_and_membership(
    day_by_day: Warehouse, reference: dict[str, list[tuple[Any, ...]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scripts import explain as explain_script
    from scripts.pipeline import DbtProject

    warehouse = day_by_day.fork(tmp_path)
    manifest = warehouse.parsed()
    # A flexi stay that ended before the last day: in on its first day, out at the end.
    stay = warehouse.query(
        f"select h.customer_id, h.group_key, h.valid_from from main.{HISTORY} as h"
        " inner join main.customer_group_definitions as d on h.group_key = d.group_key"
        " where d.recalculation = 'flexi' and d.qualifier_method != 'none' and h.valid_to is not null"
        f" and not exists (select 1 from main.{HISTORY} as later where later.customer_id = h.customer_id"
        "   and later.group_key = h.group_key and later.valid_to is null)"
        " order by h.valid_from desc, h.customer_id, h.group_key limit 1"
    )
    assert stay, "test set-up: no closed flexi stay"
    customer, group, entered = stay[0]["customer_id"], stay[0]["group_key"], stay[0]["valid_from"]

    class ProjectSharingTheManifest(DbtProject):
        def __post_init__(self) -> None:
            super().__post_init__()
            self._manifest = manifest

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(explain_script, "DbtProject", ProjectSharingTheManifest)
        capsys.readouterr()
        explain_script.explain(customer, entered, warehouse.db_path)
        then = capsys.readouterr().out
        metrics_then = warehouse.query(
            "select lifetime_value from main.int_customer_metrics_by_date"
            f" where customer_id = '{customer}' and evaluation_date = cast('{entered}' as date)"
        )
        explained_then = warehouse.query(
            "select count(*) as n from main.customer_group_explanations"
            f" where customer_id = '{customer}' and group_key = '{group}' and as_of_date = cast('{entered}' as date)"
            " and rule_set_passed"
        )[0]["n"]
        explain_script.explain(customer, None, warehouse.db_path)
        now = capsys.readouterr().out
        listed = warehouse.query(
            f"select customer_id from main.{HISTORY} where group_key = '{FIXED_SEGMENT}'"
            " and entry_source = 'frozen' and valid_to is null order by 1 limit 1"
        )
        assert listed, "test set-up: the fixed segment's list is empty"
        warehouse.dbt(["run-operation", "explain_customer", "--args", json.dumps({"customer_id": listed[0]["customer_id"]})])
        on_the_list = capsys.readouterr().out

    assert f"Customer {customer} on {entered}" in then, then
    assert f"IN   {group} (" in then and f"member since {entered}" in then, then
    assert f"IN   {group} (" not in now and f"OUT  {group} (" in now, now
    assert metrics_then, f"{entered} was not evaluated"
    # A fixed list is explained by the values on its created_on.
    decided = on_the_list.split(f"IN   {FIXED_SEGMENT} (", 1)[-1]
    assert f"the list was decided on {FIXED_CREATED_ON} from the values on that date" in decided, on_the_list
    assert ": holds" in decided.split("\nIN   ")[0].split("\nOUT  ")[0], on_the_list
    assert explained_then > 0, "no rule set of the group held on the day the customer entered it"
    # Re-evaluating for an explanation writes no state.
    assert state_of(warehouse) == reference
