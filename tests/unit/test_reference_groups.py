"""Tests of the pure-Python group evaluator (tests/integration/reference_groups.py).

The integration tests trust it to judge ``customer_group_memberships``, so
each rule of SPEC section 3 is checked here on hand-built customers and seed
rows. No dbt, no database; these run in well under a second.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.integration.reference_groups import (
    CustomerFacts,
    GroupDefinitionError,
    ManualAction,
    evaluate_groups,
    history_dependent_groups,
    load_groups,
    manual_members,
    parse_groups,
)

AS_OF = date(2026, 6, 30)
SEEDS = Path(__file__).resolve().parents[2] / "seeds"

GROUP_COLUMNS = (
    "group_key",
    "name",
    "description",
    "enabled",
    "qualifier_method",
    "group_type",
    "recalculation",
    "created_on",
    "locked_on",
    "badge_icon",
    "priority",
)
QUALIFIER_COLUMNS = (
    "group_key",
    "rule_set",
    "qualifier",
    "min_value",
    "max_value",
    "name",
    "value",
)


def group(key: str, **cells: str) -> dict[str, str]:
    return {"group_key": key, **cells}


def rule(
    key: str,
    qualifier: str,
    *,
    rule_set: str = "",
    min_value: str = "",
    max_value: str = "",
    name: str = "",
    value: str = "",
) -> dict[str, str]:
    return {
        "group_key": key,
        "rule_set": rule_set,
        "qualifier": qualifier,
        "min_value": min_value,
        "max_value": max_value,
        "name": name,
        "value": value,
    }


def customer(
    *,
    has_sales: bool = True,
    has_subscription: bool = False,
    campaigns: Sequence[str] = (),
    shops: Sequence[str] = (),
    product_groups: Sequence[str] = (),
    subscription_statuses: Sequence[str] = (),
    metadata: Sequence[tuple[str, str | None]] = (),
    **metrics: int | Decimal | None,
) -> CustomerFacts:
    return CustomerFacts(
        metrics=metrics,
        has_sales=has_sales,
        has_subscription=has_subscription,
        campaigns=frozenset(campaigns),
        shops=frozenset(shops),
        product_groups=frozenset(product_groups),
        subscription_statuses=frozenset(subscription_statuses),
        metadata=frozenset(metadata),
    )


def members(
    groups: Sequence[Mapping[str, str]],
    rules: Sequence[Mapping[str, str]],
    customers: Mapping[str, CustomerFacts],
    actions: Sequence[ManualAction] = (),
    as_of: date = AS_OF,
) -> dict[str, set[str]]:
    return evaluate_groups(parse_groups(groups, rules), customers, actions, as_of)


def action(
    action_id: str, customer_id: str, group_key: str, verb: str, at: datetime
) -> ManualAction:
    return ManualAction(action_id, customer_id, group_key, verb, at)


# --------------------------------------------------------------------------
# Rule sets and rows
# --------------------------------------------------------------------------


def test_rows_of_one_rule_set_must_all_hold() -> None:
    customers = {
        "both": customer(successful_sales=2, chargebacks=0),
        "sales_only": customer(successful_sales=2, chargebacks=1),
        "neither": customer(successful_sales=0, chargebacks=1),
    }
    result = members(
        [group("g")],
        [rule("g", "successful_sales", min_value="1"), rule("g", "chargebacks", max_value="0")],
        customers,
    )
    assert result["g"] == {"both"}


def test_any_rule_set_qualifies_the_customer() -> None:
    customers = {
        "declined": customer(declined_sales=1, overdue_renewals=0, has_subscription=True),
        "overdue": customer(declined_sales=0, overdue_renewals=2, has_subscription=True),
        "fine": customer(declined_sales=0, overdue_renewals=0, has_subscription=True),
    }
    result = members(
        [group("g")],
        [
            rule("g", "declined_sales", rule_set="1", min_value="1"),
            rule("g", "overdue_renewals", rule_set="2", min_value="1"),
        ],
        customers,
    )
    assert result["g"] == {"declined", "overdue"}


def test_empty_rule_set_cell_means_rule_set_one() -> None:
    customers = {
        "a": customer(successful_sales=1, chargebacks=1),
        "b": customer(successful_sales=1, chargebacks=0),
    }
    result = members(
        [group("g")],
        [
            rule("g", "successful_sales", min_value="1"),
            rule("g", "chargebacks", rule_set="1", max_value="0"),
        ],
        customers,
    )
    assert result["g"] == {"b"}


def test_several_rows_of_one_list_qualifier_are_alternatives() -> None:
    customers = {
        "overdue": customer(has_subscription=True, subscription_statuses=["overdue"]),
        "cancelled": customer(has_subscription=True, subscription_statuses=["active", "cancelled"]),
        "active": customer(has_subscription=True, subscription_statuses=["active"]),
    }
    result = members(
        [group("g")],
        [
            rule("g", "subscription_status", value="overdue"),
            rule("g", "subscription_status", value="suspended"),
            rule("g", "subscription_status", value="cancelled"),
        ],
        customers,
    )
    assert result["g"] == {"overdue", "cancelled"}


def test_different_list_qualifiers_in_one_rule_set_are_anded() -> None:
    customers = {
        "both": customer(campaigns=["cmp_1"], shops=["shop_2"]),
        "campaign_only": customer(campaigns=["cmp_1"], shops=["shop_1"]),
    }
    result = members(
        [group("g")],
        [rule("g", "campaign", value="cmp_1"), rule("g", "shop", value="shop_2")],
        customers,
    )
    assert result["g"] == {"both"}


def test_several_rows_of_one_range_qualifier_must_all_hold() -> None:
    customers = {
        "low": customer(lifetime_value=Decimal("99.99")),
        "mid": customer(lifetime_value=Decimal("500")),
        "high": customer(lifetime_value=Decimal("1000")),
    }
    result = members(
        [group("g")],
        [
            rule("g", "lifetime_value", min_value="100"),
            rule("g", "lifetime_value", max_value="999.99"),
        ],
        customers,
    )
    assert result["g"] == {"mid"}


def test_group_without_rows_has_no_members() -> None:
    customers = {"a": customer(successful_sales=3)}
    result = members(
        [
            group("sv", qualifier_method="specific_values"),
            group("cg", qualifier_method="customer_group"),
        ],
        [],
        customers,
    )
    assert result == {"sv": set(), "cg": set()}


# --------------------------------------------------------------------------
# Range bounds
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(29, False), (30, True), (45, True), (60, True), (61, False)],
)
def test_range_bounds_are_inclusive_on_both_sides(value: int, expected: bool) -> None:
    result = members(
        [group("g")],
        [rule("g", "days_since_last_sale", min_value="30", max_value="60")],
        {"c": customer(days_since_last_sale=value)},
    )
    assert (result["g"] == {"c"}) is expected


def test_money_is_compared_unrounded() -> None:
    customers = {
        "just_below": customer(lifetime_value=Decimal("999.9999999")),
        "exact": customer(lifetime_value=Decimal("1000.000000")),
    }
    result = members([group("g")], [rule("g", "lifetime_value", min_value="1000")], customers)
    assert result["g"] == {"exact"}


def test_empty_bound_is_open() -> None:
    customers = {
        "negative": customer(days_until_card_expiry=-400),
        "far": customer(days_until_card_expiry=4000),
    }
    result = members([group("g")], [rule("g", "days_until_card_expiry", max_value="30")], customers)
    assert result["g"] == {"negative"}
    result = members([group("g")], [rule("g", "days_until_card_expiry", min_value="0")], customers)
    assert result["g"] == {"far"}


def test_both_bounds_empty_means_the_metric_is_known() -> None:
    customers = {
        "known_zero": customer(days_until_card_expiry=0),
        "unknown": customer(days_until_card_expiry=None),
        "missing_key": customer(),
    }
    result = members([group("g")], [rule("g", "days_until_card_expiry")], customers)
    assert result["g"] == {"known_zero"}


def test_null_metric_fails_whatever_the_bounds() -> None:
    customers = {"never_bought": customer(average_sale=None, has_sales=False)}
    result = members(
        [group("lo"), group("hi")],
        [
            rule("lo", "average_sale", max_value="1000000"),
            rule("hi", "average_sale", min_value="-1"),
        ],
        customers,
    )
    assert result == {"lo": set(), "hi": set()}


@pytest.mark.parametrize(
    "qualifier", ["renewals", "successful_renewals", "overdue_renewals", "days_since_last_renewal"]
)
def test_subscription_range_qualifiers_fail_without_a_subscription(qualifier: str) -> None:
    customers = {
        "no_subscription": customer(has_subscription=False, **{qualifier: 0}),
        "subscriber": customer(has_subscription=True, **{qualifier: 0}),
    }
    result = members([group("g")], [rule("g", qualifier, max_value="0")], customers)
    assert result["g"] == {"subscriber"}


def test_subscription_status_fails_without_a_subscription() -> None:
    customers = {
        # Inconsistent on purpose: the flag decides.
        "no_subscription": customer(has_subscription=False, subscription_statuses=["active"]),
        "subscriber": customer(has_subscription=True, subscription_statuses=["active"]),
    }
    result = members([group("g")], [rule("g", "subscription_status", value="active")], customers)
    assert result["g"] == {"subscriber"}


def test_non_subscription_metric_of_zero_passes_a_max_zero_bound() -> None:
    result = members(
        [group("g")], [rule("g", "chargebacks", max_value="0")], {"c": customer(chargebacks=0)}
    )
    assert result["g"] == {"c"}


# --------------------------------------------------------------------------
# Other list qualifiers
# --------------------------------------------------------------------------


def test_has_no_sales_true_and_false() -> None:
    customers = {"lead": customer(has_sales=False), "buyer": customer(has_sales=True)}
    result = members(
        [group("no_sales"), group("with_sales")],
        [
            rule("no_sales", "has_no_sales", value="true"),
            rule("with_sales", "has_no_sales", value="false"),
        ],
        customers,
    )
    assert result == {"no_sales": {"lead"}, "with_sales": {"buyer"}}


def test_metadata_with_value_matches_exactly_and_case_sensitively() -> None:
    customers = {
        "exact": customer(metadata=[("affiliate_id", "aff_123")]),
        "upper": customer(metadata=[("affiliate_id", "AFF_123")]),
        "other": customer(metadata=[("affiliate_id", "aff_456"), ("lead_source", "aff_123")]),
    }
    result = members(
        [group("g")], [rule("g", "metadata", name="affiliate_id", value="aff_123")], customers
    )
    assert result["g"] == {"exact"}


def test_metadata_without_value_means_the_name_is_present() -> None:
    customers = {
        "scored": customer(metadata=[("risk_score", "87")]),
        "scored_null": customer(metadata=[("risk_score", None)]),
        "unscored": customer(metadata=[("crm_id", "x")]),
    }
    result = members([group("g")], [rule("g", "metadata", name="risk_score")], customers)
    assert result["g"] == {"scored", "scored_null"}


def test_campaign_shop_and_product_group_read_the_initial_sale() -> None:
    customers = {
        "c1": customer(campaigns=["cmp_1"], shops=["shop_1"], product_groups=["pg_1", "pg_2"]),
        "c2": customer(campaigns=["cmp_2"], shops=[], product_groups=["pg_3"]),
        "none": customer(has_sales=False),
    }
    result = members(
        [group("camp"), group("shop"), group("pg")],
        [
            rule("camp", "campaign", value="cmp_2"),
            rule("shop", "shop", value="shop_1"),
            rule("pg", "product_group", value="pg_2"),
        ],
        customers,
    )
    assert result == {"camp": {"c2"}, "shop": {"c1"}, "pg": {"c1"}}


# --------------------------------------------------------------------------
# Relations between groups
# --------------------------------------------------------------------------

def _relation_members(qualifier: str) -> set[str]:
    customers = {
        "in_a_and_b": customer(successful_sales=3, declined_sales=1),
        "in_a_only": customer(successful_sales=3, declined_sales=0),
        "in_b_only": customer(successful_sales=0, declined_sales=1),
        "in_neither": customer(successful_sales=0, declined_sales=0),
    }
    result = members(
        [group("a"), group("b"), group("r", qualifier_method="customer_group")],
        [
            rule("a", "successful_sales", min_value="1"),
            rule("b", "declined_sales", min_value="1"),
            rule("r", qualifier, value="a"),
            rule("r", qualifier, value="b"),
        ],
        customers,
    )
    assert result["a"] == {"in_a_and_b", "in_a_only"}
    assert result["b"] == {"in_a_and_b", "in_b_only"}
    return result["r"]


def test_in_any_customer_group_means_member_of_at_least_one() -> None:
    assert _relation_members("in_any_customer_group") == {"in_a_and_b", "in_a_only", "in_b_only"}


def test_in_all_customer_group_means_member_of_every_listed_group() -> None:
    assert _relation_members("in_all_customer_group") == {"in_a_and_b"}


def test_not_in_customer_group_means_missing_from_at_least_one() -> None:
    """RevCent's literal meaning: not in all of them."""
    assert _relation_members("not_in_customer_group") == {"in_a_only", "in_b_only", "in_neither"}


