"""Membership history and the event log across runs (SPEC sections 3 and 4).

Every scenario replays the days 2026-05-31 .. 2026-06-04 (D1..D5) on 600
generated customers whose facts run up to 2026-06-30, so memberships change
from day to day; D2 (2026-06-01) is the ``created_on`` of the fixed groups in
the seeds (``spring_promo_buyers``, ``newsletter_reactivation_audience``).

Building the project costs seconds per day on this machine, so the tests share
work: one module-scoped *chain* runs D1..D5 on one DuckDB file and keeps a copy
of the file after each day (read-only snapshots). A test that needs to run
more forks a snapshot (a file copy made after dbt released the file) into its
own ``tmp_path``. Every database file is named ``customer_groups.duckdb`` (in
its own folder), so dbt-duckdb gives them all the same database name and the
manifest parsed once for the project serves them all; a copy of the project
with other seeds parses its own.

The chain's first day is ``dbt seed`` and a ``dbt run``; the data and unit
tests, and the reporting marts built on top of history, are not this file's
subject (scripts/backfill.py still builds its first day in full, as it always
does). Later days are ``dbt run`` without the models that do not depend on
``as_of_date`` (staging, validation), as ``DbtProject.daily_run`` does when
the raw tables did not change; a test that changes raw tables runs them once
afterwards.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time as clock, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from scripts.pipeline import AS_OF_INDEPENDENT_TAG, DbtProject, write_profiles
from tests.integration.conftest import PROJECT_DIR, RAW_SCHEMA, query_duckdb

pytestmark = pytest.mark.integration

CUSTOMERS = 600
GENERATOR_SEED = 11
GENERATED_AS_OF = date(2026, 6, 30)  # facts up to this date (and a week beyond)
DAYS = [date(2026, 5, 31) + timedelta(days=offset) for offset in range(5)]
D1, D2, D3, D4, D5 = DAYS
DB_NAME = "customer_groups.duckdb"

FIXED_SEGMENT = "spring_promo_buyers"
FIXED_CREATED_ON = date(2026, 6, 1)
assert FIXED_CREATED_ON == D2

HISTORY = "customer_group_membership_history"
EVENTS = "customer_group_events"
RUN_LOG = "customer_group_run_log"
FROZEN = "customer_group_frozen_members"
MEMBERSHIPS = "customer_group_memberships"
STATE_TABLES = (HISTORY, EVENTS, RUN_LOG, FROZEN)
# Marts the daily runs of these tests publish besides the state.
PUBLISHED_TABLES = ("customer_metrics", MEMBERSHIPS)

ADDED = "customer.updated.customer_group.added"
REMOVED = "customer.updated.customer_group.removed"
EVENT_NAMES = {ADDED, REMOVED}
REASONS = {
    "qualified",
    "disqualified",
    "manual_add",
    "manual_remove",
    "group_disabled",
    "group_deleted",
    "definition_changed",
}

# What a copy of the project needs (no target/, logs/, warehouse/).
PROJECT_PARTS = ("models", "macros", "seeds", "tests", "analyses", "dbt_project.yml", "selectors.yml")

# The reporting marts read history and write nothing these tests read: the
# runs here leave them out; so do days whose raw tables did not change with
# the models that do not depend on as_of_date (as DbtProject.daily_run does).
DAY_EXCLUDES = ("path:models/marts/reporting+",)  # and what reads it (activation)
UNCHANGED_DAY_EXCLUDES = (AS_OF_INDEPENDENT_TAG, *DAY_EXCLUDES)

CHURN_OFFENDER = re.compile(r"group '(\w+)': would remove (\d+) of its (\d+) members")


# --------------------------------------------------------------------------
# One DuckDB file and the project pointed at it
# --------------------------------------------------------------------------


@dataclass
class Warehouse:
    """A DuckDB file, the DbtProject that builds it, and ways to read it."""

    db_path: Path
    project_dir: Path = PROJECT_DIR
    manifest: Any = None
    project: DbtProject = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.db_path = Path(self.db_path)
        assert self.db_path.name == DB_NAME, "a shared manifest needs the same database name"
        self.project = DbtProject(db_path=self.db_path, project_dir=self.project_dir)
        # DbtProject parses once and keeps the manifest; a manifest parsed for
        # the same project and database name is handed on instead of re-parsing.
        self.project._manifest = self.manifest

    @classmethod
    def copy_of(cls, source: Path, directory: Path, **kwargs: Any) -> Warehouse:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / DB_NAME
        shutil.copy(source, target)
        wal = source.with_name(source.name + ".wal")
        if wal.exists():
            shutil.copy(wal, target.with_name(target.name + ".wal"))
        return cls(target, **kwargs)

    def fork(self, directory: Path) -> Warehouse:
        """A copy of this file in ``directory``, for the same project."""
        return Warehouse.copy_of(self.db_path, directory, project_dir=self.project_dir, manifest=self.parsed())

    def parsed(self) -> Any:
        if self.project._manifest is None:
            self.project._manifest = self.project.run(["parse"]).result
        self.manifest = self.project._manifest
        return self.manifest

    # -- running dbt ---------------------------------------------------------

    def dbt(self, args: Sequence[str], vars: Mapping[str, Any] | None = None, expect_success: bool = True) -> Any:
        self.parsed()
        return self.project.run(list(args), vars=vars, expect_success=expect_success)

    def day(self, as_of: date, *, raw_changed: bool = False, expect_success: bool = True, **vars: Any) -> Any:
        """The pipeline's run for one day; ``raw_changed`` rebuilds staging too."""
        command = ["run", "--exclude", *(DAY_EXCLUDES if raw_changed else UNCHANGED_DAY_EXCLUDES)]
        return self.dbt(command, vars={"as_of_date": as_of.isoformat(), **vars}, expect_success=expect_success)

    # -- reading and writing -------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        return query_duckdb(self.db_path, sql, params)

    def rows(self, table: str, exclude: Iterable[str] = ()) -> list[tuple[Any, ...]]:
        """Every row of a model, all columns but ``exclude``, in a fixed order."""
        excluded = list(exclude)
        columns = f"* exclude ({', '.join(excluded)})" if excluded else "*"
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return con.execute(f"select {columns} from main.{table} order by all").fetchall()
        finally:
            con.close()

    def state(self) -> dict[str, list[tuple[Any, ...]]]:
        return {table: self.rows(table) for table in STATE_TABLES}

    def execute(self, *statements: str) -> None:
        con = duckdb.connect(str(self.db_path))
        try:
            for statement in statements:
                con.execute(statement)
            con.execute("checkpoint")
        finally:
            con.close()

    def tables(self) -> set[str]:
        return {r["table_name"] for r in self.query("select table_name from information_schema.tables")}

    def members(self, group_key: str | None = None) -> set[tuple[str, str]]:
        """(customer_id, group_key) of the current memberships model."""
        where = "" if group_key is None else f" where group_key = '{group_key}'"
        rows = self.query(f"select customer_id, group_key from main.{MEMBERSHIPS}{where}")
        return {(r["customer_id"], r["group_key"]) for r in rows}

    def open_stays(self, group_key: str | None = None) -> set[tuple[str, str]]:
        where = "" if group_key is None else f" and group_key = '{group_key}'"
        return {
            (r["customer_id"], r["group_key"])
            for r in self.query(f"select customer_id, group_key from main.{HISTORY} where valid_to is null{where}")
        }

    def events(self, where: str = "true") -> list[dict[str, Any]]:
        return self.query(f"select * from main.{EVENTS} where {where}")


