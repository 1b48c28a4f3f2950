"""Group membership in the built warehouse agrees with the Python evaluator.

The standard generated warehouse (2000 customers, seed 7, as of 2026-06-30)
is built once by the ``built_warehouse`` fixture; the starter group
definitions in ``seeds/`` are then evaluated in Python by
tests/integration/reference_groups.py (SPEC section 3, no SQL) and compared
with ``customer_group_memberships`` customer by customer.

Two comparisons, so a mismatch says where it comes from:

* end to end: the evaluator is fed the metric reference's own metrics and
  list values (tests/integration/reference.py), computed from the raw rows;
* group logic alone: the evaluator is fed the warehouse's own
  ``customer_metrics`` and ``int_customer_attributes_unioned``.

Fixed segments and audiences depend on the history of runs (frozen on
``created_on``, edited by hand); they, and every group that references
them, are left out of the comparison here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.reference import (
    clean_rows_of,
    compute_metrics,
    list_values,
)
from tests.integration.reference_groups import (
    RANGE_QUALIFIERS,
    CustomerFacts,
    GroupDefinition,
    ManualAction,
    actions_from_rows,
    evaluate_groups,
    facts_from_reference,
    history_dependent_groups,
    load_groups,
)

if TYPE_CHECKING:
    from tests.integration.conftest import BuiltWarehouse
    from tests.integration.reference import RowVerdict

pytestmark = pytest.mark.integration

MAX_REPORTED = 20
MEMBERSHIPS = "customer_group_memberships"


# --------------------------------------------------------------------------
# Fixtures: definitions, inputs and the two evaluations
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def groups(built_warehouse: BuiltWarehouse) -> dict[str, GroupDefinition]:
    seeds = built_warehouse.project_dir / "seeds"
    return load_groups(seeds / "customer_groups.csv", seeds / "customer_group_qualifiers.csv")


@pytest.fixture(scope="module")
def compared_groups(groups: dict[str, GroupDefinition]) -> list[str]:
    """Every group whose membership does not depend on earlier runs."""
    skipped = history_dependent_groups(groups)
    return sorted(key for key in groups if key not in skipped)


@pytest.fixture(scope="module")
def clean_rows(reference_verdicts: dict[str, list[RowVerdict]]) -> dict[str, list[dict[str, Any]]]:
    return clean_rows_of(reference_verdicts)


@pytest.fixture(scope="module")
def manual_actions(clean_rows: dict[str, list[dict[str, Any]]]) -> list[ManualAction]:
    return actions_from_rows(clean_rows.get("customer_group_action", []))


@pytest.fixture(scope="module")
def reference_facts(
    built_warehouse: BuiltWarehouse,
    reference_metrics: dict[str, dict[str, Any]],
    clean_rows: dict[str, list[dict[str, Any]]],
) -> dict[str, CustomerFacts]:
    return facts_from_reference(reference_metrics, list_values(clean_rows, built_warehouse.as_of))


@pytest.fixture(scope="module")
def reference_members(
    built_warehouse: BuiltWarehouse,
    groups: dict[str, GroupDefinition],
    reference_facts: dict[str, CustomerFacts],
    manual_actions: list[ManualAction],
) -> dict[str, set[str]]:
    return evaluate_groups(groups, reference_facts, manual_actions, built_warehouse.as_of)


@pytest.fixture(scope="module")
def warehouse_facts(built_warehouse: BuiltWarehouse) -> dict[str, CustomerFacts]:
    """The evaluator's inputs as the warehouse computed them."""
    metrics_rows = built_warehouse.model_rows("customer_metrics")
    lists: dict[str, dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    for row in built_warehouse.model_rows("int_customer_attributes_unioned"):
        attribute = row["attribute"]
        value = row["attribute_value"]
        if attribute == "metadata":
            lists[row["customer_id"]]["metadata"].add((row["attribute_name"], value))
        else:
            lists[row["customer_id"]][attribute].add(value)
    facts: dict[str, CustomerFacts] = {}
    for row in metrics_rows:
        customer_id = str(row["customer_id"])
        values = lists.get(customer_id, {})
        facts[customer_id] = CustomerFacts(
            metrics={metric: row[metric] for metric in RANGE_QUALIFIERS},
            has_sales=bool(row["has_sales"]),
            has_subscription=bool(row["has_subscription"]),
            campaigns=frozenset(values.get("campaign", ())),
            shops=frozenset(values.get("shop", ())),
            product_groups=frozenset(values.get("product_group", ())),
            subscription_statuses=frozenset(values.get("subscription_status", ())),
            metadata=frozenset(values.get("metadata", ())),
        )
    return facts


@pytest.fixture(scope="module")
def warehouse_input_members(
    built_warehouse: BuiltWarehouse,
    groups: dict[str, GroupDefinition],
    warehouse_facts: dict[str, CustomerFacts],
    manual_actions: list[ManualAction],
) -> dict[str, set[str]]:
    return evaluate_groups(groups, warehouse_facts, manual_actions, built_warehouse.as_of)


@pytest.fixture(scope="module")
def membership_rows(built_warehouse: BuiltWarehouse) -> list[dict[str, Any]]:
    return built_warehouse.model_rows(MEMBERSHIPS)


@pytest.fixture(scope="module")
def model_members(membership_rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for row in membership_rows:
        members[str(row["group_key"])].add(str(row["customer_id"]))
    return members


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def _report(problems: list[str]) -> str:
    shown = "\n  ".join(problems[:MAX_REPORTED])
    hidden = len(problems) - MAX_REPORTED
    more = f"\n  ... and {hidden} more" if hidden > 0 else ""
    return f"{len(problems)} problem(s):\n  {shown}{more}"


_LIST_ATTRIBUTES = {"campaign": "campaigns", "shop": "shops", "product_group": "product_groups"}
_SUBSCRIPTION_QUALIFIERS = {
    "days_since_last_renewal",
    "renewals",
    "successful_renewals",
    "overdue_renewals",
    "subscription_status",
}


def _describe(
    group: GroupDefinition,
    facts: CustomerFacts | None,
    members: dict[str, set[str]],
    customer_id: str,
) -> str:
    """What the group's rules read for this customer, to debug a mismatch."""
    if facts is None:
        return "customer not evaluated on as_of"
    if group.qualifier_method == "none":
        return "manual group"
    seen: dict[str, Any] = {}
    for condition in group.conditions:
        q = condition.qualifier
        if q in RANGE_QUALIFIERS:
            seen[q] = facts.metrics.get(q)
        elif q == "has_no_sales":
            seen["has_sales"] = facts.has_sales
        elif q == "subscription_status":
            seen[q] = sorted(facts.subscription_statuses)
        elif q == "metadata":
            seen[f"metadata:{condition.name}"] = sorted(
                str(v) for n, v in facts.metadata if n == condition.name
            )
        elif q in _LIST_ATTRIBUTES:
            seen[q] = sorted(getattr(facts, _LIST_ATTRIBUTES[q]))
        elif condition.value is not None:
            seen[f"in {condition.value}"] = customer_id in members.get(condition.value, set())
        if q in _SUBSCRIPTION_QUALIFIERS:
            seen["has_subscription"] = facts.has_subscription
    return ", ".join(f"{k}={v}" for k, v in seen.items())


def _membership_problems(
    compared: list[str],
    groups: dict[str, GroupDefinition],
    expected: dict[str, set[str]],
    actual: dict[str, set[str]],
    facts: dict[str, CustomerFacts],
    expected_label: str,
) -> list[str]:
    problems: list[str] = []
    for key in compared:
        want, got = expected.get(key, set()), actual.get(key, set())
        for customer_id in sorted(want - got):
            problems.append(
                f"{key}: customer {customer_id} is a member per {expected_label}"
                f" but not in {MEMBERSHIPS}"
                f" [{_describe(groups[key], facts.get(customer_id), expected, customer_id)}]"
            )
        for customer_id in sorted(got - want):
            problems.append(
                f"{key}: customer {customer_id} is in {MEMBERSHIPS}"
                f" but not a member per {expected_label}"
                f" [{_describe(groups[key], facts.get(customer_id), expected, customer_id)}]"
            )
    return problems


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_memberships_of_flexi_and_manual_groups_equal_the_reference_end_to_end(
    compared_groups: list[str],
    groups: dict[str, GroupDefinition],
    reference_members: dict[str, set[str]],
    model_members: dict[str, set[str]],
    reference_facts: dict[str, CustomerFacts],
) -> None:
    problems = _membership_problems(
        compared_groups, groups, reference_members, model_members, reference_facts, "the reference"
    )
    assert not problems, _report(problems)


def test_memberships_equal_the_reference_evaluated_on_the_warehouse_own_metrics(
    compared_groups: list[str],
    groups: dict[str, GroupDefinition],
    warehouse_input_members: dict[str, set[str]],
    model_members: dict[str, set[str]],
    warehouse_facts: dict[str, CustomerFacts],
) -> None:
    """Isolates the group logic from the metrics: same inputs, Python rules."""
    problems = _membership_problems(
        compared_groups,
        groups,
        warehouse_input_members,
        model_members,
        warehouse_facts,
        "the reference fed customer_metrics",
    )
    assert not problems, _report(problems)


def test_memberships_name_only_defined_enabled_groups_and_evaluated_customers(
    built_warehouse: BuiltWarehouse,
    groups: dict[str, GroupDefinition],
    membership_rows: list[dict[str, Any]],
    reference_facts: dict[str, CustomerFacts],
) -> None:
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for row in membership_rows:
        key, customer_id = str(row["group_key"]), str(row["customer_id"])
        if (key, customer_id) in seen:
            problems.append(f"duplicate membership row {key} / {customer_id}")
        seen.add((key, customer_id))
        if key not in groups:
            problems.append(f"{key}: not a defined group (customer {customer_id})")
        elif not groups[key].enabled:
            problems.append(f"{key}: disabled group has member {customer_id}")
        if customer_id not in reference_facts:
            problems.append(
                f"{key}: customer {customer_id} is not evaluated on {built_warehouse.as_of}"
            )
        if row["as_of_date"] != built_warehouse.as_of:
            problems.append(f"{key} / {customer_id}: as_of_date {row['as_of_date']}")
    assert not problems, _report(problems)


def test_source_says_rule_for_flexi_rule_groups_and_manual_for_manual_groups(
    compared_groups: list[str],
    groups: dict[str, GroupDefinition],
    membership_rows: list[dict[str, Any]],
) -> None:
    compared = set(compared_groups)
    problems = []
    for row in membership_rows:
        key = str(row["group_key"])
        if key not in compared:
            continue
        expected = "manual" if groups[key].qualifier_method == "none" else "rule"
        if row["source"] != expected:
            problems.append(
                f"{key} / {row['customer_id']}: source {row['source']!r}, expected {expected!r}"
            )
    assert not problems, _report(problems)


def _members_on_created_on(
    group: GroupDefinition,
    groups: dict[str, GroupDefinition],
    clean_rows: dict[str, list[dict[str, Any]]],
    actions: list[ManualAction],
    currency_rates: dict[str, Decimal],
) -> tuple[set[str], int]:
    """A fixed segment's or audience's list as it is first computed: its
    rules on ``created_on`` (before manual edits and consent filters)."""
    as_of: date = group.created_on  # type: ignore[assignment]
    metrics = compute_metrics(clean_rows, as_of, currency_rates)
    facts = facts_from_reference(metrics, list_values(clean_rows, as_of))
    return evaluate_groups(groups, facts, actions, as_of)[group.group_key], len(facts)


def test_every_enabled_starter_group_has_members_but_not_everyone(
    built_warehouse: BuiltWarehouse,
    groups: dict[str, GroupDefinition],
    reference_members: dict[str, set[str]],
    reference_facts: dict[str, CustomerFacts],
    clean_rows: dict[str, list[dict[str, Any]]],
    manual_actions: list[ManualAction],
    currency_rates: dict[str, Decimal],
) -> None:
    """A starter group that is empty or holds everyone demonstrates nothing."""
    problems: list[str] = []
    sizes: list[str] = []
    for key, group in sorted(groups.items()):
        if not group.enabled:
            continue
        if group.depends_on_history and group.created_on is not None:
            members, population = _members_on_created_on(
                group, groups, clean_rows, manual_actions, currency_rates
            )
            when = f"on created_on {group.created_on}"
        else:
            members, population = reference_members[key], len(reference_facts)
            when = f"on {built_warehouse.as_of}"
        sizes.append(f"{key}={len(members)}")
        if not members:
            problems.append(f"{key}: no members {when}")
        elif len(members) == population:
            problems.append(f"{key}: every one of the {population} customers is a member {when}")
    assert not problems, _report(problems) + "\nsizes: " + ", ".join(sizes)


def test_disabled_starter_groups_have_no_members(
    groups: dict[str, GroupDefinition], model_members: dict[str, set[str]]
) -> None:
    disabled = [key for key, group in groups.items() if not group.enabled]
    assert disabled, "the starter set should show a disabled group"
    with_members = {
        key: sorted(model_members[key])[:5] for key in disabled if model_members.get(key)
    }
    assert not with_members, f"disabled groups with members: {with_members}"