def test_not_in_any_customer_group_means_member_of_none() -> None:
    assert _relation_members("not_in_any_customer_group") == {"in_neither"}


def test_relations_combine_with_other_rows_of_the_rule_set() -> None:
    customers = {
        "rich_member": customer(successful_sales=1, lifetime_value=Decimal("600")),
        "poor_member": customer(successful_sales=1, lifetime_value=Decimal("10")),
        "rich_outsider": customer(successful_sales=0, lifetime_value=Decimal("600")),
    }
    result = members(
        [group("buyers"), group("rich_buyers", qualifier_method="customer_group")],
        [
            rule("buyers", "successful_sales", min_value="1"),
            rule("rich_buyers", "in_any_customer_group", value="buyers"),
            rule("rich_buyers", "lifetime_value", min_value="500"),
        ],
        customers,
    )
    assert result["rich_buyers"] == {"rich_member"}


def test_groups_nest_three_deep() -> None:
    customers = {
        "top": customer(declined_sales=1, lifetime_value=Decimal("800"), days_since_last_sale=10),
        "stale": customer(
            declined_sales=1, lifetime_value=Decimal("800"), days_since_last_sale=100
        ),
        "poor": customer(declined_sales=1, lifetime_value=Decimal("100"), days_since_last_sale=10),
        "paid": customer(declined_sales=0, lifetime_value=Decimal("800"), days_since_last_sale=10),
    }
    groups = [
        # Defined top-down on purpose: order in the seed must not matter.
        group("priority", qualifier_method="customer_group"),
        group("high_value_recovery", qualifier_method="customer_group"),
        group("recovery"),
    ]
    rules = [
        rule("priority", "in_any_customer_group", value="high_value_recovery"),
        rule("priority", "days_since_last_sale", max_value="60"),
        rule("high_value_recovery", "in_any_customer_group", value="recovery"),
        rule("high_value_recovery", "lifetime_value", min_value="500"),
        rule("recovery", "declined_sales", min_value="1"),
    ]
    result = members(groups, rules, customers)
    assert result["recovery"] == {"top", "stale", "poor"}
    assert result["high_value_recovery"] == {"top", "stale"}
    assert result["priority"] == {"top"}


