"""The daily run's dbt commands: which nodes a later day rebuilds and tests.

selectors.yml must define the selector scripts/pipeline.py names, and a day
whose raw tables did not change must leave out what does not depend on
as_of_date (the selector), while unit tests never run after the first build.
"""

from __future__ import annotations

import pytest
import yaml

from scripts.pipeline import AS_OF_DEPENDENT_SELECTOR, AS_OF_INDEPENDENT_TAG, PROJECT_DIR, later_day_command


def _selectors() -> dict[str, dict]:
    document = yaml.safe_load((PROJECT_DIR / "selectors.yml").read_text())
    return {selector["name"]: selector for selector in document["selectors"]}


@pytest.mark.parametrize(
    ("test", "raw_data_changed", "expected"),
    [
        (False, True, ["run"]),
        (True, True, ["build", "--exclude", "test_type:unit"]),
        (False, False, ["run", "--selector", AS_OF_DEPENDENT_SELECTOR]),
        (True, False, ["build", "--selector", AS_OF_DEPENDENT_SELECTOR]),
    ],
)
def test_later_days_skip_unit_tests_and_unchanged_raw_data_skips_as_of_independent_models(
    test: bool, raw_data_changed: bool, expected: list[str]
) -> None:
    assert later_day_command(test=test, raw_data_changed=raw_data_changed) == expected


def test_selectors_are_defined_and_described() -> None:
    selectors = _selectors()
    assert {"as_of_independent", AS_OF_DEPENDENT_SELECTOR} <= set(selectors)
    assert all(selector.get("description", "").strip() for selector in selectors.values())


def test_as_of_dependent_selector_excludes_the_tag_and_unit_tests() -> None:
    definition = _selectors()[AS_OF_DEPENDENT_SELECTOR]["definition"]
    excluded = next(part["exclude"] for part in definition["union"] if "exclude" in part)
    assert {"method": "selector", "value": "as_of_independent"} in excluded
    assert {"method": "test_type", "value": "unit"} in excluded
    independent = _selectors()["as_of_independent"]["definition"]
    assert f"{independent['method']}:{independent['value']}" == AS_OF_INDEPENDENT_TAG

