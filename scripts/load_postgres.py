"""Copy the raw RevCent tables from a DuckDB file into PostgreSQL, in bulk.

scripts/generate_data.py writes the raw tables into DuckDB; this copies every
table of one schema (the manifest ``_injected_bad_rows`` included) into the
same schema of a PostgreSQL database, with the same column names and types
(epoch seconds stay ``bigint``, amounts ``numeric(p,s)``, flags ``boolean``,
text ``text``). Each table is dropped, recreated and filled with ``COPY ...
FROM STDIN`` in CSV, streamed batch by batch (never row by row), in one
transaction.

    python scripts/load_postgres.py --db warehouse/customer_groups.duckdb
    python scripts/generate_data.py --customers 500 --target postgres   # generate, then load

The connection comes from the libpq variables (PGHOST, PGPORT, PGUSER,
PGPASSWORD, PGDATABASE), or ``--dsn "host=... dbname=..."``.

From Python::

    from scripts.load_postgres import load_raw_tables
    load_raw_tables("/tmp/raw.duckdb", "host=127.0.0.1 port=5432 user=postgres dbname=cg")
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

BATCH_ROWS = 100_000

_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")
_SIMPLE_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def postgres_type(duckdb_type: str) -> str:
    """The PostgreSQL type that holds a DuckDB column's values unchanged."""
    decimal = _DECIMAL.match(duckdb_type)
    if decimal:
        return f"numeric({decimal.group(1)}, {decimal.group(2)})"
    try:
        return _SIMPLE_TYPES[duckdb_type]
    except KeyError:
        raise ValueError(f"no PostgreSQL type for DuckDB type {duckdb_type}") from None


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns"
        " where table_schema = ? order by table_name, ordinal_position",
        [schema],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def _csv_batch(batch: pa.RecordBatch) -> bytes:
    """One batch as CSV: strings quoted (so '' stays an empty string), NULL
    unquoted and empty, as PostgreSQL's COPY ... CSV reads them."""
    buffer = io.BytesIO()
    pa_csv.write_csv(batch, buffer, pa_csv.WriteOptions(include_header=False))
    return buffer.getvalue()


def load_raw_tables(
    duckdb_path: str | Path,
    conninfo: str = "",
    *,
    schema: str = "raw_revcent",
    target_schema: str | None = None,
    progress: bool = True,
) -> dict[str, int]:
    """Copy every table of ``schema`` in the DuckDB file into ``target_schema``
    (default: the same name) of the PostgreSQL database ``conninfo`` (libpq
    variables fill what it leaves out). Returns the rows copied per table."""
    import psycopg2

    target_schema = target_schema or schema
    source = duckdb.connect(str(duckdb_path), read_only=True)
    connection = psycopg2.connect(conninfo)
    counts: dict[str, int] = {}
    try:
        tables = _columns(source, schema)
        if not tables:
            raise ValueError(f"schema {schema!r} of {duckdb_path} holds no tables")
        totals = {
            table: int(source.execute(f"select count(*) from {_quote(schema)}.{_quote(table)}").fetchall()[0][0])
            for table in tables
        }
        with _progress(progress) as bar:
            tasks = {table: bar.add_task(table, total=totals[table] or 1) for table in tables} if bar else {}
            with connection, connection.cursor() as cursor:
                cursor.execute(f"create schema if not exists {_quote(target_schema)}")
                for table, columns in tables.items():
                    target = f"{_quote(target_schema)}.{_quote(table)}"
                    definition = ", ".join(f"{_quote(name)} {postgres_type(kind)}" for name, kind in columns)
                    cursor.execute(f"drop table if exists {target}")
                    cursor.execute(f"create table {target} ({definition})")
                    column_list = ", ".join(_quote(name) for name, _ in columns)
                    copy = f"copy {target} ({column_list}) from stdin with (format csv)"
                    reader = source.sql(
                        f"select {column_list} from {_quote(schema)}.{_quote(table)}"
                    ).to_arrow_reader(BATCH_ROWS)
                    copied = 0
                    for batch in reader:
                        cursor.copy_expert(copy, io.BytesIO(_csv_batch(batch)))
                        copied += batch.num_rows
                        if bar:
                            bar.update(tasks[table], advance=batch.num_rows)
                    if bar and copied == 0:
                        bar.update(tasks[table], advance=1)
                    cursor.execute(f"analyze {target}")
                    counts[table] = copied
    finally:
        connection.close()
        source.close()
    return counts


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(enabled: bool) -> object:
    if not enabled:
        return _NoProgress()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Copy the raw tables from a DuckDB file into PostgreSQL (COPY).")
    parser.add_argument("--db", type=Path, default=Path("warehouse/customer_groups.duckdb"), help="DuckDB file to read")
    parser.add_argument("--schema", default="raw_revcent", help="schema of the raw tables (in both databases)")
    parser.add_argument("--dsn", default="", help="libpq connection string; default: PGHOST, PGPORT, ... variables")
    parser.add_argument("--quiet", action="store_true", help="no progress and no summary")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = load_raw_tables(args.db, args.dsn, schema=args.schema, progress=not args.quiet)
    if not args.quiet:
        print(f"copied {sum(counts.values()):,} rows in {len(counts)} tables in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