def test_disabled_group_has_no_members_and_counts_as_empty_where_referenced() -> None:
    customers = {"a": customer(successful_sales=2), "b": customer(successful_sales=0)}
    result = members(
        [
            group("buyers", enabled="false"),
            group("in_any", qualifier_method="customer_group"),
            group("in_all", qualifier_method="customer_group"),
            group("not_in", qualifier_method="customer_group"),
            group("not_in_any", qualifier_method="customer_group"),
        ],
        [
            rule("buyers", "successful_sales", min_value="1"),
            rule("in_any", "in_any_customer_group", value="buyers"),
            rule("in_all", "in_all_customer_group", value="buyers"),
            rule("not_in", "not_in_customer_group", value="buyers"),
            rule("not_in_any", "not_in_any_customer_group", value="buyers"),
        ],
        customers,
    )
    assert result["buyers"] == set()
    assert result["in_any"] == set()
    assert result["in_all"] == set()
    assert result["not_in"] == {"a", "b"}
    assert result["not_in_any"] == {"a", "b"}


def test_relation_reads_final_membership_of_a_manual_group() -> None:
    customers = {
        "flagged": customer(lifetime_value=Decimal("5000")),
        "clean": customer(lifetime_value=Decimal("5000")),
    }
    actions = [action("1", "flagged", "manual_review", "add", datetime(2026, 6, 1, 9))]
    result = members(
        [
            group("manual_review", qualifier_method="none"),
            group("vip", qualifier_method="customer_group"),
        ],
        [
            rule("vip", "lifetime_value", min_value="1000"),
            rule("vip", "not_in_any_customer_group", value="manual_review"),
        ],
        customers,
        actions,
    )
    assert result["manual_review"] == {"flagged"}
    assert result["vip"] == {"clean"}


