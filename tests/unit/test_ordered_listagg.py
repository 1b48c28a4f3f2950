"""macros/cross_db/ordered_listagg.sql joins values in a fixed order on
every engine: PostgreSQL orders inside string_agg (dbt.listagg); DuckDB and
Spark sort a list of structs of the order keys and the value (DuckDB's
ordered string_agg holds every group in memory; Spark's collect_list keeps
no order). These tests run the DuckDB and Spark versions (Spark on a local
session) and check they give the text an ordered string_agg gives for the
same rows: keys ascending, NULL keys last, NULL values skipped, NULL when
there is no value.

The PostgreSQL version runs in tests/integration/test_postgres_matches_duckdb.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pytest

MACRO_FILE = Path(__file__).resolve().parents[2] / "macros" / "cross_db" / "ordered_listagg.sql"

# (group, first order key, second order key, value)
ROWS: list[tuple[str, int | None, str | None, str | None]] = [
    ("g1", 2, "b", "two-b"),
    ("g1", 1, "z", "one-z"),
    ("g1", None, "a", "null-a"),
    ("g1", 2, None, "two-null"),
    ("g1", 2, "a", "two-a"),
    ("g1", 1, "a", None),
    ("g2", 1, "a", None),
    ("g3", 5, "x", "only"),
]
EXPECTED = {"g1": "one-z; two-a; two-b; two-null; null-a", "g2": None, "g3": "only"}


def macro_sql(engine: str, measure: str, delimiter_text: str, order_by: list[str]) -> str:
    """The SQL of <engine>__ordered_listagg (plain Jinja: no dbt context needed)."""
    module: Any = jinja2.Environment().from_string(MACRO_FILE.read_text()).module
    return str(getattr(module, f"{engine}__ordered_listagg")(measure, delimiter_text, order_by))


def values_clause() -> str:
    def literal(value: object) -> str:
        if value is None:
            return "null"
        return str(value) if isinstance(value, int) else f"'{value}'"

    return ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in ROWS)


def query(aggregate: str) -> str:
    return (
        f"select grp, {aggregate} as joined"
        f" from (values {values_clause()}) as t(grp, k1, k2, v)"
        " group by grp order by grp"
    )


def test_ordered_string_agg_orders_keys_ascending_with_nulls_last() -> None:
    rows = duckdb.sql(query("string_agg(v, '; ' order by k1, k2)")).fetchall()
    assert dict(rows) == EXPECTED


def test_duckdb_version_gives_the_same_text_as_an_ordered_string_agg() -> None:
    rows = duckdb.sql(query(macro_sql("duckdb", "v", "'; '", ["k1", "k2"]))).fetchall()
    assert dict(rows) == EXPECTED


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("ordered_listagg")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()


@pytest.mark.slow
def test_spark_version_gives_the_same_text_as_duckdb(spark: Any) -> None:
    aggregate = macro_sql("spark", "v", "'; '", ["k1", "k2"])
    rows = spark.sql(query(aggregate)).collect()
    assert {row["grp"]: row["joined"] for row in rows} == EXPECTED
