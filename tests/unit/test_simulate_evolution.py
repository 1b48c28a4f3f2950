"""The simulation's daily evolution of the raw tables is deterministic and
stays byte-for-byte what it was when these checksums were recorded.

``evolve_day`` needs only DuckDB (no dbt): generate a small base, evolve it
three days at the full daily volume (scale 1.0 on 1,000 customers, so every
kind of fact occurs), and compare every raw table, row by row in storage
order, with recorded SHA-256 checksums. A refactoring of scripts/simulate.py
must keep them; a deliberate change to the generator or the simulation
re-records them with::

    python -m tests.unit.test_simulate_evolution
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from scripts.generate_data import MANIFEST_TABLE, TABLES, generate
from scripts.simulate import evolve_day

CUSTOMERS = 1_000
SEED = 42
SCALE = 1.0
DAYS = [dt.date(2026, 6, 1) + dt.timedelta(days=offset) for offset in range(3)]

# table -> (rows, sha256 of the rows' reprs in storage order), after DAYS
RECORDED_TABLES: dict[str, tuple[int, str]] = {
    "customer": (1104, "93628988cf386108cdf8900d1e8e5b25bc92fa9beb27c7c56ffb5ee4671f2008"),
    "customer_metadata": (1528, "534a1cd7851e5594487da828b2f91e12cc3dbddcc0f34c91d19698312c79fa21"),
    "sale": (8281, "f0ca1ea79361c50d0cb78f58474784d2340a76f4159f7e876f12c3bdc81ca0d2"),
    "product": (210, "d3c4f89b7ad9d72219ed2995c1cae1fe9f4b588c7d024bb9deb60fddc620f7f9"),
    "product_sale": (10781, "0eca24f23e094a0ce2721d90e7f7ccd5b6da0b28743026e91b7ec35f31c45791"),
    "refund": (393, "c05f7e313e762b45b74bcae921d212904231984cf366b50e559ca1cfe61a070d"),
    "subscription": (328, "a5d92cc2bcfdbc1f83f0c0df1413e00c412bf7079295b70211e9a665ed42cbf3"),
    "subscription_renewal": (1705, "0d11f481685f0b9aa6edb57c382203211bbd52dead0ff47afcabd6174ed4096c"),
    "chargeback": (60, "125c19c1446a69f0ee08cefc4aba19c8e1febe8c0bc6b6a5487f94ba78d6b1b0"),
    "paypal_dispute": (49, "90467fd4f5eb1ca8001b7511fac55493e5cba7a95f0215b15794ec56b86a201d"),
    "fraud_detection": (36, "5a02d44e4f41750d882608efca310dcd2562cf51266dc29f58f07f7bc735526d"),
    "customer_card": (1278, "23edc8b4a6aa8b86d5b8c98af7841d165c75c59807c4843f544809fb94b8e0c7"),
    "customer_group_action": (41, "77a1b918ff1d1b7931589b35432d78b60de686f1093370c85cece63a857ce513"),
    "email_event": (196, "08cfeb3ac5a7e24bd5f32a110ad1342e31ea2125898b79c17d236494bd530b0c"),
    "_injected_bad_rows": (329, "dbb80510cfb5a54e26cb5d618faab3c666ff150252996bbcf5d9887f812c427e"),
}

# rows evolve_day reports as added, per day and table (tables with none left out)
RECORDED_ADDED: dict[dt.date, dict[str, int]] = {
    DAYS[0]: {
        "customer": 30, "customer_metadata": 44, "sale": 257, "product_sale": 322, "refund": 12,
        "subscription": 7, "chargeback": 1, "paypal_dispute": 1, "fraud_detection": 2, "customer_card": 23,
        "customer_group_action": 2, "email_event": 2, "_injected_bad_rows": 6,
    },
    DAYS[1]: {
        "customer": 30, "customer_metadata": 44, "sale": 245, "product_sale": 292, "refund": 13,
        "subscription": 16, "subscription_renewal": 5, "chargeback": 1, "paypal_dispute": 1, "fraud_detection": 2,
        "customer_card": 25, "customer_group_action": 3, "email_event": 4, "_injected_bad_rows": 6,
    },
    DAYS[2]: {
        "customer": 28, "customer_metadata": 38, "sale": 248, "product_sale": 312, "refund": 12,
        "subscription": 12, "subscription_renewal": 3, "chargeback": 2, "paypal_dispute": 1, "fraud_detection": 2,
        "customer_card": 22, "customer_group_action": 1, "email_event": 3, "_injected_bad_rows": 6,
    },
}


def evolve(db_path: Path) -> tuple[dict[str, tuple[int, str]], dict[dt.date, dict[str, int]]]:
    """Generate the base, evolve DAYS as simulate() does, and checksum every raw table."""
    generate(str(db_path), customers=CUSTOMERS, seed=SEED, as_of=DAYS[0] - dt.timedelta(days=1), progress=False)
    con = duckdb.connect(str(db_path))
    try:
        con.execute("SET TimeZone = 'UTC'")
        added: dict[dt.date, dict[str, int]] = {}
        for day in DAYS:
            con.execute("BEGIN TRANSACTION")
            rows = evolve_day(con, day, seed=SEED, scale=SCALE)
            con.execute("COMMIT")
            added[day] = {table: count for table, count in rows.items() if count}
        checksums: dict[str, tuple[int, str]] = {}
        for table in (*TABLES, MANIFEST_TABLE):
            digest = hashlib.sha256()
            rows_in_table = con.execute(f'select * from raw_revcent."{table}"').fetchall()
            for row in rows_in_table:
                digest.update(repr(row).encode() + b"\n")
            checksums[table] = (len(rows_in_table), digest.hexdigest())
        return checksums, added
    finally:
        con.close()


@pytest.fixture(scope="module")
def evolved(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, tuple[int, str]], dict[dt.date, dict[str, int]]]:
    return evolve(tmp_path_factory.mktemp("evolution") / "raw.duckdb")


@pytest.mark.parametrize("table", list(RECORDED_TABLES))
def test_evolved_raw_table_is_byte_identical_to_the_recorded_one(
    evolved: tuple[dict[str, tuple[int, str]], dict[dt.date, dict[str, int]]], table: str
) -> None:
    checksums, _ = evolved
    assert checksums[table] == RECORDED_TABLES[table]


def test_rows_added_per_day_are_the_recorded_ones(
    evolved: tuple[dict[str, tuple[int, str]], dict[dt.date, dict[str, int]]],
) -> None:
    _, added = evolved
    assert added == RECORDED_ADDED


def test_every_raw_table_is_checked() -> None:
    assert set(RECORDED_TABLES) == {*TABLES, MANIFEST_TABLE}


if __name__ == "__main__":  # re-record after a deliberate change
    import pprint
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        recorded_tables, recorded_added = evolve(Path(folder) / "raw.duckdb")
    pprint.pprint(recorded_tables, width=120, sort_dicts=False)
    pprint.pprint(recorded_added, width=120)