# --------------------------------------------------------------------------
# Assertions
# --------------------------------------------------------------------------


def assert_same_rows(actual: list[tuple[Any, ...]], expected: list[tuple[Any, ...]], what: str) -> None:
    if actual == expected:
        return
    actual_counts, expected_counts = Counter(actual), Counter(expected)
    extra = list((actual_counts - expected_counts).elements())
    missing = list((expected_counts - actual_counts).elements())
    raise AssertionError(
        f"{what}: {len(actual)} rows, expected {len(expected)};"
        f" {len(extra)} unexpected, e.g. {extra[:5]}; {len(missing)} missing, e.g. {missing[:5]}"
    )


State = Mapping[str, list[tuple[Any, ...]]]


def assert_same_state(actual: State, expected: State, when: str) -> None:
    for table in expected:
        assert_same_rows(actual[table], expected[table], f"{table} {when}")


def assert_unique_event_ids(warehouse: Warehouse) -> None:
    duplicates = warehouse.query(
        f"select event_id, count(*) as n from main.{EVENTS} group by event_id having count(*) > 1 limit 5"
    )
    assert not duplicates, f"duplicate event_id: {duplicates}"


def assert_history_consistent(warehouse: Warehouse) -> None:
    """Each stay ends after it starts; a customer's stays in a group never
    overlap and only the last may be open; stay ids are unique."""
    stays = warehouse.query(
        f"select stay_id, customer_id, group_key, valid_from, valid_to from main.{HISTORY}"
        " order by customer_id, group_key, valid_from"
    )
    assert stays, "no history at all"
    assert len({s["stay_id"] for s in stays}) == len(stays), "duplicate stay_id"
    previous: dict[str, Any] | None = None
    for stay in stays:
        assert stay["valid_to"] is None or stay["valid_from"] < stay["valid_to"], f"stay ends before it starts: {stay}"
        if previous and (previous["customer_id"], previous["group_key"]) == (stay["customer_id"], stay["group_key"]):
            assert previous["valid_to"] is not None, f"a stay follows an open stay: {previous} then {stay}"
            assert previous["valid_to"] <= stay["valid_from"], f"overlapping stays: {previous} and {stay}"
        previous = stay


def failure_text(result: Any) -> str:
    """Every message of a failed dbt invocation, joined."""
    parts: list[str] = []
    if result.exception is not None:
        parts.append(str(result.exception))
    for node_result in getattr(result.result, "results", None) or []:
        if str(node_result.status) in {"error", "fail"} and node_result.message:
            parts.append(str(node_result.message))
    parts.extend(getattr(result, "messages", []))
    return "\n".join(parts)


def epoch(day: date, hour: int = 12) -> int:
    return int(datetime.combine(day, clock(hour), tzinfo=timezone.utc).timestamp())


# --------------------------------------------------------------------------
# Shared set-ups (read only)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated raw tables, before any dbt run."""
    from scripts.generate_data import generate

    path = tmp_path_factory.mktemp("raw") / DB_NAME
    generate(str(path), customers=CUSTOMERS, seed=GENERATOR_SEED, as_of=GENERATED_AS_OF, schema=RAW_SCHEMA, progress=False)
    return path


