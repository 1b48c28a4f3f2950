"""scripts/report.py, looked at in a real browser.

A small warehouse with a few days of history (generated customers, then
scripts/backfill.py for three days) is turned into the HTML report, which
headless Chromium (Debian's ``chromium``, installed by
scripts/install_chromium.sh) then renders twice: once to dump the DOM after
the page's scripts ran, so the charts can be checked for drawn series, and
once to take a screenshot.

The backfill here leaves out dbt's own data and unit tests (the other
integration tests run those); everything else is the real pipeline.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest

from scripts.pipeline import DbtProject

PROJECT_DIR = Path(__file__).resolve().parents[2]
REPORT_SCRIPT = PROJECT_DIR / "scripts" / "report.py"
INSTALL_SCRIPT = PROJECT_DIR / "scripts" / "install_chromium.sh"
CHROMIUM = Path("/usr/bin/chromium")

CUSTOMERS = 500
GENERATOR_SEED = 7
AS_OF = date(2026, 6, 30)
HISTORY_DAYS = 3
RAW_SCHEMA = "raw_revcent"

# Every chart report.py draws, by its data-chart name.
CHARTS = ("members", "movement", "ltv", "refund-rate", "recovery")
MARTS = (
    "customer_group_performance",
    "customer_group_daily_movement",
    "customer_group_transitions",
    "payment_recovery_outcomes",
    "customer_group_overview",
    "customer_360",
)

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=5000",
)
SCREENSHOT_SIZE = (1280, 2400)
CHROMIUM_TIMEOUT_SECONDS = 90


# --------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------


class ProjectWithoutDbtTests(DbtProject):
    """The backfill's project with dbt's data and unit tests left out."""

    def run(self, args: Any, vars: Any = None, expect_success: bool = True) -> Any:
        if list(args[:1]) == ["build"]:
            args = [*args, "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
        return super().run(args, vars=vars, expect_success=expect_success)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~500 generated customers, backfilled for the last HISTORY_DAYS days."""
    from scripts import backfill as backfill_script
    from scripts.generate_data import generate

    db_path = tmp_path_factory.mktemp("report_warehouse") / "customer_groups.duckdb"
    generate(str(db_path), customers=CUSTOMERS, seed=GENERATOR_SEED, as_of=AS_OF, schema=RAW_SCHEMA, progress=False)
    start = AS_OF - timedelta(days=HISTORY_DAYS - 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backfill_script, "DbtProject", ProjectWithoutDbtTests)
        replayed = backfill_script.backfill(db_path, start, AS_OF, progress=False)
    assert len(replayed) == HISTORY_DAYS
    return db_path


