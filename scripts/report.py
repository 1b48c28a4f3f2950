"""Write a static HTML report of a built warehouse: members per group over
time, entered and left per day, lifetime value and refund rate by group, the
top transitions between groups and how payment recovery is going.

    python scripts/report.py --db warehouse/customer_groups.duckdb --out reports/customer_groups.html

The page is one self-contained file: inline CSS, inline JavaScript that draws
the charts as SVG, the data as inline JSON. It fetches nothing (its
Content-Security-Policy forbids it), so it opens from disk in any browser
with no server and no network. The tables beside the charts carry the same
numbers for readers without JavaScript. The marts are read read-only; a mart
that is missing or empty gets a "no data yet" note instead of its chart.

A DuckDB tool: it reads the DuckDB file directly, and says so instead of
failing when profiles.yml's target is another engine.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
from scripts.pipeline import require_duckdb_warehouse  # noqa: E402
TOP_GROUPS = 10  # lines in the members-over-time chart
TOP_TRANSITIONS = 15  # rows in the transitions table

PERFORMANCE = "customer_group_performance"
MOVEMENT = "customer_group_daily_movement"
TRANSITIONS = "customer_group_transitions"
RECOVERY = "payment_recovery_outcomes"
OVERVIEW = "customer_group_overview"
CUSTOMERS = "customer_360"
MARTS = (PERFORMANCE, MOVEMENT, TRANSITIONS, RECOVERY, OVERVIEW, CUSTOMERS)

Row = dict[str, Any]
Cell = tuple[str, str]  # (css class, text)


# --------------------------------------------------------------------------
# Reading the marts
# --------------------------------------------------------------------------


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the marts the warehouse has (in the connection's search path)."""
    placeholders = ", ".join("?" for _ in MARTS)
    found = con.execute(
        f"select table_name from information_schema.tables where table_name in ({placeholders})"
        " and table_schema = current_schema()",
        list(MARTS),
    ).fetchall()
    return {name for (name,) in found}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    cursor = con.execute(sql, list(params))
    columns = [description[0] for description in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


@dataclass(frozen=True)
class Headline:
    customers: int = 0
    average_ltv: float | None = None
    contactable_share: float | None = None
    groups_enabled: int = 0
    groups_with_members: int = 0
    memberships: int = 0
    entered_last_7_days: int = 0
    left_last_7_days: int = 0
    recovery_stays: int = 0
    recovered_stays: int = 0


@dataclass(frozen=True)
class ReportData:
    """Everything the page shows, read from the marts."""

    db_path: Path
    as_of: date | None
    currency: str
    missing: list[str]
    names: dict[str, str]
    headline: Headline
    performance: list[Row] = field(default_factory=list)
    member_days: list[Row] = field(default_factory=list)  # group_key, movement_date, members_end_of_day
    daily_totals: list[Row] = field(default_factory=list)  # movement_date, entered, left_group, is_first
    group_movement: list[Row] = field(default_factory=list)  # customer_group_overview's counts per group
    transitions: list[Row] = field(default_factory=list)
    recovery: list[Row] = field(default_factory=list)


def _as_of(con: duckdb.DuckDBPyConnection, tables: set[str]) -> date | None:
    for table in (PERFORMANCE, OVERVIEW, MOVEMENT, CUSTOMERS):
        if table in tables:
            (value,) = con.execute(f"select max(as_of_date) from {table}").fetchone() or (None,)
            if isinstance(value, date):
                return value
    return None


def _group_names(con: duckdb.DuckDBPyConnection, tables: set[str]) -> dict[str, str]:
    for table in (OVERVIEW, PERFORMANCE):
        if table in tables:
            rows = con.execute(f"select group_key, coalesce(group_name, group_key) from {table}").fetchall()
            return {key: name for key, name in rows}
    return {}


def _performance(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return _rows(con, f"""
        select group_key, members, is_enabled,
               cast(ltv_average as double) as ltv_average,
               cast(ltv_median as double) as ltv_median,
               cast(revenue as double) as revenue,
               cast(refunded_amount as double) as refunded_amount,
               cast(refund_rate as double) as refund_rate
        from {PERFORMANCE}
        order by members desc, group_key""")


def _member_days(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return _rows(con, f"""
        select group_key, movement_date, members_end_of_day
        from {MOVEMENT}
        order by group_key, movement_date""")


def _daily_totals(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return _rows(con, f"""
        select movement_date,
               cast(sum(entered) as integer) as entered,
               cast(sum(left_group) as integer) as left_group,
               bool_or(is_first_history_date) as is_first
        from {MOVEMENT}
        group by movement_date
        order by movement_date""")


def _group_movement(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Per group: members now, entered and left in the last 7 and 30 days, as
    customer_group_overview counts them; busiest groups first."""
    return _rows(con, f"""
        select group_key, members,
               entered_last_7_days, left_last_7_days, entered_last_30_days, left_last_30_days
        from {OVERVIEW}
        where members > 0 or entered_last_30_days > 0 or left_last_30_days > 0
        order by entered_last_30_days + left_last_30_days desc, members desc, group_key""")


def _transitions(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return _rows(con, f"""
        select from_group_key, to_group_key, customers,
               cast(median_days_between as double) as median_days_between,
               first_transition_on, last_transition_on, transition_window_days
        from {TRANSITIONS}
        order by customers desc, median_days_between, transition_key
        limit {TOP_TRANSITIONS}""")


def _recovery(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return _rows(con, f"""
        select group_key,
               cast(count(*) as integer) as stays,
               cast(count(*) filter (where is_open) as integer) as open_stays,
               cast(count(*) filter (where is_recovered) as integer) as recovered,
               cast(count(*) filter (where not is_recovered and is_open) as integer) as waiting,
               cast(count(*) filter (where not is_recovered and not is_open) as integer) as lost,
               cast(count(*) filter (where left_after_payment) as integer) as left_after_payment,
               cast(sum(recovered_amount) as double) as recovered_amount,
               cast(median(days_to_recover) as double) as median_days_to_recover
        from {RECOVERY}
        group by group_key
        order by stays desc, group_key""")


def _headline(con: duckdb.DuckDBPyConnection, tables: set[str], data: dict[str, list[Row]]) -> Headline:
    values: dict[str, Any] = {}
    if CUSTOMERS in tables:
        customers, average_ltv, contactable = con.execute(f"""
            select count(*), avg(cast(lifetime_value as double)),
                   avg(case when may_be_contacted then 1.0 else 0.0 end)
            from {CUSTOMERS}""").fetchone() or (0, None, None)
        values.update(customers=customers, average_ltv=average_ltv, contactable_share=contactable)
    performance = data["performance"]
    values.update(
        groups_enabled=sum(1 for row in performance if row["is_enabled"]),
        groups_with_members=sum(1 for row in performance if row["members"]),
        memberships=sum(row["members"] for row in performance),
        entered_last_7_days=sum(row["entered_last_7_days"] for row in data["group_movement"]),
        left_last_7_days=sum(row["left_last_7_days"] for row in data["group_movement"]),
        recovery_stays=sum(row["stays"] for row in data["recovery"]),
        recovered_stays=sum(row["recovered"] for row in data["recovery"]),
    )
    return Headline(**values)


def _reporting_currency() -> str:
    """The project's var reporting_currency (USD when it cannot be read)."""
    try:
        import yaml

        config = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
        return str(config["vars"]["reporting_currency"] or "USD")
    except Exception:  # noqa: BLE001 - the report works without it
        return "USD"


def load(db_path: Path, currency: str | None = None) -> ReportData:
    """Read what the page needs from the marts of ``db_path`` (read-only)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = _existing_tables(con)
        as_of = _as_of(con, tables)
        data: dict[str, list[Row]] = {
            "performance": _performance(con) if PERFORMANCE in tables else [],
            "daily_totals": _daily_totals(con) if MOVEMENT in tables else [],
            "group_movement": _group_movement(con) if OVERVIEW in tables else [],
            "transitions": _transitions(con) if TRANSITIONS in tables else [],
            "recovery": _recovery(con) if RECOVERY in tables else [],
        }
        data["member_days"] = _member_days(con) if MOVEMENT in tables else []
        return ReportData(
            db_path=db_path,
            as_of=as_of,
            currency=currency or _reporting_currency(),
            missing=[name for name in MARTS if name not in tables],
            names=_group_names(con, tables),
            headline=_headline(con, tables, data),
            **data,
        )
    finally:
        con.close()


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$"}


def fmt_int(value: float | Decimal | None) -> str:
    return "–" if value is None else f"{round(value):,}"


def fmt_money(value: float | Decimal | None, currency: str, digits: int = 0) -> str:
    if value is None:
        return "–"
    symbol = _CURRENCY_SYMBOLS.get(currency, currency + " ")
    sign = "−" if value < 0 else ""
    return f"{sign}{symbol}{abs(float(value)):,.{digits}f}"


def fmt_pct(value: float | Decimal | None, digits: int = 1) -> str:
    return "–" if value is None else f"{float(value) * 100:.{digits}f}%"


def fmt_days(value: float | Decimal | None) -> str:
    if value is None:
        return "–"
    number = float(value)
    return f"{number:g} d"


def fmt_date(value: date | None) -> str:
    return "–" if value is None else f"{value:%a %d %b %Y}"


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


# --------------------------------------------------------------------------
# What the charts draw (JSON for the inline script)
# --------------------------------------------------------------------------


def _name(data: ReportData, key: str) -> str:
    return data.names.get(key, key)


def members_by_group(data: ReportData) -> dict[str, list[int]]:
    """Members at the end of each day of the history, per group."""
    by_group: dict[str, list[int]] = {}
    for row in data.member_days:
        by_group.setdefault(row["group_key"], []).append(row["members_end_of_day"])
    return by_group


def members_chart(data: ReportData) -> dict[str, Any] | None:
    by_group: dict[str, list[Row]] = {}
    for row in data.member_days:
        by_group.setdefault(row["group_key"], []).append(row)
    dates = sorted({row["movement_date"] for row in data.member_days})
    index = {day: position for position, day in enumerate(dates)}
    order = [row["group_key"] for row in data.performance if row["members"] and row["group_key"] in by_group]
    order = order[:TOP_GROUPS]
    if not order:
        return None
    series = []
    for key in order:
        values: list[int | None] = [None] * len(dates)
        for row in by_group[key]:
            values[index[row["movement_date"]]] = row["members_end_of_day"]
        series.append({"key": key, "name": _name(data, key), "values": values})
    return {"dates": [day.isoformat() for day in dates], "series": series}


def movement_chart(data: ReportData) -> dict[str, Any] | None:
    days = [row for row in data.daily_totals if not row["is_first"]]
    if not days:
        return None
    return {
        "dates": [row["movement_date"].isoformat() for row in days],
        "entered": [row["entered"] for row in days],
        "left": [row["left_group"] for row in days],
    }


def bar_chart(data: ReportData, column: str, *, descending: bool = True) -> dict[str, Any] | None:
    rows = [row for row in data.performance if row["members"] and row[column] is not None]
    rows.sort(key=lambda row: (-row[column] if descending else row[column], row["group_key"]))
    if not rows:
        return None
    return {
        "bars": [
            {"key": row["group_key"], "name": _name(data, row["group_key"]), "value": row[column], "members": row["members"]}
            for row in rows
        ]
    }


def recovery_chart(data: ReportData) -> dict[str, Any] | None:
    if not data.recovery:
        return None
    return {
        "rows": [
            {
                "key": row["group_key"],
                "name": _name(data, row["group_key"]),
                "total": row["stays"],
                "parts": {"recovered": row["recovered"], "waiting": row["waiting"], "lost": row["lost"]},
            }
            for row in data.recovery
        ]
    }


CHARTS: dict[str, Callable[[ReportData], dict[str, Any] | None]] = {
    "members": members_chart,
    "movement": movement_chart,
    "ltv": lambda data: bar_chart(data, "ltv_average"),
    "refund-rate": lambda data: bar_chart(data, "refund_rate"),
    "recovery": recovery_chart,
}


def chart_payload(data: ReportData) -> dict[str, Any]:
    """The data of every chart that has something to draw, keyed by its data-chart name."""
    charts = {name: spec(data) for name, spec in CHARTS.items()}
    return {"currency": data.currency, "charts": {name: spec for name, spec in charts.items() if spec}}


def json_for_script(value: Any) -> str:
    """JSON that is safe inside <script>: no '<' can close the element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# --------------------------------------------------------------------------
# HTML pieces
# --------------------------------------------------------------------------


def empty_note(text: str = "No data yet.") -> str:
    return f'<p class="empty">{esc(text)}</p>'


def figure(name: str, data: ReportData, title: str, caption: str, *, wide: bool = True, controls: str = "") -> str:
    """The root a chart is drawn into, or a note when it has nothing to draw."""
    if CHARTS[name](data) is None:
        return f'<div class="chart-empty"><h3>{esc(title)}</h3>{empty_note()}</div>'
    return (
        f'<figure class="chart{" wide" if wide else ""}" data-chart="{esc(name)}" aria-label="{esc(title)}">'
        f'<div class="chart-head"><h3>{esc(title)}</h3>{controls}</div>'
        f'<div class="canvas"></div>'
        f'<figcaption>{esc(caption)}</figcaption>'
        "</figure>"
    )


def table(
    caption: str,
    headers: Sequence[tuple[str, str]],
    rows: Iterable[Sequence[Cell]],
    *,
    note: str = "",
) -> str:
    """A table with a caption, column headers and the first cell of each row
    as its row header. ``headers`` and cells are (css class, text)."""
    head = "".join(f'<th scope="col" class="{cls}">{esc(text)}</th>' for cls, text in headers)
    body = []
    for cells in rows:
        first_cls, first_text = cells[0]
        rest = "".join(f'<td class="{cls}">{text}</td>' for cls, text in cells[1:])
        body.append(f'<tr><th scope="row" class="{first_cls}">{first_text}</th>{rest}</tr>')
    if not body:
        return f"<h3>{esc(caption)}</h3>{empty_note()}"
    foot = f'<p class="note">{esc(note)}</p>' if note else ""
    return (
        f'<div class="table-wrap"><table><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{foot}"
    )


def _tile(label: str, value: str, detail: str = "") -> str:
    extra = f'<span class="detail">{esc(detail)}</span>' if detail else ""
    return f'<div class="tile"><span class="label">{esc(label)}</span><span class="value">{esc(value)}</span>{extra}</div>'


def header_section(data: ReportData) -> str:
    h = data.headline
    recovery_rate = ratio(h.recovered_stays, h.recovery_stays)
    tiles = [
        _tile("Customers", fmt_int(h.customers),
              f"{fmt_pct(h.contactable_share, 0)} may be contacted" if h.contactable_share is not None else ""),
        _tile("Average LTV", fmt_money(h.average_ltv, data.currency), "per customer"),
        _tile("Groups with members", fmt_int(h.groups_with_members), f"of {h.groups_enabled} enabled"),
        _tile("Memberships", fmt_int(h.memberships), "customer × group, today"),
        _tile("Entered, last 7 days", fmt_int(h.entered_last_7_days), "all groups"),
        _tile("Left, last 7 days", fmt_int(h.left_last_7_days), "all groups"),
        _tile("Payment recovery", fmt_pct(recovery_rate, 0),
              f"of {fmt_int(h.recovery_stays)} stays paid" if h.recovery_stays else "no stays yet"),
    ]
    missing = ""
    if data.missing:
        missing = (
            '<p class="warning" role="status">Not built yet: '
            + ", ".join(f"<code>{esc(name)}</code>" for name in data.missing)
            + ". Their sections say “no data yet”.</p>"
        )
    return (
        '<header class="page-header">'
        '<p class="eyebrow">Customer groups</p>'
        f"<h1>Customer groups report</h1>"
        f'<p class="as-of">{_as_of_text(data.as_of)}'
        f' · <span class="source">{esc(data.db_path.name)}</span></p>'
        f'<div class="tiles">{"".join(tiles)}</div>{missing}'
        "</header>"
    )


def _mode_buttons(modes: Sequence[tuple[str, str]]) -> str:
    """Buttons that switch what a chart shows (its JS reads data-mode); the first is on."""
    buttons = "".join(
        f'<button type="button" data-mode="{esc(mode)}" aria-pressed="{"true" if i == 0 else "false"}">{esc(label)}</button>'
        for i, (mode, label) in enumerate(modes)
    )
    return f'<div class="modes" role="group" aria-label="Show">{buttons}</div>'


def _as_of_text(as_of: date | None) -> str:
    if as_of is None:
        return "No as-of date yet: the marts hold no rows"
    return f'As of <time datetime="{as_of.isoformat()}">{esc(fmt_date(as_of))}</time>'


def members_section(data: ReportData) -> str:
    first_day = min((row["movement_date"] for row in data.member_days), default=None)
    controls = _mode_buttons([("members", "Members"), ("change", f"Change since {fmt_short_date(first_day)}")])
    chart = figure(
        "members",
        data,
        f"Members per group, top {TOP_GROUPS} by size today",
        "Customers in each group at the end of each day, or the change since the first day of the history. "
        "Hover for the numbers of a day; hover a legend entry to pick out its line.",
        controls=controls if first_day else "",
    )
    return _section("members", "Members over time", chart)


def movement_section(data: ReportData) -> str:
    first = next((row for row in data.daily_totals if row["is_first"]), None)
    first_note = ""
    if first:
        first_note = (
            f"The history begins on {fmt_date(first['movement_date'])}: every membership of that day "
            f"({fmt_int(first['entered'])}) counts as entered then, so that day is left out here."
        )
    chart = figure(
        "movement",
        data,
        "Entered and left per day, all groups",
        "Bars above the line: memberships that began that day; below: memberships that ended. "
        "The line is the net change. " + first_note,
    )
    return _section("movement", "Entered and left", chart + movement_table(data))


def movement_table(data: ReportData) -> str:
    """Per group that moved in the last 30 days: members now, a sparkline, and
    entered, left and net over the last 7 and 30 days (customer_group_overview's
    counts). Groups that did not move are named below it."""
    def moved(row: Row) -> bool:
        return bool(row["entered_last_30_days"] or row["left_last_30_days"])

    still = [_name(data, row["group_key"]) for row in data.group_movement if not moved(row)]
    trends = members_by_group(data)
    headers = [("", "Group"), ("num", "Members now"), ("spark", "Trend")]
    for days in (7, 30):
        headers += [("num", f"Entered, {days} d"), ("num", f"Left, {days} d"), ("num", f"Net, {days} d")]
    rows = []
    for row in filter(moved, data.group_movement):
        cells = [
            ("group", esc(_name(data, row["group_key"]))),
            ("num", fmt_int(row["members"])),
            ("spark", sparkline(trends.get(row["group_key"], []), _name(data, row["group_key"]))),
        ]
        for days in (7, 30):
            entered, left = row[f"entered_last_{days}_days"], row[f"left_last_{days}_days"]
            cells += [_count_cell("num up", entered), _count_cell("num down", left), _count_cell("num", entered - left, _signed)]
        rows.append(cells)
    note = (
        "Memberships that began or ended in the 7 and 30 days ending on the as-of date, from customer_group_overview; "
        "on the first day of the history every membership counts as entered."
    )
    if still:
        note += f" No movement in {len(still)} group{'s' if len(still) != 1 else ''}: {', '.join(sorted(still))}."
    if not rows and data.group_movement:
        return f"<h3>Movement per group</h3>{empty_note('No group has moved yet.')}<p class=\"note\">{esc(note)}</p>"
    return table("Movement per group", headers, rows, note=note)


def sparkline(values: Sequence[int], name: str, width: int = 96, height: int = 22) -> str:
    """A tiny inline SVG of a series (drawn here, so it shows without JS)."""
    if len(values) < 2:
        return ""
    # A change small against the group's size stays a small wiggle: the
    # vertical range is at least 5% of the largest value, centred on the line.
    span = max(max(values) - min(values), 0.05 * max(values), 2)
    low = (max(values) + min(values) - span) / 2
    step = (width - 4) / (len(values) - 1)
    points = " ".join(
        f"{2 + i * step:.1f},{height - 3 - (value - low) / span * (height - 6):.1f}" for i, value in enumerate(values)
    )
    last_x, last_y = points.rsplit(" ", 1)[-1].split(",")
    label = f"{name}: {fmt_int(values[0])} to {fmt_int(values[-1])} members (range {fmt_int(min(values))}–{fmt_int(max(values))})"
    return (
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">'
        f"<title>{esc(label)}</title>"
        f'<polyline points="{points}" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2" fill="currentColor"/></svg>'
    )


def _count_cell(cls: str, value: int, fmt: Callable[[int], str] = fmt_int) -> Cell:
    """A count cell; zeros are muted so the movement stands out."""
    return (f"{cls} zero" if value == 0 else cls, fmt(value))


def _signed(value: int) -> str:
    return f"+{value:,}" if value > 0 else f"−{abs(value):,}" if value < 0 else "0"


def value_section(data: ReportData) -> str:
    ltv = figure(
        "ltv", data, "Average lifetime value by group",
        f"Mean lifetime value of the members ({data.currency}): successful sales and renewals less refunds.",
        wide=False,
    )
    refunds = figure(
        "refund-rate", data, "Refund rate by group",
        "Refunded amount as a share of the members' revenue. Groups without revenue are left out.",
        wide=False,
    )
    return _section("value", "Value and refunds", f'<div class="pair">{ltv}{refunds}</div>')


def transitions_section(data: ReportData) -> str:
    window = data.transitions[0]["transition_window_days"] if data.transitions else None
    most = max((row["customers"] for row in data.transitions), default=0)
    rows = [
        (
            ("move", _move(_name(data, row["from_group_key"]), _name(data, row["to_group_key"]))),
            ("num meter", _meter(row["customers"], most)),
            ("num", fmt_days(row["median_days_between"])),
            ("date", esc(fmt_short_date(row["first_transition_on"]))),
            ("date", esc(fmt_short_date(row["last_transition_on"]))),
        )
        for row in data.transitions
    ]
    body = table(
        f"Top {TOP_TRANSITIONS} transitions between groups",
        [("", "From → to"), ("num", "Customers"), ("num", "Median days"), ("date", "First"), ("date", "Latest")],
        rows,
        note=(f"A customer who left one group and entered another within {window} days, counted once per pair; "
              "median days from leaving to entering (0 = same day).") if window else "",
    )
    return _section("transitions", "Transitions", body)


def fmt_short_date(value: date | None) -> str:
    return "–" if value is None else f"{value.day} {value:%b}"


def _move(source: str, target: str) -> str:
    """'A → B', read out as 'A to B'."""
    return f'{esc(source)} <span class="arrow" aria-hidden="true">→</span><span class="sr-only"> to </span> {esc(target)}'


def _meter(value: int, most: int) -> str:
    width = 100 * value / most if most else 0
    return (
        f'<span class="bar" aria-hidden="true"><span style="width:{width:.1f}%"></span></span>'
        f"<span>{fmt_int(value)}</span>"
    )


def recovery_section(data: ReportData) -> str:
    chart = figure(
        "recovery", data, "Outcome of each stay in a payment-recovery group",
        "Recovered: a successful sale or renewal came in during the stay. "
        "Waiting: still in the group, no payment yet. Lost: left the group without paying.",
    )
    rows = [
        (
            ("group", esc(_name(data, row["group_key"]))),
            ("num", fmt_int(row["stays"])),
            ("num", fmt_int(row["open_stays"])),
            ("num", fmt_int(row["recovered"])),
            ("num", fmt_pct(ratio(row["recovered"], row["stays"]))),
            ("num", fmt_money(row["recovered_amount"], data.currency)),
            ("num", fmt_days(row["median_days_to_recover"])),
            ("num", fmt_int(row["left_after_payment"])),
        )
        for row in data.recovery
    ]
    recovery_table = table(
        "Payment recovery by group",
        [("", "Group"), ("num", "Stays"), ("num", "Still open"), ("num", "Recovered"), ("num", "Recovery rate"),
         ("num", "Recovered amount"), ("num", "Median days to pay"), ("num", "Left after paying")],
        rows,
    )
    return _section("recovery", "Payment recovery", chart + recovery_table)


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}" aria-labelledby="{anchor}-title"><h2 id="{anchor}-title">{esc(title)}</h2>{body}</section>'


SECTIONS: tuple[tuple[str, str, Callable[[ReportData], str]], ...] = (
    ("members", "Members", members_section),
    ("movement", "Entered & left", movement_section),
    ("value", "Value", value_section),
    ("transitions", "Transitions", transitions_section),
    ("recovery", "Recovery", recovery_section),
)


def render(data: ReportData) -> str:
    """The whole page as one string."""
    nav = "".join(f'<a href="#{anchor}">{esc(label)}</a>' for anchor, label, _ in SECTIONS)
    sections = "".join(build(data) for _, _, build in SECTIONS)
    title = f"Customer groups report · {data.as_of.isoformat() if data.as_of else 'no data yet'}"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="color-scheme" content="light dark">
<title>{esc(title)}</title>
<style>{CSS}</style>
</head>
<body>
<a class="skip" href="#members">Skip to the charts</a>
<main>
{header_section(data)}
<nav aria-label="Sections">{nav}</nav>
<noscript><p class="warning">The charts need JavaScript; the tables carry the same numbers.</p></noscript>
{sections}
<footer>Written by <code>scripts/report.py</code> from the reporting marts. Self-contained: no server, no network.</footer>
</main>
<div class="tooltip" role="presentation" hidden></div>
<script type="application/json" id="report-data">{json_for_script(chart_payload(data))}</script>
<script>{JS}</script>
</body>
</html>
"""


def write_report(db_path: Path, out_path: Path, currency: str | None = None) -> Path:
    page = render(load(db_path, currency))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(page, encoding="utf-8")
    return out_path


# --------------------------------------------------------------------------
# Style and script (inline)
# --------------------------------------------------------------------------

CSS = """
:root {
  --bg: #f6f7f9; --card: #ffffff; --ink: #1c2430; --muted: #5b6675; --faint: #8a94a3;
  --line: #e3e7ec; --grid: #edf0f3; --accent: #2f6fd0; --up: #2a9d8f; --down: #e07a3f;
  --net: #1c2430; --good: #2a9d8f; --wait: #c9a227; --bad: #d1495b;
  --shadow: 0 1px 2px rgba(20, 30, 45, .06), 0 2px 8px rgba(20, 30, 45, .04);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif;
  font-size: 15px; line-height: 1.5; color: var(--ink); background: var(--bg);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12161c; --card: #1b2129; --ink: #e6e9ee; --muted: #a3adba; --faint: #7b8594;
    --line: #2b333e; --grid: #232a33; --accent: #6ea3f0; --net: #e6e9ee;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
body { margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
.skip { position: absolute; left: -999px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip:focus { left: 12px; top: 12px; background: var(--card); padding: 6px 10px; z-index: 2; }
h1 { font-size: 30px; line-height: 1.2; margin: 0 0 4px; letter-spacing: -.01em; }
h2 { font-size: 20px; margin: 0 0 14px; letter-spacing: -.005em; }
h3 { font-size: 15px; margin: 0 0 8px; font-weight: 600; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--accent); margin: 0 0 4px; font-weight: 600; }
.as-of { color: var(--muted); margin: 0 0 20px; }
.source { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; box-shadow: var(--shadow); display: flex; flex-direction: column; }
.tile .label { font-size: 12px; color: var(--muted); }
.tile .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; line-height: 1.3; }
.tile .detail { font-size: 12px; color: var(--faint); }
nav { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 10px 0; margin: 20px 0 4px;
      background: var(--bg); border-bottom: 1px solid var(--line); }
nav a { color: var(--muted); text-decoration: none; font-size: 14px; }
nav a:hover, nav a:focus { color: var(--accent); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px 22px; margin: 18px 0; box-shadow: var(--shadow); }
figure { margin: 0 0 18px; }
figcaption, .note { color: var(--muted); font-size: 13px; margin-top: 6px; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 28px; }
.pair figure { margin: 0; }
.chart-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 6px 16px; }
.modes { display: inline-flex; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; margin-bottom: 8px; }
.modes button { font: inherit; font-size: 13px; color: var(--muted); background: transparent; border: 0; padding: 4px 12px; cursor: pointer; }
.modes button + button { border-left: 1px solid var(--line); }
.modes button[aria-pressed="true"] { background: var(--accent); color: #fff; }
.modes button:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
td.spark { color: var(--accent); padding-top: 2px; padding-bottom: 2px; }
.sparkline { display: block; }
.canvas { width: 100%; min-height: 60px; position: relative; }
.canvas svg { display: block; width: 100%; height: auto; overflow: visible; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0 0 8px; padding: 0; list-style: none; font-size: 13px; color: var(--muted); }
.legend li { display: inline-flex; align-items: center; gap: 6px; cursor: default; }
.legend .swatch { width: 14px; height: 3px; border-radius: 2px; display: inline-block; }
.legend .swatch.box { height: 10px; width: 10px; }
svg text { fill: var(--muted); font-size: 12px; font-family: inherit; }
svg .grid line { stroke: var(--grid); }
svg .axis line, svg .axis path, svg .zero { stroke: var(--faint); }
svg .value-label { fill: var(--ink); font-variant-numeric: tabular-nums; }
svg .inside-label { fill: #fff; font-weight: 600; }
svg .inside-label.on-light { fill: #1c2430; }
svg .bar-label { fill: var(--ink); }
svg .hover-rule { stroke: var(--faint); stroke-dasharray: 3 3; }
svg [data-series] { transition: opacity .15s; }
svg.dimmed [data-series]:not(.active) { opacity: .15; }
.tooltip { position: fixed; pointer-events: none; background: var(--card); color: var(--ink); border: 1px solid var(--line);
           border-radius: 8px; padding: 8px 10px; font-size: 12px; box-shadow: 0 4px 14px rgba(0,0,0,.12); z-index: 5; max-width: 320px; }
.tooltip .row { display: flex; gap: 8px; justify-content: space-between; }
.tooltip .row b { font-variant-numeric: tabular-nums; }
.tooltip .sw { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0 8px; font-size: 15px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody th { font-weight: 500; }
tbody tr:hover { background: color-mix(in srgb, var(--accent) 6%, transparent); }
.num { text-align: right; white-space: nowrap; }
.date { white-space: nowrap; color: var(--muted); }
td.up { color: var(--up); }
td.down { color: var(--down); }
td.zero { color: var(--faint); }
.arrow { color: var(--faint); padding: 0 2px; }
.meter { min-width: 160px; }
.meter > span:last-child { display: inline-block; min-width: 3ch; }
.bar { display: inline-block; width: 90px; height: 8px; border-radius: 4px; background: var(--grid); margin-right: 8px; vertical-align: middle; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--accent); border-radius: 4px; }
.empty { color: var(--muted); font-style: italic; background: var(--bg); border: 1px dashed var(--line); border-radius: 8px; padding: 16px; margin: 0 0 12px; }
.chart-empty { margin-bottom: 18px; }
.warning { background: #fff4e0; color: #6b4a00; border: 1px solid #f2d59b; border-radius: 8px; padding: 10px 12px; margin: 14px 0 0; }
footer { color: var(--faint); font-size: 12px; text-align: center; margin-top: 28px; }
@media (max-width: 640px) {
  main { padding: 18px 12px 32px; }
  section { padding: 16px 14px; }
  h1 { font-size: 24px; }
  .pair { grid-template-columns: 1fr; }
}
@media print {
  nav, .skip, .tooltip { display: none; }
  section { break-inside: avoid; box-shadow: none; }
}
"""

JS = r"""
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("report-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#2f6fd0", "#e07a3f", "#2a9d8f", "#d1495b", "#8e6cc0", "#c9a227", "#3c9ad8", "#a0522d", "#d16ba5", "#6b7a8f"];
  var PARTS = [
    {key: "recovered", label: "Recovered", color: "var(--good)"},
    {key: "waiting", label: "Waiting", color: "var(--wait)", dark: true},
    {key: "lost", label: "Lost", color: "var(--bad)"}
  ];
  var tooltip = document.querySelector(".tooltip");

  var intFmt = new Intl.NumberFormat("en-US");
  function fmtInt(v) { return v == null ? "–" : intFmt.format(Math.round(v)); }
  function fmtMoney(v) {
    if (v == null) return "–";
    try {
      return new Intl.NumberFormat("en-US", {style: "currency", currency: payload.currency, maximumFractionDigits: 0}).format(v);
    } catch (e) { return payload.currency + " " + fmtInt(v); }
  }
  function fmtPct(v) { return v == null ? "–" : (v * 100).toFixed(1) + "%"; }
  function parseDay(s) { var p = s.split("-"); return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2])); }
  function fmtDay(s) { return parseDay(s).toLocaleDateString("en-GB", {day: "numeric", month: "short", timeZone: "UTC"}); }
  function fmtLongDay(s) { return parseDay(s).toLocaleDateString("en-GB", {weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC"}); }

  function el(name, attrs, parent, text) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) if (attrs[k] != null) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function titled(node, text) { el("title", {}, node, text); return node; }

  function niceStep(max, count) {
    if (max <= 0) return 1;
    var raw = max / count, power = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / power;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * power;
  }
  function ticks(min, max, count) {
    if (max <= min) max = min + 1;
    var step = niceStep(max - min, count), out = [];
    var lo = Math.floor(min / step) * step, hi = Math.ceil(max / step) * step;
    for (var v = lo; v <= hi + step * 0.001; v += step) out.push(+v.toPrecision(12));
    return out;
  }
  function dateTickIndexes(n, width) {
    var want = Math.max(2, Math.min(n, Math.floor(width / 80))), step = Math.max(1, Math.ceil((n - 1) / (want - 1))), out = [];
    for (var i = 0; i < n; i += step) out.push(i);
    if (n > 1 && out[out.length - 1] !== n - 1) {
      if (out.length > 1 && (n - 1) - out[out.length - 1] < step) out.pop();
      out.push(n - 1);
    }
    return out;
  }

  function svgRoot(canvas, width, height, title, desc) {
    var id = "t" + Math.random().toString(36).slice(2, 8);
    var svg = el("svg", {viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img",
                         "aria-labelledby": id + "-title " + id + "-desc", preserveAspectRatio: "xMinYMin meet"}, canvas);
    el("title", {id: id + "-title"}, svg, title);
    el("desc", {id: id + "-desc"}, svg, desc);
    return svg;
  }

  function legend(canvas, items, box) {
    var list = document.createElement("ul");
    list.className = "legend";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.setAttribute("data-legend", item.key);
      var sw = document.createElement("span");
      sw.className = "swatch" + (box ? " box" : "");
      sw.style.background = item.color;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(item.label));
      list.appendChild(li);
    });
    canvas.appendChild(list);
    return list;
  }

  function linkLegend(list, svg) {
    list.addEventListener("mouseover", function (ev) {
      var li = ev.target.closest("li"); if (!li) return;
      svg.classList.add("dimmed");
      svg.querySelectorAll("[data-series]").forEach(function (n) {
        n.classList.toggle("active", n.getAttribute("data-series") === li.getAttribute("data-legend"));
      });
    });
    list.addEventListener("mouseleave", function () { svg.classList.remove("dimmed"); });
  }

  function showTip(ev, htmlText) {
    tooltip.innerHTML = htmlText;
    tooltip.hidden = false;
    var x = ev.clientX + 14, y = ev.clientY + 14, r = tooltip.getBoundingClientRect();
    if (x + r.width > window.innerWidth - 8) x = ev.clientX - r.width - 14;
    if (y + r.height > window.innerHeight - 8) y = ev.clientY - r.height - 14;
    tooltip.style.left = x + "px"; tooltip.style.top = y + "px";
  }
  function hideTip() { tooltip.hidden = true; }
  function escapeHtml(s) { return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }

  function yAxis(svg, m, width, yScale, yTicks, fmt) {
    var grid = el("g", {"class": "grid"}, svg), axis = el("g", {"class": "axis", "aria-hidden": "true"}, svg);
    yTicks.forEach(function (t) {
      var y = yScale(t);
      el("line", {x1: m.left, x2: width - m.right, y1: y, y2: y}, grid);
      el("text", {x: m.left - 8, y: y, "text-anchor": "end", "dominant-baseline": "middle"}, axis, fmt(t));
    });
  }
  function xDateAxis(svg, dates, xAt, y, width) {
    var axis = el("g", {"class": "axis", "aria-hidden": "true"}, svg);
    dateTickIndexes(dates.length, width).forEach(function (i) {
      el("text", {x: xAt(i), y: y + 18, "text-anchor": "middle"}, axis, fmtDay(dates[i]));
    });
  }

  function firstKnown(values) { for (var i = 0; i < values.length; i++) if (values[i] != null) return values[i]; return 0; }
  function signed(v) { return v == null ? "–" : (v > 0 ? "+" : v < 0 ? "−" : "") + fmtInt(Math.abs(v)); }

  // Multi-line chart: one path per series, hover shows the day's values.
  // Mode "members" plots the counts from zero; "change" the change since the first day.
  function drawLines(canvas, spec, width, mode) {
    var change = mode === "change";
    var series = spec.series.map(function (s, i) {
      var base = firstKnown(s.values);
      return {key: s.key, name: s.name, color: PALETTE[i % PALETTE.length], raw: s.values,
              values: change ? s.values.map(function (v) { return v == null ? null : v - base; }) : s.values};
    });
    var fmt = change ? signed : fmtInt;
    var list = legend(canvas, series.map(function (s) { return {key: s.key, label: s.name, color: s.color}; }));
    var height = Math.max(240, Math.min(380, width * 0.42)), m = {top: 12, right: 20, bottom: 30, left: 56};
    var svg = svgRoot(canvas, width, height, change ? "Change in members per group since the first day" : "Members per group over time",
      "Line chart of " + (change ? "the change in " : "") + "customers in each of " + series.length + " groups per day, " +
      spec.dates[0] + " to " + spec.dates[spec.dates.length - 1] + ".");
    var n = spec.dates.length, max = change ? -Infinity : 0, min = change ? Infinity : 0;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v != null) { if (v > max) max = v; if (v < min) min = v; } }); });
    if (!isFinite(max)) { max = 1; min = 0; }
    var yTicks = ticks(Math.min(min, 0), Math.max(max, change ? 0 : 1), 5), bottom = yTicks[0], top = yTicks[yTicks.length - 1];
    var plotW = width - m.left - m.right, plotH = height - m.top - m.bottom;
    function xAt(i) { return n === 1 ? m.left + plotW / 2 : m.left + plotW * i / (n - 1); }
    function yAt(v) { return m.top + plotH * (top - v) / (top - bottom); }
    yAxis(svg, m, width, yAt, yTicks, fmt);
    if (change) el("line", {"class": "zero", x1: m.left, x2: width - m.right, y1: yAt(0), y2: yAt(0)}, svg);
    xDateAxis(svg, spec.dates, xAt, height - m.bottom, width);
    var lines = el("g", {"class": "series"}, svg);
    series.forEach(function (s) {
      var d = "", pen = false;
      s.values.forEach(function (v, i) {
        if (v == null) { pen = false; return; }
        d += (pen ? "L" : "M") + xAt(i).toFixed(1) + "," + yAt(v).toFixed(1); pen = true;
      });
      var g = el("g", {"data-series": s.key}, lines);
      titled(g, s.name + ": " + fmtInt(s.raw[0]) + " members on " + fmtDay(spec.dates[0]) + ", " + fmtInt(s.raw[n - 1]) +
        " on " + fmtDay(spec.dates[n - 1]) + " (" + signed(s.raw[n - 1] - firstKnown(s.raw)) + ")");
      if (n > 1) el("path", {d: d, fill: "none", stroke: s.color, "stroke-width": 2.25, "stroke-linejoin": "round", "stroke-linecap": "round"}, g);
      s.values.forEach(function (v, i) {
        if (v != null && (n <= 10 || i === n - 1)) el("circle", {cx: xAt(i), cy: yAt(v), r: n <= 10 ? 3 : 2.5, fill: s.color}, g);
      });
    });
    linkLegend(list, svg);
    var rule = el("line", {"class": "hover-rule", y1: m.top, y2: height - m.bottom, visibility: "hidden"}, svg);
    var overlay = el("rect", {x: m.left, y: m.top, width: plotW, height: plotH, fill: "transparent"}, svg);
    overlay.addEventListener("mousemove", function (ev) {
      var box = svg.getBoundingClientRect(), scale = width / box.width;
      var i = n === 1 ? 0 : Math.round(((ev.clientX - box.left) * scale - m.left) / plotW * (n - 1));
      i = Math.max(0, Math.min(n - 1, i));
      rule.setAttribute("x1", xAt(i)); rule.setAttribute("x2", xAt(i)); rule.setAttribute("visibility", "visible");
      var rows = series.slice().sort(function (a, b) { return (b.values[i] || 0) - (a.values[i] || 0); }).map(function (s) {
        return '<div class="row"><span><span class="sw" style="background:' + s.color + '"></span>' + escapeHtml(s.name) + "</span><b>" + fmt(s.values[i]) + "</b></div>";
      });
      showTip(ev, "<div><b>" + fmtLongDay(spec.dates[i]) + "</b></div>" + rows.join(""));
    });
    overlay.addEventListener("mouseleave", function () { rule.setAttribute("visibility", "hidden"); hideTip(); });
  }

  // Diverging bars: entered above zero, left below, the net change as a line.
  function drawMovement(canvas, spec, width) {
    legend(canvas, [{key: "entered", label: "Entered", color: "var(--up)"}, {key: "left", label: "Left", color: "var(--down)"},
                    {key: "net", label: "Net change", color: "var(--net)"}], true);
    var height = Math.max(220, Math.min(320, width * 0.34)), m = {top: 12, right: 20, bottom: 30, left: 56};
    var n = spec.dates.length;
    var svg = svgRoot(canvas, width, height, "Entered and left per day",
      "Bar chart of memberships that began (up) and ended (down) each day across all groups, " + n + " days.");
    var maxUp = Math.max.apply(null, spec.entered.concat([1])), maxDown = Math.max.apply(null, spec.left.concat([1]));
    var step = niceStep(Math.max(maxUp, maxDown), 3);
    var upTop = Math.ceil(maxUp / step) * step, downTop = Math.ceil(maxDown / step) * step;
    var plotW = width - m.left - m.right, plotH = height - m.top - m.bottom;
    function yAt(v) { return m.top + plotH * (upTop - v) / (upTop + downTop); }
    var yTicks = [];
    for (var t = -downTop; t <= upTop + step * 0.001; t += step) yTicks.push(+t.toPrecision(12));
    yAxis(svg, m, width, yAt, yTicks, function (v) { return fmtInt(Math.abs(v)); });
    var band = plotW / n, barW = Math.max(2, Math.min(28, band * 0.7));
    function xAt(i) { return m.left + band * (i + 0.5); }
    xDateAxis(svg, spec.dates, xAt, height - m.bottom, width);
    var up = el("g", {"data-series": "entered", fill: "var(--up)"}, svg);
    var down = el("g", {"data-series": "left", fill: "var(--down)"}, svg);
    var zero = yAt(0);
    spec.dates.forEach(function (day, i) {
      var x = xAt(i) - barW / 2, e = spec.entered[i], l = spec.left[i];
      titled(el("rect", {x: x, y: yAt(e), width: barW, height: Math.max(0, zero - yAt(e)), rx: 2, "data-series": "entered"}, up),
        fmtLongDay(day) + ": " + fmtInt(e) + " entered");
      titled(el("rect", {x: x, y: zero, width: barW, height: Math.max(0, yAt(-l) - zero), rx: 2, "data-series": "left"}, down),
        fmtLongDay(day) + ": " + fmtInt(l) + " left");
    });
    el("line", {"class": "zero", x1: m.left, x2: width - m.right, y1: zero, y2: zero}, svg);
    var d = spec.dates.map(function (day, i) { return (i ? "L" : "M") + xAt(i).toFixed(1) + "," + yAt(spec.entered[i] - spec.left[i]).toFixed(1); }).join("");
    var net = el("g", {"data-series": "net"}, svg);
    titled(net, "Net change per day");
    if (n > 1) el("path", {d: d, fill: "none", stroke: "var(--net)", "stroke-width": 1.75, "stroke-linejoin": "round"}, net);
    spec.dates.forEach(function (day, i) {
      var v = spec.entered[i] - spec.left[i];
      titled(el("circle", {cx: xAt(i), cy: yAt(v), r: 2.5, fill: "var(--net)"}, net), fmtLongDay(day) + ": net " + (v > 0 ? "+" : "") + fmtInt(v));
    });
  }

  // Horizontal bars, one per group, largest first.
  function drawBars(canvas, spec, width, fmt, color, what) {
    var rowH = 24, m = {top: 4, right: 64, bottom: 6, left: Math.min(220, Math.max(120, width * 0.38))};
    var height = m.top + m.bottom + rowH * spec.bars.length;
    var svg = svgRoot(canvas, width, height, what + " by group",
      "Horizontal bar chart of " + what.toLowerCase() + " for " + spec.bars.length + " groups, highest first.");
    var max = Math.max.apply(null, spec.bars.map(function (b) { return b.value; }).concat([0]));
    var plotW = width - m.left - m.right, maxChars = Math.floor((m.left - 10) / 6.8);
    spec.bars.forEach(function (b, i) {
      var y = m.top + i * rowH, w = max > 0 ? Math.max(1, plotW * b.value / max) : 1;
      var g = el("g", {"data-series": b.key}, svg);
      titled(g, b.name + ": " + fmt(b.value) + " (" + fmtInt(b.members) + " members)");
      var label = b.name.length > maxChars ? b.name.slice(0, maxChars - 1) + "…" : b.name;
      el("text", {"class": "bar-label", x: m.left - 10, y: y + rowH / 2, "text-anchor": "end", "dominant-baseline": "middle"}, g, label);
      el("rect", {x: m.left, y: y + 4, width: w, height: rowH - 8, rx: 3, fill: color}, g);
      el("text", {"class": "value-label", x: m.left + w + 6, y: y + rowH / 2, "dominant-baseline": "middle"}, g, fmt(b.value));
    });
  }

  // Stacked 100% bars: how each recovery group's stays turned out.
  function drawRecovery(canvas, spec, width) {
    legend(canvas, PARTS.map(function (p) { return {key: p.key, label: p.label, color: p.color}; }), true);
    var rowH = 40, m = {top: 4, right: 12, bottom: 26, left: Math.min(220, Math.max(120, width * 0.28))};
    var height = m.top + m.bottom + rowH * spec.rows.length, plotW = width - m.left - m.right;
    var svg = svgRoot(canvas, width, height, "Payment recovery outcomes",
      "Stacked bars: share of stays recovered, waiting and lost in each of " + spec.rows.length + " payment-recovery groups.");
    var grid = el("g", {"class": "grid"}, svg), axis = el("g", {"class": "axis", "aria-hidden": "true"}, svg);
    [0, 0.25, 0.5, 0.75, 1].forEach(function (f) {
      var x = m.left + plotW * f;
      el("line", {x1: x, x2: x, y1: m.top, y2: height - m.bottom}, grid);
      el("text", {x: x, y: height - m.bottom + 16, "text-anchor": "middle"}, axis, Math.round(f * 100) + "%");
    });
    spec.rows.forEach(function (row, i) {
      var y = m.top + i * rowH, x = m.left;
      el("text", {"class": "bar-label", x: m.left - 10, y: y + rowH / 2, "text-anchor": "end", "dominant-baseline": "middle"}, svg, row.name);
      PARTS.forEach(function (p) {
        var count = row.parts[p.key], share = row.total ? count / row.total : 0, w = plotW * share;
        var g = el("g", {"data-series": p.key}, svg);
        titled(g, row.name + ": " + fmtInt(count) + " of " + fmtInt(row.total) + " stays " + p.label.toLowerCase() + " (" + fmtPct(share) + ")");
        el("rect", {x: x, y: y + 7, width: Math.max(0, w), height: rowH - 14, fill: p.color}, g);
        if (w > 54) el("text", {"class": "inside-label" + (p.dark ? " on-light" : ""), x: x + 8, y: y + rowH / 2, "dominant-baseline": "middle"}, g, fmtPct(share));
        x += w;
      });
    });
  }

  var DRAW = {
    "members": function (c, s, w, mode) { drawLines(c, s, w, mode); },
    "movement": function (c, s, w) { drawMovement(c, s, w); },
    "ltv": function (c, s, w) { drawBars(c, s, w, fmtMoney, "var(--accent)", "Average lifetime value"); },
    "refund-rate": function (c, s, w) { drawBars(c, s, w, fmtPct, "var(--down)", "Refund rate"); },
    "recovery": function (c, s, w) { drawRecovery(c, s, w); }
  };

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(function (fig) {
      var name = fig.getAttribute("data-chart"), spec = payload.charts[name], canvas = fig.querySelector(".canvas");
      if (!spec || !canvas || !DRAW[name]) return;
      canvas.textContent = "";
      try {
        DRAW[name](canvas, spec, Math.max(280, Math.floor(canvas.clientWidth || 800)), fig.getAttribute("data-mode"));
        fig.removeAttribute("data-chart-error");
      } catch (err) {
        fig.setAttribute("data-chart-error", String(err && err.message || err));
        canvas.textContent = "This chart could not be drawn.";
      }
    });
  }

  document.querySelectorAll("[data-chart] .modes").forEach(function (group) {
    var fig = group.closest("[data-chart]");
    group.addEventListener("click", function (ev) {
      var button = ev.target.closest("button[data-mode]"); if (!button) return;
      group.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
      fig.setAttribute("data-mode", button.getAttribute("data-mode"));
      drawAll();
    });
  });

  var pending = null, lastWidth = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(pending);
    pending = setTimeout(drawAll, 120);
  });
  drawAll();
})();
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("warehouse/customer_groups.duckdb"))
    parser.add_argument("--out", type=Path, default=Path("reports/customer_groups.html"))
    parser.add_argument("--currency", default=None, help="reporting currency code (default: the project's var)")
    args = parser.parse_args(argv)
    require_duckdb_warehouse("scripts/report.py")
    if not args.db.exists():
        parser.error(f"no warehouse at {args.db}: build one first (scripts/demo.sh or scripts/backfill.py)")
    out = write_report(args.db, args.out, args.currency)
    print(f"wrote {out} ({out.stat().st_size / 1024:,.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