# --------------------------------------------------------------------------
# Manual membership
# --------------------------------------------------------------------------


def test_latest_action_on_or_before_as_of_wins() -> None:
    actions = [
        action("1", "c", "dnc", "add", datetime(2026, 6, 1, 10)),
        action("2", "c", "dnc", "remove", datetime(2026, 6, 10, 10)),
        action("3", "c", "dnc", "add", datetime(2026, 7, 1, 0, 0, 1)),  # after as_of
        action("4", "d", "dnc", "add", datetime(2026, 6, 30, 23, 59, 59)),  # on as_of: counts
    ]
    assert manual_members(actions, "dnc", AS_OF) == {"d"}
    assert manual_members(actions, "dnc", date(2026, 6, 5)) == {"c"}
    assert manual_members(actions, "dnc", date(2026, 7, 1)) == {"c", "d"}
    assert manual_members(actions, "dnc", date(2026, 5, 31)) == set()


def test_later_time_on_the_same_day_wins_over_a_larger_id() -> None:
    actions = [
        action("9", "c", "dnc", "add", datetime(2026, 6, 1, 8)),
        action("10", "c", "dnc", "remove", datetime(2026, 6, 1, 9)),
    ]
    assert manual_members(actions, "dnc", AS_OF) == set()


def test_ties_go_to_the_larger_id_compared_as_text() -> None:
    moment = datetime(2026, 6, 1, 12)
    # As text "9" > "10", so the add (id 9) wins over the remove (id 10).
    actions = [
        action("10", "c", "dnc", "remove", moment),
        action("9", "c", "dnc", "add", moment),
        action("a2", "d", "dnc", "add", moment),
        action("a1", "d", "dnc", "remove", moment),
    ]
    assert manual_members(actions, "dnc", AS_OF) == {"c", "d"}
    reversed_actions = [
        action("a2", "e", "dnc", "remove", moment),
        action("a1", "e", "dnc", "add", moment),
    ]
    assert manual_members(reversed_actions, "dnc", AS_OF) == set()