@dataclass(frozen=True)
class Chain:
    """D1..D5 run day by day on one file; a read-only copy after each day."""

    after: dict[date, Warehouse]
    manifest: Any
    writing_seconds: dict[date, float]  # per day after D1: see state_writing_seconds

    @property
    def typical_writing_seconds(self) -> float:
        """The median over D2..D5 of how long a run spends writing state."""
        measured = sorted(self.writing_seconds.values())
        return measured[len(measured) // 2]

    def fork(self, day: date, directory: Path) -> Warehouse:
        return self.after[day].fork(directory)


def state_writing_seconds(result: Any) -> float:
    """How long a run takes from the start of its first incremental model
    (history, events, frozen lists, run log) to the end of its last model."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    for node_result in result.result.results:
        timings = [t for t in node_result.timing if t.started_at and t.completed_at]
        if not timings:
            continue
        ends.append(max(t.completed_at for t in timings))
        if node_result.node.config.materialized == "incremental":
            starts.append(min(t.started_at for t in timings))
    assert starts, "no incremental model ran"
    return (max(ends) - min(starts)).total_seconds()


@pytest.fixture(scope="module")
def chain(raw_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Chain:
    root = tmp_path_factory.mktemp("chain")
    live = Warehouse.copy_of(raw_db, root / "live")
    live.dbt(["seed"])
    after: dict[date, Warehouse] = {}
    writing_seconds: dict[date, float] = {}
    for index, day in enumerate(DAYS):
        result = live.day(day, raw_changed=index == 0)
        if index:
            writing_seconds[day] = state_writing_seconds(result)
        after[day] = live.fork(root / f"after_{day}")
    return Chain(after=after, manifest=live.parsed(), writing_seconds=writing_seconds)


@pytest.fixture(scope="module")
def backfilled(raw_db: Path, chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """scripts/backfill.py replaying D1..D5 on a fresh copy of the raw data."""
    from scripts import backfill as backfill_script

    manifest = chain.manifest

    class ProjectSharingTheManifest(DbtProject):
        def __post_init__(self) -> None:
            super().__post_init__()
            self._manifest = manifest

    fresh = Warehouse.copy_of(raw_db, tmp_path_factory.mktemp("backfill"), manifest=manifest)
    assert HISTORY not in fresh.tables()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backfill_script, "DbtProject", ProjectSharingTheManifest)
        replayed = backfill_script.backfill(fresh.db_path, D1, D5, progress=False)
    assert replayed == DAYS
    return fresh


@pytest.fixture(scope="module")
def gap(chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """D1, then nothing until D5."""
    warehouse = chain.fork(D1, tmp_path_factory.mktemp("gap"))
    warehouse.day(D5)
    return warehouse


# Definition edits for the copy of the project (between D2 and D3).
DISABLED_GROUP = "first_time_buyers"  # large, and no group references it
NARROWED_GROUP, NARROWED_QUALIFIER, NARROWED_BOUND = "mid_value_customers", "lifetime_value", ("min_value", "100", "150")
WIDENED_GROUP, WIDENED_QUALIFIER, WIDENED_BOUND = "new_customers", "days_since_created", ("max_value", "30", "45")


def copy_project(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = PROJECT_DIR / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy2(source, destination / part)
    return destination


def edit_seed(path: Path, edit: Any, expected_edits: int) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    changed = sum(bool(edit(row)) for row in rows)
    assert changed == expected_edits, f"test set-up: {changed} rows of {path.name} edited, not {expected_edits}"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def definition_change(chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """After D2, someone disables one group and edits the bounds of two
    others in the seeds; the D3 run (with a churn guard above 10 members)
    loads them."""
    root = tmp_path_factory.mktemp("definition_change")
    project_dir = copy_project(root / "project")

    def disable(row: dict[str, str]) -> bool:
        if row["group_key"] == DISABLED_GROUP:
            assert row["enabled"] == "true"
            row["enabled"] = "false"
            return True
        return False

    def rebound(row: dict[str, str]) -> bool:
        for group_key, qualifier, (column, old, new) in (
            (NARROWED_GROUP, NARROWED_QUALIFIER, NARROWED_BOUND),
            (WIDENED_GROUP, WIDENED_QUALIFIER, WIDENED_BOUND),
        ):
            if (row["group_key"], row["qualifier"], row[column]) == (group_key, qualifier, old):
                row[column] = new
                return True
        return False

    edit_seed(project_dir / "seeds" / "customer_groups.csv", disable, expected_edits=1)
    edit_seed(project_dir / "seeds" / "customer_group_qualifiers.csv", rebound, expected_edits=2)
    warehouse = Warehouse.copy_of(chain.after[D2].db_path, root / "db", project_dir=project_dir)
    warehouse.dbt(["seed"])
    warehouse.day(D3, churn_guard_min_members=10)
    return warehouse


# --------------------------------------------------------------------------
# 1. Backfill = day by day
# --------------------------------------------------------------------------


def test_incremental_history_equals_a_from_scratch_replay(chain: Chain, backfilled: Warehouse) -> None:
    daily = chain.after[D5]
    assert_same_rows(backfilled.rows(HISTORY), daily.rows(HISTORY), "history, backfill vs daily runs")
    assert_same_rows(
        backfilled.rows(EVENTS, exclude=["recorded_by"]),
        daily.rows(EVENTS, exclude=["recorded_by"]),
        "events (but recorded_by), backfill vs daily runs",
    )
    assert_same_rows(backfilled.rows(MEMBERSHIPS), daily.rows(MEMBERSHIPS), "memberships on D5")
    assert {r["recorded_by"] for r in daily.events()} == {"daily_run"}
    assert {r["recorded_by"] for r in backfilled.events()} == {"backfill"}
    # The replay is worth comparing: memberships changed on every day after D1.
    changed_days = {r["occurred_on"] for r in daily.events(f"occurred_on > '{D1}'")}
    assert changed_days == set(DAYS[1:]), changed_days
    assert daily.events(f"event_name = '{REMOVED}'"), "no removal in five days: the scenario tests little"


# --------------------------------------------------------------------------
# 2. Rerunning a date
# --------------------------------------------------------------------------


def test_the_first_run_records_an_added_event_for_every_membership(chain: Chain) -> None:
    first = chain.after[D1]
    memberships = first.query(f"select customer_id, group_key, member_since from main.{MEMBERSHIPS}")
    assert len(memberships) > 1000
    events = first.events()
    assert {e["event_name"] for e in events} == {ADDED}
    assert {e["occurred_on"] for e in events} == {D1}
    assert Counter((e["customer_id"], e["group_key"]) for e in events) == Counter(
        (m["customer_id"], m["group_key"]) for m in memberships
    )
    assert {m["member_since"] for m in memberships} == {D1}
    open_stays = first.query(f"select * from main.{HISTORY} where valid_to is null")
    stays = {(s["customer_id"], s["group_key"]): s["valid_from"] for s in open_stays}
    assert {(m["customer_id"], m["group_key"]): m["member_since"] for m in memberships} == stays


def test_member_since_is_the_start_of_the_current_stay(chain: Chain) -> None:
    last = chain.after[D5]
    mismatched = last.query(
        f"""
        select m.customer_id, m.group_key, m.member_since, h.valid_from
        from main.{MEMBERSHIPS} as m
        left join main.{HISTORY} as h
            on m.customer_id = h.customer_id and m.group_key = h.group_key and h.valid_to is null
        where h.valid_from is distinct from m.member_since
        limit 5
        """
    )
    assert not mismatched, mismatched
    assert last.members() == last.open_stays()
    assert {r["member_since"] for r in last.query(f"select member_since from main.{MEMBERSHIPS}")} > {D1}


def test_rerunning_a_date_is_idempotent(chain: Chain, tmp_path: Path) -> None:
    warehouse = chain.fork(D2, tmp_path)
    first = warehouse.state()
    assert first[EVENTS], "no events"
    warehouse.day(D2)
    assert_same_state(warehouse.state(), first, "after running D2 a second time")
    assert_unique_event_ids(warehouse)


# --------------------------------------------------------------------------
# 3. Full refresh and reset
# --------------------------------------------------------------------------


def test_full_refresh_keeps_history_and_only_the_reset_operation_erases_it(chain: Chain, tmp_path: Path) -> None:
    warehouse = chain.fork(D3, tmp_path)
    before = warehouse.state()
    # Tests write nothing, and take long: the build rebuilds every seed and model.
    warehouse.dbt(
        ["build", "--full-refresh", "--exclude", "test_type:unit", "test_type:data"], vars={"as_of_date": D3.isoformat()}
    )
    assert_same_state(warehouse.state(), before, "after dbt build --full-refresh")

    refused = warehouse.dbt(["run-operation", "reset_customer_group_history"], expect_success=False)
    assert "confirm: erase history" in failure_text(refused), failure_text(refused)
    refused = warehouse.dbt(
        ["run-operation", "reset_customer_group_history", "--args", "{confirm: 'yes'}"], expect_success=False
    )
    assert "erase history" in failure_text(refused)
    assert_same_state(warehouse.state(), before, "after a reset without confirmation")

    warehouse.dbt(["run-operation", "reset_customer_group_history", "--args", "{confirm: erase history}"])
    assert not warehouse.tables() & set(STATE_TABLES), warehouse.tables() & set(STATE_TABLES)


# --------------------------------------------------------------------------
# 4. Gaps
# --------------------------------------------------------------------------


def test_a_gap_records_the_changes_on_the_run_date(chain: Chain, gap: Warehouse) -> None:
    assert_history_consistent(gap)
    assert_unique_event_ids(gap)
    later = gap.events(f"occurred_on > '{D1}'")
    assert later and {e["occurred_on"] for e in later} == {D5}
    assert not gap.query(
        f"select * from main.{HISTORY} where (valid_from > '{D1}' and valid_from <> '{D5}') or valid_to <> '{D5}'"
    ), "a stay starts or ends on a day that was never run"

    # The events of D5 are exactly the difference between the two runs.
    on_d1, on_d5 = chain.after[D1].members(), gap.members()
    added = {(e["customer_id"], e["group_key"]) for e in later if e["event_name"] == ADDED}
    removed = {(e["customer_id"], e["group_key"]) for e in later if e["event_name"] == REMOVED}
    assert added == on_d5 - on_d1
    assert removed == on_d1 - on_d5
    assert len(added) + len(removed) == len(later)
    assert gap.open_stays() == on_d5

    # Re-evaluated groups end where running every day ends.
    definitions = gap.query("select group_key, recalculation from main.customer_group_definitions")
    flexi = {r["group_key"] for r in definitions if r["recalculation"] == "flexi"}
    daily = chain.after[D5].members()
    assert {m for m in on_d5 if m[1] in flexi} == {m for m in daily if m[1] in flexi}


def test_a_fixed_segment_first_computed_after_a_gap_is_frozen_as_of_created_on(chain: Chain, gap: Warehouse) -> None:
    """SPEC: a fixed segment's members are those who qualified on created_on
    "(as of that date, whenever it is first computed)". D1, then D5: the
    list must be the one the chain froze on D2."""
    assert gap.members(FIXED_SEGMENT) == chain.after[D5].members(FIXED_SEGMENT)


AUDIENCE = "newsletter_reactivation_audience"  # created_on D2 in the seeds, like FIXED_SEGMENT


def test_an_audience_first_computed_after_a_gap_is_frozen_as_of_created_on(chain: Chain, gap: Warehouse) -> None:
    """D1, then D5: the audience's list is the one the chain froze on D2
    (its rules and exclusions as of created_on), and frozen lists record it."""
    assert chain.after[D5].members(AUDIENCE), "the audience is empty: the test proves little"
    assert gap.members(AUDIENCE) == chain.after[D5].members(AUDIENCE)
    assert gap.members(FIXED_SEGMENT) == chain.after[D5].members(FIXED_SEGMENT)
    frozen = gap.query(f"select distinct frozen_on from main.{FROZEN} where group_key = '{AUDIENCE}'")
    assert [r["frozen_on"] for r in frozen] == [D5]


LATE_GROUP = "spring_promo_buyers_copy"


def test_a_fixed_group_added_to_the_seeds_with_a_past_created_on_is_frozen_as_of_that_date(
    chain: Chain, tmp_path: Path
) -> None:
    """After D4 someone adds a fixed segment whose created_on (D2) is past,
    with spring_promo_buyers' rules: the D5 run freezes it as of D2, so it
    holds exactly the list spring_promo_buyers froze on D2, not who
    qualifies on D5; each member enters on D5 (the day it was computed)."""
    project_dir = copy_project(tmp_path / "project")
    groups_seed = project_dir / "seeds" / "customer_groups.csv"
    qualifiers_seed = project_dir / "seeds" / "customer_group_qualifiers.csv"
    for path in (groups_seed, qualifiers_seed):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            columns, rows = list(reader.fieldnames or []), list(reader)
        copies = [{**row, "group_key": LATE_GROUP} for row in rows if row["group_key"] == FIXED_SEGMENT]
        assert copies, f"test set-up: no {FIXED_SEGMENT} row in {path.name}"
        if path == groups_seed:
            copies[0]["name"] = "Spring promo buyers (copy)"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows([*rows, *copies])
    warehouse = Warehouse.copy_of(chain.after[D4].db_path, tmp_path / "db", project_dir=project_dir)
    warehouse.dbt(["seed"])
    warehouse.day(D5)

    frozen_on_d2 = {customer for customer, _ in chain.after[D2].members(FIXED_SEGMENT)}
    late = {customer for customer, _ in warehouse.members(LATE_GROUP)}
    assert late == frozen_on_d2
    assert late != qualifying(warehouse), "the rules give the same list on D5: the test proves little"
    events = warehouse.events(f"group_key = '{LATE_GROUP}'")
    assert {(e["event_name"], e["occurred_on"]) for e in events} == {(ADDED, D5)}
    assert {e["customer_id"] for e in events} == late


def test_a_first_run_after_locked_on_freezes_as_of_created_on_and_applies_only_actions_before_the_lock(
    chain: Chain, raw_db: Path, tmp_path: Path
) -> None:
    """The audience is created on D2 and locks on D4. A manual remove on D3
    (before the lock) and a manual add on D4 (on the lock day: ignored). A
    project whose first run is D5 must hold what running every day from D1
    holds: the list as of D2, less the D3 removal, without the D4 add."""
    project_dir = copy_project(tmp_path / "project")

    def lock_on_d4(row: dict[str, str]) -> bool:
        if row["group_key"] == AUDIENCE:
            row["locked_on"] = D4.isoformat()
            return True
        return False

    edit_seed(project_dir / "seeds" / "customer_groups.csv", lock_on_d4, expected_edits=1)
    listed = sorted(c for c, _ in chain.after[D5].members(AUDIENCE))
    outsider = sorted(
        r["customer_id"]
        for r in chain.after[D5].query("select customer_id from main.customer_metrics order by customer_id")
        if (r["customer_id"], AUDIENCE) not in chain.after[D5].members(AUDIENCE)
    )[0]
    assert listed, "the audience is empty: the test proves little"
    removed = listed[0]
    actions = (
        f"insert into {RAW_SCHEMA}.customer_group_action values"
        f" ('cga_91000001', '{removed}', '{AUDIENCE}', 'remove', 'test', {epoch(D3)}),"
        f" ('cga_91000002', '{outsider}', '{AUDIENCE}', 'add', 'test', {epoch(D4)})"
    )

    daily = Warehouse.copy_of(raw_db, tmp_path / "daily", project_dir=project_dir)
    daily.execute(actions)
    daily.dbt(["seed"])
    for index, day in enumerate(DAYS):
        daily.day(day, raw_changed=index == 0)

    late = Warehouse.copy_of(raw_db, tmp_path / "late", project_dir=project_dir, manifest=daily.parsed())
    late.execute(actions)
    late.dbt(["seed"])
    late.day(D5, raw_changed=True)

    expected = {c for c, _ in chain.after[D5].members(AUDIENCE)} - {removed}
    assert {c for c, _ in daily.members(AUDIENCE)} == expected
    assert {c for c, _ in late.members(AUDIENCE)} == expected
    outcomes = late.query(
        "select customer_group_action_id, outcome from main.customer_group_action_outcomes"
        " where customer_group_action_id like 'cga_91%' order by 1"
    )
    assert [r["outcome"] for r in outcomes] == ["applied", "ignored_audience_locked"], outcomes


def test_memberships_on_a_date_from_the_history_equal_that_day_s_run(chain: Chain, tmp_path: Path) -> None:
    """The analysts' as-of interface (macro memberships_on, README): on the
    history after D5, the members of every group on each day, and the groups
    of one customer on D3, are what that day's run published."""
    warehouse = chain.fork(D5, tmp_path)

    def shown(inline: str) -> set[tuple[str, str]]:
        result = warehouse.dbt(["show", "--inline", inline, "--limit", "-1"])
        return {(row["customer_id"], row["group_key"]) for row in result.result.results[0].agate_table.rows}

    for day in DAYS:
        assert shown(f"{{{{ memberships_on('{day}') }}}}") == chain.after[day].members(), day
    customer = sorted(chain.after[D3].members())[0][0]
    on_d3 = {m for m in chain.after[D3].members() if m[0] == customer}
    assert shown(f"{{{{ memberships_on('{D3}', customer_id='{customer}') }}}}") == on_d3
    assert shown(f"{{{{ memberships_on('{D3}', group_key='{FIXED_SEGMENT}') }}}}") == chain.after[D3].members(
        FIXED_SEGMENT
    )


# --------------------------------------------------------------------------
# 5. Going back in time
# --------------------------------------------------------------------------


def test_a_run_for_an_earlier_date_stops_unless_it_is_a_backfill(chain: Chain, tmp_path: Path) -> None:
    warehouse = chain.fork(D3, tmp_path)
    before = warehouse.state()
    published = {table: warehouse.rows(table) for table in PUBLISHED_TABLES}
    refused = warehouse.day(D2, expect_success=False)
    text = failure_text(refused)
    assert D2.isoformat() in text and D3.isoformat() in text, text
    assert "earlier than the last date processed" in text, text
    assert_same_state(warehouse.state(), before, "after a refused run for an earlier date")
    # Refused before any model ran: nothing people read was rebuilt for D2.
    assert_same_state({t: warehouse.rows(t) for t in PUBLISHED_TABLES}, published, "after a refused run")

    warehouse.day(D2, backfill=True)
    replayed = chain.after[D2]
    assert_same_rows(warehouse.rows(HISTORY), replayed.rows(HISTORY), "history after backfilling D2")
    assert_same_rows(
        warehouse.rows(EVENTS, exclude=["recorded_by"]),
        replayed.rows(EVENTS, exclude=["recorded_by"]),
        "events after backfilling D2",
    )
    assert warehouse.query(f"select max(as_of_date) as last from main.{RUN_LOG}")[0]["last"] == D2


# --------------------------------------------------------------------------
# 6. The churn guard
# --------------------------------------------------------------------------


CHURN_GUARD = {"churn_guard_min_members": 10}


@dataclass(frozen=True)
class RefusedRun:
    """A bad load (nine in ten successful sales gone) after D1, and the run
    for D2 that the churn guard stopped."""

    warehouse: Warehouse
    before: dict[str, list[tuple[Any, ...]]]
    repeat_buyers_before: int
    message: str
    offenders: dict[str, tuple[int, int]]  # group_key: (removed, members)


@pytest.fixture(scope="module")
def churn_refused(chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> RefusedRun:
    warehouse = chain.fork(D1, tmp_path_factory.mktemp("churn"))
    repeat_buyers_before = len(warehouse.open_stays("repeat_buyers"))
    warehouse.execute(f"delete from {RAW_SCHEMA}.sale where lower(trim(status)) = 'success' and hash(id) % 10 <> 0")
    before = {**warehouse.state(), **{table: warehouse.rows(table) for table in PUBLISHED_TABLES}}
    refused = warehouse.day(D2, raw_changed=True, expect_success=False, **CHURN_GUARD)
    message = failure_text(refused)
    offenders = {m[1]: (int(m[2]), int(m[3])) for m in CHURN_OFFENDER.finditer(message)}
    return RefusedRun(warehouse, before, repeat_buyers_before, message, offenders)


def test_the_churn_guard_stops_a_mass_removal_naming_groups_and_counts(churn_refused: RefusedRun) -> None:
    refused = churn_refused
    assert "Churn guard" in refused.message and "repeat_buyers" in refused.offenders, refused.message
    assert refused.repeat_buyers_before > 100
    removed, members = refused.offenders["repeat_buyers"]
    assert members == refused.repeat_buyers_before
    assert members / 2 < removed <= members
    for group_key, (group_removed, group_members) in refused.offenders.items():
        assert group_members > 10 and group_removed > group_members / 2, (group_key, refused.message)
    assert D2.isoformat() in refused.message and "allow_mass_removal" in refused.message
    after = refused.warehouse.state()
    for table in (HISTORY, EVENTS, RUN_LOG):
        assert_same_rows(after[table], refused.before[table], f"{table} after the churn guard stopped the run")


def test_a_run_stopped_by_the_churn_guard_writes_no_frozen_list(churn_refused: RefusedRun) -> None:
    """'Nothing was written', says the guard; D2 is the created_on of the fixed groups."""
    assert_same_rows(
        churn_refused.warehouse.rows(FROZEN),
        churn_refused.before[FROZEN],
        "frozen lists after the churn guard stopped the run",
    )


def test_a_run_stopped_by_the_churn_guard_replaces_no_published_table(churn_refused: RefusedRun) -> None:
    """The guard decides before any mart is replaced: the bad load (nine in
    ten successful sales gone) must not reach customer_metrics either."""
    for table in PUBLISHED_TABLES:
        assert_same_rows(
            churn_refused.warehouse.rows(table),
            churn_refused.before[table],
            f"{table} after the churn guard stopped the run",
        )


def test_the_churn_guard_lets_through_the_groups_it_is_told_to(churn_refused: RefusedRun, tmp_path: Path) -> None:
    warehouse = churn_refused.warehouse.fork(tmp_path)  # staging already holds the bad load
    offenders = churn_refused.offenders
    assert offenders
    if len(offenders) > 1:  # allowing some groups is not allowing all
        partly = warehouse.day(D2, expect_success=False, allow_mass_removal=["repeat_buyers"], **CHURN_GUARD)
        still = {m[1] for m in CHURN_OFFENDER.finditer(failure_text(partly))}
        assert still == set(offenders) - {"repeat_buyers"}, failure_text(partly)
        for table in (HISTORY, EVENTS, RUN_LOG):
            assert_same_rows(warehouse.rows(table), churn_refused.before[table], f"{table} after a partly allowed run")

    warehouse.day(D2, allow_mass_removal=sorted(offenders), **CHURN_GUARD)
    for group_key, (removed, _) in offenders.items():
        removals = warehouse.events(f"event_name = '{REMOVED}' and occurred_on = '{D2}' and group_key = '{group_key}'")
        assert len(removals) == removed, group_key
    repeat_buyers_left = warehouse.events(f"event_name = '{REMOVED}' and group_key = 'repeat_buyers'")
    assert {e["reason"] for e in repeat_buyers_left} == {"disqualified"}
    allowed_by_list = warehouse.state()

    warehouse.day(D2, allow_mass_removal=True, **CHURN_GUARD)
    assert_same_state(warehouse.state(), allowed_by_list, "allowed with true vs with the list of groups")


def test_the_churn_guard_does_not_block_disabling_a_group(definition_change: Warehouse, chain: Chain) -> None:
    members_before = len(chain.after[D2].open_stays(DISABLED_GROUP))
    assert members_before > 10  # the fixture ran D3 with churn_guard_min_members 10
    removals = definition_change.events(f"group_key = '{DISABLED_GROUP}' and occurred_on = '{D3}'")
    assert len(removals) == members_before
    assert not definition_change.members(DISABLED_GROUP)


# --------------------------------------------------------------------------
# 7. Interrupted runs
# --------------------------------------------------------------------------


@dataclass
class DbtCli:
    """The dbt CLI run as a separate process on one warehouse, as a
    scheduler runs it, so a test can SIGKILL it (its whole process group)."""

    warehouse: Warehouse
    work: Path
    outputs: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        write_profiles(self.work / "cli", self.warehouse.db_path)

    def start(self, day: date) -> tuple[subprocess.Popen[bytes], Path]:
        dbt = Path(sys.executable).parent / "dbt"
        cli = self.work / "cli"
        output = self.work / f"dbt_{len(self.outputs):02d}_{day}.out"
        self.outputs.append(output)
        command = [
            str(dbt), "run", "--exclude", *UNCHANGED_DAY_EXCLUDES,
            "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(cli),
            "--target-path", str(cli / "target"), "--log-path", str(cli / "logs"),
            "--vars", json.dumps({"as_of_date": day.isoformat()}),
        ]
        with output.open("wb") as handle:
            process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        return process, output

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> int:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait()

    @staticmethod
    def wait_for(process: subprocess.Popen[bytes], output: Path, marker: str) -> bool:
        """Wait until dbt prints ``marker``; False if it ended first."""
        deadline = time.monotonic() + 600
        while marker not in output.read_text(errors="replace"):
            if process.poll() is not None:
                return False
            assert time.monotonic() < deadline, f"dbt never printed {marker!r}"
            time.sleep(0.01)
        return True


def test_interrupted_runs_converge(chain: Chain, tmp_path: Path) -> None:
    """Kill the dbt CLI (SIGKILL to its process group) at random points of
    the runs for D2 and D3, twice each, then let each run complete: the
    result is what uninterrupted runs gave, with no event lost or doubled.

    A kill while dbt parses, or while it rebuilds the tables that every run
    replaces, leaves nothing to converge; so the clock of a kill starts when
    the first incremental model starts, and the delay is drawn between 0 and
    the time the chain's runs took from there to their end (measured first,
    by the chain fixture)."""
    warehouse = chain.fork(D1, tmp_path / "db")
    cli = DbtCli(warehouse, tmp_path)
    attempts = cli.outputs
    start = cli.start

    def wait_until_writing_state(process: subprocess.Popen[bytes], output: Path) -> None:
        assert cli.wait_for(process, output, "START sql incremental model"), (
            f"dbt ended before writing state:\n{output.read_text()[-3000:]}"
        )

    typical = chain.typical_writing_seconds
    rng = random.Random(20260630)
    kills: list[str] = []
    process: subprocess.Popen[bytes] | None = None
    try:
        for day in (D2, D3):
            killed = 0
            while killed < 2:
                assert len(attempts) < 16, f"could not interrupt the runs: {kills}"
                process, output = start(day)
                wait_until_writing_state(process, output)
                delay = rng.uniform(0.0, typical)
                try:
                    code = process.wait(timeout=delay)
                except subprocess.TimeoutExpired:
                    code = cli.kill(process)
                if code == -signal.SIGKILL:
                    killed += 1
                    kills.append(f"{day} killed {delay:.1f}s into the state")
                else:  # it ended first
                    assert code == 0, output.read_text()[-3000:]
                    kills.append(f"{day} finished within {delay:.1f}s")
            process, output = start(day)
            assert process.wait(timeout=600) == 0, output.read_text()[-3000:]
    finally:
        if process is not None and process.poll() is None:
            cli.kill(process)

    expected = chain.after[D3]
    assert_same_state(warehouse.state(), expected.state(), f"after interrupted runs ({kills}; typical {typical:.1f}s)")
    assert_unique_event_ids(warehouse)


# --------------------------------------------------------------------------
# 8. Events
# --------------------------------------------------------------------------


def test_events_are_well_formed(chain: Chain, backfilled: Warehouse, gap: Warehouse, definition_change: Warehouse) -> None:
    databases = {"daily": chain.after[D5], "backfill": backfilled, "gap": gap, "definition change": definition_change}
    for name, warehouse in databases.items():
        events = warehouse.events()
        assert events, name
        assert {e["event_name"] for e in events} <= EVENT_NAMES, name
        assert {e["reason"] for e in events} <= REASONS, (name, {e["reason"] for e in events} - REASONS)
        assert_unique_event_ids(warehouse)
        for column in ("event_id", "customer_id", "group_key", "occurred_on", "reason"):
            assert all(e[column] is not None for e in events), (name, column)
        added = {e["reason"] for e in events if e["event_name"] == ADDED}
        removed = {e["reason"] for e in events if e["event_name"] == REMOVED}
        assert added <= {"qualified", "manual_add", "definition_changed"}, (name, added)
        assert removed <= REASONS - {"qualified", "manual_add"}, (name, removed)


def test_the_same_change_gets_the_same_event_id_in_separate_databases(
    chain: Chain, backfilled: Warehouse, definition_change: Warehouse
) -> None:
    def ids(warehouse: Warehouse, where: str = "true") -> dict[tuple[Any, ...], str]:
        return {
            (e["customer_id"], e["group_key"], e["event_name"], e["occurred_on"]): e["event_id"]
            for e in warehouse.events(where)
        }

    daily = ids(chain.after[D5])
    assert ids(backfilled) == daily
    # D3 in a database whose other groups' definitions changed: the events of
    # the unchanged groups carry the same ids as in the chain.
    changed = (DISABLED_GROUP, NARROWED_GROUP, WIDENED_GROUP)
    others = f"group_key not in {changed!r} and occurred_on <= '{D3}'"
    assert ids(definition_change, others) == ids(chain.after[D3], others)
    # Different changes never share an id.
    assert len(set(daily.values())) == len(daily)


def test_disabling_a_group_removes_its_members_with_reason_group_disabled(
    definition_change: Warehouse, chain: Chain
) -> None:
    before = chain.after[D2].open_stays(DISABLED_GROUP)
    events = definition_change.events(f"group_key = '{DISABLED_GROUP}' and occurred_on = '{D3}'")
    assert {(e["customer_id"], e["group_key"]) for e in events} == before
    assert {(e["event_name"], e["reason"]) for e in events} == {(REMOVED, "group_disabled")}
    assert not definition_change.open_stays(DISABLED_GROUP)


def test_a_changed_definition_records_reason_definition_changed(definition_change: Warehouse, chain: Chain) -> None:
    changes = definition_change.events(f"occurred_on = '{D3}'")
    narrowed = [e for e in changes if e["group_key"] == NARROWED_GROUP]
    widened = [e for e in changes if e["group_key"] == WIDENED_GROUP]
    assert any(e["event_name"] == REMOVED for e in narrowed), narrowed
    assert any(e["event_name"] == ADDED for e in widened), widened
    for event in narrowed + widened:
        assert event["reason"] == "definition_changed", event
    # Those who left the narrowed group fail its new definition, and some of
    # them only its new bound (lifetime value 100 to 150).
    left = {e["customer_id"] for e in narrowed if e["event_name"] == REMOVED}
    values = {
        r["customer_id"]: r["lifetime_value"]
        for r in definition_change.query("select customer_id, lifetime_value from main.customer_metrics")
        if r["customer_id"] in left
    }
    assert set(values) == left
    assert all(value is None or not 150 <= value <= Decimal("999.99") for value in values.values()), values
    assert any(value is not None and 100 <= value < 150 for value in values.values()), values
    # Groups whose definitions did not change keep data-driven reasons.
    unchanged = {e["reason"] for e in changes if e["group_key"] not in (NARROWED_GROUP, WIDENED_GROUP, DISABLED_GROUP)}
    assert unchanged <= {"qualified", "disqualified", "manual_add", "manual_remove"}, unchanged


# --------------------------------------------------------------------------
# 9. Fixed segments
# --------------------------------------------------------------------------


SPRING_PROMO_RULES = "successful_sales >= 1 and days_since_last_sale <= 90"  # its rows in the qualifier seed


def qualifying(warehouse: Warehouse) -> set[str]:
    """Who passes spring_promo_buyers' rules on the warehouse's last as_of_date."""
    rows = warehouse.query(f"select customer_id from main.customer_metrics where {SPRING_PROMO_RULES}")
    return {r["customer_id"] for r in rows}


def test_a_fixed_segment_is_frozen_on_created_on_and_then_changes_only_by_hand(chain: Chain, tmp_path: Path) -> None:
    # No members before created_on.
    before = chain.after[D1]
    assert not before.members(FIXED_SEGMENT)
    assert not before.events(f"group_key = '{FIXED_SEGMENT}'")

    # On created_on: who qualifies that day, as a frozen list.
    frozen_day = chain.after[D2]
    sources = frozen_day.query(f"select distinct source from main.{MEMBERSHIPS} where group_key = '{FIXED_SEGMENT}'")
    assert [r["source"] for r in sources] == ["frozen"]
    qualified_on_d2 = qualifying(frozen_day)
    frozen = {customer for customer, _ in frozen_day.members(FIXED_SEGMENT)}
    assert frozen and frozen == qualified_on_d2
    log = frozen_day.query(
        f"select frozen_on from main.{RUN_LOG} where group_key = '{FIXED_SEGMENT}' and as_of_date = '{D2}'"
    )
    assert [r["frozen_on"] for r in log] == [D2]

    # Later days follow the list, not the rules, though the rules' verdicts change as days pass.
    for day in DAYS[2:]:
        assert {c for c, _ in chain.after[day].members(FIXED_SEGMENT)} == frozen, day

    # Raw data changes so the rules would give another list; manual actions after created_on edit it.
    warehouse = chain.fork(D2, tmp_path)
    members = sorted(frozen)
    outsiders = sorted(
        r["customer_id"]
        for r in frozen_day.query(
            "select customer_id from main.customer_metrics where successful_sales = 0 and days_since_created > 10"
        )
    )
    assert len(members) >= 4 and len(outsiders) >= 5
    lose_sales, manually_removed = members[:3], members[3]
    gain_sales, manually_added, added_too_early = outsiders[:3], outsiders[3], outsiders[4]
    in_list = lambda ids: "(" + ", ".join(f"'{i}'" for i in ids) + ")"  # noqa: E731
    warehouse.execute(
        f"delete from {RAW_SCHEMA}.sale where customer_id in {in_list(lose_sales)}",
        *(
            f"insert into {RAW_SCHEMA}.sale values ('sal_9{index:08d}', '{customer}', 'cmp_1', null, 'success', false,"
            f" 50.00, 48.00, 'USD', {epoch(D3, 9)}, {epoch(D3, 9)})"
            for index, customer in enumerate(gain_sales)
        ),
        f"insert into {RAW_SCHEMA}.customer_group_action values"
        f" ('cga_90000001', '{manually_added}', '{FIXED_SEGMENT}', 'add', 'test', {epoch(D3)}),"
        f" ('cga_90000002', '{manually_removed}', '{FIXED_SEGMENT}', 'remove', 'test', {epoch(D3)}),"
        f" ('cga_90000003', '{added_too_early}', '{FIXED_SEGMENT}', 'add', 'test', {epoch(date(2026, 5, 20))})",
    )
    warehouse.day(D3, raw_changed=True)

    qualified_on_d3 = qualifying(warehouse)
    assert set(lose_sales) <= frozen - qualified_on_d3 and set(gain_sales) <= qualified_on_d3 - frozen  # the rules moved
    rows = warehouse.query(f"select customer_id, source from main.{MEMBERSHIPS} where group_key = '{FIXED_SEGMENT}'")
    now = {r["customer_id"]: r["source"] for r in rows}
    assert set(now) == (frozen - {manually_removed}) | {manually_added}
    assert now[manually_added] == "manual"
    assert {source for customer, source in now.items() if customer != manually_added} == {"frozen"}
    events = warehouse.events(f"group_key = '{FIXED_SEGMENT}' and occurred_on = '{D3}'")
    assert sorted((e["customer_id"], e["event_name"], e["reason"]) for e in events) == sorted(
        [(manually_added, ADDED, "manual_add"), (manually_removed, REMOVED, "manual_remove")]
    )
    outcomes = warehouse.query(
        "select customer_group_action_id, outcome from main.customer_group_action_outcomes"
        " where customer_group_action_id like 'cga_9%' order by 1"
    )
    assert [r["outcome"] for r in outcomes] == ["applied", "applied", "ignored_before_created_on"], outcomes


# --------------------------------------------------------------------------
# 10. Unfinished runs and the guards on as_of_date
# --------------------------------------------------------------------------

UNFINISHED = re.compile(r"The run for (\d{4}-\d{2}-\d{2}) did not finish")


def test_a_day_whose_events_were_never_written_stops_the_next_day_until_it_is_rerun(
    chain: Chain, tmp_path: Path
) -> None:
    """D3 writes its history, then stops before the events (as when an
    error-level test on the history fails and dbt skips the rest). D4 must
    not run over it: it stops naming D3; running D3 again completes it, and
    D4 then gives what uninterrupted runs gave."""
    warehouse = chain.fork(D2, tmp_path)
    warehouse.dbt(
        ["run", "--exclude", *UNCHANGED_DAY_EXCLUDES, EVENTS, FROZEN, RUN_LOG],
        vars={"as_of_date": D3.isoformat()},
    )
    assert warehouse.query(f"select count(*) as n from main.{HISTORY} where valid_from = '{D3}'")[0]["n"] > 0
    before = warehouse.state()
    refused = warehouse.day(D4, expect_success=False)
    text = failure_text(refused)
    assert UNFINISHED.search(text) and UNFINISHED.search(text)[1] == D3.isoformat(), text
    assert f"as_of_date: \"{D3}\"" in text, text
    assert_same_state(warehouse.state(), before, "after the refused run for D4")

    warehouse.day(D3)
    warehouse.day(D4)
    assert_same_state(warehouse.state(), chain.after[D4].state(), "after rerunning D3, then D4")


def test_an_empty_impossible_or_future_date_var_is_refused_before_anything_runs(chain: Chain, tmp_path: Path) -> None:
    warehouse = chain.fork(D2, tmp_path)
    before = {**warehouse.state(), **{t: warehouse.rows(t) for t in PUBLISHED_TABLES}}
    empty = failure_text(warehouse.dbt(["run"], vars={"as_of_date": ""}, expect_success=False))
    assert "var as_of_date is empty" in empty, empty
    impossible = failure_text(warehouse.dbt(["run"], vars={"as_of_date": "2026-02-30"}, expect_success=False))
    assert "var as_of_date must be a real date written YYYY-MM-DD, got '2026-02-30'" in impossible, impossible
    impossible_start = failure_text(
        warehouse.dbt(
            ["run"], vars={"as_of_date": D2.isoformat(), "backfill_start_date": "2026-04-31"}, expect_success=False
        )
    )
    assert "var backfill_start_date must be a real date written YYYY-MM-DD" in impossible_start, impossible_start
    future = failure_text(warehouse.dbt(["run"], vars={"as_of_date": "2100-01-01"}, expect_success=False))
    assert "2100-01-01 is after today" in future and "allow_future_as_of_date" in future, future
    after = {**warehouse.state(), **{t: warehouse.rows(t) for t in PUBLISHED_TABLES}}
    assert_same_state(after, before, "after refused runs")

    # On purpose, a future date evaluates (here only the metrics).
    warehouse.dbt(
        ["run", "--select", "+customer_metrics", "--exclude", *UNCHANGED_DAY_EXCLUDES],
        vars={"as_of_date": "2100-01-01", "allow_future_as_of_date": True},
    )
    assert {r["d"] for r in warehouse.query("select distinct as_of_date as d from main.customer_metrics")} == {
        date(2100, 1, 1)
    }


def test_killed_runs_across_three_days_reach_the_uninterrupted_history(chain: Chain, tmp_path: Path) -> None:
    """The scheduler's view: the dbt CLI is SIGKILLed at 10 random points of
    the runs for D2..D4 (the first right after the history is written,
    before the events). A kill that left writes for its day is followed by
    the run for the next day, which must stop naming the unfinished day;
    the operator runs that day again, then goes on. (A kill that left no
    writes leaves no trace: the next date would treat the day as a gap, as
    for a day without a run, so the driver retries the same day.) At the
    end history, events, frozen lists and run log are exactly those of
    uninterrupted runs."""
    warehouse = chain.fork(D1, tmp_path / "db")
    cli = DbtCli(warehouse, tmp_path)
    outputs, start, kill, wait_for = cli.outputs, cli.start, cli.kill, cli.wait_for

    def writes_for(day: date) -> bool:
        found = warehouse.query(
            f"select (select count(*) from main.{HISTORY} where valid_from = ? or valid_to = ?)"
            f" + (select count(*) from main.{EVENTS} where occurred_on = ?) as n",
            [day, day, day],
        )
        return found[0]["n"] > 0

    rng = random.Random(20261130)
    typical = chain.typical_writing_seconds
    plan = [D2, D3, D4]
    kills_left = 10
    between_history_and_events = True  # the first kill lands exactly there
    log: list[str] = []
    process: subprocess.Popen[bytes] | None = None
    day_index = 0
    try:
        while day_index < len(plan):
            assert len(outputs) < 60, log
            day = plan[day_index]
            process, output = start(day)
            if kills_left and wait_for(process, output, "START sql incremental model"):
                if between_history_and_events:
                    wait_for(process, output, f"OK created sql incremental model main.{HISTORY}")
                    delay = 0.0
                else:
                    delay = rng.uniform(0.0, typical)
                try:
                    code = process.wait(timeout=delay) if delay else kill(process)
                except subprocess.TimeoutExpired:
                    code = kill(process)
                if code == -signal.SIGKILL:
                    kills_left -= 1
                    log.append(f"{day} killed {'after history' if between_history_and_events else f'{delay:.1f}s in'}")
                    between_history_and_events = False
                    if writes_for(day) and day_index + 1 < len(plan):
                        day_index += 1  # the scheduler goes on; the next run must refuse
                    continue
            else:
                code = process.wait(timeout=600)
            text = output.read_text(errors="replace")
            if code != 0:
                unfinished = UNFINISHED.search(text)
                assert unfinished, text[-3000:]
                log.append(f"{day} refused: {unfinished[1]} unfinished")
                day_index = plan.index(date.fromisoformat(unfinished[1]))
                continue
            log.append(f"{day} done")
            day_index += 1
    finally:
        if process is not None and process.poll() is None:
            kill(process)

    assert kills_left == 0, log
    assert any("refused" in entry for entry in log), f"no run found an unfinished day: {log}"
    assert_same_state(warehouse.state(), chain.after[D4].state(), f"after killed runs: {log}")
    assert_unique_event_ids(warehouse)
