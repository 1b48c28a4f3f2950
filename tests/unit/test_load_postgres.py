"""The PostgreSQL loader keeps the raw tables' types and values (SPEC section
2): no server needed, these check the type mapping and the CSV that COPY
reads. The round trip through a real server is in
tests/integration/test_three_engines.py."""

from __future__ import annotations

import pyarrow as pa
import pytest

from scripts.load_postgres import _csv_batch, postgres_type


@pytest.mark.parametrize(
    ("duckdb_type", "expected"),
    [
        ("VARCHAR", "text"),
        ("BIGINT", "bigint"),  # epoch seconds
        ("INTEGER", "integer"),
        ("BOOLEAN", "boolean"),
        ("DECIMAL(18,2)", "numeric(18, 2)"),  # amounts keep their scale
        ("DECIMAL(38, 12)", "numeric(38, 12)"),
    ],
)
def test_raw_column_types_map_to_the_postgres_type_holding_the_same_values(duckdb_type: str, expected: str) -> None:
    assert postgres_type(duckdb_type) == expected


def test_an_unknown_type_is_refused_rather_than_loaded_as_text() -> None:
    with pytest.raises(ValueError, match="HUGEINT"):
        postgres_type("HUGEINT")


def test_copy_csv_tells_an_empty_string_from_null_and_keeps_quotes_and_newlines() -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "value": ["", None, 'say "hi", then\nleave'],
            "enabled": [True, None, False],
            "created_date_unix": [1, None, 3],
        }
    )
    lines = _csv_batch(batch).decode()
    assert lines == '"",true,1\n,,\n"say ""hi"", then\nleave",false,3\n'
