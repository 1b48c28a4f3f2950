"""Generate deterministic, realistic synthetic RevCent-shaped ecommerce data into DuckDB.

The tables land in one schema (default ``raw_revcent``) with exactly the names,
columns and types of SPEC section 2, plus a manifest ``_injected_bad_rows`` that
lists every row deliberately made invalid (see docs/data_quality.md).

Usage
-----
Command line (from the project root)::

    python scripts/generate_data.py                      # 10k customers -> warehouse/customer_groups.duckdb
    python scripts/generate_data.py --customers 1000000 --db /tmp/big.duckdb
    python scripts/generate_data.py --customers 500 --seed 7 --as-of 2024-06-30 --schema raw_test
    python scripts/generate_data.py --customers 500 --target postgres   # then COPY into PostgreSQL (PG* variables)

Options: ``--db PATH`` (default ``warehouse/customer_groups.duckdb``), ``--schema``
(default ``raw_revcent``), ``--seed`` (42), ``--customers`` (10000), ``--as-of
YYYY-MM-DD`` (default today, UTC), ``--bad-row-share`` (0.002: extra bad rows per
table as a share of its good rows, split over the kinds that apply, at least 3
of every kind), ``--quiet`` (no progress, no summary).

From Python::

    import datetime
    from scripts.generate_data import generate
    counts = generate("/tmp/t.duckdb", customers=500, seed=1,
                      as_of=datetime.date(2024, 6, 30), progress=False)

Every table is dropped and recreated (other tables of the schema are left
alone). The same arguments give the same table contents, row for row: rows are
written sorted by ``id`` (ties, i.e. injected duplicates, in generation order;
NULL ids last; ``customer_metadata`` sorted by all its columns). Ids are a
prefix and a zero-padded number in creation order: ``cus_0000012`` (7 digits),
``sal_``/``psl_``/``ren_`` (9), ``prd_`` (4), ``ref_``/``sub_``/``chb_``/
``ppd_``/``frd_``/``crd_``/``cga_``/``eev_`` (8). Tables are written by a
DuckDB thread while numpy generates the next one.

What the data looks like
------------------------
* Customers are created over the two years up to ``as_of`` (growing over
  time); a few are created on the ``as_of`` day and a few after it (those
  must not be evaluated yet). Facts run up to 7 days after ``as_of`` so a
  small share of every fact table lies in the future of ``as_of``.
* ~10% of customers never buy (prospects), ~45% buy once, the rest repeat
  with a heavy tail (about 8 sales per customer on average, upsells included).
  Statuses: ~80% success, ~13% declined, ~5% abandoned, ~1.5% void; ~12% of
  successful sales get an upsell, mostly minutes later.
* Currency per customer (USD, EUR, GBP, CAD, AUD, JPY); ``amount_net`` =
  gross - fees; ``product_sale`` lines (1-3 per sale) sum to ``amount_gross``.
* Subscriptions for ~25% of customers, renewals every 30 days; overdue
  renewals concentrate on overdue / suspended subscriptions.
* Refunds (~5% of successful sales, ~2% of successful renewals, never more
  than the net / renewal amount), chargebacks, PayPal disputes, fraud
  detections, cards (some expired, some expiring within 30 days), manual group
  actions, email events (unsubscribe, hard and soft bounces) and metadata.

Bad rows
--------
Extra rows are appended per table (never changing rows others depend on) and
listed in ``<schema>._injected_bad_rows(source_table, raw_id, expected_status,
expected_reason)``: identical copies (``collapsed``), older versions
(``superseded``), conflicting duplicates, null ids, dangling references, unknown
enum values, null / negative amounts, unknown currencies, null timestamps, null
required values and invalid card expiries (all ``quarantined`` with the reason
of docs/data_quality.md). ``raw_id`` is the row's ``id`` (NULL for null ids);
for ``customer_metadata`` it is ``customer_id|name|value|created_date_unix``
with NULL written as an empty string. One metadata row holds a Luhn-valid test
card number in its text: a good row, listed with status ``clean`` and reason
``pan_redacted``. Valid enum values in odd case / with blanks (`` Success ``)
and zero amounts are good rows and are not listed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import sys
import time
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400
NULL = np.iinfo(np.int64).min  # null sentinel of every numpy integer column
I64 = np.int64

Frame = dict[str, "np.ndarray | pa.Array"]

# --------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------

CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY")
CCY_RATE = np.array([1.0, 1.08, 1.27, 0.73, 0.66, 0.0067])
CCY_WEIGHT = np.array([0.60, 0.13, 0.10, 0.07, 0.06, 0.04])
JPY = 5
USD, EUR = 0, 1


@dataclass(frozen=True)
class Vocab:
    """Values of a coded VARCHAR column: valid ones, odd spellings of valid
    ones (good rows, staging normalises them) and invalid ones."""

    valid: tuple[str, ...]
    odd: tuple[tuple[str, int], ...] = ()  # (spelling, index of the valid value)
    invalid: tuple[str, ...] = ()

    @property
    def values(self) -> tuple[str, ...]:
        return self.valid + tuple(s for s, _ in self.odd) + self.invalid

    def odd_codes_for(self, valid_index: int) -> list[int]:
        base = len(self.valid)
        return [base + i for i, (_, v) in enumerate(self.odd) if v == valid_index]

    @property
    def invalid_codes(self) -> list[int]:
        start = len(self.valid) + len(self.odd)
        return list(range(start, start + len(self.invalid)))


V_CURRENCY = Vocab(CURRENCIES, odd=(("usd", USD), (" eur ", EUR)), invalid=("XXX", "BTC"))
V_SALE_STATUS = Vocab(
    ("success", "declined", "abandoned", "void"),
    odd=((" Success ", 0), ("DECLINED", 1), ("Abandoned ", 2)),
    invalid=("refunded", "pending"),
)
V_SUB_STATUS = Vocab(
    ("active", "trial", "overdue", "occurrence_limit", "suspended", "cancelled"),
    odd=((" Active", 0), ("CANCELLED ", 5)),
    invalid=("paused", "expired"),
)
V_RENEWAL_STATUS = Vocab(("success", "overdue"), odd=(("SUCCESS ", 0), (" Overdue", 1)), invalid=("failed", "pending"))
V_FRAUD_METHOD = Vocab(
    ("sale_create", "subscription_renew", "trial_expire", "salvage_transaction_process"),
    odd=(("Sale_Create", 0), (" TRIAL_EXPIRE ", 2)),
    invalid=("magic", "manual"),
)
V_ACTION = Vocab(("add", "remove"), odd=((" Add", 0), ("REMOVE ", 1)), invalid=("toggle", "delete"))
V_EMAIL_EVENT = Vocab(
    ("hard_bounce", "soft_bounce", "unsubscribe"),
    odd=(("Unsubscribe ", 2), (" SOFT_BOUNCE", 1)),
    invalid=("spam", "opened"),
)
V_CAMPAIGN = Vocab(tuple(f"cmp_{i}" for i in range(1, 21)))
V_SHOP = Vocab(tuple(f"shop_{i}" for i in range(1, 6)))
V_CARD_TYPE = Vocab(("visa", "mastercard", "amex", "discover"))
V_REASON_CODE = Vocab(("10.4", "13.1", "13.2", "13.3", "12.6.1", "4837", "4853", "4863", "4808", "F29", "C08"))
V_GROUP_KEY = Vocab(("do_not_contact", "manual_review", "vip", "legacy_group"))
V_META_NAME = Vocab(("affiliate_id", "lead_source", "crm_id", "risk_score", "note"))
V_PRODUCT_GROUP = Vocab(tuple(f"pg_{i}" for i in range(1, 13)))

FIRST_NAMES = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Margaret Paul "
    "Sandra Steven Ashley Andrew Kimberly Joshua Emily Kevin Donna Brian Michelle George Carol Edward Amanda "
    "Ronald Melissa Timothy Deborah Jason Stephanie Jeffrey Rebecca Ryan Laura Jacob Sharon Gary Cynthia "
    "Nicholas Kathleen Eric Amy Jonathan Angela Stephen Shirley Larry Anna Justin Brenda Scott Pamela Oliver "
    "Emma Noah Olivia Liam Ava Lucas Mia Hannah Leon Sofia Lukas Marie Hugo Chloe Louis Camille Sven Ines "
    "Mateo Lucia Marco Giulia Yuki Haruto Sakura Ren Aoi Jack Isla Harry Grace Ethan Zoe Aaron Chen Priya Raj"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall "
    "Rivera Campbell Mitchell Carter Roberts Mueller Schmidt Schneider Fischer Weber Meyer Wagner Becker Dubois "
    "Durand Lefebvre Moreau Laurent Simon Michel Rossi Russo Ferrari Esposito Bianchi Romano Colombo Jansen "
    "Visser Bakker Smit Tanaka Suzuki Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Evans Murphy Walsh "
    "OBrien Byrne Patel Singh Kumar Wong Tremblay Gagnon Roy Cote Bouchard Kelly Ryan Fernandez Navarro"
).split()
EMAIL_DOMAINS = (
    "gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me", "aol.com", "mail.com",
)
STREETS = (
    "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Sunset", "River", "Church",
    "High", "Station", "Mill", "Victoria", "King", "Queen", "Bahnhof", "Garden", "Forest", "Bridge", "Market",
)
STREET_SUFFIXES = ("St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Way", "Ct")
COMPANIES = (
    "Acme Corp", "Globex LLC", "Initech", "Umbrella Ltd", "Stark Industries", "Wayne Enterprises", "Hooli",
    "Vandelay Imports", "Soylent GmbH", "Tyrell Inc", "Cyberdyne Systems", "Wonka Foods", "Blue Sun Co",
    "Oceanic Partners", "Aperture Labs", "Pied Piper", "Gringotts AG", "Monarch Retail", "Nakatomi KK",
)
# country, calling code (at most 2 digits so phones stay within 12 digits), currency
COUNTRIES = (
    ("US", "1", USD), ("CA", "1", 3), ("GB", "44", 2), ("DE", "49", EUR), ("FR", "33", EUR), ("NL", "31", EUR),
    ("ES", "34", EUR), ("IT", "39", EUR), ("AU", "61", 4), ("JP", "81", JPY),
)
# country, city, state, zip (US zips get a random offset in the last two digits)
LOCATIONS = (
    ("US", "New York", "NY", "10001"), ("US", "Los Angeles", "CA", "90001"), ("US", "Chicago", "IL", "60601"),
    ("US", "Houston", "TX", "77001"), ("US", "Phoenix", "AZ", "85001"), ("US", "Philadelphia", "PA", "19101"),
    ("US", "San Antonio", "TX", "78201"), ("US", "Denver", "CO", "80201"), ("US", "Seattle", "WA", "98101"),
    ("US", "Miami", "FL", "33101"), ("US", "Atlanta", "GA", "30301"), ("US", "Boston", "MA", "02101"),
    ("US", "Nashville", "TN", "37201"), ("US", "Portland", "OR", "97201"), ("US", "Columbus", "OH", "43201"),
    ("CA", "Toronto", "ON", "M5H 2N2"), ("CA", "Vancouver", "BC", "V6B 1A1"), ("CA", "Montreal", "QC", "H2Y 1C6"),
    ("CA", "Calgary", "AB", "T2P 1J9"), ("GB", "London", "England", "SW1A 1AA"),
    ("GB", "Manchester", "England", "M1 1AE"), ("GB", "Edinburgh", "Scotland", "EH1 1YZ"),
    ("GB", "Bristol", "England", "BS1 4DJ"), ("DE", "Berlin", "BE", "10115"), ("DE", "Munich", "BY", "80331"),
    ("DE", "Hamburg", "HH", "20095"), ("FR", "Paris", "IDF", "75001"), ("FR", "Lyon", "ARA", "69001"),
    ("NL", "Amsterdam", "NH", "1012 AB"), ("NL", "Utrecht", "UT", "3511 AA"), ("ES", "Madrid", "MD", "28001"),
    ("ES", "Barcelona", "CT", "08001"), ("IT", "Rome", "RM", "00118"), ("IT", "Milan", "MI", "20121"),
    ("AU", "Sydney", "NSW", "2000"), ("AU", "Melbourne", "VIC", "3000"), ("AU", "Brisbane", "QLD", "4000"),
    ("JP", "Tokyo", "Tokyo", "100-0001"), ("JP", "Osaka", "Osaka", "530-0001"),
)
PRODUCT_GROUPS = (  # name, items, subscribable
    ("Skincare", ("Face Serum", "Night Cream", "Eye Gel", "Cleanser", "Toner", "SPF Moisturizer"), True),
    ("Supplements", ("Multivitamin", "Omega-3", "Collagen Powder", "Probiotic", "Vitamin D3", "Magnesium"), True),
    ("Coffee", ("Espresso Roast", "Cold Brew Pack", "Decaf Blend", "Single Origin Beans"), True),
    ("Haircare", ("Shampoo", "Conditioner", "Hair Oil", "Scalp Tonic"), True),
    ("Fitness", ("Resistance Bands", "Yoga Mat", "Shaker Bottle", "Foam Roller"), False),
    ("Apparel", ("T-Shirt", "Hoodie", "Leggings", "Running Socks"), False),
    ("Home Fragrance", ("Candle", "Diffuser", "Room Spray"), False),
    ("Pet Care", ("Dog Treats", "Cat Food", "Pet Shampoo", "Chew Toy"), True),
    ("Kitchen", ("Chef Knife", "Cutting Board", "Spice Set"), False),
    ("Tech Accessories", ("Phone Case", "USB-C Cable", "Wireless Charger", "Earbuds"), False),
    ("Courses", ("Video Course", "E-Book", "Masterclass"), False),
    ("Gift Cards", ("Gift Card",), False),
)
PRODUCT_LINES = ("Pure", "Daily", "Pro", "Essential", "Ultra", "Classic", "Organic", "Premium", "Lite", "Max")
AFFILIATES = ("aff_123", "aff_456", "aff_789") + tuple(f"aff_{1000 + 37 * i}" for i in range(37))
LEAD_SOURCES = ("google_ads", "facebook", "organic", "email", "referral", "tiktok", "affiliate", "instagram")
NOTES = (
    "prefers email contact", "called support about shipping", "asked for invoice copy", "VIP caller",
    "ticket #48213", "callback ref 555012345678", "address verified by phone", "wants fewer emails",
)
PAN_NOTE = "note: paid with 4111111111111111"

# --------------------------------------------------------------------------
# Table definitions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """One output column: how it is held in a Frame and rendered in SQL.

    kinds: ``id`` (int64 number, rendered prefix + zero-padded number),
    ``cat`` (int64 code into ``vocab``), ``int``, ``money`` (int64 minor units,
    rendered DECIMAL(18,2)), ``bool``, ``text`` (pyarrow string array),
    ``digits`` (int64 rendered zero-padded to ``width``).
    """

    name: str
    sql_type: str
    kind: str
    prefix: str = ""
    vocab: Vocab | None = None
    width: int = 0


def _id(name: str, prefix: str) -> Col:
    return Col(name, "VARCHAR", "id", prefix=prefix)


def _cat(name: str, vocab: Vocab) -> Col:
    return Col(name, "VARCHAR", "cat", vocab=vocab)


def _text(name: str) -> Col:
    return Col(name, "VARCHAR", "text")


def _int(name: str, sql_type: str = "BIGINT") -> Col:
    return Col(name, sql_type, "int")


def _money(name: str) -> Col:
    return Col(name, "DECIMAL(18,2)", "money")


def _bool(name: str) -> Col:
    return Col(name, "BOOLEAN", "bool")


@dataclass(frozen=True)
class TableDef:
    name: str
    cols: tuple[Col, ...]
    prefix: str | None = None  # id prefix; None: no id column (customer_metadata)
    ts: str | None = None  # creation timestamp column
    versioned: bool = False  # has updated_date_unix
    enum: str | None = None
    amounts: tuple[str, ...] = ()
    currency: str | None = None
    refs: tuple[tuple[str, str, str, bool], ...] = ()  # (column, id prefix, reason, required)
    required: str | None = None  # null_required_value column
    card_expiry: bool = False

    def col(self, name: str) -> Col:
        return next(c for c in self.cols if c.name == name)

    def kinds(self) -> list[str]:
        k = ["collapsed"]
        if self.versioned:
            k.append("superseded")
        if self.prefix:
            k += ["conflicting_duplicate", "null_id"]
        if self.ts:
            k.append("null_timestamp")
        if self.required:
            k.append("null_required_value")
        if self.enum:
            k.append("unknown_enum_value")
        if self.amounts:
            k += ["null_amount", "negative_amount"]
        if self.currency:
            k.append("unknown_currency")
        if self.card_expiry:
            k.append("invalid_card_expiry")
        k += [reason for _, _, reason, _ in self.refs]
        return k


CUS, SAL, PRD, PSL, REF, SUB, REN, CHB, PPD, FRD, CRD, CGA, EEV = (
    "cus_", "sal_", "prd_", "psl_", "ref_", "sub_", "ren_", "chb_", "ppd_", "frd_", "crd_", "cga_", "eev_",
)
# digits after the prefix; fixed so that a table can be written as soon as it is generated
ID_WIDTH = {PRD: 4, CUS: 7, SAL: 9, PSL: 9, REN: 9} | {p: 8 for p in (REF, SUB, CHB, PPD, FRD, CRD, CGA, EEV)}
DANGLING_CUSTOMER = ("customer_id", CUS, "dangling_customer", True)

TABLES: dict[str, TableDef] = {
    t.name: t
    for t in (
        TableDef(
            "customer",
            (
                _id("id", CUS), _text("first_name"), _text("last_name"), _text("email"), _text("phone"),
                _text("address_line_1"), _text("city"), _text("state"), _text("zip"), _text("country"),
                _text("company"), _bool("enabled"), _bool("marketing_consent"), _int("created_date_unix"),
                _int("updated_date_unix"),
            ),
            prefix=CUS, ts="created_date_unix", versioned=True,
        ),
        TableDef(
            "customer_metadata",
            (_id("customer_id", CUS), _cat("name", V_META_NAME), _text("value"), _int("created_date_unix")),
            ts="created_date_unix", required="name", refs=(DANGLING_CUSTOMER,),
        ),
        TableDef(
            "sale",
            (
                _id("id", SAL), _id("customer_id", CUS), _cat("campaign_id", V_CAMPAIGN),
                _cat("third_party_shop_id", V_SHOP), _cat("status", V_SALE_STATUS), _bool("is_upsell"),
                _money("amount_gross"), _money("amount_net"), _cat("iso_currency", V_CURRENCY),
                _int("created_date_unix"), _int("updated_date_unix"),
            ),
            prefix=SAL, ts="created_date_unix", versioned=True, enum="status",
            amounts=("amount_gross", "amount_net"), currency="iso_currency", refs=(DANGLING_CUSTOMER,),
        ),
        TableDef(
            "product",
            (_id("id", PRD), _text("name"), _text("sku"), _cat("product_group_id", V_PRODUCT_GROUP)),
            prefix=PRD,
        ),
        TableDef(
            "product_sale",
            (
                _id("id", PSL), _id("sale_id", SAL), _id("product_id", PRD), _int("quantity", "INTEGER"),
                _money("amount"),
            ),
            prefix=PSL, amounts=("amount",),
            refs=(("sale_id", SAL, "dangling_sale", True), ("product_id", PRD, "dangling_product", True)),
        ),
        TableDef(
            "refund",
            (
                _id("id", REF), _id("customer_id", CUS), _id("sale_id", SAL), _id("subscription_renewal_id", REN),
                _money("amount"), _cat("iso_currency", V_CURRENCY), _int("created_date_unix"),
            ),
            prefix=REF, ts="created_date_unix", amounts=("amount",), currency="iso_currency",
            refs=(
                DANGLING_CUSTOMER, ("sale_id", SAL, "dangling_sale", False),
                ("subscription_renewal_id", REN, "dangling_subscription_renewal", False),
            ),
        ),
        TableDef(
            "subscription",
            (
                _id("id", SUB), _id("customer_id", CUS), _id("product_id", PRD), _cat("status", V_SUB_STATUS),
                _int("created_date_unix"), _int("updated_date_unix"),
            ),
            prefix=SUB, ts="created_date_unix", versioned=True, enum="status", refs=(DANGLING_CUSTOMER,),
        ),
        TableDef(
            "subscription_renewal",
            (
                _id("id", REN), _id("subscription_id", SUB), _id("customer_id", CUS),
                _cat("status", V_RENEWAL_STATUS), _money("amount_total"), _cat("iso_currency", V_CURRENCY),
                _int("created_date_unix"),
            ),
            prefix=REN, ts="created_date_unix", enum="status", amounts=("amount_total",), currency="iso_currency",
            refs=(DANGLING_CUSTOMER, ("subscription_id", SUB, "dangling_subscription", True)),
        ),
        TableDef(
            "chargeback",
            (
                _id("id", CHB), _id("customer_id", CUS), _id("sale_id", SAL), _money("amount"),
                _cat("iso_currency", V_CURRENCY), _cat("reason_code", V_REASON_CODE), _int("chargeback_date_unix"),
            ),
            prefix=CHB, ts="chargeback_date_unix", amounts=("amount",), currency="iso_currency",
            refs=(DANGLING_CUSTOMER, ("sale_id", SAL, "dangling_sale", True)),
        ),
        TableDef(
            "paypal_dispute",
            (
                _id("id", PPD), _id("customer_id", CUS), _id("sale_id", SAL), _money("amount"),
                _cat("iso_currency", V_CURRENCY), _int("dispute_date_unix"),
            ),
            prefix=PPD, ts="dispute_date_unix", amounts=("amount",), currency="iso_currency",
            refs=(DANGLING_CUSTOMER, ("sale_id", SAL, "dangling_sale", True)),
        ),
        TableDef(
            "fraud_detection",
            (
                _id("id", FRD), _id("customer_id", CUS), _cat("method", V_FRAUD_METHOD),
                _int("fraud_detection_date_unix"),
            ),
            prefix=FRD, ts="fraud_detection_date_unix", enum="method", refs=(DANGLING_CUSTOMER,),
        ),
        TableDef(
            "customer_card",
            (
                _id("id", CRD), _id("customer_id", CUS), _cat("card_type", V_CARD_TYPE),
                Col("bin", "VARCHAR", "digits", width=6), Col("last_4", "VARCHAR", "digits", width=4),
                _int("exp_month", "INTEGER"), _int("exp_year", "INTEGER"), _bool("is_default"), _bool("enabled"),
                _int("created_date_unix"),
            ),
            prefix=CRD, ts="created_date_unix", card_expiry=True, refs=(DANGLING_CUSTOMER,),
        ),
        TableDef(
            "customer_group_action",
            (
                _id("id", CGA), _id("customer_id", CUS), _cat("group_key", V_GROUP_KEY), _cat("action", V_ACTION),
                _text("actor"), _int("created_date_unix"),
            ),
            prefix=CGA, ts="created_date_unix", enum="action", required="group_key", refs=(DANGLING_CUSTOMER,),
        ),
        TableDef(
            "email_event",
            (_id("id", EEV), _id("customer_id", CUS), _cat("event_type", V_EMAIL_EVENT), _int("created_date_unix")),
            prefix=EEV, ts="created_date_unix", enum="event_type", refs=(DANGLING_CUSTOMER,),
        ),
    )
}
MANIFEST_TABLE = "_injected_bad_rows"

# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def nrows(f: Frame) -> int:
    return len(next(iter(f.values())))


def take(f: Frame, idx: np.ndarray) -> Frame:
    out: Frame = {}
    for k, v in f.items():
        out[k] = v.take(pa.array(idx, pa.int64())) if isinstance(v, pa.Array) else v[idx]
    return out


def concat(frames: Sequence[Frame]) -> Frame:
    frames = [f for f in frames if nrows(f)] or list(frames[:1])
    out: Frame = {}
    for k, v in frames[0].items():
        if isinstance(v, pa.Array):
            out[k] = pa.concat_arrays([f[k] for f in frames])
        else:
            out[k] = np.concatenate([f[k] for f in frames])
    return out


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group index and position inside the group for ``counts[i]`` items of group i."""
    counts = counts.astype(I64)
    grp = np.repeat(np.arange(len(counts), dtype=I64), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(len(grp), dtype=I64) - np.repeat(starts, counts)
    return grp, pos


def time_order(t: np.ndarray, cust: np.ndarray) -> np.ndarray:
    """Row order by time, then customer, then position (one int64 key: faster than lexsort)."""
    return np.argsort(t * (1 << 26) + cust, kind="stable")


def pick(values: Sequence[str], codes: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(codes, pa.int64()))


def num_str(a: np.ndarray, width: int = 0) -> pa.Array:
    s = pc.cast(pa.array(a, pa.int64()), pa.string())
    return pc.utf8_lpad(s, width=width, padding="0") if width else s


def join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def null_where(a: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), pa.scalar(None, a.type), a)


