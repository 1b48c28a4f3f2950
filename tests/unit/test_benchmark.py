"""scripts/benchmark.py's own logic (no dbt): sharded generation keeps ids
unique and references inside their shard, the floor query runs on generated
data, and the Markdown table reports ratios to the floor. Speed itself is
never asserted."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import duckdb

from scripts.benchmark import (
    Measure,
    StepFailed,
    evolve,
    failure_reason,
    generate_raw,
    measure_floor,
    render,
    repeat,
    run_reporting_peak_rss,
)

AS_OF = dt.date(2026, 6, 30)


def test_sharded_generation_keeps_ids_unique_and_references_resolvable(tmp_path: Path) -> None:
    raw = tmp_path / "raw.duckdb"
    generate_raw(raw, customers=300, as_of=AS_OF, shard_customers=150)
    con = duckdb.connect(str(raw), read_only=True)
    try:
        schemas = {row[0] for row in con.execute("select schema_name from information_schema.schemata").fetchall()}
        assert not any(name.startswith("shard_") for name in schemas), schemas
        shards = con.execute(
            "select count(distinct regexp_extract(id, '^cus_([0-9]+)_', 1)) from raw_revcent.customer where id like 'cus_%'"
        ).fetchone()
        assert shards == (2,)
        dangling = con.execute(
            """
            select count(*) from raw_revcent.sale as s
            where s.customer_id like 'cus_%'
                and not exists (select 1 from raw_revcent.customer as c where c.id = s.customer_id)
            """
        ).fetchone()
        good_sales = con.execute("select count(*) from raw_revcent.sale").fetchone()
        assert dangling is not None and good_sales is not None
        # The generator's injected dangling references are a few rows per shard, never most.
        assert dangling[0] < good_sales[0] * 0.01
    finally:
        con.close()
    assert measure_floor(raw, AS_OF, repeats=1).seconds


def test_sharded_data_keeps_the_bad_row_manifest_and_can_be_simulated_a_day_on(tmp_path: Path) -> None:
    """The daily simulation counts the manifest: without it the 10M run's
    next day failed after its first build."""
    raw = tmp_path / "raw.duckdb"
    generate_raw(raw, customers=300, as_of=AS_OF, shard_customers=150)
    con = duckdb.connect(str(raw), read_only=True)
    try:
        unmatched = con.execute(
            """
            select count(*) from raw_revcent._injected_bad_rows as manifest
            where manifest.source_table = 'customer' and manifest.raw_id is not null
                and not exists (select 1 from raw_revcent.customer as c where c.id = manifest.raw_id)
            """
        ).fetchone()
        listed = con.execute(
            "select count(distinct regexp_extract(raw_id, '^cus_([0-9]+)_', 1))"
            " from raw_revcent._injected_bad_rows where source_table = 'customer'"
        ).fetchone()
    finally:
        con.close()
    assert unmatched == (0,)
    assert listed == (2,)
    evolve(raw, AS_OF + dt.timedelta(days=1), customers=300)


def test_render_reports_ratios_to_the_floor() -> None:
    args = argparse.Namespace(threads=2, repeats=3, history_days=60, groups=[10, 200])
    results = {
        "floor": Measure(seconds=[1.0, 2.0, 3.0]),
        "first full build": Measure(seconds=[20.0, 30.0, 40.0], peak_rss=[10**9, 3 * 10**9, 10**9]),
        "group evaluation, 10 groups": Measure(seconds=[1.0]),
        "group evaluation, 200 groups": Measure(seconds=[2.5]),
    }
    _, markdown = render(1000, results, args)
    assert "| first full build | 30.0 | 15.0 | 3.00 GB |" in markdown
    assert "200 groups take 2.5× the time of 10." in markdown


def test_a_failed_step_is_recorded_with_its_reason_and_the_table_still_written() -> None:
    def out_of_memory(number: int) -> tuple[float, int]:
        if number == 1:
            output = "12:00:01  Failure in model int_x\n  Out of Memory Error: failed to allocate 1.0 GiB (3.9 GiB/4.0 GiB used)\n"
            raise StepFailed(f"dbt run failed: {failure_reason(output)}", output)
        return 5.0, 2**30

    measure = repeat(3, out_of_memory)
    assert measure.seconds == [5.0]
    assert measure.median is None
    assert measure.failure is not None and "Out of Memory Error: failed to allocate" in measure.failure

    args = argparse.Namespace(threads=2, repeats=3, history_days=0, groups=[10, 200])
    results = {
        "floor": Measure(seconds=[2.0]),
        "first full build": Measure(seconds=[40.0]),
        "group evaluation, 10 groups": Measure(seconds=[4.0]),
        "group evaluation, 200 groups": measure,
    }
    _, markdown = render(1000, results, args)
    assert "| first full build | 40.0 | 20.0 | — |" in markdown
    assert "| group evaluation, 200 groups | failed: dbt run failed: Out of Memory Error" in markdown
    assert "the time of 10" not in markdown


def test_peak_rss_is_the_childs_own_not_this_processs(tmp_path: Path) -> None:
    # wait4's ru_maxrss would report at least this process's 1 GB: Linux
    # keeps the high-water mark across fork and exec.
    held = bytearray(1_000_000_000)
    held[:: 4096] = b"\x01" * len(range(0, len(held), 4096))
    returncode, output, peak_rss = run_reporting_peak_rss("dbt.cli.main:cli", ["--version"], tmp_path)
    assert returncode == 0, output
    assert b"Core" in output
    assert 10_000_000 < peak_rss < 500_000_000
    returncode, output, _ = run_reporting_peak_rss("dbt.cli.main:cli", ["no-such-command"], tmp_path)
    assert returncode == 2
    assert b"No such command" in output


def test_the_table_says_which_targets_are_met_and_what_limits_a_missed_one() -> None:
    args = argparse.Namespace(threads=2, repeats=1, history_days=60, groups=[10, 200])
    results = {
        "floor": Measure(seconds=[5.0]),
        "first full build": Measure(seconds=[90.0], peak_rss=[3 * 10**9]),
        "next day": Measure(seconds=[60.0], peak_rss=[4_500_000_000]),
        "next day after 60 days of history": Measure(seconds=[66.0]),
        "group evaluation, 10 groups": Measure(seconds=[4.0]),
        "group evaluation, 200 groups": Measure(seconds=[12.0]),
    }
    _, markdown = render(1_000_000, results, args)
    assert "| first full build ≤ 20× the floor | 18.0× | met |" in markdown
    assert "| next day ≤ 10× the floor | 12.0× | missed: the raw tables carry no load time" in markdown
    assert "costs what the next day costs (within 25 %) | 1.10× the next day | met |" in markdown
    assert "| 200 groups ≤ 3× the time of 10 | 3.0× | met |" in markdown
    assert "| peak RSS of dbt ≤ 4 GB | 4.50 GB | missed: DuckDB's memory_limit" in markdown

    args = argparse.Namespace(threads=1, repeats=1, history_days=0, groups=[], in_place=True)
    failed = {"floor": Measure(seconds=[70.0]), "first full build": Measure(failure="out of memory")}
    _, markdown = render(10_000_000, failed | {"next day": Measure(failure="not run")}, args)
    assert "| completes on this machine | no | missed |" in markdown
    assert "--in-place --threads 1`" in markdown
    _, markdown = render(100_000, failed, args)
    assert "| target |" not in markdown
