"""An independent, pure-Python evaluator of customer group membership.

Written from SPEC section 3 alone (never from the models' SQL), so the
integration tests can judge ``customer_group_memberships`` against it. It
reads the two definition seeds with the ``csv`` module and evaluates every
group for one ``as_of`` date from per-customer facts:

* range metrics (``customer_metrics`` columns, or ``reference.compute_metrics``);
* list values (initial sale's campaign, shop and product groups, subscription
  statuses, metadata pairs) and the ``has_sales`` / ``has_subscription`` flags;
* manual actions (``customer_group_action``).

The rules, as SPEC section 3 states them:

* rule sets of a group are OR'ed, the rows of one rule set AND'ed;
* several rows of one list qualifier in a rule set are alternatives;
* several rows of one range qualifier in a rule set must all hold; bounds are
  inclusive, an empty bound is open, both empty means "the metric is known";
  a NULL metric fails; money is compared unrounded (``Decimal``);
* subscription qualifiers fail for a customer who never had a subscription;
* relation rows of one relation qualifier in a rule set form its list, read
  against the referenced groups' final membership, to any depth; a disabled
  group has no members and counts as empty where referenced;
* ``none`` groups: members are the customers whose latest manual action on or
  before ``as_of`` (ties: the larger id, compared as text) is ``add``;
  manual actions never change rule groups (flexi);
* ``specific_values`` / ``customer_group`` groups without rows have no members.

``fixed`` segments and ``audience`` groups depend on history (their list is
frozen on ``created_on`` and edited by hand); this module evaluates them like
flexi segments and flags them, and every group that references them, in
``history_dependent_groups`` so tests can leave them out.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

from tests.integration.reference import METRIC_NAMES

MetricValue = int | Decimal | None

# The range qualifiers are exactly the metrics of SPEC §3.
RANGE_QUALIFIERS: frozenset[str] = frozenset(METRIC_NAMES)
LIST_QUALIFIERS: frozenset[str] = frozenset(
    {"campaign", "product_group", "shop", "subscription_status", "metadata"}
)
RELATION_QUALIFIERS: frozenset[str] = frozenset(
    {
        "in_any_customer_group",
        "in_all_customer_group",
        "not_in_customer_group",
        "not_in_any_customer_group",
    }
)
OTHER_QUALIFIERS: frozenset[str] = frozenset({"has_no_sales"})
ALL_QUALIFIERS: frozenset[str] = (
    RANGE_QUALIFIERS | LIST_QUALIFIERS | RELATION_QUALIFIERS | OTHER_QUALIFIERS
)
SUBSCRIPTION_QUALIFIERS: frozenset[str] = frozenset(
    {
        "days_since_last_renewal",
        "renewals",
        "successful_renewals",
        "overdue_renewals",
        "subscription_status",
    }
)

QUALIFIER_METHODS = ("none", "specific_values", "customer_group")
GROUP_TYPES = ("segment", "audience", "badge")
RECALCULATIONS = ("flexi", "fixed")


class GroupDefinitionError(ValueError):
    """A seed row SPEC says must stop the build (names the group and row)."""


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerFacts:
    """Everything a qualifier reads about one customer on ``as_of``."""

    metrics: Mapping[str, MetricValue] = field(default_factory=dict)
    has_sales: bool = False
    has_subscription: bool = False
    campaigns: frozenset[str] = frozenset()
    shops: frozenset[str] = frozenset()
    product_groups: frozenset[str] = frozenset()
    subscription_statuses: frozenset[str] = frozenset()
    metadata: frozenset[tuple[str, str | None]] = frozenset()


class _ListValues(Protocol):
    initial_campaign_id: str | None
    initial_shop_id: str | None
    initial_product_groups: frozenset[str]
    subscription_statuses: frozenset[str]
    has_subscription: bool
    has_sales: bool
    metadata: frozenset[tuple[str, str | None]]


def facts_from_reference(
    metrics: Mapping[str, Mapping[str, MetricValue]],
    list_values: Mapping[str, _ListValues],
) -> dict[str, CustomerFacts]:
    """Join ``reference.compute_metrics`` and ``reference.list_values`` output."""
    facts: dict[str, CustomerFacts] = {}
    for customer_id, customer_metrics in metrics.items():
        values = list_values[customer_id]
        facts[customer_id] = CustomerFacts(
            metrics=customer_metrics,
            has_sales=values.has_sales,
            has_subscription=values.has_subscription,
            campaigns=_present(values.initial_campaign_id),
            shops=_present(values.initial_shop_id),
            product_groups=frozenset(values.initial_product_groups),
            subscription_statuses=frozenset(values.subscription_statuses),
            metadata=frozenset(values.metadata),
        )
    return facts


def _present(value: str | None) -> frozenset[str]:
    return frozenset() if value is None else frozenset({str(value)})


@dataclass(frozen=True)
class ManualAction:
    """One ``customer_group_action`` row (clean)."""

    action_id: str
    customer_id: str
    group_key: str
    action: str  # add / remove
    created_at: datetime  # UTC; a naive value is read as UTC

    @property
    def created_on(self) -> date:
        return _utc(self.created_at).date()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def actions_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[ManualAction]:
    """Raw-shaped rows (``id``, ``customer_id``, ``group_key``, ``action``,
    ``created_date_unix``) as ``ManualAction``s."""
    actions = []
    for row in rows:
        actions.append(
            ManualAction(
                action_id=str(row["id"]).strip(),
                customer_id=str(row["customer_id"]).strip(),
                group_key=str(row["group_key"]).strip(),
                action=str(row["action"]).strip().lower(),
                created_at=datetime.fromtimestamp(
                    int(round(float(row["created_date_unix"]))), tz=timezone.utc
                ),
            )
        )
    return actions


# --------------------------------------------------------------------------
# Group definitions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One ``customer_group_qualifiers`` row, parsed."""

    group_key: str
    rule_set: int
    qualifier: str
    min_value: Decimal | None
    max_value: Decimal | None
    name: str | None
    value: str | None
    line: int  # 1-based data row of the seed, for messages


