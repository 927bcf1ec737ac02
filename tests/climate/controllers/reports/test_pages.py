"""The report pages over a seeded district: scoping, audit, hidden values, the planted group."""

from __future__ import annotations

import asyncio
import base64
import re

from litestar import Litestar
from litestar.testing import TestClient

from climate import db
from climate.security import audit
from climate.settings import Settings
from tests.climate.controllers.reports.district import Seeded

VALUE = re.compile(r'<bdi class="value" dir="ltr">([^<]*)</bdi>')
# A published value as the page writes it: a number, a coded bound, the hidden mark, a dash.
SHOWN = re.compile(r"^(\*|–|[≤≥]?[0-9][0-9.,]*\s?%?)$")
Clients = dict[str, TestClient[Litestar]]
DATA_URI = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')


def _row(html: str, label: str) -> list[str]:
    """The cells of every table row headed ``label``."""
    rows = re.findall(rf'<tr><th scope="row">{re.escape(label)}</th>(.*?)</tr>', html, re.S)
    return [cell for row in rows for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_counselor_sees_own_school_only(as_role: Clients, seeded: Seeded) -> None:
    counselor = as_role["school_staff"]
    assert counselor.get(f"/staff/reports/schools/{seeded.mine}").status_code == 200
    assert counselor.get(f"/staff/reports/schools/{seeded.other}").status_code == 403
    assert counselor.get("/staff/reports/schools/NO-SUCH").status_code == 403
    assert counselor.get("/staff/reports/district").status_code == 403


def test_district_roles_see_every_school(as_role: Clients, seeded: Seeded) -> None:
    for role in ("district_admin", "district_viewer"):
        for school in (seeded.mine, seeded.other):
            assert as_role[role].get(f"/staff/reports/schools/{school}").status_code == 200
        assert as_role[role].get("/staff/reports/district").status_code == 200
    assert as_role["district_viewer"].get("/staff/reports/district?year=1999").status_code == 404


def test_views_are_audited(as_role: Clients, seeded: Seeded, reports_settings: Settings) -> None:
    as_role["school_staff"].get(f"/staff/reports/schools/{seeded.mine}")
    as_role["district_viewer"].get("/staff/reports/district")

    async def viewed() -> list[audit.Event]:
        engine = db.create_engine(reports_settings.database_url)
        try:
            async with engine.connect() as conn:
                return await audit.events(conn, action=audit.VIEWED_REPORT, limit=2)
        finally:
            await engine.dispose()

    newest, before = asyncio.run(viewed())
    assert newest.actor == "viewer@district.example"
    assert newest.school_id is None
    assert before.actor == "counselor@district.example"
    assert before.school_id == seeded.mine
    assert before.detail["release"].startswith(f"elementary-{seeded.years[-1]}-")


def test_values_are_published_forms_and_hidden_ones_are_stars(
    as_role: Clients, seeded: Seeded
) -> None:
    html = as_role["district_admin"].get(f"/staff/reports/schools/{seeded.mine}").text
    values = VALUE.findall(html)
    assert values
    assert {v for v in values if not SHOWN.match(v)} == set()
    assert "*" in values
    # One short explanation for every hidden value, never a reason per cell.
    assert html.count('id="hidden-note"') == 1
    assert "fewer than" not in html.lower()


def test_planted_group_of_three_appears_nowhere(as_role: Clients, seeded: Seeded) -> None:
    html = as_role["district_admin"].get(f"/staff/reports/schools/{seeded.mine}").text
    label = "Another way"  # the planted gender's label in the elementary instrument
    cells = _row(html, label)
    # Its row in the gender table and in the gap chart's table: hidden marks only.
    assert cells, "the planted group's row is missing"
    for cell in cells:
        shown = re.sub(r"<[^>]+>", "", cell).strip()
        assert shown in ("*", ""), cell
    captions = re.findall(r'<p id="[^"]*-text" class="chart-text">(.*?)</p>', html, re.S)
    gender = [c for c in captions if f"{label}:" in c]
    assert gender
    assert all(f"{label}: hidden (*)" in c for c in gender)
    # No chart image holds a value for it either: the SVG text says hidden, never a number.
    for encoded in DATA_URI.findall(html):
        svg = base64.b64decode(encoded).decode()
        for text in re.findall(rf"{label}[^<]*", svg):
            assert not re.search(r"[0-9]", text), text


def test_charts_are_images_with_words_and_tables(as_role: Clients, seeded: Seeded) -> None:
    for path in (f"/staff/reports/schools/{seeded.mine}", "/staff/reports/district"):
        response = as_role["district_admin"].get(path)
        html = response.text
        images = DATA_URI.findall(html)
        assert images
        for encoded in images:
            svg = base64.b64decode(encoded).decode()
            assert svg.startswith("<svg")
            assert "<title id=" in svg
            assert "<desc id=" in svg
        assert html.count("<figcaption") == len(images)
        assert html.count("Values in the chart") == len(images)
        # The CSP forbids inline style: nothing on the page carries a style attribute.
        assert " style=" not in DATA_URI.sub("", html)
        assert "style-src 'self'" in response.headers["content-security-policy"]


def test_pages_speak_the_language_asked(as_role: Clients, seeded: Seeded) -> None:
    html = as_role["district_admin"].get(f"/staff/reports/schools/{seeded.mine}?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in html
    spanish = as_role["district_admin"].get(f"/staff/reports/schools/{seeded.mine}?lang=es").text
    # Babel writes a Spanish percentage with a space before the sign.
    assert re.search(r'<bdi class="value" dir="ltr">[0-9]+\s%</bdi>', spanish)


def test_dashboard_sorts_by_links_with_hidden_last(as_role: Clients, seeded: Seeded) -> None:
    client = as_role["district_admin"]
    html = client.get("/staff/reports/district?sort=band&order=desc").text
    assert 'aria-sort="descending"' in html
    assert "/staff/reports/district?year=" in html
    assert "sort=band&amp;order=asc" in html
    names = re.findall(r'<a href="/staff/reports/schools/(\w+)\?', html)
    assert set(names) >= {seeded.mine, seeded.other}
    for fmt in ("csv", "xlsx", "json"):
        assert f"format={fmt}" in html


def test_the_school_report_labels_honestly(as_role: Clients, seeded: Seeded) -> None:
    html = as_role["district_admin"].get(f"/staff/reports/schools/{seeded.mine}").text
    newest = seeded.years[-1]
    # School years as administrations name them; never the bare year as "School year 2026".
    assert f"School year {newest - 1}-{newest % 100:02d}" in html
    assert f"School year {newest}<" not in html
    # The elementary instrument asks "bully_told" only of students bullied (its skip rule).
    assert "Of students who answered “Once or twice” or “Lots of times” to “" in html
    # District-wide declines are not a school's fact; the release id lives in the methods.
    assert "declined" not in html
    summary = html.split('class="summary"', 1)[1].split("</section>", 1)[0]
    assert f"elementary-{newest}-" not in summary
    assert f"elementary-{newest}-" in html.split('id="methods"', 1)[1]
