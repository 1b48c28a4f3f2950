"""No card number (PAN) may reach any model (SPEC §2). The scan runs after
every model of a first build, tables and views alike, and stops the build
naming each model and column where it found one."""

from __future__ import annotations

import csv
from datetime import datetime, time, timezone
from pathlib import Path

import duckdb

from scripts.generate_data import generate
from tests.integration.conftest import AS_OF, RAW_SCHEMA, PROJECT_DIR
from tests.integration.test_group_definition_errors import (
    GROUP_COLUMNS,
    QUALIFIER_COLUMNS,
    copy_project,
    failure_text,
    group,
    qualifier,
)

VISA_TEST_NUMBER = "4111111111111111"  # Luhn-valid
CARD_GROUP = f"pan_{VISA_TEST_NUMBER}"  # a valid group key that carries a card number
RULE_GROUP = "note_rule"


def read_seed(name: str) -> list[dict[str, str]]:
    with (PROJECT_DIR / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_card_number_reaching_a_mart_and_a_view_fails_the_first_build_naming_them(tmp_path: Path) -> None:
    groups = [{column: row.get(column, "") for column in GROUP_COLUMNS} for row in read_seed("customer_groups")]
    qualifiers = [
        {column: row.get(column, "") for column in QUALIFIER_COLUMNS} for row in read_seed("customer_group_qualifiers")
    ]
    groups += [group(CARD_GROUP), group(RULE_GROUP)]
    # A group whose key carries a card number, with members (every customer
    # with a sale), so the key reaches customer_360 through memberships.
    qualifiers.append(qualifier(CARD_GROUP, "sales", min_value="1"))
    # An agent pasted a card number into a rule's expected metadata value.
    qualifiers.append(qualifier(RULE_GROUP, "metadata", name="note", value="4111-1111-1111-1111"))
    project = copy_project(tmp_path, groups, qualifiers)
    generate(str(project.db_path), customers=300, seed=3, as_of=AS_OF, schema=RAW_SCHEMA, progress=False)

    con = duckdb.connect(str(project.db_path))
    try:
        customer_id = con.execute(f"select min(id) from {RAW_SCHEMA}.customer").fetchone()[0]
        acted = int(datetime.combine(AS_OF, time(9), tzinfo=timezone.utc).timestamp())
        con.execute(
            f"insert into {RAW_SCHEMA}.customer_group_action (id, customer_id, group_key, action, actor, created_date_unix)"
            " values ('cga_pan_test', ?, ?, 'add', 'agent_pan', ?)",
            [customer_id, CARD_GROUP, acted],
        )
    finally:
        con.close()

    project.run(["seed"])
    result = project.run(["build", "--exclude", "test_type:unit"], expect_success=False)
    text = failure_text(result)
    assert "Card numbers (PANs) reached" in text, text
    # The seed's group key reaches the marts through the group's members;
    # the raw action naming it does not: an id holding a card number is
    # quarantined at staging.
    assert "customer_group_definitions.group_key" in text, text
    assert "customer_360.current_group_keys" in text, text
    assert "stg_revcent__customer_group_actions." not in text, text
    assert "int_customer_group_actions_validated." not in text, text
    assert "customer_group_explanations.expected_value" in text, text  # a view
    assert VISA_TEST_NUMBER not in text, "the message must mask the number"
    assert "************1111" in text, text