def choice(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.searchsorted(np.cumsum(w / w.sum()), rng.random(n), side="right").clip(0, len(w) - 1).astype(I64)


def uniform_int(rng: np.random.Generator, lo: np.ndarray | int, hi: np.ndarray | int, n: int) -> np.ndarray:
    """Integers in [lo, hi] (inclusive), elementwise."""
    lo_a = np.asarray(lo, dtype=I64)
    hi_a = np.maximum(np.asarray(hi, dtype=I64), lo_a)
    return lo_a + np.floor(rng.random(n) * (hi_a - lo_a + 1)).astype(I64)


def zipf_weights(n: int, s: float = 1.0, offset: float = 2.0) -> np.ndarray:
    return 1.0 / (np.arange(n) + offset) ** s


def round_minor(amount: np.ndarray, ccy: np.ndarray) -> np.ndarray:
    """Round float minor units (cents) to int64, whole yen for JPY."""
    out = np.rint(amount).astype(I64)
    jpy = ccy == JPY
    out[jpy] = (np.rint(amount[jpy] / 100.0) * 100).astype(I64)
    return out


def sample(rng: np.random.Generator, pool: np.ndarray, k: int) -> np.ndarray:
    if len(pool) == 0 or k <= 0:
        return np.zeros(0, dtype=I64)
    return rng.choice(pool, size=k, replace=k > len(pool)).astype(I64)


def at_least(k: int, share_count: float) -> int:
    return max(k, int(round(share_count)))


# --------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------


class IdRegistry:
    """Allocates id numbers per prefix; numbers handed out are never reused."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def alloc(self, prefix: str, k: int) -> np.ndarray:
        start = self.last.get(prefix, 0)
        if start + k >= 10 ** ID_WIDTH[prefix]:
            raise ValueError(f"too many {prefix} ids for {ID_WIDTH[prefix]} digits")
        self.last[prefix] = start + k
        return np.arange(start + 1, start + k + 1, dtype=I64)


@dataclass
class Ctx:
    customers: int
    seed: int
    as_of: dt.date
    share: float
    ids: IdRegistry = field(default_factory=IdRegistry)
    manifest: list[tuple[str, Frame, str, str | None]] = field(default_factory=list)
    # per customer (index = number - 1)
    c_created: np.ndarray = field(default_factory=lambda: np.zeros(0, I64))
    c_ccy: np.ndarray = field(default_factory=lambda: np.zeros(0, I64))
    # per product
    p_price_usd: np.ndarray = field(default_factory=lambda: np.zeros(0, I64))
    p_group: np.ndarray = field(default_factory=lambda: np.zeros(0, I64))
    p_subscribable: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    @property
    def a0(self) -> int:
        """Epoch second at which the as_of day starts (UTC)."""
        return int(dt.datetime(self.as_of.year, self.as_of.month, self.as_of.day, tzinfo=dt.UTC).timestamp())

    @property
    def a1(self) -> int:
        """Last epoch second of the as_of day."""
        return self.a0 + DAY - 1

    @property
    def horizon(self) -> int:
        """Facts are generated up to this moment (a week after as_of)."""
        return self.a1 + 7 * DAY

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def price_in(self, usd_cents: np.ndarray, ccy: np.ndarray) -> np.ndarray:
        return round_minor(usd_cents / CCY_RATE[ccy], ccy)


# --------------------------------------------------------------------------
# Good data, table by table
# --------------------------------------------------------------------------


def gen_products(ctx: Ctx) -> Frame:
    rng = ctx.rng("product")
    n = 200
    group = np.sort(np.arange(n) % len(PRODUCT_GROUPS)).astype(I64)
    names, skus = [], []
    group_base = np.array([35, 30, 18, 22, 28, 40, 25, 20, 45, 30, 99, 50], dtype=float)
    price = np.zeros(n, dtype=I64)
    for i in range(n):  # 200 rows: plain Python is fine here
        g = int(group[i])
        gname, items, _ = PRODUCT_GROUPS[g]
        item = items[i % len(items)]
        line = PRODUCT_LINES[(i // len(items)) % len(PRODUCT_LINES)]
        names.append(f"{line} {item}")
        skus.append(f"{gname[:3].upper()}-{i + 1:04d}")
        dollars = max(5.0, group_base[g] * math.exp(rng.normal(0, 0.45)))
        price[i] = int(dollars) * 100 + 99 if g != 11 else int(round(dollars / 25.0 + 1)) * 2500
    ctx.p_price_usd = price
    ctx.p_group = group
    ctx.p_subscribable = np.array([PRODUCT_GROUPS[g][2] for g in group])
    return {
        "id": ctx.ids.alloc(PRD, n),
        "name": pa.array(names, pa.string()),
        "sku": pa.array(skus, pa.string()),
        "product_group_id": group.copy(),
    }


def gen_customers(ctx: Ctx) -> Frame:
    rng = ctx.rng("customer")
    n = ctx.customers
    span = 730 * DAY
    created = ctx.a1 - span + (span * np.sqrt(rng.random(n))).astype(I64)  # growing business
    n_today = max(3, n // 2000)
    n_future = max(3, n // 400)
    special = rng.choice(n, n_today + n_future, replace=False)
    created[special[:n_today]] = ctx.a0 + rng.integers(0, DAY, n_today)
    created[special[n_today:]] = ctx.a1 + rng.integers(1, 5 * DAY, n_future)
    created.sort()  # ids in creation order

    country = choice(rng, n, [0.60, 0.07, 0.10, 0.04, 0.03, 0.02, 0.02, 0.02, 0.06, 0.04])
    ccy = np.array([c[2] for c in COUNTRIES], dtype=I64)[country]
    ctx.c_created, ctx.c_ccy = created, ccy

    loc_country = np.array([[c[0] for c in COUNTRIES].index(loc[0]) for loc in LOCATIONS])
    loc_start = np.array([np.flatnonzero(loc_country == c)[0] for c in range(len(COUNTRIES))])
    loc_count = np.bincount(loc_country, minlength=len(COUNTRIES))
    loc = loc_start[country] + np.floor(rng.random(n) * loc_count[country]).astype(I64)
    is_us = pa.array(country == 0)
    zip_base = np.array([int(z) if z.isdigit() else 0 for _, _, _, z in LOCATIONS])
    us_zip = num_str(zip_base[loc] + rng.integers(0, 99, n), 5)

    fn = rng.integers(0, len(FIRST_NAMES), n)
    ln = rng.integers(0, len(LAST_NAMES), n)
    first, last = pick(FIRST_NAMES, fn), pick(LAST_NAMES, ln)
    numbers = np.arange(1, n + 1, dtype=I64)
    email = join(
        pc.utf8_lower(first), ".", pc.utf8_lower(last), num_str((numbers * 7919) % 10_000),
        "@", pick(EMAIL_DOMAINS, choice(rng, n, [30, 15, 14, 10, 8, 4, 3, 3])),
    )
    phone = join(
        "+", pick([c[1] for c in COUNTRIES], country), " ", num_str(rng.integers(200, 1000, n)), " ",
        num_str(rng.integers(0, 1000, n), 3), " ", num_str(rng.integers(0, 10_000, n), 4),
    )
    phone = null_where(phone, rng.random(n) < 0.08)
    address = join(
        num_str(rng.integers(1, 9999, n)), " ", pick(STREETS, rng.integers(0, len(STREETS), n)), " ",
        pick(STREET_SUFFIXES, rng.integers(0, len(STREET_SUFFIXES), n)),
    )
    updated = created.copy()
    changed = rng.random(n) < 0.45
    later = uniform_int(rng, 60, np.maximum(ctx.horizon - created, 60), n)
    updated[changed] += later[changed]
    return {
        "id": ctx.ids.alloc(CUS, n),
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "address_line_1": address,
        "city": pick([x[1] for x in LOCATIONS], loc),
        "state": pick([x[2] for x in LOCATIONS], loc),
        "zip": pc.if_else(is_us, us_zip, pick([x[3] for x in LOCATIONS], loc)),
        "country": pick([c[0] for c in COUNTRIES], country),
        "company": null_where(pick(COMPANIES, rng.integers(0, len(COMPANIES), n)), rng.random(n) >= 0.15),
        "enabled": rng.random(n) < 0.97,
        "marketing_consent": rng.random(n) < 0.62,
        "created_date_unix": created,
        "updated_date_unix": updated,
    }


@dataclass
class Sales:
    frame: Frame
    lines: Frame
    cust: np.ndarray  # customer index per sale
    ccy: np.ndarray
    time: np.ndarray
    status: np.ndarray  # valid status index 0..3
    gross: np.ndarray
    net: np.ndarray


def gen_sales(ctx: Ctx) -> Sales:
    """Sales (with upsells) and their product lines."""
    rng = ctx.rng("sale")
    n = ctx.customers
    created, horizon = ctx.c_created, ctx.horizon

    # first purchase shortly after sign-up, then an active life of random length
    r = rng.random(n)
    delay = np.where(
        r < 0.55, rng.integers(30, 3600, n),
        np.where(r < 0.85, rng.integers(3600, 7 * DAY, n), (rng.exponential(30, n) * DAY).astype(I64)),
    )
    first = created + delay
    life = np.minimum((rng.exponential(300, n) * DAY).astype(I64), horizon - first)
    kind = rng.random(n)
    buyer = (kind >= 0.10) & (first <= horizon)
    repeat = buyer & (kind >= 0.55)
    rate = 1.05 * (1 + rng.pareto(1.6, n))  # sale attempts per month, heavy tailed
    cnt = np.where(buyer, 1, 0).astype(I64)
    extra = 1 + rng.poisson(np.clip(rate * np.maximum(life, 0) / (30 * DAY), 0, 600))
    cnt[repeat] += extra[repeat]

    cust, pos = expand(cnt)
    m = len(cust)
    t = first[cust] + np.where(pos == 0, 0, (rng.random(m) * np.maximum(life[cust], 1)).astype(I64))
    status = choice(rng, m, [0.805, 0.13, 0.05, 0.015])

    c_campaign = choice(rng, n, zipf_weights(20, 1.1))
    c_shop = np.where(rng.random(n) < 0.15, rng.integers(0, 5, n), NULL)
    campaign = np.where(rng.random(m) < 0.8, c_campaign[cust], rng.integers(0, 20, m))
    shop = np.where(rng.random(m) < 0.95, c_shop[cust], NULL)

    # upsells: right after ~12% of successful sales, mostly the same day
    parent = np.flatnonzero((status == 0) & (rng.random(m) < 0.12))
    u_delay = np.where(
        rng.random(len(parent)) < 0.9, rng.integers(120, 3600, len(parent)), rng.integers(DAY, 5 * DAY, len(parent))
    )
    in_time = t[parent] + u_delay <= horizon
    parent, u_delay = parent[in_time], u_delay[in_time]
    k = len(parent)
    cust = np.concatenate([cust, cust[parent]])
    t = np.concatenate([t, t[parent] + u_delay])
    status = np.concatenate([status, np.where(rng.random(k) < 0.9, 0, 1)])
    campaign = np.concatenate([campaign, campaign[parent]])
    shop = np.concatenate([shop, shop[parent]])
    upsell = np.concatenate([np.zeros(m, bool), np.ones(k, bool)])

    order = time_order(t, cust)  # sale ids follow creation time
    cust, t, status, campaign, shop, upsell = (a[order] for a in (cust, t, status, campaign, shop, upsell))
    s = len(cust)
    ccy = ctx.c_ccy[cust]

    # product lines
    n_lines = np.where(upsell, 1, 1 + choice(rng, s, [0.72, 0.22, 0.06]))
    sale_of, _ = expand(n_lines)
    L = len(sale_of)
    prod_rank = rng.permutation(200)
    product = prod_rank[choice(rng, L, zipf_weights(200, 0.9, 5))].astype(I64)
    qty = 1 + choice(rng, L, [0.82, 0.13, 0.05])
    discount = np.where(upsell[sale_of], rng.uniform(0.2, 0.5, L), np.where(rng.random(L) < 0.15, 0.1, 0.0))
    unit = ctx.price_in(ctx.p_price_usd[product], ccy[sale_of])
    line_amt = round_minor(unit * qty * (1 - discount), ccy[sale_of])
    # a few free (zero amount) successful sales
    zero_sales = sample(rng, np.flatnonzero((status == 0) & ~upsell), at_least(3, s * 0.0003))
    line_amt[np.isin(sale_of, zero_sales)] = 0
    starts = np.cumsum(n_lines) - n_lines
    gross = np.add.reduceat(line_amt, starts)
    fee = round_minor(gross * 0.029 + 30 / CCY_RATE[ccy], ccy)
    net = gross - np.minimum(fee, gross)

    updated = t.copy()
    r = rng.random(s)
    updated += np.where(r < 0.25, rng.integers(1, 600, s), 0)
    late = (r > 0.95) | (status == 3)
    updated[late] = t[late] + rng.integers(3600, 10 * DAY, int(late.sum()))
    updated = np.minimum(updated, np.maximum(t, horizon))

    status_code = status.copy()
    cur_code = ccy.copy()
    for valid_index in (0, 1, 2):  # odd spellings of valid statuses (good rows)
        rows = sample(rng, np.flatnonzero(status == valid_index), at_least(3, s * 0.0002))
        codes = V_SALE_STATUS.odd_codes_for(valid_index)
        status_code[rows] = codes[0]
    for valid_index in (USD, EUR):
        rows = sample(rng, np.flatnonzero(ccy == valid_index), at_least(3, s * 0.0002))
        cur_code[rows] = V_CURRENCY.odd_codes_for(valid_index)[0]

    sale_ids = ctx.ids.alloc(SAL, s)
    frame: Frame = {
        "id": sale_ids,
        "customer_id": cust + 1,
        "campaign_id": campaign,
        "third_party_shop_id": shop,
        "status": status_code,
        "is_upsell": upsell,
        "amount_gross": gross,
        "amount_net": net,
        "iso_currency": cur_code,
        "created_date_unix": t,
        "updated_date_unix": updated,
    }
    lines: Frame = {
        "id": ctx.ids.alloc(PSL, L),
        "sale_id": sale_ids[sale_of],
        "product_id": product + 1,
        "quantity": qty,
        "amount": line_amt,
    }
    return Sales(frame, lines, cust, ccy, t, status, gross, net)


@dataclass
class Subs:
    frame: Frame
    renewals: Frame
    ren_time: np.ndarray
    ren_status: np.ndarray
    ren_amount: np.ndarray
    ren_cust: np.ndarray
    ren_ccy: np.ndarray


def gen_subscriptions(ctx: Ctx, sales: Sales) -> Subs:
    rng = ctx.rng("subscription")
    n, horizon = ctx.customers, ctx.horizon
    ok = sales.status == 0
    first_ok = np.full(n, np.iinfo(I64).max)
    np.minimum.at(first_ok, sales.cust[ok], sales.time[ok])
    has_ok = first_ok < np.iinfo(I64).max
    p = min(1.0, 0.25 * n / max(1, has_ok.sum()))
    subscriber = np.flatnonzero(has_ok & (rng.random(n) < p))
    second = subscriber[rng.random(len(subscriber)) < 0.08]
    cust = np.concatenate([subscriber, second])
    start = first_ok[cust] + rng.integers(5, 120, len(cust))
    k2 = len(second)
    start[len(subscriber):] += rng.integers(10 * DAY, 300 * DAY, k2)
    keep = start <= horizon - DAY
    cust, start = cust[keep], start[keep]
    order = time_order(start, cust)
    cust, start = cust[order], start[order]
    m = len(cust)

    sub_products = np.flatnonzero(ctx.p_subscribable)
    product = sub_products[choice(rng, m, zipf_weights(len(sub_products), 0.8, 3))]
    ccy = ctx.c_ccy[cust]
    price = ctx.price_in(np.rint(ctx.p_price_usd[product] * 0.9), ccy)

    month = 30 * DAY
    age = horizon - start
    young = age < month
    # 0 active, 1 trial, 2 overdue, 3 occurrence_limit, 4 suspended, 5 cancelled
    status = np.where(
        young, np.array([0, 1, 5])[choice(rng, m, [0.35, 0.55, 0.10])],
        choice(rng, m, [0.45, 0.0, 0.09, 0.12, 0.08, 0.26]),
    )
    end = np.full(m, horizon, dtype=I64)
    frac = rng.uniform(0.05, 1.0, m)
    cancelled = status == 5
    end[cancelled] = start[cancelled] + (frac[cancelled] * age[cancelled]).astype(I64)
    suspended = status == 4
    end[suspended] = start[suspended] + (np.maximum(frac[suspended], 0.4) * age[suspended]).astype(I64)
    n_ren = np.maximum((end - start - 3600) // month, 0)  # renewals get up to an hour of jitter
    limit = np.array([3, 6, 12])[rng.integers(0, 3, m)]
    occ = status == 3
    fits = n_ren >= limit
    status[occ & ~fits] = 0
    occ = status == 3
    n_ren[occ] = limit[occ]
    n_ren[status == 1] = 0
    overdue_tail = np.where(status == 2, rng.integers(1, 3, m), np.where(status == 4, rng.integers(2, 4, m), 0))
    status[(status == 2) & (n_ren == 0)] = 0  # overdue needs a renewal that failed
    overdue_tail = np.minimum(overdue_tail, n_ren)

    sub_of, pos = expand(n_ren)
    r = len(sub_of)
    k = pos + 1
    ren_time = start[sub_of] + k * month + rng.integers(0, 3600, r)
    tail = k > (n_ren - overdue_tail)[sub_of]
    random_overdue = (rng.random(r) < 0.03) & (k < n_ren[sub_of])  # recovered next month
    ren_status = np.where(tail | random_overdue, 1, 0)
    ren_amount = price[sub_of].copy()
    zero = sample(rng, np.flatnonzero(ren_status == 0), at_least(3, r * 0.0003))
    ren_amount[zero] = 0
    ren_cust = cust[sub_of]
    ren_ccy = ccy[sub_of]

    last_ren = np.full(m, NULL)
    if r:
        last_idx = np.cumsum(n_ren) - 1
        has = n_ren > 0
        last_ren[has] = ren_time[last_idx[has]]
    updated = np.where(last_ren != NULL, last_ren, start)
    updated = np.where(cancelled | suspended, np.maximum(end, updated), updated)
    updated = np.maximum(updated, start)

    status_code = status.copy()
    for valid_index in (0, 5):
        rows = sample(rng, np.flatnonzero(status == valid_index), at_least(3, m * 0.0005))
        status_code[rows] = V_SUB_STATUS.odd_codes_for(valid_index)[0]
    ren_code = ren_status.copy()
    for valid_index in (0, 1):
        rows = sample(rng, np.flatnonzero(ren_status == valid_index), at_least(3, r * 0.0002))
        ren_code[rows] = V_RENEWAL_STATUS.odd_codes_for(valid_index)[0]

    order = np.argsort(ren_time, kind="stable")
    sub_ids = ctx.ids.alloc(SUB, m)
    frame: Frame = {
        "id": sub_ids,
        "customer_id": cust + 1,
        "product_id": product + 1,
        "status": status_code,
        "created_date_unix": start,
        "updated_date_unix": updated,
    }
    renewals: Frame = {
        "id": ctx.ids.alloc(REN, r),
        "subscription_id": sub_ids[sub_of][order],
        "customer_id": ren_cust[order] + 1,
        "status": ren_code[order],
        "amount_total": ren_amount[order],
        "iso_currency": ren_ccy[order],
        "created_date_unix": ren_time[order],
    }
    return Subs(
        frame, renewals, ren_time[order], ren_status[order], ren_amount[order], ren_cust[order], ren_ccy[order]
    )


def gen_refunds(ctx: Ctx, sales: Sales, subs: Subs, taken: np.ndarray) -> Frame:
    """Refunds of ~5% of successful sales and ~2% of successful renewals.
    ``taken`` marks sales already used (they get no refund)."""
    rng = ctx.rng("refund")
    s_pool = np.flatnonzero((sales.status == 0) & (sales.net > 0) & ~taken)
    s_idx = np.sort(sample(rng, s_pool, int(round(len(s_pool) * 0.05))))
    ks = len(s_idx)
    net = sales.net[s_idx]
    ccy = sales.ccy[s_idx]
    partial = rng.random(ks) < 0.4
    s_amt = np.where(partial, round_minor(net * rng.uniform(0.1, 0.9, ks), ccy), net)
    s_amt = np.minimum(s_amt, net)
    s_time = sales.time[s_idx] + rng.integers(3600, 30 * DAY, ks)
    keep = s_time <= ctx.horizon
    s_idx, s_amt, s_time, ccy = s_idx[keep], s_amt[keep], s_time[keep], ccy[keep]
    ks = len(s_idx)

    r_pool = np.flatnonzero((subs.ren_status == 0) & (subs.ren_amount > 0))
    r_idx = np.sort(sample(rng, r_pool, int(round(len(r_pool) * 0.02))))
    kr = len(r_idx)
    r_amt = subs.ren_amount[r_idx]
    r_time = subs.ren_time[r_idx] + rng.integers(3600, 10 * DAY, kr)
    keep = r_time <= ctx.horizon
    r_idx, r_amt, r_time = r_idx[keep], r_amt[keep], r_time[keep]
    kr = len(r_idx)

    amount = np.concatenate([s_amt, r_amt])
    zero = sample(rng, np.arange(len(amount)), at_least(3, len(amount) * 0.001))
    amount[zero] = 0
    frame: Frame = {
        "customer_id": np.concatenate([sales.cust[s_idx], subs.ren_cust[r_idx]]) + 1,
        "sale_id": np.concatenate([sales.frame["id"][s_idx], np.full(kr, NULL)]),
        "subscription_renewal_id": np.concatenate([np.full(ks, NULL), subs.renewals["id"][r_idx]]),
        "amount": amount,
        "iso_currency": np.concatenate([ccy, subs.ren_ccy[r_idx]]),
        "created_date_unix": np.concatenate([s_time, r_time]),
    }
    frame = take(frame, np.argsort(frame["created_date_unix"], kind="stable"))
    return {"id": ctx.ids.alloc(REF, len(amount)), **frame}


def _sale_disputes(
    ctx: Ctx, sales: Sales, rng: np.random.Generator, pool: np.ndarray, share: float, days: tuple[int, int]
) -> tuple[np.ndarray, Frame]:
    idx = np.sort(sample(rng, pool, min(len(pool), at_least(8, len(pool) * share))))
    date = sales.time[idx] + rng.integers(days[0] * DAY, days[1] * DAY, len(idx))
    idx, date = idx[date <= ctx.horizon], date[date <= ctx.horizon]
    k = len(idx)
    amount = sales.gross[idx].copy()
    zero = sample(rng, np.arange(k), 3)
    amount[zero] = 0
    frame: Frame = {
        "customer_id": sales.cust[idx] + 1,
        "sale_id": sales.frame["id"][idx],
        "amount": amount,
        "iso_currency": sales.ccy[idx],
        "date": date,
    }
    return idx, take(frame, np.argsort(frame["date"], kind="stable"))


def gen_chargebacks_and_disputes(ctx: Ctx, sales: Sales) -> tuple[Frame, Frame, np.ndarray]:
    rng = ctx.rng("chargeback")
    pool = np.flatnonzero((sales.status == 0) & (sales.gross > 0))
    cb_idx, cb = _sale_disputes(ctx, sales, rng, pool, 0.005, (10, 90))
    k = nrows(cb)
    chargeback: Frame = {
        "id": ctx.ids.alloc(CHB, k),
        "customer_id": cb["customer_id"],
        "sale_id": cb["sale_id"],
        "amount": cb["amount"],
        "iso_currency": cb["iso_currency"],
        "reason_code": choice(rng, k, zipf_weights(len(V_REASON_CODE.valid), 0.8)),
        "chargeback_date_unix": cb["date"],
    }
    taken = np.zeros(len(sales.cust), bool)
    taken[cb_idx] = True
    pool2 = pool[~taken[pool]]
    pp_idx, pp = _sale_disputes(ctx, sales, ctx.rng("paypal_dispute"), pool2, 0.003, (3, 60))
    dispute: Frame = {
        "id": ctx.ids.alloc(PPD, nrows(pp)),
        "customer_id": pp["customer_id"],
        "sale_id": pp["sale_id"],
        "amount": pp["amount"],
        "iso_currency": pp["iso_currency"],
        "dispute_date_unix": pp["date"],
    }
    taken[pp_idx] = True
    return chargeback, dispute, taken


def _customer_times(ctx: Ctx, rng: np.random.Generator, cust: np.ndarray, early: float = 1.0) -> np.ndarray:
    """Random moments between each customer's creation and the data horizon."""
    c = ctx.c_created[cust]
    span = np.maximum(ctx.horizon - c, 60)
    return c + (rng.random(len(cust)) ** early * span).astype(I64)


def gen_fraud(ctx: Ctx) -> Frame:
    rng = ctx.rng("fraud_detection")
    n = ctx.customers
    who = np.sort(rng.choice(n, at_least(8, n * 0.01), replace=False))
    cnt = np.where(rng.random(len(who)) < 0.8, 1, 2)
    grp, _ = expand(cnt)
    cust = who[grp]
    t = _customer_times(ctx, rng, cust, early=1.5)
    order = np.argsort(t, kind="stable")
    k = len(cust)
    method = choice(rng, k, [0.5, 0.2, 0.1, 0.2])
    for valid_index in (0, 2):
        method[sample(rng, np.flatnonzero(method == valid_index), 2)] = V_FRAUD_METHOD.odd_codes_for(valid_index)[0]
    return {
        "id": ctx.ids.alloc(FRD, k),
        "customer_id": cust[order] + 1,
        "method": method[order],
        "fraud_detection_date_unix": t[order],
    }


def gen_cards(ctx: Ctx, sales: Sales) -> Frame:
    rng = ctx.rng("customer_card")
    n = ctx.customers
    first_sale = np.full(n, np.iinfo(I64).max)
    np.minimum.at(first_sale, sales.cust, sales.time)
    holders = np.flatnonzero(first_sale < np.iinfo(I64).max)
    h = len(holders)
    two = rng.random(h) < 0.3
    cnt = np.where(two, 2, 1)
    grp, pos = expand(cnt)
    cust = holders[grp]
    k = len(cust)
    created = first_sale[cust] - rng.integers(1, 30, k)
    second = pos == 1
    created[second] = _customer_times(ctx, rng, cust[second])
    created[second] = np.minimum(np.maximum(created[second], first_sale[cust[second]] + 3600), ctx.horizon)

    # default card: single cards; for two cards usually the newer, sometimes the older, rarely both
    r = rng.random(h)[grp]
    is_default = np.ones(k, bool)
    pair = two[grp]
    is_default[pair & (pos == 0)] = r[pair & (pos == 0)] >= 0.75
    is_default[pair & (pos == 1)] = (r[pair & (pos == 1)] < 0.75) | (r[pair & (pos == 1)] >= 0.97)
    enabled = np.where(is_default, rng.random(k) < 0.97, rng.random(k) < 0.85)

    card_type = choice(rng, k, [0.5, 0.3, 0.12, 0.08])
    bin_ = np.select(
        [card_type == 0, card_type == 1, card_type == 2],
        [
            400000 + rng.integers(0, 100000, k),
            510000 + rng.integers(0, 50000, k),
            np.where(rng.random(k) < 0.5, 340000, 370000) + rng.integers(0, 10000, k),
        ],
        601100 + rng.integers(0, 100, k),
    )
    months = created.astype("datetime64[s]").astype("datetime64[M]").astype(I64)
    exp = months + rng.integers(3, 61, k)
    # a few enabled default cards expiring this month and a few expired last month (as_of view)
    as_of_month = (ctx.as_of.year - 1970) * 12 + ctx.as_of.month - 1
    eligible = np.flatnonzero(is_default & enabled & (created <= ctx.a1))
    forced = sample(rng, eligible, min(len(eligible), 2 * at_least(3, k * 0.002)))
    half = len(forced) // 2
    exp[forced[:half]] = as_of_month
    exp[forced[half:]] = np.maximum(as_of_month - 1, months[forced[half:]])

    order = time_order(created, cust)
    return {
        "id": ctx.ids.alloc(CRD, k),
        "customer_id": cust[order] + 1,
        "card_type": card_type[order],
        "bin": bin_[order].astype(I64),
        "last_4": rng.integers(0, 10_000, k)[order],
        "exp_month": (exp % 12 + 1)[order],
        "exp_year": (exp // 12 + 1970)[order],
        "is_default": is_default[order],
        "enabled": enabled[order],
        "created_date_unix": created[order],
    }


def gen_metadata(ctx: Ctx) -> tuple[Frame, Frame]:
    """Metadata rows and the single row holding a card number in its text."""
    rng = ctx.rng("customer_metadata")
    n = ctx.customers
    parts: list[Frame] = []

    def block(name: int, who: np.ndarray, value: pa.Array) -> None:
        parts.append({
            "customer_id": who + 1,
            "name": np.full(len(who), name, I64),
            "value": value,
            "created_date_unix": ctx.c_created[who] + rng.integers(0, 120, len(who)),
        })

    aff = np.flatnonzero(rng.random(n) < 0.30)
    block(0, aff, pick(AFFILIATES, choice(rng, len(aff), zipf_weights(len(AFFILIATES), 1.0, 1))))
    lead = np.flatnonzero(rng.random(n) < 0.65)
    block(1, lead, pick(LEAD_SOURCES, choice(rng, len(lead), [30, 20, 25, 8, 7, 5, 3, 2])))
    crm = np.flatnonzero(rng.random(n) < 0.40)
    block(2, crm, join("crm_", num_str(crm * 13 + 10_000_000 + rng.integers(0, 13, len(crm)), 8)))
    risk = np.flatnonzero(rng.random(n) < 0.03)
    block(3, risk, num_str(rng.integers(1, 101, len(risk))))
    note = np.flatnonzero(rng.random(n) < 0.005)
    if len(note) == 0:
        note = rng.choice(n, 2, replace=False)
    block(4, note, pick(NOTES, rng.integers(0, len(NOTES), len(note))))
    frame = concat(parts)

    has_note = np.zeros(n, bool)
    has_note[note] = True
    pan_who = rng.choice(np.flatnonzero(~has_note & (ctx.c_created <= ctx.a1)), 1)
    pan: Frame = {
        "customer_id": pan_who + 1,
        "name": np.array([4], I64),
        "value": pa.array([PAN_NOTE], pa.string()),
        "created_date_unix": ctx.c_created[pan_who] + 3600,
    }
    return frame, pan


def gen_group_actions(ctx: Ctx) -> Frame:
    rng = ctx.rng("customer_group_action")
    n = ctx.customers
    who = np.sort(rng.choice(n, at_least(10, n * 0.01), replace=False))
    w = len(who)
    cnt = 1 + choice(rng, w, [0.55, 0.30, 0.15])
    key = choice(rng, w, [0.45, 0.40, 0.08, 0.07])
    first_remove = rng.random(w) < 0.08
    grp, pos = expand(cnt)
    cust = who[grp]
    k = len(cust)
    action = (pos + first_remove[grp]) % 2  # add, remove, add ...
    gap = rng.integers(3600, 45 * DAY, k)
    t0 = _customer_times(ctx, rng, who, early=1.3)
    starts = np.cumsum(cnt) - cnt
    csum = np.cumsum(gap)
    t = t0[grp] + csum - np.repeat(csum[starts], cnt)
    # same-second add/remove pairs: the later-generated action gets the larger id and wins
    tie_pairs = sample(rng, np.flatnonzero(cnt >= 2), 3)
    t[starts[tie_pairs] + 1] = t[starts[tie_pairs]]

    action_code = action.copy()
    for valid_index in (0, 1):
        action_code[sample(rng, np.flatnonzero(action == valid_index), 2)] = V_ACTION.odd_codes_for(valid_index)[0]
    actor = pick([f"agent_{i}" for i in range(1, 31)], rng.integers(0, 30, k))
    order = np.argsort(t, kind="stable")  # ties keep generation order
    order = order[t[order] <= ctx.horizon]
    return {
        "id": ctx.ids.alloc(CGA, len(order)),
        "customer_id": cust[order] + 1,
        "group_key": key[grp][order],
        "action": action_code[order],
        "actor": actor.take(pa.array(order)),
        "created_date_unix": t[order],
    }


def gen_email_events(ctx: Ctx) -> Frame:
    rng = ctx.rng("email_event")
    n = ctx.customers
    unsub = np.flatnonzero(rng.random(n) < 0.03)
    hard = np.flatnonzero(rng.random(n) < 0.01)
    soft_who = np.flatnonzero(rng.random(n) < 0.06)
    soft_cnt = np.minimum(rng.geometric(0.55, len(soft_who)), 4)
    heavy = rng.random(len(soft_who)) < 0.08
    soft_cnt[heavy] = rng.integers(5, 10, int(heavy.sum()))
    if not heavy.any() and len(soft_who):
        soft_cnt[:2] = 6
    g, _ = expand(soft_cnt)
    soft = soft_who[g]
    cust = np.concatenate([unsub, hard, soft])
    event = np.concatenate([np.full(len(unsub), 2), np.full(len(hard), 0), np.full(len(soft), 1)])
    t = _customer_times(ctx, rng, cust)
    k = len(cust)
    for valid_index in (2, 1):
        event[sample(rng, np.flatnonzero(event == valid_index), 2)] = V_EMAIL_EVENT.odd_codes_for(valid_index)[0]
    order = time_order(t, cust)
    return {
        "id": ctx.ids.alloc(EEV, k),
        "customer_id": cust[order] + 1,
        "event_type": event[order],
        "created_date_unix": t[order],
    }


# --------------------------------------------------------------------------
# Bad rows
# --------------------------------------------------------------------------


def _older_version(t: TableDef, f: Frame) -> Frame:
    """Change some values of (copies of) rows to make an older version."""
    if t.name == "customer":
        f["email"] = join("old.", f["email"])
        f["marketing_consent"] = ~f["marketing_consent"]
    elif t.name == "sale":
        f["status"] = np.where(f["status"] == 2, 1, 2)  # abandoned (or declined) before it went through
        f["amount_net"] = round_minor(f["amount_net"] / 2, f["iso_currency"])
    elif t.name == "subscription":
        f["status"] = np.where(f["status"] == 1, 0, 1)  # was trial (or active)
    f["updated_date_unix"] = f["created_date_unix"] + (f["updated_date_unix"] - f["created_date_unix"]) // 3
    return f


def _conflicting(t: TableDef, f: Frame, rng: np.random.Generator) -> Frame:
    """Second row of a conflicting pair: same id (and updated time), other values."""
    k = nrows(f)
    if t.ts:
        f[t.ts] = np.where(f[t.ts] == NULL, NULL, f[t.ts] - rng.integers(60, 3600, k))
    if t.name == "customer":
        f["email"] = join("alt.", f["email"])
    elif t.name == "product":
        f["name"] = join(f["name"], " (v2)")
    elif t.name == "product_sale":
        f["quantity"] = f["quantity"] + 1
    return f


def inject_bad_rows(
    ctx: Ctx, t: TableDef, good: Frame, pools: dict[str, np.ndarray] | None = None
) -> list[Frame]:
    """Make bad rows of every kind that applies to ``t`` and record them in the manifest.

    Every bad row is a copy of a good row (its "template") with one defect, so
    it has exactly one reason and references only good rows. Returns ``[good,
    bad part, ...]``. ``good`` may be modified in place: superseded targets get
    a later ``updated_date_unix``. ``pools`` restricts the template rows per
    kind (key ``any`` for every kind without its own pool).
    """
    rng = ctx.rng(f"bad:{t.name}")
    pools = pools or {}
    n = nrows(good)
    kinds = t.kinds()
    k = max(3, int(round(ctx.share * n / len(kinds))))
    everything = np.arange(n, dtype=I64)
    out: list[Frame] = [good]

    def pool(kind: str) -> np.ndarray:
        p = pools.get(kind, pools.get("any", everything))
        return p if len(p) else everything

    def add(rows: Frame, status: str, reason: str | None) -> None:
        if nrows(rows):
            out.append(rows)
            ctx.manifest.append((t.name, rows, status, reason))

    def templates(kind: str, count: int = k) -> Frame:
        """Copies of good rows under new ids."""
        rows = take(good, sample(rng, pool(kind), count))
        if t.prefix:
            rows["id"] = ctx.ids.alloc(t.prefix, nrows(rows))
        return rows

    def cycle(values: Sequence[int], m: int) -> np.ndarray:
        return np.resize(np.array(values, I64), m)

    # identical copies and older versions of existing rows (disjoint targets)
    copies = rng.permutation(pool("copy"))
    add(take(good, copies[:k]), "collapsed", None)
    if t.versioned:
        sup = copies[k: 2 * k]
        cr, up = good["created_date_unix"], good["updated_date_unix"]
        up[sup] = np.maximum(up[sup], cr[sup] + rng.integers(3600, 3 * DAY, len(sup)))
        add(_older_version(t, take(good, sup)), "superseded", None)
    if t.prefix:
        a = templates("conflicting_duplicate", max(2, math.ceil(k / 2)))
        add(concat([a, _conflicting(t, dict(a), rng)]), "quarantined", "conflicting_duplicate")
        rows = take(good, sample(rng, pool("null_id"), k))
        rows["id"] = np.full(nrows(rows), NULL)
        add(rows, "quarantined", "null_id")
    if t.ts:
        rows = templates("null_timestamp")
        rows[t.ts] = np.full(nrows(rows), NULL)
        add(rows, "quarantined", "null_timestamp")
    if t.required:
        rows = templates("null_required_value")
        rows[t.required] = np.full(nrows(rows), NULL)
        add(rows, "quarantined", "null_required_value")
    if t.enum:
        vocab = t.col(t.enum).vocab
        assert vocab is not None
        rows = templates("unknown_enum_value")
        rows[t.enum] = cycle(vocab.invalid_codes + [NULL], nrows(rows))
        add(rows, "quarantined", "unknown_enum_value")
    if t.amounts:
        rows = templates("null_amount")
        which = np.arange(nrows(rows)) % len(t.amounts)
        for j, col in enumerate(t.amounts):
            rows[col] = np.where(which == j, NULL, rows[col])
        add(rows, "quarantined", "null_amount")
        rows = templates("negative_amount")
        last = t.amounts[-1]
        neg = -(np.abs(rows[last]) + 100)
        if len(t.amounts) == 2:  # sale: net only, or gross and net (net stays <= gross)
            both = np.arange(nrows(rows)) % 2 == 1
            first = t.amounts[0]
            rows[first] = np.where(both, -(np.abs(rows[first]) + 100), rows[first])
            neg = np.where(both, rows[first] - 100, neg)
        rows[last] = neg
        add(rows, "quarantined", "negative_amount")
    if t.currency:
        rows = templates("unknown_currency")
        rows[t.currency] = cycle(V_CURRENCY.invalid_codes + [NULL], nrows(rows))
        add(rows, "quarantined", "unknown_currency")
    if t.card_expiry:
        rows = templates("invalid_card_expiry")
        variant = np.arange(nrows(rows)) % 3  # month 13, month 0, year NULL
        rows["exp_month"] = np.where(variant == 0, 13, np.where(variant == 1, 0, rows["exp_month"]))
        rows["exp_year"] = np.where(variant == 2, NULL, rows["exp_year"])
        add(rows, "quarantined", "invalid_card_expiry")
    optional_refs = [c for c, _, _, required in t.refs if not required]
    for col, prefix, reason, required in t.refs:
        rows = templates(reason)
        m = nrows(rows)
        missing = ctx.ids.alloc(prefix, m)  # allocated, never created
        if required:  # a NULL reference dangles too
            missing = np.where(np.arange(m) % 3 == 2, NULL, missing)
        for other in optional_refs:  # refund: sale_id or subscription_renewal_id, never both
            if other != col and col in optional_refs:
                rows[other] = np.full(m, NULL)
        rows[col] = missing
        add(rows, "quarantined", reason)
    return out


def metadata_key(f: Frame, widths: dict[str, int] = ID_WIDTH) -> list[str]:
    cust = [None if v == NULL else f"{CUS}{v:0{widths[CUS]}d}" for v in f["customer_id"].tolist()]
    names = [None if v == NULL else V_META_NAME.values[v] for v in f["name"].tolist()]
    values = f["value"].to_pylist()
    created = [None if v == NULL else str(v) for v in f["created_date_unix"].tolist()]
    return ["|".join("" if x is None else x for x in row) for row in zip(cust, names, values, created)]


def manifest_table(ctx: Ctx, widths: dict[str, int] = ID_WIDTH) -> pa.Table:
    cols: dict[str, list[str | None]] = {"source_table": [], "raw_id": [], "expected_status": [], "expected_reason": []}
    for table, rows, status, reason in ctx.manifest:
        t = TABLES[table]
        if t.prefix:
            w = widths[t.prefix]
            ids = [None if v == NULL else f"{t.prefix}{v:0{w}d}" for v in rows["id"].tolist()]
        else:
            ids = metadata_key(rows, widths)
        cols["source_table"] += [table] * len(ids)
        cols["raw_id"] += ids
        cols["expected_status"] += [status] * len(ids)
        cols["expected_reason"] += [reason] * len(ids)
    return pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _sql_expr(c: Col, widths: dict[str, int] = ID_WIDTH) -> str:
    q = f'"{c.name}"'
    if c.kind == "id":
        return f"'{c.prefix}' || lpad(CAST({q} AS VARCHAR), {widths[c.prefix]}, '0')"
    if c.kind == "digits":
        return f"lpad(CAST({q} AS VARCHAR), {c.width}, '0')"
    if c.kind == "money":
        return f"CAST(CAST({q} AS DECIMAL(18,0)) * 0.01 AS DECIMAL(18,2))"
    return f"CAST({q} AS {c.sql_type})"


def _arrow(c: Col, v: np.ndarray | pa.Array) -> pa.Array:
    if c.kind == "text":
        assert isinstance(v, pa.Array)
        return v
    assert isinstance(v, np.ndarray)
    if c.kind == "bool":
        return pa.array(v, pa.bool_())
    mask = v == NULL
    has_null = bool(mask.any())
    if c.kind == "cat":
        assert c.vocab is not None
        codes = np.where(mask, 0, v).astype(np.int32)
        indices = pa.array(codes, pa.int32(), mask=mask if has_null else None)
        return pa.DictionaryArray.from_arrays(indices, pa.array(c.vocab.values, pa.string()))
    return pa.array(v.astype(I64, copy=False), pa.int64(), mask=mask if has_null else None)


def _sorted_by_id(parts: list[Frame]) -> Frame:
    """Concatenate parts ordered by id number (NULL ids last), ties in part order.

    The first part (the good rows) is generated in id order and the other parts
    are small, so they are inserted into it in a single pass.
    """
    def key(f: Frame) -> np.ndarray:
        return np.where(f["id"] == NULL, np.iinfo(I64).max, f["id"])

    good, bad = parts[0], [f for f in parts[1:] if nrows(f)]
    gk = key(good)
    if not bad:
        return good
    if len(gk) > 1 and not bool(np.all(gk[1:] > gk[:-1])):  # not expected; fall back to a full sort
        both = concat(parts)
        return take(both, np.argsort(key(both), kind="stable"))
    rest = concat(bad)
    rk = key(rest)
    order = np.argsort(rk, kind="stable")
    rest = take(rest, order)
    at = np.searchsorted(gk, rk[order], side="right")
    out: Frame = {}
    for name, col in good.items():
        extra = rest[name]
        if isinstance(col, pa.Array):
            idx = np.insert(np.arange(len(gk), dtype=I64), at, np.arange(len(at), dtype=I64) + len(gk))
            out[name] = pa.concat_arrays([col, extra]).take(pa.array(idx))
        else:
            out[name] = np.insert(col, at, extra)
    return out


def write_table(
    con: duckdb.DuckDBPyConnection, schema: str, t: TableDef, parts: list[Frame], widths: dict[str, int] = ID_WIDTH
) -> int:
    """Drop and recreate ``schema.t`` from ``parts``, rows sorted by id (ties in generation order)."""
    names = ", ".join(f'"{c.name}"' for c in t.cols)
    select = ", ".join(f'{_sql_expr(c, widths)} AS "{c.name}"' for c in t.cols)
    if t.prefix:
        f = _sorted_by_id(parts)  # DuckDB keeps the insertion order
        query = f"SELECT {select} FROM _src"
    else:
        f = concat(parts)
        order = ", ".join(f'"{c.name}" NULLS LAST' for c in t.cols)
        query = f"SELECT {names} FROM (SELECT {select}, _ord FROM _src) ORDER BY {order}, _ord"
    n = nrows(f)
    arrays = {c.name: _arrow(c, f[c.name]) for c in t.cols}
    arrays["_ord"] = pa.array(np.arange(n, dtype=I64))
    del f
    con.register("_src", pa.table(arrays))
    try:
        con.execute(f'DROP TABLE IF EXISTS "{schema}"."{t.name}"')
        con.execute(f'CREATE TABLE "{schema}"."{t.name}" AS {query}')
    finally:
        con.unregister("_src")
    return n


# --------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------


class _Progress:
    """A rich progress display with one line per table, or nothing at all."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._tasks: dict[str, int] = {}

    @contextlib.contextmanager
    def running(self) -> Iterator[_Progress]:
        if not self.enabled:
            yield self
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("{task.description:<24}"), BarColumn(), TextColumn("{task.fields[state]:<12}"),
            TimeElapsedColumn(), transient=False,
        ) as progress:
            self._progress = progress
            for name in TABLES:
                self._tasks[name] = progress.add_task(name, total=2, state="waiting")
            self._tasks[MANIFEST_TABLE] = progress.add_task(MANIFEST_TABLE, total=1, state="waiting")
            yield self

    def update(self, table: str, state: str, advance: int = 1) -> None:
        if self._progress is not None:
            self._progress.update(self._tasks[table], advance=advance, state=state)


def generate(
    db_path: str,
    *,
    customers: int,
    seed: int,
    as_of: dt.date,
    schema: str = "raw_revcent",
    bad_row_share: float = 0.002,
    progress: bool = True,
) -> dict[str, int]:
    """Generate all raw tables into ``schema`` of the DuckDB file ``db_path``.

    Returns the number of rows written per table (including the manifest).
    """
    if customers < 50:
        raise ValueError("customers must be at least 50")
    ctx = Ctx(customers=customers, seed=seed, as_of=as_of, share=bad_row_share)
    bar = _Progress(progress)
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(db_path)
    con.execute("SET enable_progress_bar = false")  # rich shows progress, or nothing
    # numpy generates the next table while DuckDB writes the previous one
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duckdb-writer")
    jobs: dict[str, Future[int]] = {}

    def write(name: str, parts: list[Frame]) -> int:
        n = write_table(con, schema, TABLES[name], parts)
        bar.update(name, "written")
        return n

    def emit(name: str, parts: list[Frame]) -> None:
        bar.update(name, "generated")
        jobs[name] = writer.submit(write, name, parts)

    def bad(name: str, good: Frame, pools: dict[str, np.ndarray] | None = None) -> list[Frame]:
        return inject_bad_rows(ctx, TABLES[name], good, pools)

    try:
        with bar.running():
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            emit("product", bad("product", gen_products(ctx)))
            emit("customer", bad("customer", gen_customers(ctx)))
            metadata, pan = gen_metadata(ctx)
            ctx.manifest.append(("customer_metadata", pan, "clean", "pan_redacted"))
            emit("customer_metadata", bad("customer_metadata", metadata) + [pan])
            sales = gen_sales(ctx)
            emit("sale", bad("sale", sales.frame))
            emit("product_sale", bad("product_sale", sales.lines))
            subs = gen_subscriptions(ctx, sales)
            emit("subscription", bad("subscription", subs.frame))
            emit("subscription_renewal", bad("subscription_renewal", subs.renewals))
            chargeback, dispute, taken = gen_chargebacks_and_disputes(ctx, sales)
            emit("chargeback", bad("chargeback", chargeback))
            emit("paypal_dispute", bad("paypal_dispute", dispute))
            refund = gen_refunds(ctx, sales, subs, taken)
            is_sale_refund = refund["sale_id"] != NULL
            emit("refund", bad("refund", refund, {
                "dangling_sale": np.flatnonzero(is_sale_refund),
                "dangling_subscription_renewal": np.flatnonzero(~is_sale_refund),
            }))
            emit("customer_card", bad("customer_card", gen_cards(ctx, sales)))
            del sales, subs
            emit("fraud_detection", bad("fraud_detection", gen_fraud(ctx)))
            emit("customer_group_action", bad("customer_group_action", gen_group_actions(ctx)))
            emit("email_event", bad("email_event", gen_email_events(ctx)))
            counts = {name: jobs[name].result() for name in TABLES}

            m = manifest_table(ctx)
            con.register("_manifest", m)
            con.execute(f'DROP TABLE IF EXISTS "{schema}"."{MANIFEST_TABLE}"')
            con.execute(
                f'CREATE TABLE "{schema}"."{MANIFEST_TABLE}" AS SELECT * FROM _manifest '
                "ORDER BY source_table, raw_id NULLS LAST, expected_status, expected_reason NULLS FIRST"
            )
            con.unregister("_manifest")
            counts[MANIFEST_TABLE] = m.num_rows
            bar.update(MANIFEST_TABLE, "written")
            con.execute("CHECKPOINT")
    finally:
        writer.shutdown(wait=True, cancel_futures=True)
        con.close()
    return counts


def _parse_date(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", default="warehouse/customer_groups.duckdb", help="DuckDB file to write")
    p.add_argument("--schema", default="raw_revcent", help="schema of the raw tables")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--customers", type=int, default=10_000)
    p.add_argument("--as-of", type=_parse_date, default=dt.datetime.now(dt.UTC).date(), help="YYYY-MM-DD (UTC)")
    p.add_argument("--bad-row-share", type=float, default=0.002)
    p.add_argument("--quiet", action="store_true", help="no progress and no summary")
    p.add_argument(
        "--target", choices=["duckdb", "postgres"], default="duckdb",
        help="postgres: also copy the tables into PostgreSQL (scripts/load_postgres.py;\n"
        "connection from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE or --dsn)",
    )
    p.add_argument("--dsn", default="", help="libpq connection string for --target postgres")
    a = p.parse_args(argv)
    started = time.perf_counter()
    counts = generate(
        a.db, customers=a.customers, seed=a.seed, as_of=a.as_of, schema=a.schema,
        bad_row_share=a.bad_row_share, progress=not a.quiet,
    )
    if a.target == "postgres":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from scripts.load_postgres import load_raw_tables

        load_raw_tables(a.db, a.dsn, schema=a.schema, progress=not a.quiet)
    if not a.quiet:
        from rich.console import Console
        from rich.table import Table

        out = Table(title=f"{a.db} / {a.schema} (as of {a.as_of}, seed {a.seed})")
        out.add_column("table")
        out.add_column("rows", justify="right")
        for name, c in counts.items():
            out.add_row(name, f"{c:,}")
        Console().print(out)
        Console().print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
