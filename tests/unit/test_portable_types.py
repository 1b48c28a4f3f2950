"""Contracts and seed column types are written once for every engine
(SPEC section 1: DuckDB, PostgreSQL, Spark): a literal `varchar` or `text`
breaks Spark (DATATYPE_MISSING_SIZE) and `string` breaks PostgreSQL, so text
columns read var `text_type_by_adapter` instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
ENGINE_SPECIFIC_TEXT = {"varchar", "text", "string", "character varying"}


def _declared_types(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "data_type" and isinstance(value, str):
                yield path, value
            elif key == "column_types" and isinstance(value, dict):
                for column, declared in value.items():
                    yield f"{path}.column_types.{column}", str(declared)
            else:
                yield from _declared_types(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            name = item.get("name", index) if isinstance(item, dict) else index
            yield from _declared_types(item, f"{path}[{name}]")


def _yaml_files() -> list[Path]:
    return sorted([*PROJECT_DIR.glob("models/**/*.yml"), *PROJECT_DIR.glob("seeds/*.yml"), PROJECT_DIR / "dbt_project.yml"])


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda path: str(path.relative_to(PROJECT_DIR)))
def test_no_contract_or_seed_column_names_an_engine_specific_text_type(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    literal = [
        f"{where}: {declared}"
        for where, declared in _declared_types(document)
        if declared.strip().lower() in ENGINE_SPECIFIC_TEXT or declared.strip().lower().startswith("varchar(")
    ]
    assert not literal, f"engine-specific text types in {path.name} (use var text_type_by_adapter):\n" + "\n".join(literal)
