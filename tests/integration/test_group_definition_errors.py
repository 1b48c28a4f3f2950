"""Bad group definitions stop the build with one clear message per problem.

SPEC section 3: a cycle, a reference to an unknown group, an unknown
qualifier, a bound that is not a number, ``min_value > max_value``, a list
qualifier without ``value`` or a duplicate ``group_key`` "stops the build
with an error that names the group, the row and the problem". The project
checks more than that (qualifier rows on a ``none`` group or for an unknown
group, a value on a range qualifier, a bad ``enabled``, a bad date, nesting
deeper than var ``max_group_nesting_depth``, ...); these tests feed such
seeds to a copy of the project and read the error.

The check runs in the pre-hook of ``customer_group_definitions`` and needs
only the seeds, so the bad-definition builds select
``+customer_group_definitions`` and need no raw data. They run ``dbt build``
as the pipeline does, which also proves that no data test upstream of the
check fails first and hides its message. Unit tests are excluded: they do
not read the seeds and run in the main build.

A last test feeds valid definitions full of quotes, commas, unicode and
SQL-looking text and builds the whole project on a small generated dataset:
the text must be matched literally and never run as SQL.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.conftest import AS_OF, PROJECT_DIR, RAW_SCHEMA, BuiltWarehouse

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

pytestmark = pytest.mark.integration

# What a copy of the project needs (those that exist): no target/, logs/,
# warehouse/ or venv.
PROJECT_PARTS = (
    "dbt_project.yml",
    "selectors.yml",
    "models",
    "macros",
    "seeds",
    "tests",
    "analyses",
    "snapshots",
    "packages.yml",
    "dependencies.yml",
    "selectors.yml",
)

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
QUALIFIER_COLUMNS = ("group_key", "rule_set", "qualifier", "min_value", "max_value", "name", "value")

# Cautious: leave out tests that also read unselected models (they would
# fail on a relation that was never built).
CHECK_ONLY = [
    "build",
    "--select",
    # The definitions and their check, without the evaluation the mart also
    # waits for (no raw data here).
    "+int_customer_group_definitions_checked",
    "customer_group_definitions",
    "+customer_group_definition_problems",
    "--indirect-selection",
    "cautious",
    "--exclude",
    "test_type:unit",
]
DEFINITIONS_MODEL = "model.customer_groups.int_customer_group_definitions_checked"

# One problem line of the error:
#   "  - <seed>.csv row "<the row's values, comma-joined>", group 'g', ...: problem".
PROBLEM_LINE = re.compile(
    r'^\s*- (customer_groups|customer_group_qualifiers)\.csv row "(.*?)"(?=, group |, rule_set |, qualifier |: )(.*)$'
)


# --------------------------------------------------------------------------
# A copy of the project with its own definition seeds
# --------------------------------------------------------------------------


def group(group_key: str, **fields: str) -> dict[str, str]:
    """A customer_groups row: an enabled flexi segment unless told otherwise."""
    row = {column: "" for column in GROUP_COLUMNS}
    row.update(
        group_key=group_key,
        name=group_key.replace("_", " ").capitalize(),
        enabled="true",
        qualifier_method="specific_values",
    )
    row.update(fields)
    return row


def qualifier(group_key: str, qualifier_name: str, **fields: str) -> dict[str, str]:
    """A customer_group_qualifiers row in rule set 1 unless told otherwise."""
    row = {column: "" for column in QUALIFIER_COLUMNS}
    row.update(group_key=group_key, rule_set="1", qualifier=qualifier_name)
    row.update(fields)
    return row


def write_seed(path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        writer.writerows(rows)


def row_text(row: Mapping[str, str]) -> str:
    """A seed row as the error quotes it: its values joined by commas, as
    they read in the CSV file (rows are named by content: PostgreSQL and
    Spark keep no seed row order)."""
    columns = GROUP_COLUMNS if "qualifier_method" in row else QUALIFIER_COLUMNS
    return ",".join(row[column] for column in columns)


def seed_rows(rows: Sequence[Mapping[str, str]], group_key: str) -> list[str]:
    """The rows of a seed whose group_key is ``group_key``, as the error quotes them."""
    return [row_text(row) for row in rows if row["group_key"] == group_key]


# A copied project is driven like the shared warehouse, with the same dates.
ProjectCopy = BuiltWarehouse


def copy_project(
    work_dir: Path,
    groups: Sequence[Mapping[str, str]],
    qualifiers: Sequence[Mapping[str, str]],
) -> ProjectCopy:
    """The project copied under ``work_dir`` with these definition seeds."""
    project_dir = work_dir / "project"
    project_dir.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = PROJECT_DIR / part
        if source.is_dir():
            shutil.copytree(
                source,
                project_dir / part,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache"),
            )
        elif source.exists():
            shutil.copy2(source, project_dir / part)
    write_seed(project_dir / "seeds" / "customer_groups.csv", GROUP_COLUMNS, groups)
    write_seed(project_dir / "seeds" / "customer_group_qualifiers.csv", QUALIFIER_COLUMNS, qualifiers)
    db_dir = work_dir / "db"
    db_dir.mkdir()
    return ProjectCopy(
        db_path=db_dir / "customer_groups.duckdb",
        as_of=AS_OF,
        project_dir=project_dir,
        profiles_dir=work_dir / "profiles",
    )


# --------------------------------------------------------------------------
# Reading the error
# --------------------------------------------------------------------------


def failed_nodes(result: dbtRunnerResult) -> dict[str, str]:
    """unique_id -> message of every node that errored or failed."""
    return {
        node_result.node.unique_id: str(node_result.message or "")
        for node_result in getattr(result.result, "results", None) or []
        if str(node_result.status) in {"error", "fail"}
    }


def failure_text(result: dbtRunnerResult) -> str:
    """Every error message of a failed dbt invocation, joined."""
    messages = [] if result.exception is None else [str(result.exception)]
    return "\n".join([*messages, *failed_nodes(result).values()])


@dataclass(frozen=True)
class Problem:
    seed: str
    row: str  # the seed row, as quoted
    text: str  # the whole line after "- "


def problem_lines(text: str) -> list[Problem]:
    problems = []
    for raw in text.splitlines():
        match = PROBLEM_LINE.match(raw)
        if match:
            problems.append(Problem(seed=match[1], row=match[2], text=raw.strip()[2:]))
    return problems


@dataclass(frozen=True)
class DefinitionError:
    text: str  # the whole error
    problems: list[Problem]  # its problem lines
    project: ProjectCopy


def build_expecting_definition_error(
    work_dir: Path,
    groups: Sequence[Mapping[str, str]],
    qualifiers: Sequence[Mapping[str, str]],
    vars: Mapping[str, Any] | None = None,
) -> DefinitionError:
    """Build the definitions from these seeds; they must fail the check."""
    project = copy_project(work_dir, groups, qualifiers)
    result = project.run(CHECK_ONLY, vars=vars, expect_success=False)
    text = failure_text(result)
    assert "Customer group definitions have" in text, (
        "the build failed, but not with the definition check's message:\n" + text
    )
    # The check is the only thing that fails: no test upstream of it fails
    # first (which would skip it and hide its message).
    assert set(failed_nodes(result)) == {DEFINITIONS_MODEL}, text
    return DefinitionError(text=text, problems=problem_lines(text), project=project)


def relation_exists(project: ProjectCopy, name: str) -> bool:
    rows = project.query(f"select count(*) as n from information_schema.tables where table_name = '{name}'")
    return rows[0]["n"] > 0


# --------------------------------------------------------------------------
# One build with many independent problems
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedProblem:
    """A problem the check must report once on every seed row of ``group_key``
    in ``seed``, naming the group and saying each of ``says``."""

    case: str
    seed: str
    group_key: str
    says: tuple[str, ...]


MANY_GROUPS = [
    group("base"),
    group("vip"),
    group("refs_ghost", qualifier_method="customer_group"),
    group("bad_bound"),
    group("min_over_max"),
    group("list_without_value"),
    group("twin"),
    group("twin", name="Twin again"),
    group("manual_with_rules", qualifier_method="none"),
    group("range_with_value"),
    group("bad_enabled", enabled="maybe"),
    group("bad_date", recalculation="fixed", created_on="2026-02-30"),
    group("bad_method", qualifier_method="rules"),
    group("meta_without_name"),
    group("bad_rule_set"),
]
MANY_QUALIFIERS = [
    qualifier("base", "successful_sales", min_value="1"),
    qualifier("vip", "lifetme_value", min_value="1000"),
    qualifier("refs_ghost", "in_any_customer_group", value="ghost"),
    qualifier("bad_bound", "lifetime_value", min_value="lots"),
    qualifier("min_over_max", "lifetime_value", min_value="10", max_value="5"),
    qualifier("list_without_value", "campaign"),
    qualifier("manual_with_rules", "successful_sales", min_value="1"),
    qualifier("range_with_value", "lifetime_value", value="100"),
    qualifier("nobody", "successful_sales", min_value="1"),
    qualifier("meta_without_name", "metadata", value="aff_123"),
    qualifier("bad_rule_set", "successful_sales", rule_set="one", min_value="1"),
]
MANY_EXPECTED = [
    ExpectedProblem("unknown qualifier", "customer_group_qualifiers", "vip",
                    ("qualifier 'lifetme_value'", "unknown qualifier 'lifetme_value'")),
    ExpectedProblem("unknown group reference", "customer_group_qualifiers", "refs_ghost",
                    ("references unknown group 'ghost'",)),
    ExpectedProblem("bound not a number", "customer_group_qualifiers", "bad_bound",
                    ("min_value 'lots' is not a number",)),
    ExpectedProblem("min above max", "customer_group_qualifiers", "min_over_max",
                    ("min_value 10 is greater than max_value 5",)),
    ExpectedProblem("list qualifier without value", "customer_group_qualifiers", "list_without_value",
                    ("list qualifier 'campaign' needs a value",)),
    ExpectedProblem("duplicate group_key", "customer_groups", "twin",
                    ("duplicate group_key 'twin'", "(on 2 rows)")),
    ExpectedProblem("qualifier rows on a none group", "customer_group_qualifiers", "manual_with_rules",
                    ("qualifier_method none", "has qualifier rows")),
    ExpectedProblem("value on a range qualifier", "customer_group_qualifiers", "range_with_value",
                    ("range qualifier 'lifetime_value' takes min_value/max_value",)),
    ExpectedProblem("qualifier row for an unknown group", "customer_group_qualifiers", "nobody",
                    ("qualifier row for unknown group 'nobody'",)),
    ExpectedProblem("bad enabled value", "customer_groups", "bad_enabled",
                    ("enabled 'maybe' is not true or false",)),
    ExpectedProblem("impossible date", "customer_groups", "bad_date",
                    ("created_on '2026-02-30' is not a date",)),
    ExpectedProblem("unknown qualifier_method", "customer_groups", "bad_method",
                    ("unknown qualifier_method 'rules'",)),
    ExpectedProblem("metadata without name", "customer_group_qualifiers", "meta_without_name",
                    ("metadata qualifier needs a name",)),
    ExpectedProblem("rule_set not a whole number", "customer_group_qualifiers", "bad_rule_set",
                    ("rule_set 'one' is not a whole number",)),
]


def _expected_rows(expected: ExpectedProblem) -> list[str]:
    rows = MANY_GROUPS if expected.seed == "customer_groups" else MANY_QUALIFIERS
    found = seed_rows(rows, expected.group_key)
    assert found, f"test setup: no {expected.seed} row for {expected.group_key!r}"
    return found


@pytest.fixture(scope="module")
def many_problems(tmp_path_factory: pytest.TempPathFactory) -> DefinitionError:
    """One build of MANY_GROUPS / MANY_QUALIFIERS: every problem at once."""
    return build_expecting_definition_error(
        tmp_path_factory.mktemp("many_problems"), MANY_GROUPS, MANY_QUALIFIERS
    )


@pytest.mark.parametrize("expected", MANY_EXPECTED, ids=[e.case for e in MANY_EXPECTED])
def test_each_bad_definition_is_reported_once_naming_seed_row_group_and_problem(
    many_problems: DefinitionError, expected: ExpectedProblem
) -> None:
    text, problems = many_problems.text, many_problems.problems
    for row in _expected_rows(expected):
        at_row = [p for p in problems if p.seed == expected.seed and p.row == row]
        assert len(at_row) == 1, (
            f"{expected.case}: expected one problem at {expected.seed}.csv row {row!r},"
            f" got {[p.text for p in at_row]}; full error:\n{text}"
        )
        message = at_row[0].text
        assert f"group '{expected.group_key}'" in message, message
        for phrase in expected.says:
            assert phrase in message, f"{expected.case}: {phrase!r} missing from {message!r}"


def test_the_error_lists_exactly_the_problems_and_nothing_else(
    many_problems: DefinitionError,
) -> None:
    text, problems = many_problems.text, many_problems.problems
    expected_count = sum(len(_expected_rows(e)) for e in MANY_EXPECTED)
    assert len(problems) == expected_count, "\n".join(p.text for p in problems)
    assert f"Customer group definitions have {expected_count} problem(s)" in text
    # The valid group is never blamed.
    assert not [p for p in problems if "group 'base'" in p.text]


def test_bad_definitions_stop_the_build_before_definitions_are_published(
    many_problems: DefinitionError,
) -> None:
    project = many_problems.project
    assert relation_exists(project, "customer_group_definition_problems")
    assert not relation_exists(project, "customer_group_definitions")


# --------------------------------------------------------------------------
# Graph problems: cycles and nesting depth
# --------------------------------------------------------------------------


def test_a_cycle_is_reported_once_with_its_path(tmp_path: Path) -> None:
    """a -> b -> a is one cycle, whichever group starts it; c leads into it
    but is not on it; s references itself."""
    groups = [
        group("a", qualifier_method="customer_group"),
        group("b", qualifier_method="customer_group"),
        group("c", qualifier_method="customer_group"),
        group("s", qualifier_method="customer_group"),
    ]
    qualifiers = [
        qualifier("a", "in_any_customer_group", value="b"),
        qualifier("b", "in_any_customer_group", value="a"),
        qualifier("c", "in_any_customer_group", value="a"),
        qualifier("s", "not_in_any_customer_group", value="s"),
    ]
    error = build_expecting_definition_error(tmp_path, groups, qualifiers)
    text, problems = error.text, error.problems

    assert len(problems) == 2, "\n".join(p.text for p in problems)
    assert text.count("a -> b -> a") == 1, text
    assert "b -> a -> b" not in text, text
    a_cycle = [p for p in problems if "a -> b -> a" in p.text]
    assert len(a_cycle) == 1
    assert a_cycle[0].seed == "customer_groups" and a_cycle[0].row == row_text(groups[0])
    assert "group 'a'" in a_cycle[0].text and "cycle in group references" in a_cycle[0].text
    assert [p.row for p in problems if "s -> s" in p.text] == [row_text(groups[3])]
    assert not [p for p in problems if "group 'c'" in p.text]


def test_nesting_deeper_than_the_limit_is_reported_on_the_top_group(tmp_path: Path) -> None:
    """d1 -> d2 -> d3 -> d4 nests 3 levels below d1; with a limit of 2, only
    d1 is too deep (d2 at exactly the limit is fine)."""
    groups = [
        group("d1", qualifier_method="customer_group"),
        group("d2", qualifier_method="customer_group"),
        group("d3", qualifier_method="customer_group"),
        group("d4"),
    ]
    qualifiers = [
        qualifier("d1", "in_any_customer_group", value="d2"),
        qualifier("d2", "in_any_customer_group", value="d3"),
        qualifier("d3", "in_all_customer_group", value="d4"),
        qualifier("d4", "successful_sales", min_value="1"),
    ]
    problems = build_expecting_definition_error(
        tmp_path, groups, qualifiers, vars={"max_group_nesting_depth": 2}
    ).problems

    assert len(problems) == 1, "\n".join(p.text for p in problems)
    (problem,) = problems
    assert problem.seed == "customer_groups" and problem.row == row_text(groups[0])
    assert "group 'd1'" in problem.text
    assert "nest 3 levels deep" in problem.text
    assert "max_group_nesting_depth = 2" in problem.text


def test_a_rule_set_of_more_conditions_than_rule_set_matching_holds_is_refused(tmp_path: Path) -> None:
    """Rule-set matching gives each condition one bit of a bigint, so a rule
    set may hold 62 conditions: the 63rd is reported, on its row only."""
    groups = [group("widest")]
    qualifiers = [qualifier("widest", "days_since_created", min_value=str(-day)) for day in range(63)]
    problems = build_expecting_definition_error(tmp_path, groups, qualifiers).problems

    assert len(problems) == 1, "\n".join(p.text for p in problems)
    (problem,) = problems
    assert problem.row in {row_text(row) for row in qualifiers}
    assert "group 'widest'" in problem.text
    assert "rule set 1 has more than 62 conditions" in problem.text
    assert "this row is condition 63" in problem.text


def test_groups_without_a_group_key_are_each_reported_once(tmp_path: Path) -> None:
    groups = [group("base"), group(""), group("", name="Another nameless group")]
    qualifiers = [qualifier("base", "successful_sales", min_value="1")]
    problems = build_expecting_definition_error(tmp_path, groups, qualifiers).problems

    assert sorted((p.row, "a group needs a group_key" in p.text) for p in problems) == sorted(
        [(row_text(groups[1]), True), (row_text(groups[2]), True)]
    )


# --------------------------------------------------------------------------
# Awkward but valid text is data, never SQL
# --------------------------------------------------------------------------

SQL_LOOKING_CAMPAIGN = "x'); drop table customer_metrics; --"
QUOTED_METADATA_VALUE = 'O\'Brien, "Jr."'
TRICKY_NAME = 'O\'Brien "tagged", Ltd. — naïve café 東京'
TRICKY_DESCRIPTION = (
    "Customers tagged O'Brien, \"Jr.\" 🎉; line with 'quotes', commas, "
    "-- a comment, /* a block */ and '); drop table customer_metrics; --"
)
SMALL_DATASET_CUSTOMERS = 60


def raw_table_sizes(project: ProjectCopy) -> dict[str, int]:
    """Row count of every raw table."""
    tables = project.query(
        f"select table_name from information_schema.tables where table_schema = '{RAW_SCHEMA}'"
    )
    sizes = {}
    for row in tables:
        table = row["table_name"]
        sizes[table] = project.query(f'select count(*) as n from "{RAW_SCHEMA}"."{table}"')[0]["n"]
    return sizes


def test_quotes_commas_unicode_and_sql_looking_text_are_matched_literally(tmp_path: Path) -> None:
    from scripts.generate_data import generate

    groups = [
        group("obrien_tagged", name=TRICKY_NAME, description=TRICKY_DESCRIPTION, badge_icon="🏆",
              group_type="badge"),
        group("sql_campaign", name="Campaign x'); --", description="SELECT * FROM customer_metrics;"),
        group("neither", qualifier_method="customer_group", description="Ünïcødé ✓"),
        group("neither_again", qualifier_method="customer_group"),
        group("widest"),
        group("widest_but_one"),
    ]
    qualifiers = [
        qualifier("obrien_tagged", "metadata", name="surname", value=QUOTED_METADATA_VALUE),
        qualifier("sql_campaign", "campaign", value=SQL_LOOKING_CAMPAIGN),
        qualifier("neither", "not_in_any_customer_group", value="obrien_tagged"),
        qualifier("neither", "not_in_any_customer_group", value="sql_campaign"),
        # Two levels of nesting, exactly the limit set below.
        qualifier("neither_again", "in_all_customer_group", value="neither"),
        # As many conditions as a rule set may hold (62, one bit each): all
        # hold for everyone; in the second group the last one holds for nobody.
        *[qualifier("widest", "days_since_created", min_value=str(-day)) for day in range(62)],
        *[qualifier("widest_but_one", "days_since_created", min_value=str(-day)) for day in range(61)],
        qualifier("widest_but_one", "days_since_created", max_value="-1"),
    ]
    project = copy_project(tmp_path, groups, qualifiers)
    generate(
        str(project.db_path),
        customers=SMALL_DATASET_CUSTOMERS,
        seed=11,
        as_of=AS_OF,
        schema=RAW_SCHEMA,
        progress=False,
    )
    raw_before = raw_table_sizes(project)

    project.run(["build", "--exclude", "test_type:unit"], vars={"max_group_nesting_depth": 2})

    # Nothing was dropped or changed: every raw table holds what it held,
    # and customer_metrics is there.
    assert raw_table_sizes(project) == raw_before
    assert relation_exists(project, "customer_metrics")
    customers = project.query("select count(*) as n from customer_metrics")[0]["n"]
    assert customers > 0

    members = {
        row["group_key"]: row["n"]
        for row in project.query(
            "select group_key, count(*) as n from customer_group_memberships group by group_key"
        )
    }
    assert members.get("obrien_tagged", 0) == 0
    assert members.get("sql_campaign", 0) == 0
    assert members.get("neither") == customers
    assert members.get("neither_again") == customers
    assert members.get("widest") == customers
    assert members.get("widest_but_one", 0) == 0

    definitions = {
        row["group_key"]: row
        for row in project.query(
            "select group_key, group_name, group_description, badge_icon from customer_group_definitions"
        )
    }
    assert definitions["obrien_tagged"]["group_name"] == TRICKY_NAME
    assert definitions["obrien_tagged"]["group_description"] == TRICKY_DESCRIPTION
    assert definitions["obrien_tagged"]["badge_icon"] == "🏆"
    assert definitions["neither"]["group_description"] == "Ünïcødé ✓"

    expected_values = {
        row["group_key"]: row["expected_value"]
        for row in project.query(
            "select distinct group_key, expected_value from customer_group_explanations"
            " where group_key in ('obrien_tagged', 'sql_campaign')"
        )
    }
    assert expected_values == {
        "obrien_tagged": QUOTED_METADATA_VALUE,
        "sql_campaign": SQL_LOOKING_CAMPAIGN,
    }
