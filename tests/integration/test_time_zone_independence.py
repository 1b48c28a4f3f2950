"""Results must not depend on the time zone of the machine or of the
database session (SPEC §2): the same raw data built under UTC+14 and UTC-10
gives the same metrics and memberships."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import duckdb
import pytest

from scripts.generate_data import generate
from scripts.pipeline import PROJECT_DIR, release_duckdb

AS_OF = date(2026, 6, 30)


def build_in_time_zone(work_dir: Path, raw_db: Path, time_zone: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Build a copy of the raw data with the process and the DuckDB session in ``time_zone``."""
    from dbt.cli.main import dbtRunner

    work_dir.mkdir()
    db_path = work_dir / "warehouse.duckdb"
    db_path.write_bytes(raw_db.read_bytes())
    profile = {
        "customer_groups": {
            "target": "duckdb",
            "outputs": {"duckdb": {"type": "duckdb", "path": str(db_path), "threads": 2, "settings": {"TimeZone": time_zone}}},
        }
    }
    (work_dir / "profiles.yml").write_text(json.dumps(profile))
    monkeypatch.setenv("TZ", time_zone)
    common = [
        "--quiet", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(work_dir),
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
    ]
    try:
        for command in (["seed"], ["run", "--select", "+customer_group_memberships", "+customer_metrics", "--vars", json.dumps({"as_of_date": AS_OF.isoformat()})]):
            result = dbtRunner().invoke([*command, *common])
            assert result.success, f"dbt {command[0]} failed under {time_zone}: {result.exception!r}"
    finally:
        release_duckdb()
    return db_path


def rows(db_path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_metrics_and_memberships_do_not_depend_on_the_time_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw_db = tmp_path / "raw.duckdb"
    generate(str(raw_db), customers=300, seed=13, as_of=AS_OF, progress=False)

    east = build_in_time_zone(tmp_path / "east", raw_db, "Pacific/Kiritimati", monkeypatch)
    west = build_in_time_zone(tmp_path / "west", raw_db, "America/Adak", monkeypatch)
    monkeypatch.setenv("TZ", os.environ.get("TZ", "UTC"))

    metrics_sql = "select * from customer_metrics order by customer_id"
    members_sql = "select customer_id, group_key, source from customer_group_memberships order by 1, 2"
    east_metrics, west_metrics = rows(east, metrics_sql), rows(west, metrics_sql)
    assert len(east_metrics) > 250
    assert east_metrics == west_metrics
    assert rows(east, members_sql) == rows(west, members_sql)
    assert rows(east, "select count(*) from customer_metrics where as_of_date != date '2026-06-30'") == [(0,)]