def test_manual_actions_decide_none_groups_only() -> None:
    customers = {"c": customer(successful_sales=0), "d": customer(successful_sales=5)}
    actions = [
        action("1", "c", "manual", "add", datetime(2026, 6, 1)),
        action("2", "c", "buyers", "add", datetime(2026, 6, 1)),  # flexi rule group: ignored
        action("3", "d", "buyers", "remove", datetime(2026, 6, 1)),  # ignored too
        action("4", "c", "off", "add", datetime(2026, 6, 1)),  # disabled group: ignored
        action("5", "c", "unknown_group", "add", datetime(2026, 6, 1)),  # unknown: ignored
        action("6", "ghost", "manual", "add", datetime(2026, 6, 1)),  # not an evaluated customer
    ]
    result = members(
        [
            group("manual", qualifier_method="none"),
            group("off", qualifier_method="none", enabled="false"),
            group("buyers"),
        ],
        [rule("buyers", "successful_sales", min_value="1")],
        customers,
        actions,
    )
    assert result == {"manual": {"c"}, "off": set(), "buyers": {"d"}}


def test_none_group_ignores_qualifier_rows() -> None:
    customers = {"c": customer(successful_sales=1)}
    result = members(
        [group("m", qualifier_method="none")],
        [rule("m", "successful_sales", min_value="1")],
        customers,
    )
    assert result["m"] == set()