@dataclass(frozen=True)
class GroupDefinition:
    group_key: str
    name: str | None = None
    enabled: bool = True
    qualifier_method: str = "specific_values"
    group_type: str = "segment"
    recalculation: str = "flexi"
    created_on: date | None = None
    locked_on: date | None = None
    badge_icon: str | None = None
    priority: int | None = None
    conditions: tuple[Condition, ...] = ()

    @property
    def depends_on_history(self) -> bool:
        """Fixed segments and audiences: frozen on ``created_on``, edited by hand."""
        return self.recalculation == "fixed" or self.group_type == "audience"

    @property
    def rule_sets(self) -> dict[int, list[Condition]]:
        sets: dict[int, list[Condition]] = defaultdict(list)
        for condition in self.conditions:
            sets[condition.rule_set].append(condition)
        return dict(sorted(sets.items()))

    @property
    def references(self) -> frozenset[str]:
        return frozenset(
            c.value for c in self.conditions if c.qualifier in RELATION_QUALIFIERS and c.value
        )


def _cell(row: Mapping[str, str | None], column: str) -> str | None:
    value = row.get(column)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _choice(value: str | None, default: str, allowed: Iterable[str], where: str) -> str:
    chosen = default if value is None else value.lower()
    if chosen not in allowed:
        raise GroupDefinitionError(f"{where}: unknown value {value!r} (expected {sorted(allowed)})")
    return chosen


