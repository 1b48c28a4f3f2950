"""Copy the raw RevCent tables from a DuckDB file into Spark (Iceberg tables).

scripts/generate_data.py writes the raw tables into DuckDB; this copies every
table of one schema (the manifest ``_injected_bad_rows`` included) into the
same schema of a Spark catalog, with the same column names and types (epoch
seconds stay ``bigint``, amounts ``decimal(p,s)``, flags ``boolean``, text
``string``). DuckDB writes each table as a Parquet file; Spark then creates
the table from it in one ``create or replace table ... as select`` (never row
by row).

    eval "$(python scripts/spark_setup.py --shell)"
    python scripts/load_spark.py --db warehouse/customer_groups.duckdb

The local session uses scripts/spark_setup.py's settings (the warehouse in
CUSTOMER_GROUPS_SPARK_WAREHOUSE, default warehouse/spark), the same ones
profiles.yml.example's spark target gives dbt. Spark's embedded metastore
admits one process at a time: load, then run dbt.

From Python (in the process that then runs dbt, so both share one session)::

    from scripts.load_spark import load_raw_tables, local_session
    spark = local_session(Path("/tmp/cg-spark"))
    load_raw_tables("/tmp/raw.duckdb", spark)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.spark_setup import DEFAULT_WAREHOUSE_DIR, spark_settings  # noqa: E402

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def local_session(warehouse_dir: Path, settings: Mapping[str, str] | None = None) -> SparkSession:
    """The process's Spark session with the Iceberg settings of
    scripts/spark_setup.py (created on first call, shared afterwards: dbt-spark's
    session method then gets this same session)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").enableHiveSupport()
    for key, value in (settings or spark_settings(warehouse_dir)).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def load_raw_tables(
    duckdb_path: str | Path,
    spark: SparkSession,
    *,
    schema: str = "raw_revcent",
    target_schema: str | None = None,
    progress: bool = True,
) -> dict[str, int]:
    """Copy every table of ``schema`` in the DuckDB file into ``target_schema``
    (default: the same name) of the Spark session's catalog, replacing tables
    of the same name. Returns the rows copied per table."""
    target_schema = target_schema or schema
    source = duckdb.connect(str(duckdb_path), read_only=True)
    counts: dict[str, int] = {}
    try:
        tables = [
            row[0]
            for row in source.execute(
                "select table_name from information_schema.tables where table_schema = ? order by table_name",
                [schema],
            ).fetchall()
        ]
        if not tables:
            raise ValueError(f"schema {schema!r} of {duckdb_path} holds no tables")
        spark.sql(f"create schema if not exists {_quote(target_schema)}")
        with tempfile.TemporaryDirectory(prefix="load_spark_") as staging:
            for table in tables:
                started = time.perf_counter()
                # Spark skips files whose names start with "_" (_injected_bad_rows).
                parquet = Path(staging) / f"table_{table}.parquet"
                source.execute(
                    f"copy (select * from \"{schema}\".\"{table}\") to '{parquet}' (format parquet)"
                )
                target = f"{_quote(target_schema)}.{_quote(table)}"
                spark.sql(f"drop table if exists {target}")
                spark.sql(f"create table {target} using iceberg as select * from parquet.`{parquet}`")
                counts[table] = int(spark.sql(f"select count(*) from {target}").collect()[0][0])
                if progress:
                    print(f"{table:<24} {counts[table]:>10,} rows  {time.perf_counter() - started:5.1f} s")
    finally:
        source.close()
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Copy the raw tables from a DuckDB file into Spark (Iceberg).")
    parser.add_argument("--db", type=Path, default=Path("warehouse/customer_groups.duckdb"), help="DuckDB file to read")
    parser.add_argument("--schema", default="raw_revcent", help="schema of the raw tables (in both databases)")
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("CUSTOMER_GROUPS_SPARK_WAREHOUSE", DEFAULT_WAREHOUSE_DIR)),
        help="the local Spark warehouse (metastore and tables); default: $CUSTOMER_GROUPS_SPARK_WAREHOUSE",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-table lines and no summary")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    spark = local_session(args.warehouse)
    try:
        counts = load_raw_tables(args.db, spark, schema=args.schema, progress=not args.quiet)
    finally:
        spark.stop()
    if not args.quiet:
        print(f"copied {sum(counts.values()):,} rows in {len(counts)} tables in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