# --------------------------------------------------------------------------
# Definitions: defaults, history flags and errors
# --------------------------------------------------------------------------


def test_empty_cells_take_the_defaults() -> None:
    groups = parse_groups(
        [group("g", enabled="", qualifier_method="", group_type="", recalculation="")],
        [rule("g", "successful_sales", min_value="1")],
    )
    definition = groups["g"]
    assert definition.enabled is True
    assert definition.qualifier_method == "specific_values"
    assert definition.group_type == "segment"
    assert definition.recalculation == "flexi"
    assert definition.conditions[0].rule_set == 1


def test_fixed_segments_audiences_and_their_dependents_are_flagged() -> None:
    groups = parse_groups(
        [
            group("flexi"),
            group("fixed", recalculation="fixed", created_on="2026-06-01"),
            group(
                "aud",
                group_type="audience",
                recalculation="fixed",
                created_on="2026-06-01",
                locked_on="2026-09-01",
            ),
            group("uses_fixed", qualifier_method="customer_group"),
            group("uses_uses_fixed", qualifier_method="customer_group"),
            group("badge", group_type="badge", badge_icon="crown"),
        ],
        [
            rule("flexi", "sales", min_value="1"),
            rule("fixed", "sales", min_value="1"),
            rule("aud", "sales", min_value="1"),
            rule("uses_fixed", "in_any_customer_group", value="fixed"),
            rule("uses_uses_fixed", "not_in_any_customer_group", value="uses_fixed"),
            rule("badge", "in_all_customer_group", value="flexi"),
        ],
    )
    assert history_dependent_groups(groups) == {"fixed", "aud", "uses_fixed", "uses_uses_fixed"}


@pytest.mark.parametrize(
    ("groups", "rules", "message"),
    [
        ([group("g"), group("g")], [], "duplicate group_key"),
        ([group("g")], [rule("g", "lifetime_valu", min_value="1")], "unknown qualifier"),
        ([group("g")], [rule("g", "lifetime_value", min_value="ten")], "not a number"),
        ([group("g")], [rule("g", "lifetime_value", min_value="5", max_value="1")], "min_value"),
        ([group("g")], [rule("g", "campaign")], "without value"),
        ([group("g")], [rule("g", "metadata", value="aff_123")], "without name"),
        ([group("g")], [rule("g", "in_any_customer_group", value="nope")], "unknown group"),
        ([group("g")], [rule("h", "sales", min_value="1")], "unknown group"),
        (
            [group("a"), group("b"), group("c")],
            [
                rule("a", "in_any_customer_group", value="b"),
                rule("b", "in_any_customer_group", value="c"),
                rule("c", "in_all_customer_group", value="a"),
            ],
            "cycle",
        ),
    ],
)
def test_invalid_definitions_are_refused(
    groups: list[dict[str, str]], rules: list[dict[str, str]], message: str
) -> None:
    with pytest.raises(GroupDefinitionError, match=message):
        parse_groups(groups, rules)


# --------------------------------------------------------------------------
# The project's own seeds
# --------------------------------------------------------------------------


def test_project_seeds_parse_and_use_the_exact_columns() -> None:
    with (SEEDS / "customer_groups.csv").open(newline="") as handle:
        assert tuple(csv.DictReader(handle).fieldnames or ()) == GROUP_COLUMNS
    with (SEEDS / "customer_group_qualifiers.csv").open(newline="") as handle:
        assert tuple(csv.DictReader(handle).fieldnames or ()) == QUALIFIER_COLUMNS
    groups = load_groups(SEEDS / "customer_groups.csv", SEEDS / "customer_group_qualifiers.csv")
    assert "vip" in groups and groups["vip"].conditions
    assert any(not g.enabled for g in groups.values())
    assert {g.group_type for g in groups.values()} == {"segment", "audience", "badge"}
    # vip_recovery_priority -> high_value_recovery -> payment_recovery
    assert "high_value_recovery" in groups["vip_recovery_priority"].references
    assert "payment_recovery" in groups["high_value_recovery"].references
