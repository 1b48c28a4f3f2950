"""The project's structure rules, checked on dbt's own manifest: layers on
top (staging -> intermediate -> marts, intermediate never reads a mart,
only staging reads sources), every model's grain tested, every model and
column described, and the card-number scan running after every model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.pipeline import run_dbt
from tests.integration.conftest import PROJECT_DIR

CARD_SCAN = "assert_no_card_numbers_in_any_model"
# not_null_columns checks several columns in one read; explanations_grain_on_customer_sample
# checks both on a sample of customers (for the explanations view, whose
# every read is expensive).
UNIQUE_TESTS = {"unique", "unique_combination", "explanations_grain_on_customer_sample"}
NOT_NULL_TESTS = {"not_null", "not_null_columns", "explanations_grain_on_customer_sample"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Any:
    work = tmp_path_factory.mktemp("parse")
    result = run_dbt(
        ["parse"], project_dir=PROJECT_DIR, profiles_dir=work / "profiles", db_path=work / "parse.duckdb", work_dir=work
    )
    return result.result


def models(manifest: Any) -> Iterator[Any]:
    for node in manifest.nodes.values():
        if node.resource_type == "model" and node.package_name == "customer_groups":
            yield node


def layer(node: Any) -> str:
    return Path(node.original_file_path).parts[1]


def ancestors(manifest: Any, unique_id: str) -> set[str]:
    seen: set[str] = set()
    frontier = list(manifest.nodes[unique_id].depends_on.nodes)
    while frontier:
        parent_id = frontier.pop()
        if parent_id in seen:
            continue
        seen.add(parent_id)
        parent = manifest.nodes.get(parent_id)
        if parent is not None and parent.resource_type == "model":
            frontier.extend(parent.depends_on.nodes)
    return seen


def test_every_model_sits_in_a_layer(manifest: Any) -> None:
    misplaced = [node.name for node in models(manifest) if layer(node) not in {"staging", "intermediate", "marts"}]
    assert not misplaced, f"models outside staging/intermediate/marts: {misplaced}"


def test_intermediate_models_never_read_marts(manifest: Any) -> None:
    offenders = []
    for node in models(manifest):
        if layer(node) != "intermediate":
            continue
        for parent_id in node.depends_on.nodes:
            parent = manifest.nodes.get(parent_id)
            if parent is not None and parent.resource_type == "model" and layer(parent) == "marts":
                offenders.append(f"{node.name} reads {parent.name}")
    assert not offenders, offenders


def test_only_staging_reads_sources(manifest: Any) -> None:
    offenders = [
        node.name
        for node in models(manifest)
        if layer(node) != "staging" and any(p.startswith("source.") for p in node.depends_on.nodes)
    ]
    assert not offenders, f"models outside staging that read a source: {offenders}"


def test_every_model_has_its_grain_tested_unique_and_not_null(manifest: Any) -> None:
    """Staging views have no grain: one row per raw row, and RevCent's raw
    ids repeat (SPEC: identical copies, versions, conflicts). Their keys are
    tested where they become unique, on the validated models' clean rows."""
    tests_by_model: dict[str, set[str]] = {}
    for node in manifest.nodes.values():
        if node.resource_type != "test" or not getattr(node, "test_metadata", None):
            continue
        for parent_id in node.depends_on.nodes:
            tests_by_model.setdefault(parent_id, set()).add(node.test_metadata.name)
    missing = []
    for node in models(manifest):
        if layer(node) == "staging":
            continue
        kinds = tests_by_model.get(node.unique_id, set())
        if not kinds & UNIQUE_TESTS or not kinds & NOT_NULL_TESTS:
            missing.append(f"{node.name} ({', '.join(sorted(kinds)) or 'no tests'})")
    assert not missing, f"models whose grain is not tested unique + not_null: {missing}"


def test_every_model_and_column_is_described(manifest: Any) -> None:
    undescribed = []
    for node in models(manifest):
        if not node.description.strip():
            undescribed.append(node.name)
        undescribed += [f"{node.name}.{name}" for name, column in node.columns.items() if not column.description.strip()]
    assert not undescribed, undescribed


def test_the_card_scan_runs_after_every_model(manifest: Any) -> None:
    scan = next(node for node in manifest.nodes.values() if node.name == CARD_SCAN)
    upstream = ancestors(manifest, scan.unique_id)
    not_covered = [node.name for node in models(manifest) if node.unique_id not in upstream]
    assert not not_covered, f"add a depends_on line to {CARD_SCAN} for: {not_covered}"


CHURN_GUARD = "model.customer_groups.int_customer_group_removals_checked"
# Marts built even when a run is stopped: diagnostics of the raw data and of
# the definitions, and static references.
UNGUARDED_MARTS = {
    "quarantined_source_rows",
    "source_row_accounting",
    "customer_group_definition_problems",
    "customer_group_qualifier_catalogue",
    "metricflow_time_spine",
}


def test_every_published_mart_waits_for_the_churn_guard(manifest: Any) -> None:
    unguarded = [
        node.name
        for node in models(manifest)
        if layer(node) == "marts"
        and node.name not in UNGUARDED_MARTS
        and CHURN_GUARD not in ancestors(manifest, node.unique_id)
    ]
    assert not unguarded, (
        "add `-- depends_on: {{ ref('int_customer_group_removals_checked') }}` to: " + ", ".join(unguarded)
    )
