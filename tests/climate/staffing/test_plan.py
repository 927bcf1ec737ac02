"""One plan: the district dashboard shows what ``climate staffing plan`` writes.

The seeded district's protected release codes its small distress shares (``<=2``, ``<=10``),
so the page and the files agree only if both read a coded value as its interval.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from climate import db
from climate.app import create_app
from climate.cli import main
from climate.reports.formatting import Formatter
from climate.settings import Settings
from climate.staffing import plan_for
from tests.climate.controllers.reports.district import Seeded, seed
from tests.climate.security.conftest import BASE, sign_in
from tests.conftest import SECRET

Row = tuple[str, ...]
# The dashboard's English labels (climate/reports/staffing.py).
ROLES = {"counselor": "Counselor", "psychologist": "Psychologist", "social_worker": "Social worker"}
FLAGS = {
    "meets": "Meets the standard",
    "below standard": "Below the standard",
    "priority": "Priority",
}
# A what-if or district policy that changes every counselor number.
COUNSELOR_RATIO_100 = "[roles.counselor.ratio]\nvalue = 100\n"


class _PlanTable(HTMLParser):
    """The text of each body row of the dashboard's staffing plan table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self._in_table = self._in_body = self._in_cell = False
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and "plan" in classes:
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self._row = []
        elif self._in_body and tag in ("th", "td"):
            self._in_cell = True
            self._row.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = self._in_body = False
        elif self._in_body and tag in ("th", "td"):
            self._in_cell = False
        elif self._in_body and tag == "tr":
            self.rows.append(tuple(cell.strip() for cell in self._row))

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self._row[-1] += data


def _page_rows(client: TestClient[Litestar], year: int) -> list[Row]:
    response = client.get(f"/staff/reports/district?year={year}")
    assert response.status_code == 200
    table = _PlanTable()
    table.feed(response.text)
    return table.rows


def _written(out: Path, year: int) -> list[dict[str, str]]:
    with (out / f"staffing_plan_{year}.csv").open(encoding="utf-8", newline="") as handle:
        return sorted(csv.DictReader(handle), key=lambda r: int(r["rank"]))


def _shown(rows: list[dict[str, str]]) -> list[Row]:
    """The file's rows as the dashboard formats them, in the file's rank order."""
    fmt = Formatter.for_language("en")

    def fte(text: str) -> str:
        return fmt.fte(float(text))

    return [
        (
            r["school_name"],
            ROLES[r["role"]],
            fte(r["current_fte"]),
            f"{fte(r['recommended_fte'])} ({fte(r['recommended_low'])} – "
            f"{fte(r['recommended_high'])})",
            fte(r["gap"]),
            FLAGS[r["flag"]],
        )
        for r in rows
    ]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Seeded]:
    """A seeded district on a migrated SQLite file of this module."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('staffing') / 'climate.db'}"
    db.upgrade(url)
    settings = Settings(database_url=url, secret_key=SECRET)
    return settings, seed(settings)


@contextmanager
def _signed_in_admin(settings: Settings) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, "district_admin")
        yield client


@pytest.fixture(scope="module")
def admin(district: tuple[Settings, Seeded]) -> Iterator[TestClient[Litestar]]:
    """The district admin, signed in on the default policy."""
    with _signed_in_admin(district[0]) as client:
        yield client


@pytest.fixture
def command_env(district: tuple[Settings, Seeded], monkeypatch: pytest.MonkeyPatch) -> None:
    """``climate`` run from the shell on the same database."""
    monkeypatch.setenv("CLIMATE_DATABASE_URL", district[0].database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    monkeypatch.delenv("CLIMATE_STAFFING_POLICY", raising=False)


@pytest.mark.usefixtures("command_env")
def test_dashboard_shows_the_plan_the_command_writes(
    admin: TestClient[Litestar],
    district: tuple[Settings, Seeded],
    tmp_path: Path,
) -> None:
    coded = 0
    for year in district[1].years:
        out = tmp_path / str(year)
        out.mkdir()
        assert main(["staffing", "plan", "--year", str(year), "--out", str(out)]) == 0
        written = _written(out, year)
        assert _page_rows(admin, year) == _shown(written)
        # "<=N" is the interval [0, N %]: its lower limit is 0 and the school is planned
        # on need.
        coded += sum(r["basis"] == "ratio and need" and float(r["need_low"]) == 0 for r in written)
    # The comparison means something only if coded need reached a plan.
    assert coded, "no coded need value reached the plan"


@pytest.mark.usefixtures("command_env")
def test_the_district_policy_setting_holds_for_page_and_file(
    district: tuple[Settings, Seeded], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, seeded = district
    policy = tmp_path / "district.toml"
    policy.write_text(COUNSELOR_RATIO_100, encoding="utf-8")
    monkeypatch.setenv("CLIMATE_STAFFING_POLICY", str(policy))
    out = tmp_path / "out"
    assert main(["staffing", "plan", "--year", str(seeded.planted_year), "--out", str(out)]) == 0
    written = _written(out, seeded.planted_year)
    counselors = [r for r in written if r["role"] == "counselor"]
    assert {r["standard_ratio"] for r in counselors} == {"100.0"}
    with_policy = Settings(
        database_url=settings.database_url, secret_key=SECRET, staffing_policy=policy
    )
    with _signed_in_admin(with_policy) as client:
        assert _page_rows(client, seeded.planted_year) == _shown(written)


@pytest.mark.usefixtures("command_env")
def test_policy_option_is_a_what_if_over_the_district_policy(
    district: tuple[Settings, Seeded], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    year = district[1].planted_year
    district_file, what_if = tmp_path / "district.toml", tmp_path / "what-if.toml"
    district_file.write_text(COUNSELOR_RATIO_100, encoding="utf-8")
    what_if.write_text("[roles.counselor.ratio]\nvalue = 400\n", encoding="utf-8")
    monkeypatch.setenv("CLIMATE_STAFFING_POLICY", str(district_file))
    out = tmp_path / "out"
    base = ["staffing", "plan", "--year", str(year), "--out", str(out)]
    assert main([*base, "--policy", str(what_if)]) == 0
    counselors = [r for r in _written(out, year) if r["role"] == "counselor"]
    assert {r["standard_ratio"] for r in counselors} == {"400.0"}


def test_plan_for_a_year_without_rosters_is_none(district: tuple[Settings, Seeded]) -> None:
    settings = district[0]

    async def planned() -> object:
        engine = db.create_engine(settings.database_url)
        try:
            return await plan_for(engine, settings, 1999)
        finally:
            await engine.dispose()

    assert asyncio.run(planned()) is None
