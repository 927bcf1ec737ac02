"""One plan: the staffing page, the board memo, the CSV/XLSX downloads and the command agree.

The seeded district's protected release codes its small distress shares (``<=2``, ``<=10``),
so the page and the files agree only if both read a coded value as its interval.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook

from climate import db
from climate.app import create_app
from climate.cli import main
from climate.exports.staffing import PLAN_COLUMNS
from climate.reports.formatting import Formatter
from climate.reports.staffing import Numbers
from climate.security.audit import EXPORTED, VIEWED_REPORT, events
from climate.settings import Settings
from climate.staffing import plan_for
from tests.climate.controllers.reports.district import Seeded, seed
from tests.climate.security.conftest import BASE, sign_in
from tests.conftest import PG_URL, SECRET, _reset_postgres

Row = tuple[str, ...]
# The page's English labels (climate/reports/staffing.py).
ROLES = {"counselor": "Counselor", "psychologist": "Psychologist", "social_worker": "Social worker"}
FLAGS = {
    "meets": "Meets the standard",
    "below standard": "Below the standard",
    "priority": "Priority",
}
# A district that has set every salary: yearly salary and benefits per full-time post.
COSTED = (
    "[roles.counselor.salary]\nvalue = 80000\n[roles.counselor.benefits]\nvalue = 23608\n"
    "[roles.psychologist.salary]\nvalue = 95000\n[roles.psychologist.benefits]\nvalue = 28000\n"
    "[roles.social_worker.salary]\nvalue = 72000\n[roles.social_worker.benefits]\nvalue = 21000\n"
)
SET_SALARY = "Set your salary in the policy"
# In the ranked list a missing cost is a dash, with the same words for screen readers.
NO_COST = f"– {SET_SALARY}"


class _Table(HTMLParser):
    """The text of each body (and foot) row of the first table with a given class."""

    def __init__(self, css: str) -> None:
        super().__init__()
        self.css = css
        self.rows: list[Row] = []
        self.foot: list[Row] = []
        self._where = ""
        self._done = self._in_table = self._in_cell = False
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and self.css in classes and not self._done:
            self._in_table = True
        elif self._in_table and tag in ("tbody", "tfoot"):
            self._where = tag
        elif self._where and tag == "tr":
            self._row = []
        elif self._where and tag in ("th", "td"):
            self._in_cell = True
            self._row.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._in_table:
            self._in_table, self._done, self._where = False, True, ""
        elif self._where and tag in ("th", "td"):
            self._in_cell = False
        elif self._where and tag == "tr":
            row = tuple(" ".join(cell.split()) for cell in self._row)
            (self.rows if self._where == "tbody" else self.foot).append(row)

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self._row[-1] += data


def _table(html: str, css: str) -> _Table:
    table = _Table(css)
    table.feed(html)
    return table


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def district(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, Seeded, Path]:
    """A seeded district, and a policy file that sets every role's salary."""
    folder = tmp_path_factory.mktemp("staffing")
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'climate.db'}"
    else:
        if not PG_URL:
            pytest.skip("CLIMATE_TEST_DATABASE_URL is not set")
        asyncio.run(_reset_postgres(PG_URL))
        url = PG_URL
    db.upgrade(url)
    policy = folder / "district.toml"
    policy.write_text(COSTED, encoding="utf-8")
    settings = Settings(database_url=url, secret_key=SECRET, staffing_policy=policy)
    return settings, seed(settings), policy


@contextmanager
def _signed_in(settings: Settings, role: str = "district_admin") -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, role)
        yield client


@pytest.fixture(scope="module")
def admin(district: tuple[Settings, Seeded, Path]) -> Iterator[TestClient[Litestar]]:
    """The district admin, signed in under the district's costed policy."""
    with _signed_in(district[0]) as client:
        yield client