def _date(value: str | None, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise GroupDefinitionError(f"{where}: {value!r} is not a date") from error


def _bound(value: str | None, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise GroupDefinitionError(f"{where}: bound {value!r} is not a number") from error
    if not number.is_finite():
        raise GroupDefinitionError(f"{where}: bound {value!r} is not a number")
    return number


def parse_groups(
    group_rows: Iterable[Mapping[str, str | None]],
    qualifier_rows: Iterable[Mapping[str, str | None]],
) -> dict[str, GroupDefinition]:
    """Seed rows (as ``csv.DictReader`` gives them) as validated definitions.

    Raises ``GroupDefinitionError`` for what SPEC says stops the build: a
    duplicate group key, an unknown qualifier, a bound that is not a number,
    ``min_value > max_value``, a list or relation qualifier without ``value``,
    a reference to an unknown group, or a cycle.
    """
    headers: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(group_rows, start=1):
        key = _cell(row, "group_key")
        where = f"customer_groups row {line} (group {key!r})"
        if key is None:
            raise GroupDefinitionError(f"{where}: group_key is empty")
        if key in headers:
            raise GroupDefinitionError(f"{where}: duplicate group_key {key!r}")
        enabled = _choice(_cell(row, "enabled"), "true", ("true", "false"), f"{where}, enabled")
        priority = _cell(row, "priority")
        if priority is not None and not priority.lstrip("-").isdigit():
            raise GroupDefinitionError(f"{where}: priority {priority!r} is not an integer")
        headers[key] = {
            "group_key": key,
            "name": _cell(row, "name"),
            "enabled": enabled == "true",
            "qualifier_method": _choice(
                _cell(row, "qualifier_method"), "specific_values", QUALIFIER_METHODS,
                f"{where}, qualifier_method",
            ),
            "group_type": _choice(
                _cell(row, "group_type"), "segment", GROUP_TYPES, f"{where}, group_type"
            ),
            "recalculation": _choice(
                _cell(row, "recalculation"), "flexi", RECALCULATIONS, f"{where}, recalculation"
            ),
            "created_on": _date(_cell(row, "created_on"), f"{where}, created_on"),
            "locked_on": _date(_cell(row, "locked_on"), f"{where}, locked_on"),
            "badge_icon": _cell(row, "badge_icon"),
            "priority": None if priority is None else int(priority),
        }

    conditions: dict[str, list[Condition]] = defaultdict(list)
    for line, row in enumerate(qualifier_rows, start=1):
        key = _cell(row, "group_key")
        qualifier = (_cell(row, "qualifier") or "").lower()
        where = f"customer_group_qualifiers row {line} (group {key!r}, qualifier {qualifier!r})"
        if key not in headers:
            raise GroupDefinitionError(f"{where}: unknown group {key!r}")
        if qualifier not in ALL_QUALIFIERS:
            raise GroupDefinitionError(f"{where}: unknown qualifier")
        rule_set_text = _cell(row, "rule_set")
        try:
            rule_set = 1 if rule_set_text is None else int(rule_set_text)
        except ValueError as error:
            raise GroupDefinitionError(
                f"{where}: rule_set {rule_set_text!r} is not an integer"
            ) from error
        min_value = _bound(_cell(row, "min_value"), where)
        max_value = _bound(_cell(row, "max_value"), where)
        if min_value is not None and max_value is not None and min_value > max_value:
            raise GroupDefinitionError(f"{where}: min_value {min_value} > max_value {max_value}")
        name, value = _cell(row, "name"), _cell(row, "value")
        if qualifier == "metadata":
            if name is None:
                raise GroupDefinitionError(f"{where}: metadata qualifier without name")
        elif qualifier in LIST_QUALIFIERS | RELATION_QUALIFIERS and value is None:
            raise GroupDefinitionError(f"{where}: {qualifier} without value")
        if qualifier == "has_no_sales":
            value = (value or "").lower()
            if value not in ("true", "false"):
                raise GroupDefinitionError(f"{where}: has_no_sales value must be true or false")
        if qualifier in RELATION_QUALIFIERS and value not in headers:
            raise GroupDefinitionError(f"{where}: reference to unknown group {value!r}")
        conditions[key].append(
            Condition(key, rule_set, qualifier, min_value, max_value, name, value, line)
        )

    groups = {
        key: GroupDefinition(**header, conditions=tuple(conditions.get(key, ())))
        for key, header in headers.items()
    }
    _check_cycles(groups)
    return groups


def _check_cycles(groups: Mapping[str, GroupDefinition]) -> None:
    state: dict[str, str] = {}

    def visit(key: str, path: list[str]) -> None:
        if state.get(key) == "done":
            return
        if state.get(key) == "open":
            cycle = path[path.index(key):] + [key]
            raise GroupDefinitionError(f"group {key!r}: cycle {' -> '.join(cycle)}")
        state[key] = "open"
        for reference in sorted(groups[key].references):
            visit(reference, [*path, key])
        state[key] = "done"

    for key in groups:
        visit(key, [])


def load_groups(groups_csv: Path, qualifiers_csv: Path) -> dict[str, GroupDefinition]:
    """Read and parse the two definition seeds."""
    with groups_csv.open(newline="") as g, qualifiers_csv.open(newline="") as q:
        return parse_groups(list(csv.DictReader(g)), list(csv.DictReader(q)))


def history_dependent_groups(groups: Mapping[str, GroupDefinition]) -> frozenset[str]:
    """Fixed segments and audiences, and every group referencing one at any
    depth: what this module only approximates."""
    dependent = {key for key, group in groups.items() if group.depends_on_history}
    changed = True
    while changed:
        changed = False
        for key, group in groups.items():
            if key not in dependent and group.references & dependent:
                dependent.add(key)
                changed = True
    return frozenset(dependent)


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------


def manual_members(
    actions: Iterable[ManualAction], group_key: str, as_of: date
) -> set[str]:
    """Customers whose latest action for ``group_key`` on or before ``as_of``
    is ``add`` (ties on the timestamp: the larger id, compared as text)."""
    latest: dict[str, ManualAction] = {}
    for action in actions:
        if action.group_key != group_key or action.created_on > as_of:
            continue
        current = latest.get(action.customer_id)
        if current is None or (_utc(action.created_at), action.action_id) > (
            _utc(current.created_at),
            current.action_id,
        ):
            latest[action.customer_id] = action
    return {customer_id for customer_id, action in latest.items() if action.action == "add"}


def _range_holds(condition: Condition, facts: CustomerFacts) -> bool:
    if condition.qualifier in SUBSCRIPTION_QUALIFIERS and not facts.has_subscription:
        return False
    value = facts.metrics.get(condition.qualifier)
    if value is None:
        return False
    number = value if isinstance(value, Decimal) else Decimal(value)
    if condition.min_value is not None and number < condition.min_value:
        return False
    if condition.max_value is not None and number > condition.max_value:
        return False
    return True


def _list_holds(condition: Condition, facts: CustomerFacts) -> bool:
    qualifier, value = condition.qualifier, condition.value
    if qualifier == "campaign":
        return value in facts.campaigns
    if qualifier == "shop":
        return value in facts.shops
    if qualifier == "product_group":
        return value in facts.product_groups
    if qualifier == "subscription_status":
        return facts.has_subscription and value in facts.subscription_statuses
    if qualifier == "metadata":
        return any(
            name == condition.name and (value is None or stored == value)
            for name, stored in facts.metadata
        )
    raise AssertionError(qualifier)


def _relation_holds(qualifier: str, listed: list[str], member_of: set[str]) -> bool:
    inside = [key in member_of for key in listed]
    if qualifier == "in_any_customer_group":
        return any(inside)
    if qualifier == "in_all_customer_group":
        return all(inside)
    if qualifier == "not_in_customer_group":
        return not all(inside)
    if qualifier == "not_in_any_customer_group":
        return not any(inside)
    raise AssertionError(qualifier)


def _rule_set_holds(
    conditions: list[Condition],
    facts: CustomerFacts,
    groups_of_customer: set[str],
) -> bool:
    by_qualifier: dict[str, list[Condition]] = defaultdict(list)
    for condition in conditions:
        by_qualifier[condition.qualifier].append(condition)
    for qualifier, rows in by_qualifier.items():
        if qualifier in RANGE_QUALIFIERS:
            holds = all(_range_holds(row, facts) for row in rows)
        elif qualifier in LIST_QUALIFIERS:
            holds = any(_list_holds(row, facts) for row in rows)
        elif qualifier in RELATION_QUALIFIERS:
            listed = [row.value or "" for row in rows]
            holds = _relation_holds(qualifier, listed, groups_of_customer)
        elif qualifier == "has_no_sales":
            holds = all((row.value == "true") == (not facts.has_sales) for row in rows)
        else:
            raise AssertionError(qualifier)
        if not holds:
            return False
    return True


def evaluate_groups(
    groups: Mapping[str, GroupDefinition],
    customers: Mapping[str, CustomerFacts],
    actions: Iterable[ManualAction],
    as_of: date,
) -> dict[str, set[str]]:
    """``{group_key: member customer ids}`` on ``as_of``, for every defined group.

    ``customers`` are the customers evaluated on ``as_of`` (clean, created on
    or before it); manual actions for anyone else are ignored.
    """
    actions = [a for a in actions if a.customer_id in customers]
    members: dict[str, set[str]] = {}

    def resolve(key: str, path: tuple[str, ...] = ()) -> set[str]:
        if key in members:
            return members[key]
        if key in path:
            raise GroupDefinitionError(f"group {key!r}: cycle {' -> '.join((*path, key))}")
        group = groups[key]
        if not group.enabled:
            result: set[str] = set()
        elif group.qualifier_method == "none":
            result = manual_members(actions, key, as_of)
        elif not group.conditions:
            result = set()
        else:
            for reference in sorted(group.references):
                resolve(reference, (*path, key))
            rule_sets = list(group.rule_sets.values())
            result = set()
            for customer_id, facts in customers.items():
                groups_of_customer = {
                    reference for reference in group.references if customer_id in members[reference]
                }
                if any(_rule_set_holds(rs, facts, groups_of_customer) for rs in rule_sets):
                    result.add(customer_id)
        members[key] = result
        return result

    for key in groups:
        resolve(key)
    return members