def run_report(db_path: Path, out_path: Path) -> subprocess.CompletedProcess[str]:
    """scripts/report.py as a person runs it, from the project directory."""
    return subprocess.run(
        [sys.executable, str(REPORT_SCRIPT), "--db", str(db_path), "--out", str(out_path)],
        cwd=PROJECT_DIR,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def report(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "reports" / "customer_groups.html"
    result = run_report(warehouse, out)
    assert result.returncode == 0, f"report.py failed:\n{result.stdout}\n{result.stderr}"
    assert out.is_file()
    return out


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's chromium, installed by the project's own script: a missing
    browser fails the test, it is never skipped."""
    try:
        result = subprocess.run(["bash", str(INSTALL_SCRIPT)], check=False, capture_output=True, text=True, timeout=1200)
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"scripts/install_chromium.sh did not finish in {timeout.timeout} s")
    if result.returncode != 0 or not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium could not be installed by scripts/install_chromium.sh (exit {result.returncode}); "
            f"the report test needs {CHROMIUM}.\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return CHROMIUM


def run_chromium(chromium: Path, page: Path, profile_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", *extra, page.resolve().as_uri()]
    try:
        result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"chromium did not finish in {CHROMIUM_TIMEOUT_SECONDS} s: {' '.join(command)}")
    assert result.returncode == 0, f"chromium exited {result.returncode}: {' '.join(command)}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def rendered_dom(chromium: Path, report: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The page's DOM after its scripts ran."""
    result = run_chromium(chromium, report, tmp_path_factory.mktemp("chromium_dom"), "--dump-dom")
    assert "<html" in result.stdout, f"chromium dumped no DOM; stderr:\n{result.stderr[-3000:]}"
    return result.stdout


# --------------------------------------------------------------------------
# Reading the DOM
# --------------------------------------------------------------------------

VOID_ELEMENTS = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)


class ChartCensus(HTMLParser):
    """Counts, for every element with data-chart, the elements with a
    data-series attribute inside it, and notes charts that failed to draw."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.series: dict[str, int] = {}
        self.errors: dict[str, str] = {}
        self.empty_notes = 0
        self._stack: list[tuple[str, str | None]] = []

    def _current_chart(self) -> str | None:
        return next((chart for _, chart in reversed(self._stack) if chart), None)

    def _visit(self, tag: str, attrs: list[tuple[str, str | None]]) -> str | None:
        found = dict(attrs)
        chart = found.get("data-chart")
        if chart is not None:
            self.series.setdefault(chart, 0)
            if found.get("data-chart-error"):
                self.errors[chart] = found["data-chart-error"] or ""
        inside = chart or self._current_chart()
        if "data-series" in found and inside:
            self.series[inside] = self.series.get(inside, 0) + 1
        if "empty" in (found.get("class") or "").split():
            self.empty_notes += 1
        return chart

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        chart = self._visit(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self._stack.append((tag, chart))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._visit(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                del self._stack[depth:]
                return


def census(page: str) -> ChartCensus:
    parser = ChartCensus()
    parser.feed(page)
    parser.close()
    return parser


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_the_report_is_one_self_contained_file(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    lowered = page.lower()
    for fetching in ("<link", "<img", "<iframe", " src=", "@import", "url("):
        assert fetching not in lowered, f"the report would fetch something: {fetching!r}"
    # The only URL in the page is the SVG namespace, which is a name, not a fetch.
    urls = set(re.findall(r"[a-z][a-z0-9+.-]*://[^\s\"'<>)]*", lowered)) - {"http://www.w3.org/2000/svg"}
    assert not urls, f"the report names URLs: {sorted(urls)}"
    before_script = census(page)
    assert set(before_script.series) == set(CHARTS), "every chart has its root in the page"
    assert not any(before_script.series.values()), "the charts are drawn by the page's script, not shipped drawn"


def test_the_charts_render_in_headless_chromium(rendered_dom: str) -> None:
    found = census(rendered_dom)
    assert not found.errors, f"charts that failed to draw: {found.errors}"
    missing = [name for name in CHARTS if name not in found.series]
    assert not missing, f"charts missing from the rendered page: {missing}"
    undrawn = [name for name in CHARTS if found.series[name] < 1]
    assert not undrawn, f"charts without a drawn data-series (did the script run?): {undrawn}; counts {found.series}"
    # The members chart has a line per group (up to 10); the bar charts a bar per group.
    assert found.series["members"] >= 2
    assert found.series["ltv"] >= 5
    assert "As of" in rendered_dom and "Tue 30 Jun 2026" in rendered_dom


def test_the_page_screenshots_to_a_real_picture(chromium: Path, report: Path, tmp_path: Path) -> None:
    screenshot = tmp_path / "report.png"
    width, height = SCREENSHOT_SIZE
    run_chromium(chromium, report, tmp_path / "profile", f"--screenshot={screenshot}", f"--window-size={width},{height}")
    assert screenshot.is_file(), "chromium wrote no screenshot"
    assert png_size(screenshot) == SCREENSHOT_SIZE
    # A blank 1280x2400 page compresses to a few KiB; a page of charts is far larger.
    assert screenshot.stat().st_size > 60_000, f"the screenshot is suspiciously small: {screenshot.stat().st_size} bytes"


@pytest.fixture()
def empty_marts(warehouse: Path, tmp_path: Path) -> Iterator[Path]:
    """A warehouse whose reporting marts exist, with their columns, but hold no row."""
    db_path = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"attach '{warehouse}' as built (read_only)")
        for mart in MARTS:
            con.execute(f"create table {mart} as select * from built.main.{mart} limit 0")
        con.execute("detach built")
    finally:
        con.close()
    yield db_path


def test_empty_marts_give_no_data_notes_not_a_crash(empty_marts: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty.html"
    result = run_report(empty_marts, out)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    found = census(page)
    assert not found.series, "no chart is drawn without data"
    assert found.empty_notes >= len(CHARTS)
    assert "No data yet." in page


def test_a_warehouse_without_marts_says_what_is_missing(tmp_path: Path) -> None:
    db_path = tmp_path / "raw_only.duckdb"
    duckdb.connect(str(db_path)).close()
    out = tmp_path / "missing.html"
    result = run_report(db_path, out)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "Not built yet" in page
    for mart in MARTS:
        assert mart in page