@pytest.fixture
def command_env(district: tuple[Settings, Seeded, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """``climate`` run from the shell on the same database and policy."""
    monkeypatch.setenv("CLIMATE_DATABASE_URL", district[0].database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    monkeypatch.setenv("CLIMATE_STAFFING_POLICY", str(district[2]))


def _csv(client: TestClient[Litestar], year: int) -> tuple[bytes, list[dict[str, str]]]:
    response = client.get(f"/staff/reports/staffing/download?year={year}&format=csv")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    return response.content, list(csv.DictReader(io.StringIO(response.text)))


def _xlsx(client: TestClient[Litestar], year: int) -> list[dict[str, object]]:
    response = client.get(f"/staff/reports/staffing/download?year={year}&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["plan"].iter_rows(values_only=True))
    book.close()
    assert rows[0] == PLAN_COLUMNS
    return [dict(zip(PLAN_COLUMNS, r, strict=True)) for r in rows[1:]]


def _shown(rows: list[dict[str, str]], n: Numbers) -> list[Row]:
    """The file's rows as the page words them, in the file's order."""

    def amount(value: str, low: str, high: str, money: bool) -> str:
        show = n.money if money else n.fte
        text = show(float(value))
        return text if low == high else f"{text} ({show(float(low))} – {show(float(high))})"

    return [
        (
            r["rank"],
            r["school_name"],
            ROLES[r["role"]],
            n.fte(float(r["current_fte"])),
            amount(
                r["recommended_fte_step"],
                r["recommended_step_low"],
                r["recommended_step_high"],
                False,
            ),
            amount(r["add_fte"], r["add_fte_low"], r["add_fte_high"], False),
            amount(r["cost"], r["cost_low"], r["cost_high"], True) if r["cost"] else NO_COST,
            FLAGS[r["flag"]] + (" · ratio only" if r["basis"] == "ratio only" else ""),
        )
        for r in rows
    ]


@pytest.mark.usefixtures("command_env")
def test_page_memo_csv_and_xlsx_show_one_plan(
    admin: TestClient[Litestar], district: tuple[Settings, Seeded, Path], tmp_path: Path
) -> None:
    uncertain = 0
    for year in district[1].years:
        page = admin.get(f"/staff/reports/staffing?year={year}")
        assert page.status_code == 200
        raw, written = _csv(admin, year)
        n = Numbers(Formatter.for_language("en"), float(written[0]["fte_step"]), "USD")
        shown = _shown(written, n)
        # The page's ranked table is the CSV, row for row, in the same order.
        assert _table(page.text, "plan").rows == shown
        assert [r["rank"] for r in written] == [str(i) for i in range(1, len(written) + 1)]
        # The XLSX holds the same schools, roles, FTE, costs and order.
        book = _xlsx(admin, year)
        keys = ("school_name", "role", "add_fte", "cost", "rank")
        assert [tuple(str(r[k]) for k in keys) for r in book] == [
            tuple(r[k] for k in keys) for r in written
        ]
        # The memo's priority list is the plan's rows that add staff, in the same order.
        memo = admin.get(f"/staff/reports/staffing/memo?year={year}")
        assert memo.status_code == 200
        adding = [s for s, r in zip(shown, written, strict=True) if float(r["add_fte"]) > 0]
        assert _table(memo.text, "plan").rows == [(*s[:4], *s[5:7], _memo_flag(s)) for s in adding]
        # District totals: the page's and the memo's foot row are the CSV's sums.
        total_fte = sum(float(r["add_fte"]) for r in written)
        total_cost = sum(float(r["cost"]) for r in written)
        for html in (page.text, memo.text):
            foot = _table(html, "totals").foot[0]
            assert foot[0] == "District total"
            assert n.fte(total_fte) in foot
            assert foot[-1].startswith(n.money(total_cost))
        # The command writes the very same CSV.
        out = tmp_path / str(year)
        assert main(["staffing", "plan", "--year", str(year), "--out", str(out)]) == 0
        assert (out / f"staffing_plan_{year}.csv").read_bytes() == raw
        # Rows whose survey interval moves the unrounded FTE but not the step: the page shows
        # them without a range (the old "1.3 (1.3 – 1.3)").
        uncertain += sum(
            r["recommended_low"] != r["recommended_high"]
            and r["recommended_step_low"] == r["recommended_step_high"]
            for r in written
        )
        # No degenerate range and no negative zero anywhere on the page.
        assert "-0.0" not in page.text
        assert "−0.0" not in page.text
        for row in shown:
            for cell in row[4:7]:
                if "(" in cell:
                    low, high = cell.split("(")[1].rstrip(")").split(" – ")
                    assert low != high, row
    # Costs were compared, not "set your salary" placeholders.
    assert SET_SALARY not in admin.get("/staff/reports/staffing").text
    assert uncertain, "no survey interval reached the plan"


def _memo_flag(row: Row) -> str:
    """The memo's priority column: the flag without the page's "ratio only" note."""
    return row[-1].removesuffix(" · ratio only")


def test_school_staff_are_refused(district: tuple[Settings, Seeded, Path]) -> None:
    with _signed_in(district[0], "school_staff") as client:
        for path in ("", "/memo", "/download?format=csv", "/download?format=xlsx"):
            response = client.get(f"/staff/reports/staffing{path}")
            assert response.status_code == 403, path
            assert "Counselor" not in response.text


def test_without_salaries_the_page_says_to_set_them(
    district: tuple[Settings, Seeded, Path],
) -> None:
    settings = Settings(database_url=district[0].database_url, secret_key=SECRET)
    with _signed_in(settings) as client:
        page = client.get("/staff/reports/staffing")
        assert page.status_code == 200
        assert SET_SALARY in page.text
        assert _table(page.text, "plan").rows[0][6] == NO_COST
        _raw, written = _csv(client, district[1].planted_year)
        assert {r["cost"] for r in written} == {""}
        assert {r["cost_per_fte"] for r in written} == {""}


def test_a_tenth_step_plans_in_tenths(
    district: tuple[Settings, Seeded, Path], tmp_path: Path
) -> None:
    policy = tmp_path / "tenths.toml"
    policy.write_text(COSTED + "[plan.fte_step]\nvalue = 0.1\n", encoding="utf-8")
    settings = Settings(
        database_url=district[0].database_url, secret_key=SECRET, staffing_policy=policy
    )
    with _signed_in(settings) as client:
        _raw, written = _csv(client, district[1].planted_year)
    assert {r["fte_step"] for r in written} == {"0.1"}
    for r in written:
        tenths = float(r["add_fte"]) * 10
        assert abs(tenths - round(tenths)) < 1e-6, r["add_fte"]
    # Some school adds a number of posts that half steps could not express.
    assert any(round(float(r["add_fte"]) * 10) % 5 for r in written)


def test_a_policy_file_broken_after_start_is_named_not_a_500(
    district: tuple[Settings, Seeded, Path], tmp_path: Path
) -> None:
    policy = tmp_path / "district.toml"
    policy.write_text(COSTED, encoding="utf-8")
    settings = Settings(
        database_url=district[0].database_url, secret_key=SECRET, staffing_policy=policy
    )
    with _signed_in(settings) as client:
        policy.write_text("[plan.fte_step]\nvalue = 0.3\n", encoding="utf-8")
        for path in ("", "/memo", "/download?format=csv"):
            response = client.get(f"/staff/reports/staffing{path}")
            assert response.status_code == 503, path
            assert f"{policy}: plan.fte_step.value" in response.text


def test_plan_for_a_year_without_rosters_is_none(district: tuple[Settings, Seeded, Path]) -> None:
    settings = district[0]

    async def planned() -> object:
        engine = db.create_engine(settings.database_url)
        try:
            return await plan_for(engine, settings, 1999)
        finally:
            await engine.dispose()

    assert asyncio.run(planned()) is None


@pytest.mark.usefixtures("command_env")
def test_policy_option_is_a_what_if_over_the_district_policy(
    district: tuple[Settings, Seeded, Path], tmp_path: Path
) -> None:
    year = district[1].planted_year
    what_if = tmp_path / "what-if.toml"
    what_if.write_text("[roles.counselor.ratio]\nvalue = 400\n", encoding="utf-8")
    out = tmp_path / "out"
    base = ["staffing", "plan", "--year", str(year), "--out", str(out)]
    assert main([*base, "--policy", str(what_if)]) == 0
    with (out / f"staffing_plan_{year}.csv").open(encoding="utf-8", newline="") as handle:
        counselors = [r for r in csv.DictReader(handle) if r["role"] == "counselor"]
    assert {r["standard_ratio"] for r in counselors} == {"400.0"}
    # The what-if replaces the district's file: no salary set there, so no cost.
    assert {r["cost"] for r in counselors} == {""}


def test_views_and_downloads_are_in_the_audit_log(
    admin: TestClient[Litestar], district: tuple[Settings, Seeded, Path]
) -> None:
    year = district[1].planted_year
    for path in ("", "/memo", "/download?format=xlsx"):
        joiner = "&" if "?" in path else "?"
        assert admin.get(f"/staff/reports/staffing{path}{joiner}year={year}").status_code == 200

    async def recorded() -> list[tuple[str, str]]:
        engine = db.create_engine(district[0].database_url)
        try:
            async with engine.connect() as conn:
                return [(e.action, e.target) for e in await events(conn, limit=3)]
        finally:
            await engine.dispose()

    assert asyncio.run(recorded()) == [
        (EXPORTED, f"staffing plan.xlsx {year}"),
        (VIEWED_REPORT, f"staffing board memo {year}"),
        (VIEWED_REPORT, f"staffing plan {year}"),
    ]
