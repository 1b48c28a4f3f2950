"""Simulate the business day by day and run the daily pipeline after each day.

    python scripts/simulate.py --days 30 --customers 10000 --seed 42 --start 2026-06-01 \\
        --db warehouse/customer_groups.duckdb [--verify] [--test-every-day] [--quiet]

1. Generates the base data as of the day before --start (scripts/generate_data.py;
   the database file is replaced: a new base makes any history in it meaningless).
2. For each day d from --start, evolves the raw tables in DuckDB SQL with the facts
   of day d (``evolve_day``: new customers and sales, upsells, declines and their
   recovery, renewals and subscription status changes as new versions, refunds,
   chargebacks, PayPal disputes, fraud detections, new cards, manual group actions,
   email events, metadata and a few bad rows), closes the connection, then runs the
   daily pipeline for d (the first day is a full ``dbt build`` after ``dbt seed``).
3. Prints one line per day and, at the end, the entered / left counts per group and
   day (from ``customer_group_run_log``) and the events by reason.
4. ``--verify`` keeps each day's from-scratch membership (``int_customer_groups_evaluated``)
   in a scratch DuckDB file and checks at the end that the history's state on every
   day equals that day's membership, that the events are exactly the day-to-day
   differences (no duplicate event_id), and that the run log's counts agree; exits 1
   on FAIL.

Everything is deterministic from --seed, --customers and the dates: a fact of day d
is drawn from a hash of (seed, d, what, key), never from Python row loops. New ids
look like ``sal_sim_20260601_rep00001`` and never collide with generated ones.
Volumes scale with --customers (calibrated on 10k customers: ~30 new customers and
~270 sale rows a day). Renewals fall every 30 days after a subscription's start, as
the generator schedules them. The generator writes facts up to a week past its as_of;
the simulation only tops those days up to the usual daily volume. New versions
(a declined sale salvaged to success, a subscription's status change) keep the
record's id and creation time and get an ``updated_date_unix`` inside the day.

From Python::

    from scripts.simulate import simulate, evolve_day
    result = simulate("/tmp/sim.duckdb", days=5, customers=1000, seed=1,
                      start=datetime.date(2026, 6, 1), verify=True, progress=False)
    assert result.verification.passed
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.generate_data import (  # noqa: E402
    AFFILIATES,
    COMPANIES,
    COUNTRIES,
    CURRENCIES,
    CCY_RATE,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    LEAD_SOURCES,
    LOCATIONS,
    MANIFEST_TABLE,
    PRODUCT_GROUPS,
    STREET_SUFFIXES,
    STREETS,
    TABLES,
    V_REASON_CODE,
    generate,
)
from scripts.pipeline import DbtProject, require_duckdb_warehouse  # noqa: E402

DAY = 86_400
BASELINE_CUSTOMERS = 10_000  # daily volumes below are per this many customers

# Expected number of facts a day at BASELINE_CUSTOMERS (scaled linearly).
DAILY_VOLUME = {
    "new_customers": 30.0,  # 60% buy the same day
    "sale_rows": 265.0,  # all sale rows of a day; existing customers' attempts fill the rest
    "sale_refunds": 12.0,
    "chargebacks": 1.5,
    "paypal_disputes": 1.0,
    "fraud_detections": 1.2,
    "risk_scores": 0.8,
    "prepaid_cards": 2.0,
    "manual_adds_do_not_contact": 0.6,
    "manual_adds_manual_review": 0.8,
    "ignored_actions": 0.5,
    "unsubscribes": 0.6,
    "hard_bounces": 0.2,
    "soft_bounces": 1.5,
}

RAW_TABLES = tuple(TABLES)


# --------------------------------------------------------------------------
# SQL building blocks
# --------------------------------------------------------------------------


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_lit(v) for v in values) + "]"


def _weighted(values: Sequence[str], weights: Sequence[float], slots: int = 200) -> str:
    """A SQL list where each value fills a share of ``slots`` proportional to its weight,
    so picking a uniform element of it is a weighted pick."""
    w = np.asarray(weights, dtype=float)
    counts = np.maximum(1, np.rint(w / w.sum() * slots)).astype(int)
    return _list([v for v, c in zip(values, counts) for _ in range(c)])


def _zipf(n: int, s: float, offset: float) -> list[float]:
    return list(1.0 / (np.arange(n) + offset) ** s)


COUNTRY_WEIGHTS = [0.60, 0.07, 0.10, 0.04, 0.03, 0.02, 0.02, 0.02, 0.06, 0.04]
COUNTRY_CCY = {c: CURRENCIES[ccy] for c, _, ccy in COUNTRIES}
COUNTRY_CODE = {c: code for c, code, _ in COUNTRIES}


def _location_slots() -> str:
    """Weighted list of location indexes (1-based into the LOCATIONS lists)."""
    values, weights = [], []
    for country, weight in zip((c[0] for c in COUNTRIES), COUNTRY_WEIGHTS):
        idx = [i for i, loc in enumerate(LOCATIONS) if loc[0] == country]
        for i in idx:
            values.append(str(i + 1))
            weights.append(weight / len(idx))
    return _weighted(values, weights, 400)


SUBSCRIBABLE_GROUPS = [f"pg_{g + 1}" for g, (_, _, sub) in enumerate(PRODUCT_GROUPS) if sub]


def _macros(seed: int, day: dt.date) -> list[str]:
    """Temporary macros of one simulated day: deterministic uniforms, picks, money."""
    d0 = _epoch(day)
    rate_case = " ".join(f"WHEN {_lit(c)} THEN {float(r)!r}" for c, r in zip(CURRENCIES, CCY_RATE))
    ccy_case = " ".join(f"WHEN {_lit(c)} THEN {_lit(v)}" for c, v in COUNTRY_CCY.items())
    return [
        # a uniform in [0, 1) from (seed, day, tag, key)
        f"CREATE OR REPLACE TEMP MACRO _u(tag, k) AS "
        f"hash({_lit(f'{seed}|{day.isoformat()}|')} || tag || '|' || CAST(k AS VARCHAR)) / 18446744073709551616.0",
        "CREATE OR REPLACE TEMP MACRO _pick(l, u) AS l[1 + least(CAST(floor(u * len(l)) AS BIGINT), len(l) - 1)]",
        f"CREATE OR REPLACE TEMP MACRO _t(u) AS {d0} + least(CAST(floor(u * {DAY}) AS BIGINT), {DAY - 1})",
        f"CREATE OR REPLACE TEMP MACRO _clamp(t) AS least(greatest(t, {d0}), {d0 + DAY - 1})",
        f"CREATE OR REPLACE TEMP MACRO _rate(c) AS CASE c {rate_case} END",
        f"CREATE OR REPLACE TEMP MACRO _ccy(country) AS CASE country {ccy_case} ELSE 'USD' END",
        # a price in USD (x.99), converted; JPY in whole yen
        "CREATE OR REPLACE TEMP MACRO _price(u) AS floor(12 + 110 * u * u) + 0.99",
        "CREATE OR REPLACE TEMP MACRO _round(x, c) AS CASE WHEN c = 'JPY' THEN round(x, 0) ELSE round(x, 2) END",
        "CREATE OR REPLACE TEMP MACRO _conv(usd, c) AS CAST(_round(usd / _rate(c), c) AS DECIMAL(18,2))",
        "CREATE OR REPLACE TEMP MACRO _net(gross, c) AS "
        "CAST(gross - least(_round(CAST(gross AS DOUBLE) * 0.029 + 0.30 / _rate(c), c), gross) AS DECIMAL(18,2))",
        "CREATE OR REPLACE TEMP MACRO _sale_status(u) AS CASE WHEN u < 0.805 THEN 'success' "
        "WHEN u < 0.935 THEN 'declined' WHEN u < 0.985 THEN 'abandoned' ELSE 'void' END",
        # the n-th (1-based) id of a kind of fact of this day
        f"CREATE OR REPLACE TEMP MACRO _id(prefix, step, n) AS prefix || 'sim_{day:%Y%m%d}_' || step || lpad(CAST(n AS VARCHAR), CAST(greatest(6, length(CAST(n AS VARCHAR))) AS INTEGER), '0')",
    ]


def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _count(seed: int, day: dt.date, what: str, expected: float) -> int:
    """An integer with mean ``expected``: floor plus a deterministic coin for the fraction."""
    if expected <= 0:
        return 0
    rng = np.random.default_rng([seed, day.toordinal(), zlib.crc32(what.encode())])
    return int(np.floor(expected + rng.random()))


def _state_sql(s: str, d0: int, day: dt.date) -> list[str]:
    """Temp tables describing the raw data before day d (clean records only)."""
    bad = "(SELECT raw_id FROM _bad WHERE source_table = {t})"
    return [
        f"""CREATE OR REPLACE TEMP TABLE _bad AS
            SELECT DISTINCT source_table, raw_id FROM {s}.{MANIFEST_TABLE}
            WHERE expected_status = 'quarantined' AND raw_id IS NOT NULL""",
        f"""CREATE OR REPLACE TEMP TABLE _cust AS
            SELECT id, country, _ccy(country) AS ccy, created_date_unix AS created
            FROM (
                SELECT *, row_number() OVER (PARTITION BY id ORDER BY updated_date_unix DESC NULLS LAST) AS rn
                FROM {s}.customer
                WHERE id IS NOT NULL AND created_date_unix IS NOT NULL AND created_date_unix < {d0}
            )
            WHERE rn = 1 AND id NOT IN {bad.format(t="'customer'")}""",
        f"""CREATE OR REPLACE TEMP TABLE _sale AS
            SELECT
                v.id, v.customer_id, v.campaign_id, v.third_party_shop_id, lower(trim(v.status)) AS status,
                v.is_upsell, v.amount_gross, v.amount_net, upper(trim(v.iso_currency)) AS ccy,
                v.created_date_unix AS created, v.maxupd
            FROM (
                SELECT *,
                    row_number() OVER (PARTITION BY id ORDER BY coalesce(updated_date_unix, created_date_unix) DESC) AS rn,
                    max(coalesce(updated_date_unix, created_date_unix)) OVER (PARTITION BY id) AS maxupd
                FROM {s}.sale WHERE id IS NOT NULL AND created_date_unix IS NOT NULL
            ) AS v
            INNER JOIN _cust ON _cust.id = v.customer_id
            WHERE v.rn = 1 AND v.created_date_unix < {d0}
              AND v.id NOT IN {bad.format(t="'sale'")}
              AND lower(trim(v.status)) IN ('success', 'declined', 'abandoned', 'void')
              AND upper(trim(v.iso_currency)) IN {tuple(CURRENCIES)}
              AND v.amount_gross >= 0 AND v.amount_net >= 0""",
        f"""CREATE OR REPLACE TEMP TABLE _cstat AS
            SELECT
                c.id AS customer_id, c.ccy, c.created,
                count(s.id) AS n_sales,
                count(s.id) FILTER (WHERE s.status = 'success') AS n_success,
                max(s.created) FILTER (WHERE s.status = 'success') AS last_success,
                arg_min(s.campaign_id, s.created) FILTER (WHERE NOT s.is_upsell) AS campaign0,
                arg_min_null(s.third_party_shop_id, s.created) FILTER (WHERE NOT s.is_upsell) AS shop0
            FROM _cust AS c
            LEFT JOIN _sale AS s ON s.customer_id = c.id
            GROUP BY c.id, c.ccy, c.created""",
        f"""CREATE OR REPLACE TEMP TABLE _prod AS
            SELECT
                list(id ORDER BY id) AS all_ids,
                list(id ORDER BY id) FILTER (WHERE product_group_id IN {tuple(SUBSCRIBABLE_GROUPS)}) AS sub_ids
            FROM (
                SELECT DISTINCT id, product_group_id FROM {s}.product
                WHERE id IS NOT NULL AND id NOT IN {bad.format(t="'product'")}
            )""",
        f"""CREATE OR REPLACE TEMP TABLE _sub AS
            SELECT
                v.id, v.customer_id, v.product_id, lower(trim(v.status)) AS status,
                v.created_date_unix AS created, v.maxupd, _cust.ccy AS customer_ccy,
                ({d0} // {DAY}) - (v.created_date_unix // {DAY}) AS age_days,
                r.last_renewal, r.last_amount, r.last_ccy
            FROM (
                SELECT *,
                    row_number() OVER (PARTITION BY id ORDER BY coalesce(updated_date_unix, created_date_unix) DESC) AS rn,
                    max(coalesce(updated_date_unix, created_date_unix)) OVER (PARTITION BY id) AS maxupd
                FROM {s}.subscription WHERE id IS NOT NULL AND created_date_unix IS NOT NULL
            ) AS v
            INNER JOIN _cust ON _cust.id = v.customer_id
            LEFT JOIN (
                SELECT
                    subscription_id,
                    max(created_date_unix) AS last_renewal,
                    arg_max(amount_total, created_date_unix) AS last_amount,
                    arg_max(upper(trim(iso_currency)), created_date_unix) AS last_ccy
                FROM {s}.subscription_renewal
                WHERE id IS NOT NULL AND created_date_unix IS NOT NULL AND amount_total >= 0
                  AND upper(trim(iso_currency)) IN {tuple(CURRENCIES)}
                  AND id NOT IN {bad.format(t="'subscription_renewal'")}
                GROUP BY subscription_id
            ) AS r ON r.subscription_id = v.id
            WHERE v.rn = 1 AND v.created_date_unix < {d0}
              AND v.id NOT IN {bad.format(t="'subscription'")}
              AND lower(trim(v.status)) IN ('active', 'trial', 'overdue', 'occurrence_limit', 'suspended', 'cancelled')""",
        f"""CREATE OR REPLACE TEMP TABLE _card AS
            SELECT
                customer_id,
                last_day(make_date(CAST(exp_year AS BIGINT), CAST(exp_month AS BIGINT), 1))
                    - DATE '{day.isoformat()}' AS days_until
            FROM (
                SELECT cc.*, row_number() OVER (
                    PARTITION BY cc.customer_id ORDER BY cc.created_date_unix DESC, cc.id DESC
                ) AS rn
                FROM {s}.customer_card AS cc
                INNER JOIN _cust ON _cust.id = cc.customer_id
                WHERE cc.id IS NOT NULL AND cc.is_default AND cc.enabled AND cc.created_date_unix < {d0}
                  AND cc.exp_month BETWEEN 1 AND 12 AND cc.exp_year BETWEEN 2000 AND 2100
                  AND cc.id NOT IN {bad.format(t="'customer_card'")}
            )
            WHERE rn = 1""",
    ]


# --------------------------------------------------------------------------
# One day of business: one step per raw table, in this order
# --------------------------------------------------------------------------
#
# The steps share the day's temp macros (_u, _t, _pick, ...; see _macros), the
# state before the day (_cust, _sale, _cstat, _prod, _sub, _card; see
# _state_sql) and a few temp tables of today's facts, written by one step and
# read by later ones:
#   _nc   today's new customers                  (_evolve_customers)
#   _ns2  today's sales, upsells included         (_evolve_sales)
#   _taken sales refunded, charged back or disputed before today (_claimed_sales)


@dataclass(frozen=True)
class _Day:
    """One simulated day on one connection: what every step needs."""

    con: duckdb.DuckDBPyConnection
    day: dt.date
    seed: int
    scale: float
    s: str  # the quoted raw schema

    @property
    def d0(self) -> int:
        """The day's first second (Unix time, UTC)."""
        return _epoch(self.day)

    @property
    def d1(self) -> int:
        """The day's last second."""
        return self.d0 + DAY - 1

    @property
    def ymd(self) -> str:
        return f"{self.day:%Y%m%d}"

    def n(self, what: str) -> int:
        """Today's number of facts of a kind of DAILY_VOLUME, scaled."""
        return _count(self.seed, self.day, what, DAILY_VOLUME[what] * self.scale)

    def generated_today(self, table: str, ts: str) -> int:
        """Facts the generator already put on this day (it writes a week ahead)."""
        s, d0, d1 = self.s, self.d0, self.d1
        return self.con.execute(
            f'SELECT count(*) FROM {s}."{table}" WHERE {ts} BETWEEN {d0} AND {d1} AND position(\'_sim_\' IN id) = 0'
        ).fetchone()[0]

    def run(self, *statements: str) -> None:
        for statement in statements:
            self.con.execute(statement)


def _evolve_customers(d: _Day) -> None:
    """customer, customer_metadata: today's sign-ups (temp table _nc) and their
    sign-up metadata (lead source, affiliate, CRM id)."""
    s, day = d.s, d.day
    n_new = max(0, d.n("new_customers") - d.generated_today("customer", "created_date_unix"))
    loc_slots = _location_slots()
    d.run(
        f"""CREATE OR REPLACE TEMP TABLE _nc AS
        WITH base AS (
            SELECT i, _id('cus_', 'new', i) AS id, _t(_u('nc_time', i)) AS created,
                CAST(_pick({loc_slots}, _u('nc_loc', i)) AS INTEGER) AS loc,
                _pick({_list(FIRST_NAMES)}, _u('nc_first', i)) AS first_name,
                _pick({_list(LAST_NAMES)}, _u('nc_last', i)) AS last_name,
                _u('nc_buy', i) AS u_buy
            FROM range(1, {n_new + 1}) AS r(i)
        )
        SELECT base.*,
            {_list([loc[0] for loc in LOCATIONS])}[loc] AS country,
            _ccy({_list([loc[0] for loc in LOCATIONS])}[loc]) AS ccy
        FROM base""",
        f"""INSERT INTO {s}.customer
        SELECT
            id, first_name, last_name,
            lower(first_name) || '.' || lower(last_name) || CAST((i * 7919 + {day.toordinal()}) % 10000 AS VARCHAR)
                || '@' || _pick({_weighted(EMAIL_DOMAINS, [30, 15, 14, 10, 8, 4, 3, 3])}, _u('nc_mail', i)),
            CASE WHEN _u('nc_phone_null', i) < 0.08 THEN NULL ELSE
                '+' || (CASE country {" ".join(f"WHEN {_lit(c)} THEN {_lit(code)}" for c, code in COUNTRY_CODE.items())} END)
                || ' ' || CAST(200 + CAST(floor(_u('nc_p1', i) * 800) AS BIGINT) AS VARCHAR)
                || ' ' || lpad(CAST(CAST(floor(_u('nc_p2', i) * 1000) AS BIGINT) AS VARCHAR), 3, '0')
                || ' ' || lpad(CAST(CAST(floor(_u('nc_p3', i) * 10000) AS BIGINT) AS VARCHAR), 4, '0') END,
            CAST(1 + CAST(floor(_u('nc_street_no', i) * 9998) AS BIGINT) AS VARCHAR) || ' '
                || _pick({_list(STREETS)}, _u('nc_street', i)) || ' ' || _pick({_list(STREET_SUFFIXES)}, _u('nc_suffix', i)),
            {_list([loc[1] for loc in LOCATIONS])}[loc],
            {_list([loc[2] for loc in LOCATIONS])}[loc],
            CASE WHEN country = 'US' THEN lpad(CAST(CAST({_list([loc[3] for loc in LOCATIONS])}[loc] AS INTEGER)
                    + CAST(floor(_u('nc_zip', i) * 99) AS INTEGER) AS VARCHAR), 5, '0')
                ELSE {_list([loc[3] for loc in LOCATIONS])}[loc] END,
            country,
            CASE WHEN _u('nc_company', i) < 0.15 THEN _pick({_list(COMPANIES)}, _u('nc_company_name', i)) END,
            _u('nc_enabled', i) < 0.97,
            _u('nc_consent', i) < 0.62,
            created, created
        FROM _nc ORDER BY id""",
        # metadata of sign-up: lead source, affiliate, CRM id
        f"""INSERT INTO {s}.customer_metadata
        SELECT id, name, value, _clamp(created + CAST(floor(_u('nc_meta_t_' || name, i) * 120) AS BIGINT))
        FROM (
            SELECT i, id, created, 'lead_source' AS name,
                _pick({_weighted(LEAD_SOURCES, [30, 20, 25, 8, 7, 5, 3, 2])}, _u('nc_lead', i)) AS value
            FROM _nc WHERE _u('nc_has_lead', i) < 0.65
            UNION ALL
            SELECT i, id, created, 'affiliate_id',
                _pick({_weighted(AFFILIATES, _zipf(len(AFFILIATES), 1.0, 1), 400)}, _u('nc_aff', i))
            FROM _nc WHERE _u('nc_has_aff', i) < 0.30
            UNION ALL
            SELECT i, id, created, 'crm_id',
                'crm_' || lpad(CAST(CAST(floor(_u('nc_crm', i) * 90000000) AS BIGINT) + 10000000 AS VARCHAR), 8, '0')
            FROM _nc WHERE _u('nc_has_crm', i) < 0.40
        )
        ORDER BY id, name""",
    )


def _evolve_sales(d: _Day) -> None:
    """sale: first sales of new customers, existing customers' attempts,
    recovered declines and upsells (temp table _ns2), then a new version of
    a few recent declined sales that went through after all."""
    s, d0 = d.s, d.d0
    campaigns = _weighted([f"cmp_{i}" for i in range(1, 21)], _zipf(20, 1.1, 2))
    n_existing = max(0, round(0.8 * (d.n("sale_rows") - d.generated_today("sale", "created_date_unix"))))
    d.run(
        # first sales of today's new customers (60% of them; the rest are prospects)
        f"""CREATE OR REPLACE TEMP TABLE _ns AS
        SELECT
            _id('sal_', 'new', row_number() OVER (ORDER BY id)) AS id, id AS customer_id, ccy,
            _pick({campaigns}, _u('ns_cmp', id)) AS campaign_id,
            CASE WHEN _u('ns_shop', id) < 0.15
                 THEN 'shop_' || CAST(1 + CAST(floor(_u('ns_shop_n', id) * 5) AS BIGINT) AS VARCHAR) END AS third_party_shop_id,
            _sale_status(_u('ns_status', id)) AS status, false AS is_upsell,
            _clamp(created + 30 + CAST(floor(_u('ns_delay', id) * 3600) AS BIGINT)) AS created,
            _u('ns_amount', id) AS u_amount, CAST(NULL AS DECIMAL(18,2)) AS amount_gross, 'new' AS kind
        FROM _nc WHERE u_buy < 0.60""",
        # sale attempts of existing customers, weighted to recent buyers and one-time buyers
        f"""INSERT INTO _ns
        SELECT
            _id('sal_', 'rep', k), customer_id, ccy,
            CASE WHEN _u('rep_cmp_same', customer_id) < 0.8 AND campaign0 IS NOT NULL THEN campaign0
                 ELSE _pick({campaigns}, _u('rep_cmp', customer_id)) END,
            CASE WHEN _u('rep_shop_same', customer_id) < 0.95 THEN shop0 END,
            _sale_status(_u('rep_status', customer_id)), false,
            _t(_u('rep_time', customer_id)), _u('rep_amount', customer_id), NULL, 'rep'
        FROM (
            SELECT *, row_number() OVER (
                ORDER BY pow(_u('rep_pick', customer_id), 1.0 / weight) DESC, customer_id
            ) AS k
            FROM (
                SELECT *,
                    0.3 + 5.0 * CAST(coalesce(last_success >= {d0 - 60 * DAY}, false) AS INTEGER)
                        + 0.3 * CAST(n_success = 1 AS INTEGER) + 0.2 * CAST(n_sales = 0 AS INTEGER) AS weight
                FROM _cstat
            )
        )
        WHERE k <= {n_existing}""",
        # declines recovered: a customer whose latest sale (last 10 days) was declined pays again
        f"""INSERT INTO _ns
        SELECT
            _id('sal_', 'rec', row_number() OVER (ORDER BY id)), customer_id, ccy, campaign_id,
            third_party_shop_id, 'success', false, _t(_u('rec_time', id)), NULL, amount_gross, 'rec'
        FROM (
            SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY created DESC, id DESC) AS rn
            FROM _sale WHERE NOT is_upsell
        )
        WHERE rn = 1 AND status = 'declined' AND created >= {d0 - 10 * DAY} AND _u('decline_outcome', id) < 0.12""",
        # amounts: recovered sales repeat the declined amount, others draw a price
        f"""CREATE OR REPLACE TEMP TABLE _ns2 AS
        SELECT * REPLACE (coalesce(amount_gross, _conv(_price(u_amount), ccy)) AS amount_gross) FROM _ns""",
        # upsells minutes after ~12% of today's successful sales
        f"""CREATE OR REPLACE TEMP TABLE _ups AS
        SELECT
            _id('sal_', 'ups', row_number() OVER (ORDER BY id)), customer_id, ccy, campaign_id,
            third_party_shop_id,
            CASE WHEN _u('ups_status', id) < 0.9 THEN 'success' ELSE 'declined' END, true,
            _clamp(created + 120 + CAST(floor(_u('ups_delay', id) * 3480) AS BIGINT)), NULL,
            _conv(_price(_u('ups_amount', id)) * 0.6, ccy), 'ups'
        FROM _ns2 WHERE status = 'success' AND _u('ups', id) < 0.12""",
        "INSERT INTO _ns2 SELECT * FROM _ups",
        f"""INSERT INTO {s}.sale
        SELECT id, customer_id, campaign_id, third_party_shop_id, status, is_upsell,
            amount_gross, _net(amount_gross, ccy), ccy, created,
            CASE WHEN status = 'void' THEN _clamp(created + 3600 + CAST(floor(_u('void', id) * 7200) AS BIGINT))
                 WHEN _u('upd', id) < 0.25 THEN _clamp(created + 1 + CAST(floor(_u('upd_s', id) * 600) AS BIGINT))
                 ELSE created END
        FROM _ns2 ORDER BY id""",
        # salvage: a recent declined sale goes through after all (a new version, same id)
        f"""INSERT INTO {s}.sale
        SELECT DISTINCT v.id, v.customer_id, v.campaign_id, v.third_party_shop_id, 'success', v.is_upsell,
            v.amount_gross, v.amount_net, v.iso_currency, v.created_date_unix, _t(_u('salvage_time', v.id))
        FROM {s}.sale AS v
        INNER JOIN _sale ON _sale.id = v.id
        WHERE _sale.status = 'declined' AND _sale.created >= {d0 - 14 * DAY} AND _sale.maxupd < {d0}
          AND _u('decline_outcome', _sale.id) >= 0.12 AND _u('decline_outcome', _sale.id) < 0.22
          AND coalesce(v.updated_date_unix, v.created_date_unix) = _sale.maxupd
        ORDER BY v.id""",
    )


def _evolve_product_sales(d: _Day) -> None:
    """product_sale: 1-3 lines per sale of today (upsells 1), summing to amount_gross."""
    d.run(
        f"""INSERT INTO {d.s}.product_sale
        SELECT
            _id('psl_', '', row_number() OVER (ORDER BY sale_id, line)), sale_id,
            _pick((SELECT all_ids FROM _prod), _u('line_product', sale_id || '#' || line)),
            CASE WHEN _u('line_qty', sale_id || '#' || line) < 0.1 THEN 2 ELSE 1 END,
            CAST(_round(amount_gross * cum[line + 2], ccy) - _round(amount_gross * cum[line + 1], ccy) AS DECIMAL(18,2))
        FROM (
            SELECT id AS sale_id, amount_gross, ccy, unnest(range(n_lines)) AS line,
                CASE n_lines WHEN 1 THEN [0.0, 1.0] WHEN 2 THEN [0.0, 0.6, 1.0] ELSE [0.0, 0.5, 0.8, 1.0] END AS cum
            FROM (
                SELECT *, CASE WHEN is_upsell THEN 1 WHEN _u('lines', id) < 0.06 THEN 3
                               WHEN _u('lines', id) < 0.28 THEN 2 ELSE 1 END AS n_lines
                FROM _ns2
            )
        )
        ORDER BY 1""",
    )


def _evolve_customer_cards(d: _Day) -> None:
    """customer_card: cards of new buyers, new default cards for cards about to
    expire, and a few subscribers switching to a prepaid card that expires soon."""
    s, day = d.s, d.day
    month_index = day.year * 12 + day.month - 1
    card_types = _weighted(["visa", "mastercard", "amex", "discover"], [0.5, 0.3, 0.12, 0.08])
    card_cols = f"""
            _pick({card_types}, _u('card_type', customer_id)) AS card_type,
            _u('card_bin', customer_id) AS u_bin,
            lpad(CAST(CAST(floor(_u('card_last4', customer_id) * 10000) AS BIGINT) AS VARCHAR), 4, '0') AS last_4,
            _u('card_enabled', customer_id) < 0.97 AS enabled"""
    later = f"{month_index} + 24 + CAST(floor(_u('card_exp', customer_id) * 37) AS BIGINT)"
    soon_day = day + dt.timedelta(days=10)
    soon = soon_day.year * 12 + soon_day.month - 1
    d.run(
        f"""CREATE OR REPLACE TEMP TABLE _nc_card AS
        -- cards of new buyers, a little before their first sale
        SELECT customer_id, 'new' AS step,
            greatest(created - 1 - CAST(floor(_u('card_t', customer_id) * 29) AS BIGINT),
                     (SELECT created FROM _nc WHERE _nc.id = _ns2.customer_id)) AS created,
            {later} AS exp_m, {card_cols}
        FROM _ns2 WHERE kind = 'new'
        UNION ALL
        -- a new default card for customers whose card expires soon (or has expired)
        SELECT customer_id, 'exp', _t(_u('card_t', customer_id)), {later}, {card_cols}
        FROM _card
        WHERE days_until BETWEEN -60 AND 45
          AND _u('card_update', customer_id) < CASE
              WHEN customer_id IN (SELECT customer_id FROM _sub WHERE status = 'active') THEN 0.12 ELSE 0.04 END
        UNION ALL
        -- a few subscribers switch to a prepaid card that expires soon
        SELECT * FROM (
            SELECT customer_id, 'pre', _t(_u('card_t', customer_id)), {soon}, {card_cols}
            FROM (
                SELECT DISTINCT _sub.customer_id FROM _sub
                LEFT JOIN _card ON _card.customer_id = _sub.customer_id
                WHERE _sub.status = 'active' AND coalesce(_card.days_until, 999) > 60
            )
            ORDER BY _u('prepaid', customer_id), customer_id
            LIMIT {d.n('prepaid_cards')}
        )""",
        f"""INSERT INTO {s}.customer_card
        SELECT
            _id('crd_', step, row_number() OVER (PARTITION BY step ORDER BY customer_id)), customer_id, card_type,
            CASE card_type
                WHEN 'visa' THEN '4' || lpad(CAST(CAST(floor(u_bin * 100000) AS BIGINT) AS VARCHAR), 5, '0')
                WHEN 'mastercard' THEN CAST(510000 + CAST(floor(u_bin * 50000) AS BIGINT) AS VARCHAR)
                WHEN 'amex' THEN CASE WHEN u_bin < 0.5 THEN '34' ELSE '37' END
                    || lpad(CAST(CAST(floor(u_bin * 20000) AS BIGINT) % 10000 AS VARCHAR), 4, '0')
                ELSE '6011' || lpad(CAST(CAST(floor(u_bin * 100) AS BIGINT) AS VARCHAR), 2, '0') END,
            last_4, CAST(exp_m % 12 + 1 AS INTEGER), CAST(exp_m // 12 AS INTEGER), true, enabled, created
        FROM _nc_card ORDER BY 1""",
    )


def _evolve_subscriptions(d: _Day) -> None:
    """subscription_renewal, subscription: one outcome per subscription and day
    (a renewal on its 30-day anniversary, or a status change as a new version),
    then new subscriptions right after today's successful sales."""
    s, d0 = d.s, d.d0
    d.run(
        # one outcome per subscription and day: a renewal on its 30-day anniversary, or a status change
        f"""CREATE OR REPLACE TEMP TABLE _subday AS
        WITH d AS (
            SELECT *, _u('sub', id) AS u, _t(_u('sub_time', id)) AS t,
                status IN ('active', 'overdue', 'suspended') AND age_days > 0 AND age_days % 30 = 0
                    AND coalesce(last_renewal, 0) < {d0 - 20 * DAY} AS due
            FROM _sub WHERE maxupd < {d0}
        )
        SELECT *,
            CASE
                WHEN due AND status = 'active' THEN CASE WHEN u < 0.90 THEN 'success' ELSE 'overdue' END
                WHEN due AND status = 'overdue' THEN CASE WHEN u < 0.35 THEN 'success' ELSE 'overdue' END
                WHEN due AND status = 'suspended' THEN CASE WHEN u < 0.20 THEN 'success' ELSE 'overdue' END
                WHEN status = 'trial' AND age_days >= 3 AND u < CASE WHEN age_days >= 30 THEN 0.5 ELSE 0.07 END THEN 'success'
                WHEN status = 'overdue' AND u < 0.04 THEN 'success'
                WHEN status = 'suspended' AND u < 0.01 THEN 'success'
                WHEN status = 'cancelled' AND u < 0.001 THEN 'success'
            END AS renewal_status,
            CASE
                WHEN due AND status = 'active' THEN CASE WHEN u >= 0.90 THEN 'overdue' END
                WHEN due AND status = 'overdue' THEN CASE WHEN u < 0.35 THEN 'active' WHEN u < 0.60 THEN 'suspended' END
                WHEN due AND status = 'suspended' THEN CASE WHEN u < 0.20 THEN 'active' WHEN u < 0.45 THEN 'cancelled' END
                WHEN status = 'trial' AND age_days >= 3 THEN CASE
                    WHEN u < CASE WHEN age_days >= 30 THEN 0.5 ELSE 0.07 END THEN 'active'
                    WHEN u < CASE WHEN age_days >= 30 THEN 0.6 ELSE 0.09 END THEN 'cancelled' END
                WHEN status = 'active' AND u < 0.0015 THEN 'cancelled'
                WHEN status = 'overdue' THEN CASE WHEN u < 0.04 THEN 'active' WHEN u < 0.06 THEN 'cancelled' END
                WHEN status = 'suspended' THEN CASE WHEN u < 0.01 THEN 'active' WHEN u < 0.03 THEN 'cancelled' END
                WHEN status = 'cancelled' AND u < 0.001 THEN 'active'
            END AS new_status
        FROM d""",
        f"""INSERT INTO {s}.subscription_renewal
        SELECT
            _id('ren_', '', row_number() OVER (ORDER BY id)), id, customer_id, renewal_status,
            coalesce(last_amount, _conv(_price(_u('ren_amount', id)) * 0.9, coalesce(last_ccy, customer_ccy))),
            coalesce(last_ccy, customer_ccy), t
        FROM _subday WHERE renewal_status IS NOT NULL ORDER BY 1""",
        f"""INSERT INTO {s}.subscription
        SELECT id, customer_id, product_id, new_status, created, t
        FROM _subday WHERE new_status IS NOT NULL AND new_status <> status ORDER BY id""",
        # new subscriptions right after a successful sale of today (trial or paid)
        f"""INSERT INTO {s}.subscription
        SELECT
            _id('sub_', '', row_number() OVER (ORDER BY id)), customer_id,
            _pick((SELECT sub_ids FROM _prod), _u('sub_product', id)),
            CASE WHEN _u('sub_trial', id) < 0.55 THEN 'trial' ELSE 'active' END,
            _clamp(created + 5 + CAST(floor(_u('sub_delay', id) * 115) AS BIGINT)) AS t,
            _clamp(created + 5 + CAST(floor(_u('sub_delay', id) * 115) AS BIGINT))
        FROM _ns2
        WHERE status = 'success' AND NOT is_upsell
          AND _u('subscribe', id) < CASE WHEN kind = 'new' THEN 0.20 ELSE 0.04 END
        ORDER BY 1""",
    )


def _claimed_sales(d: _Day) -> None:
    """_taken: sales already refunded, charged back or disputed before today's
    refunds, chargebacks and disputes (none of those claims a sale twice)."""
    s = d.s
    d.run(
        f"""CREATE OR REPLACE TEMP TABLE _taken AS
        SELECT sale_id FROM {s}.refund WHERE sale_id IS NOT NULL
        UNION SELECT sale_id FROM {s}.chargeback WHERE sale_id IS NOT NULL
        UNION SELECT sale_id FROM {s}.paypal_dispute WHERE sale_id IS NOT NULL""",
    )


def _evolve_refunds(d: _Day) -> None:
    """refund: refunds of recent successful sales (up to the daily volume) and
    a few of recent renewals."""
    s, d0 = d.s, d.d0
    n_refunds = max(0, d.n("sale_refunds") - d.generated_today("refund", "created_date_unix"))
    d.run(
        f"""INSERT INTO {s}.refund
        SELECT _id('ref_', 'sal', k), customer_id, id, NULL,
            CASE WHEN _u('refund_partial', id) < 0.4
                 THEN CAST(greatest(_round(amount_net * (0.1 + 0.8 * _u('refund_share', id)), ccy), 0) AS DECIMAL(18,2))
                 ELSE amount_net END,
            ccy, _t(_u('refund_time', id))
        FROM (
            SELECT *, row_number() OVER (ORDER BY _u('refund_pick', id), id) AS k FROM _sale
            WHERE status = 'success' AND amount_net > 0 AND created >= {d0 - 30 * DAY}
              AND id NOT IN (SELECT sale_id FROM _taken)
        )
        WHERE k <= {n_refunds}
        ORDER BY k""",
        f"""INSERT INTO {s}.refund
        SELECT _id('ref_', 'ren', row_number() OVER (ORDER BY r.id)), r.customer_id, NULL, r.id, r.amount_total,
            upper(trim(r.iso_currency)), _t(_u('refund_time', r.id))
        FROM (SELECT DISTINCT * FROM {s}.subscription_renewal) AS r
        INNER JOIN _sub ON _sub.id = r.subscription_id
        WHERE r.id IS NOT NULL AND lower(trim(r.status)) = 'success' AND r.amount_total > 0
          AND r.created_date_unix BETWEEN {d0 - 10 * DAY} AND {d0 - 1}
          AND upper(trim(r.iso_currency)) IN {tuple(CURRENCIES)}
          AND r.id NOT IN (SELECT raw_id FROM _bad WHERE source_table = 'subscription_renewal')
          AND r.id NOT IN (SELECT subscription_renewal_id FROM {s}.refund WHERE subscription_renewal_id IS NOT NULL)
          AND _u('renewal_refund', r.id) < 0.003
        ORDER BY 1""",
    )


def _evolve_chargebacks(d: _Day) -> None:
    """chargeback: successful sales 10-90 days old, not claimed before."""
    s, d0 = d.s, d.d0
    n_chargebacks = max(0, d.n("chargebacks") - d.generated_today("chargeback", "chargeback_date_unix"))
    d.run(
        f"""INSERT INTO {s}.chargeback
        SELECT _id('chb_', '', k), customer_id, id, amount_gross, ccy,
            _pick({_weighted(V_REASON_CODE.valid, _zipf(len(V_REASON_CODE.valid), 0.8, 2))}, _u('cb_reason', id)),
            _t(_u('cb_time', id))
        FROM (
            SELECT *, row_number() OVER (ORDER BY _u('cb_pick', id), id) AS k FROM _sale
            WHERE status = 'success' AND amount_gross > 0 AND created BETWEEN {d0 - 90 * DAY} AND {d0 - 10 * DAY}
              AND id NOT IN (SELECT sale_id FROM _taken)
        )
        WHERE k <= {n_chargebacks} ORDER BY k""",
    )


def _evolve_paypal_disputes(d: _Day) -> None:
    """paypal_dispute: successful sales 3-60 days old, not claimed before."""
    s, d0 = d.s, d.d0
    n_disputes = max(0, d.n("paypal_disputes") - d.generated_today("paypal_dispute", "dispute_date_unix"))
    d.run(
        f"""INSERT INTO {s}.paypal_dispute
        SELECT _id('ppd_', '', k), customer_id, id, amount_gross, ccy, _t(_u('pp_time', id))
        FROM (
            SELECT *, row_number() OVER (ORDER BY _u('pp_pick', id), id) AS k FROM _sale
            WHERE status = 'success' AND amount_gross > 0 AND created BETWEEN {d0 - 60 * DAY} AND {d0 - 3 * DAY}
              AND id NOT IN (SELECT sale_id FROM _taken)
              AND _u('cb_pick', id) > 0.01  -- not the chargebacks' first picks
        )
        WHERE k <= {n_disputes} ORDER BY k""",
    )


def _evolve_fraud_detections(d: _Day) -> None:
    """fraud_detection: a few customers flagged, up to the daily volume."""
    s = d.s
    n_detections = max(0, d.n("fraud_detections") - d.generated_today("fraud_detection", "fraud_detection_date_unix"))
    methods = _weighted(["sale_create", "subscription_renew", "trial_expire", "salvage_transaction_process"], [0.5, 0.2, 0.1, 0.2])
    d.run(
        f"""INSERT INTO {s}.fraud_detection
        SELECT _id('frd_', '', k), id,
            _pick({methods}, _u('fraud_method', id)),
            _t(_u('fraud_time', id))
        FROM (SELECT id, row_number() OVER (ORDER BY _u('fraud_pick', id), id) AS k FROM _cust)
        WHERE k <= {n_detections}
        ORDER BY k""",
    )


def _evolve_risk_scores(d: _Day) -> None:
    """customer_metadata: new risk scores of a few customers."""
    d.run(
        f"""INSERT INTO {d.s}.customer_metadata
        SELECT id, 'risk_score', CAST(1 + CAST(floor(_u('risk_value', id) * 100) AS BIGINT) AS VARCHAR), _t(_u('risk_time', id))
        FROM (SELECT id, row_number() OVER (ORDER BY _u('risk_pick', id), id) AS k FROM _cust)
        WHERE k <= {d.n("risk_scores")}
        ORDER BY id""",
    )


def _evolve_group_actions(d: _Day) -> None:
    """customer_group_action: manual adds to and removals from the manual
    groups, and actions the pipeline ignores (on rule groups, unknown groups)."""
    s, d0 = d.s, d.d0
    actor = "'agent_' || CAST(1 + CAST(floor(_u('actor', customer_id || group_key) * 30) AS BIGINT) AS VARCHAR)"
    d.run(
        f"""CREATE OR REPLACE TEMP TABLE _latest_action AS
        SELECT customer_id, group_key, action FROM (
            SELECT a.customer_id, lower(trim(a.group_key)) AS group_key, lower(trim(a.action)) AS action,
                row_number() OVER (PARTITION BY a.customer_id, lower(trim(a.group_key))
                                   ORDER BY a.created_date_unix DESC, a.id DESC) AS rn
            FROM {s}.customer_group_action AS a
            INNER JOIN _cust ON _cust.id = a.customer_id
            WHERE a.id IS NOT NULL AND a.created_date_unix < {d0} AND a.group_key IS NOT NULL
              AND lower(trim(a.action)) IN ('add', 'remove')
              AND a.id NOT IN (SELECT raw_id FROM _bad WHERE source_table = 'customer_group_action')
        ) WHERE rn = 1""",
        f"""CREATE OR REPLACE TEMP TABLE _actions AS
        -- removals of customers added by hand earlier
        SELECT customer_id, group_key, 'remove' AS action FROM _latest_action
        WHERE action = 'add' AND group_key IN ('do_not_contact', 'manual_review')
          AND _u('action_remove', customer_id || group_key) < 0.025
        UNION ALL
        SELECT * FROM (
            SELECT _cust.id, 'do_not_contact', 'add' FROM _cust
            LEFT JOIN _latest_action AS l ON l.customer_id = _cust.id AND l.group_key = 'do_not_contact'
            WHERE coalesce(l.action, '') <> 'add'
            ORDER BY _u('dnc_pick', _cust.id), _cust.id LIMIT {d.n("manual_adds_do_not_contact")}
        )
        UNION ALL
        SELECT * FROM (
            SELECT _cust.id, 'manual_review', 'add' FROM _cust
            LEFT JOIN _latest_action AS l ON l.customer_id = _cust.id AND l.group_key = 'manual_review'
            WHERE coalesce(l.action, '') <> 'add'
            ORDER BY _u('mr_pick', _cust.id), _cust.id LIMIT {d.n("manual_adds_manual_review")}
        )
        UNION ALL
        -- actions on a flexi rule group and an unknown group: recorded, and ignored by the pipeline
        SELECT * FROM (
            SELECT id, _pick(['vip', 'repeat_buyers', 'legacy_group'], _u('ign_group', id)),
                CASE WHEN _u('ign_action', id) < 0.7 THEN 'add' ELSE 'remove' END
            FROM _cust ORDER BY _u('ign_pick', id), id LIMIT {d.n("ignored_actions")}
        )""",
        f"""INSERT INTO {s}.customer_group_action
        SELECT _id('cga_', '', row_number() OVER (ORDER BY customer_id, group_key)), customer_id, group_key, action,
            {actor}, _t(_u('action_time', customer_id || group_key))
        FROM _actions ORDER BY 1""",
    )


def _evolve_email_events(d: _Day) -> None:
    """email_event: unsubscribes, hard and soft bounces."""
    d.run(
        f"""INSERT INTO {d.s}.email_event
        SELECT _id('eev_', '', row_number() OVER (ORDER BY event_type, id)), id, event_type, _t(_u('email_time', event_type || id))
        FROM (
            SELECT * FROM (SELECT id, 'unsubscribe' AS event_type FROM _cust
                           ORDER BY _u('unsub_pick', id), id LIMIT {d.n("unsubscribes")})
            UNION ALL
            SELECT * FROM (SELECT id, 'hard_bounce' FROM _cust ORDER BY _u('hard_pick', id), id LIMIT {d.n("hard_bounces")})
            UNION ALL
            SELECT * FROM (SELECT id, 'soft_bounce' FROM _cust ORDER BY _u('soft_pick', id), id LIMIT {d.n("soft_bounces")})
        )
        ORDER BY 1""",
    )


def _add_bad_rows(d: _Day) -> None:
    """A few bad rows in sale, refund, email_event, customer_card and
    fraud_detection, listed in the bad-row manifest (quarantine keeps working)."""
    s, ymd, day = d.s, d.ymd, d.day
    template = "(SELECT * FROM _ns2 ORDER BY id LIMIT 1)"
    bad_ids = {
        ("sale", "unknown_currency"): f"sal_sim_{ymd}_bad01",
        ("sale", "dangling_customer"): f"sal_sim_{ymd}_bad02",
        ("refund", "negative_amount"): f"ref_sim_{ymd}_bad01",
        ("email_event", "unknown_enum_value"): f"eev_sim_{ymd}_bad01",
        ("customer_card", "invalid_card_expiry"): f"crd_sim_{ymd}_bad01",
    }
    has_template = d.con.execute("SELECT count(*) FROM _ns2").fetchone()[0] > 0
    if has_template:
        d.run(
            f"""INSERT INTO {s}.sale
            SELECT {_lit(bad_ids[("sale", "unknown_currency")])}, customer_id, campaign_id, third_party_shop_id, status,
                false, amount_gross, _net(amount_gross, ccy), 'XXX', created, created FROM {template}""",
            f"""INSERT INTO {s}.sale
            SELECT {_lit(bad_ids[("sale", "dangling_customer")])}, 'cus_sim_{ymd}_missing', campaign_id,
                third_party_shop_id, status, false, amount_gross, _net(amount_gross, ccy), ccy, created, created
            FROM {template}""",
        )
    d.run(
        f"""INSERT INTO {s}.refund
        SELECT {_lit(bad_ids[("refund", "negative_amount")])}, customer_id, id, NULL, CAST(-5 AS DECIMAL(18,2)), ccy,
            _t(_u('bad_refund', id))
        FROM (SELECT * FROM _sale WHERE status = 'success' ORDER BY _u('bad_refund_pick', id), id LIMIT 1)""",
        f"""INSERT INTO {s}.email_event
        SELECT {_lit(bad_ids[("email_event", "unknown_enum_value")])}, id, 'spam', _t(_u('bad_email', id))
        FROM (SELECT id FROM _cust ORDER BY _u('bad_email_pick', id), id LIMIT 1)""",
        f"""INSERT INTO {s}.customer_card
        SELECT {_lit(bad_ids[("customer_card", "invalid_card_expiry")])}, id, 'visa', '411111', '0000', 13,
            {day.year + 3}, false, true, _t(_u('bad_card', id))
        FROM (SELECT id FROM _cust ORDER BY _u('bad_card_pick', id), id LIMIT 1)""",
        # an identical copy of one of today's fraud detections
        f"""INSERT INTO {s}.fraud_detection
        SELECT * FROM {s}.fraud_detection WHERE starts_with(id, 'frd_sim_{ymd}_') ORDER BY id LIMIT 1""",
    )
    d.run(
        f"""INSERT INTO {s}.{MANIFEST_TABLE}
        SELECT source_table, raw_id, 'quarantined', reason FROM (VALUES
            {", ".join(f"({_lit(t)}, {_lit(i)}, {_lit(r)})" for (t, r), i in bad_ids.items())}
        ) AS v(source_table, raw_id, reason)
        WHERE EXISTS (SELECT 1 FROM {s}.sale WHERE id = raw_id)
           OR EXISTS (SELECT 1 FROM {s}.refund WHERE id = raw_id)
           OR EXISTS (SELECT 1 FROM {s}.email_event WHERE id = raw_id)
           OR EXISTS (SELECT 1 FROM {s}.customer_card WHERE id = raw_id)""",
        f"""INSERT INTO {s}.{MANIFEST_TABLE}
        SELECT 'fraud_detection', id, 'collapsed', NULL FROM {s}.fraud_detection
        WHERE starts_with(id, 'frd_sim_{ymd}_') GROUP BY id HAVING count(*) > 1""",
    )


# The steps of a day, in order (later steps read the temp tables of earlier ones).
_DAY_STEPS: tuple[Callable[[_Day], None], ...] = (
    _evolve_customers,
    _evolve_sales,
    _evolve_product_sales,
    _evolve_customer_cards,
    _evolve_subscriptions,
    _claimed_sales,
    _evolve_refunds,
    _evolve_chargebacks,
    _evolve_paypal_disputes,
    _evolve_fraud_detections,
    _evolve_risk_scores,
    _evolve_group_actions,
    _evolve_email_events,
    _add_bad_rows,
)


def _row_counts(con: duckdb.DuckDBPyConnection, s: str) -> dict[str, int]:
    counts_sql = " UNION ALL ".join(
        f"SELECT {_lit(t)}, count(*) FROM {s}.\"{t}\"" for t in (*RAW_TABLES, MANIFEST_TABLE)
    )
    return dict(con.execute(counts_sql).fetchall())


def evolve_day(
    con: duckdb.DuckDBPyConnection,
    day: dt.date,
    *,
    seed: int,
    scale: float,
    schema: str = "raw_revcent",
) -> dict[str, int]:
    """Append the facts of ``day`` to the raw tables in ``schema`` (bulk SQL).

    ``scale`` multiplies the daily volumes (1.0 = a business of 10,000 customers).
    Deterministic in (data already there, ``seed``, ``day``, ``scale``). Every new
    timestamp lies inside ``day`` (UTC). Returns the number of rows added per table
    (and to the bad-row manifest).
    """
    d = _Day(con, day, seed, scale, f'"{schema}"')
    before = _row_counts(con, d.s)
    d.run(*_macros(seed, day))
    d.run(*_state_sql(d.s, d.d0, day))
    for step in _DAY_STEPS:
        step(d)
    after = _row_counts(con, d.s)
    return {t: after[t] - before[t] for t in before}


# --------------------------------------------------------------------------
# Verification store (a separate DuckDB file: the warehouse has one writer)
# --------------------------------------------------------------------------


def _table_ref(con: duckdb.DuckDBPyConnection, catalog: str, name: str) -> str:
    row = con.execute(
        "SELECT table_schema FROM information_schema.tables WHERE table_catalog = ? AND table_name = ? "
        "ORDER BY table_schema = 'main' DESC LIMIT 1",
        [catalog, name],
    ).fetchone()
    if row is None:
        raise RuntimeError(f"{name} not found in {catalog}")
    return f'{catalog}."{row[0]}"."{name}"'


@contextlib.contextmanager
def _attached(scratch: Path, warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(scratch))
    try:
        con.execute(f"ATTACH {_lit(str(warehouse))} AS wh (READ_ONLY)")
        yield con
    finally:
        con.close()


def _record_membership(scratch: Path, warehouse: Path, day: dt.date) -> int:
    with _attached(scratch, warehouse) as con:
        con.execute(
            "CREATE TABLE IF NOT EXISTS membership (as_of_date DATE, customer_id VARCHAR, group_key VARCHAR)"
        )
        con.execute("DELETE FROM membership WHERE as_of_date = ?", [day])
        evaluated = _table_ref(con, "wh", "int_customer_groups_evaluated")
        con.execute(
            f"INSERT INTO membership SELECT CAST(? AS DATE), customer_id, group_key FROM {evaluated}", [day]
        )
        return con.execute("SELECT count(*) FROM membership WHERE as_of_date = ?", [day]).fetchone()[0]


@dataclass
class Check:
    name: str
    checked: int
    mismatches: int
    examples: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.mismatches == 0


@dataclass
class Verification:
    checks: list[Check]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


def _verify(scratch: Path, warehouse: Path, days: list[dt.date]) -> Verification:
    with _attached(scratch, warehouse) as con:
        history = _table_ref(con, "wh", "customer_group_membership_history")
        events = _table_ref(con, "wh", "customer_group_events")
        run_log = _table_ref(con, "wh", "customer_group_run_log")
        con.execute("CREATE OR REPLACE TEMP TABLE days AS SELECT unnest(?::DATE[]) AS d", [days])
        con.execute("CREATE OR REPLACE TEMP TABLE first_day AS SELECT min(d) AS d FROM days")
        checks: list[Check] = []

        def check(name: str, checked_sql: str, diff_sql: str) -> None:
            checked = con.execute(checked_sql).fetchone()[0]
            mismatches = con.execute(f"SELECT count(*) FROM ({diff_sql})").fetchone()[0]
            examples = con.execute(f"SELECT * FROM ({diff_sql}) ORDER BY ALL LIMIT 5").fetchall() if mismatches else []
            checks.append(Check(name, checked, mismatches, examples))

        # (a) the history's state on every day equals that day's from-scratch membership
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE history_state AS
            SELECT days.d AS as_of_date, h.customer_id, h.group_key
            FROM days INNER JOIN {history} AS h
                ON h.valid_from <= days.d AND (h.valid_to IS NULL OR h.valid_to > days.d)"""
        )
        check(
            "history state = daily membership",
            "SELECT count(*) FROM membership",
            """SELECT 'missing from history' AS problem, * FROM (SELECT * FROM membership EXCEPT ALL SELECT * FROM history_state)
               UNION ALL
               SELECT 'extra in history', * FROM (SELECT * FROM history_state EXCEPT ALL SELECT * FROM membership)""",
        )
        # (b) events = day-to-day differences, and event ids are unique
        con.execute(
            """CREATE OR REPLACE TEMP TABLE expected_events AS
            WITH previous AS (
                SELECT days.d AS as_of_date, m.customer_id, m.group_key
                FROM days INNER JOIN membership AS m ON m.as_of_date = days.d - 1
                WHERE days.d > (SELECT d FROM first_day)
            )
            SELECT 'customer.updated.customer_group.added' AS event_name, customer_id, group_key, as_of_date AS occurred_on
            FROM (SELECT as_of_date, customer_id, group_key FROM membership
                  EXCEPT SELECT * FROM previous)
            UNION ALL
            SELECT 'customer.updated.customer_group.removed', customer_id, group_key, as_of_date
            FROM (SELECT * FROM previous
                  EXCEPT SELECT as_of_date, customer_id, group_key FROM membership)"""
        )
        check(
            "events = day-to-day differences",
            "SELECT count(*) FROM expected_events",
            f"""SELECT 'missing event' AS problem, * FROM (
                    SELECT * FROM expected_events
                    EXCEPT ALL SELECT event_name, customer_id, group_key, occurred_on FROM {events})
                UNION ALL
                SELECT 'unexpected event', * FROM (
                    SELECT event_name, customer_id, group_key, occurred_on FROM {events}
                    EXCEPT ALL SELECT * FROM expected_events)""",
        )
        check(
            "event_id unique",
            f"SELECT count(*) FROM {events}",
            f"SELECT event_id, count(*) AS copies FROM {events} GROUP BY event_id HAVING count(*) > 1",
        )
        # the run log's daily counts agree with the membership and the events
        check(
            "run log members/entered/left",
            f"SELECT count(*) FROM {run_log} WHERE as_of_date IN (SELECT d FROM days)",
            f"""WITH members AS (
                    SELECT as_of_date, group_key, count(*) AS members FROM membership GROUP BY ALL
                ),
                moves AS (
                    SELECT occurred_on AS as_of_date, group_key,
                        count(*) FILTER (WHERE event_name LIKE '%added') AS entered,
                        count(*) FILTER (WHERE event_name LIKE '%removed') AS left_group
                    FROM expected_events GROUP BY ALL
                )
                SELECT r.as_of_date, r.group_key, r.members, coalesce(m.members, 0) AS expected_members,
                    r.entered, coalesce(v.entered, 0) AS expected_entered,
                    r.left_group, coalesce(v.left_group, 0) AS expected_left
                FROM {run_log} AS r
                LEFT JOIN members AS m ON m.as_of_date = r.as_of_date AND m.group_key = r.group_key
                LEFT JOIN moves AS v ON v.as_of_date = r.as_of_date AND v.group_key = r.group_key
                WHERE r.as_of_date IN (SELECT d FROM days)
                  AND (r.members <> coalesce(m.members, 0) OR r.entered <> coalesce(v.entered, 0)
                       OR r.left_group <> coalesce(v.left_group, 0))""",
        )
        return Verification(checks)


# --------------------------------------------------------------------------
# The simulation
# --------------------------------------------------------------------------


@dataclass
class DayResult:
    day: dt.date
    rows_added: dict[str, int]
    evolve_seconds: float
    dbt_seconds: float
    members: int
    entered: int
    left: int
    groups_moved: int
    top_moves: list[tuple[str, int, int]]  # (group_key, entered, left), largest first


@dataclass
class SimulationResult:
    db_path: Path
    start: dt.date
    days: list[DayResult]
    movement: list[tuple[dt.date, str, int, int, int]]  # (as_of_date, group_key, members, entered, left)
    events_by_reason: list[tuple[str, str, int]]  # (event_name, reason, events)
    verification: Verification | None
    generate_seconds: float
    wall_seconds: float

    @property
    def passed(self) -> bool:
        return self.verification is None or self.verification.passed

    def moved(self, group_key: str) -> tuple[int, int, int]:
        """(days with any entry, days with any exit, days simulated) for one group."""
        rows = [m for m in self.movement if m[1] == group_key]
        return sum(1 for m in rows if m[3]), sum(1 for m in rows if m[4]), len(self.days)


def _read_day(db: Path, day: dt.date) -> tuple[int, int, int, int, list[tuple[str, int, int]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT group_key, members, entered, left_group FROM customer_group_run_log WHERE as_of_date = ?", [day]
        ).fetchall()
    finally:
        con.close()
    moves = sorted(((g, e, l) for g, _, e, l in rows if e or l), key=lambda r: (-(r[1] + r[2]), r[0]))
    return (
        sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows), len(moves), moves,
    )


def _read_totals(db: Path, days: list[dt.date]) -> tuple[list[tuple[Any, ...]], list[tuple[str, str, int]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        movement = con.execute(
            "SELECT as_of_date, group_key, members, entered, left_group FROM customer_group_run_log "
            "WHERE as_of_date BETWEEN ? AND ? ORDER BY group_key, as_of_date",
            [days[0], days[-1]],
        ).fetchall()
        reasons = con.execute(
            "SELECT event_name, coalesce(reason, '(none)'), count(*) FROM customer_group_events "
            "WHERE occurred_on BETWEEN ? AND ? GROUP BY ALL ORDER BY 1, 3 DESC, 2",
            [days[0], days[-1]],
        ).fetchall()
    finally:
        con.close()
    return movement, reasons


def _replace_database(db: Path) -> None:
    for path in (db, db.with_name(db.name + ".wal")):
        if path.exists():
            path.unlink()


def simulate(
    db_path: str | Path,
    *,
    days: int,
    customers: int,
    seed: int,
    start: dt.date,
    verify: bool = False,
    test_every_day: bool = False,
    progress: bool = True,
) -> SimulationResult:
    """Generate the base data as of the day before ``start`` into a fresh ``db_path``,
    then evolve and run the pipeline ``days`` times. See the module docstring."""
    console = _console(quiet=not progress)
    started = time.perf_counter()
    db = Path(db_path).resolve()
    if days < 1:
        raise ValueError("days must be at least 1")
    if db.exists():
        console.print(f"[yellow]replacing {db}[/] (a new base makes its history meaningless)")
    _replace_database(db)
    generate(str(db), customers=customers, seed=seed, as_of=start - dt.timedelta(days=1), progress=progress)
    generate_seconds = time.perf_counter() - started
    console.print(f"base data as of {start - dt.timedelta(days=1)} generated in {generate_seconds:.1f} s")

    scale = customers / BASELINE_CUSTOMERS
    project = DbtProject(db_path=db)
    project.run(["seed"])
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    results: list[DayResult] = []
    with contextlib.ExitStack() as stack:
        scratch_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="simulate_verify_")))
        scratch = scratch_dir / "membership.duckdb"
        for day in dates:
            t0 = time.perf_counter()
            con = duckdb.connect(str(db))
            try:
                con.execute("SET TimeZone = 'UTC'")
                con.execute("BEGIN TRANSACTION")
                added = evolve_day(con, day, seed=seed, scale=scale)
                con.execute("COMMIT")
            finally:
                con.close()
            t1 = time.perf_counter()
            project.daily_run(day.isoformat(), test=test_every_day or day == dates[-1])
            t2 = time.perf_counter()
            if verify:
                _record_membership(scratch, db, day)
            members, entered, left, moved, moves = _read_day(db, day)
            result = DayResult(day, added, t1 - t0, t2 - t1, members, entered, left, moved, moves)
            results.append(result)
            top = ", ".join(f"{g} +{e}/-{l}" for g, e, l in moves[:4])
            console.print(
                f"{day}  +{sum(v for k, v in added.items() if k != MANIFEST_TABLE):>5,} raw rows "
                f"({t1 - t0:4.1f} s)  dbt {t2 - t1:5.1f} s  members {members:>7,}  "
                f"[green]+{entered:,}[/] [red]-{left:,}[/]  {moved:>2} groups moved  {top}",
                highlight=False, soft_wrap=True,
            )
        verification = _verify(scratch, db, dates) if verify else None
    movement, reasons = _read_totals(db, dates)
    return SimulationResult(
        db, start, results, movement, reasons, verification, generate_seconds, time.perf_counter() - started
    )


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def _console(quiet: bool = False) -> Any:
    """A rich console; wide when writing to a file or pipe, so tables keep one line per row."""
    from rich.console import Console

    return Console(quiet=quiet, width=None if sys.stdout.isatty() else 200)


def print_report(result: SimulationResult) -> None:
    from rich.table import Table

    console = _console()
    groups = sorted({m[1] for m in result.movement})
    by_key = {(m[0], m[1]): m for m in result.movement}
    dates = [d.day for d in result.days]
    per_chunk = max(3, (console.width - 42) // 9)
    for offset in range(0, len(dates), per_chunk):
        chunk = dates[offset: offset + per_chunk]
        table = Table(
            title=f"entered / left per group and day ({chunk[0]} .. {chunk[-1]})", show_lines=False, pad_edge=False
        )
        table.add_column("group", no_wrap=True)
        for d in chunk:
            table.add_column(f"{d:%m-%d}", justify="right", no_wrap=True)
        last = offset + per_chunk >= len(dates)
        if last:
            table.add_column("members", justify="right")
        for g in groups:
            cells = []
            for d in chunk:
                m = by_key.get((d, g))
                cells.append("" if m is None or not (m[3] or m[4]) else f"+{m[3]}/-{m[4]}")
            if last:
                m = by_key.get((dates[-1], g))
                cells.append(f"{m[2]:,}" if m else "")
            table.add_row(g, *cells)
        console.print(table)

    totals = Table(title="totals per group")
    for name in ("group", "entered", "left", "days entered", "days left", f"members {dates[0]:%m-%d}", f"members {dates[-1]:%m-%d}"):
        totals.add_column(name, justify="left" if name == "group" else "right")
    for g in groups:
        rows = [by_key[(d, g)] for d in dates if (d, g) in by_key]
        totals.add_row(
            g, f"{sum(r[3] for r in rows):,}", f"{sum(r[4] for r in rows):,}",
            str(sum(1 for r in rows if r[3])), str(sum(1 for r in rows if r[4])),
            f"{rows[0][2]:,}" if rows else "", f"{rows[-1][2]:,}" if rows else "",
        )
    console.print(totals)

    events = Table(title="events by reason")
    events.add_column("event")
    events.add_column("reason")
    events.add_column("events", justify="right")
    for name, reason, count in result.events_by_reason:
        events.add_row(name.rsplit(".", 1)[-1], reason, f"{count:,}")
    console.print(events)

    rows_added: dict[str, int] = {}
    for d in result.days:
        for t, c in d.rows_added.items():
            rows_added[t] = rows_added.get(t, 0) + c
    console.print(
        "raw rows added: " + ", ".join(f"{t} {c:,}" for t, c in rows_added.items() if c), highlight=False
    )
    dbt_total = sum(d.dbt_seconds for d in result.days)
    evolve_total = sum(d.evolve_seconds for d in result.days)
    console.print(
        f"wall time {result.wall_seconds:.1f} s: generate {result.generate_seconds:.1f} s, "
        f"evolve {evolve_total:.1f} s, dbt {dbt_total:.1f} s "
        f"(first day {result.days[0].dbt_seconds:.1f} s, later days avg "
        f"{(dbt_total - result.days[0].dbt_seconds) / max(1, len(result.days) - 1):.1f} s)",
        highlight=False,
    )
    if result.verification is not None:
        for c in result.verification.checks:
            status = "[green]PASS[/]" if c.passed else "[red]FAIL[/]"
            console.print(f"{status} {c.name}: {c.checked:,} checked, {c.mismatches:,} mismatches", highlight=False)
            for example in c.examples:
                console.print(f"      e.g. {example}", highlight=False)
        console.print("[bold green]PASS[/]" if result.verification.passed else "[bold red]FAIL[/]")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--customers", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 6, 1), help="first day, YYYY-MM-DD")
    p.add_argument("--db", type=Path, default=Path("warehouse/customer_groups.duckdb"), help="DuckDB file (replaced)")
    p.add_argument("--verify", action="store_true", help="check history and events against daily membership")
    p.add_argument("--test-every-day", action="store_true", help="run data tests every day, not only the last")
    p.add_argument("--quiet", action="store_true", help="no progress and no per-day lines")
    a = p.parse_args(argv)
    require_duckdb_warehouse("scripts/simulate.py")  # it evolves raw tables inside the DuckDB file
    result = simulate(
        a.db, days=a.days, customers=a.customers, seed=a.seed, start=a.start,
        verify=a.verify, test_every_day=a.test_every_day, progress=not a.quiet,
    )
    print_report(result)
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
