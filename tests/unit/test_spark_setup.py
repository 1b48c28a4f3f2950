"""The local Spark set-up completes Iceberg's runtime jar (scripts/spark_setup.py):
Iceberg calls Jackson as org.apache.iceberg.shaded.com.fasterxml.jackson.*,
which the jar lacks, so pyspark's Jackson is relocated there. No JVM needed:
these read the class files. That Spark then runs MERGE, DELETE and UPDATE
on Iceberg tables is checked by tests/integration/test_three_engines.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("snowpark_connect_deps_iceberg")

from scripts.spark_setup import (  # noqa: E402
    RELOCATED_PREFIX,
    iceberg_runtime_jar,
    pyspark_jars_dir,
    relocate_class,
    relocated_jackson_jar,
    spark_settings,
)

SHADED_MAPPER = "org/apache/iceberg/shaded/com/fasterxml/jackson/databind/ObjectMapper"


def test_iceberg_runtime_references_jackson_classes_that_the_relocated_jar_provides(tmp_path: Path) -> None:
    with zipfile.ZipFile(iceberg_runtime_jar()) as runtime:
        json_util = runtime.read("org/apache/iceberg/util/JsonUtil.class")
        assert SHADED_MAPPER.encode() in json_util
        assert f"{SHADED_MAPPER}.class" not in runtime.namelist(), "the runtime jar now ships Jackson itself"
    with zipfile.ZipFile(relocated_jackson_jar(tmp_path)) as relocated:
        names = set(relocated.namelist())
    assert f"{SHADED_MAPPER}.class" in names
    assert not [name for name in names if name.startswith("com/fasterxml/")], "classes left at their old name"


def test_relocating_a_class_renames_every_jackson_reference_and_keeps_the_rest() -> None:
    jar = sorted(pyspark_jars_dir().glob("jackson-databind-2.*.jar"))[-1]
    with zipfile.ZipFile(jar) as archive:
        original = archive.read("com/fasterxml/jackson/databind/ObjectMapper.class")
    relocated = relocate_class(original)
    assert relocated[:10] == original[:10], "magic, version and constant pool size must not change"
    assert b"com/fasterxml/jackson/databind/ObjectMapper" in original
    stripped = relocated.replace(RELOCATED_PREFIX.encode() + b"com/fasterxml/jackson/", b"")
    assert b"com/fasterxml/jackson/" not in stripped
    assert relocate_class(original) == relocated, "relocation is deterministic"


def test_the_relocated_jar_is_built_once_and_reused(tmp_path: Path) -> None:
    first = relocated_jackson_jar(tmp_path)
    built_at = first.stat().st_mtime_ns
    assert relocated_jackson_jar(tmp_path) == first
    assert first.stat().st_mtime_ns == built_at


def test_spark_settings_make_iceberg_the_catalog_and_utc_the_session_zone(tmp_path: Path) -> None:
    settings = spark_settings(tmp_path / "warehouse", tmp_path / "cache")
    assert settings["spark.sql.catalog.spark_catalog"] == "org.apache.iceberg.spark.SparkSessionCatalog"
    assert settings["spark.sql.sources.default"] == "iceberg"
    assert settings["spark.sql.session.timeZone"] == "UTC"
    assert str(iceberg_runtime_jar()) in settings["spark.jars"].split(",")
    assert str(tmp_path / "warehouse") in settings["spark.hadoop.javax.jdo.option.ConnectionURL"]
