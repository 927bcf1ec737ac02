"""In a 9-12 school the grade question offers only its grades that the administration surveys."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import Server, open_survey, serve
from tests.browser.student import section_count, visible_section

pytestmark = pytest.mark.browser

# The test school becomes a 9-12 high school, in an administration of grades 6-11.
SCHOOL = (9, 12)
ADMINISTRATION = list(range(6, 12))
OFFERED = [9, 10, 11, 99]


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's own server: its administration's grades are set before it opens."""
    yield from serve(tmp_path_factory.mktemp("server"), grades=ADMINISTRATION)


@pytest.fixture(scope="module")
def high_school(server: Server) -> Server:
    """The module's server, its school narrowed to 9-12 before any code is looked up."""
    with sqlite3.connect(server.database) as conn:
        conn.execute("UPDATE school SET grade_low = ?, grade_high = ?", SCHOOL)
    return server


def offered(page: Page) -> list[int]:
    """The values of the grade radios on the page, in order."""
    radios = page.query_selector_all('input[name="demographics.grade"]')
    return [int(radio.get_attribute("value") or "") for radio in radios]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_grade_radios_are_the_school_and_administration_grades(
    page: Page, high_school: Server, lang: str
) -> None:
    open_survey(page, high_school, lang)
    assert offered(page) == OFFERED
    labels = page.locator("#q-grade label").all_inner_texts()
    assert len(labels) == len(OFFERED)
    if lang == "en":
        assert [label.strip() for label in labels[:3]] == ["9th grade", "10th grade", "11th grade"]


def test_an_offered_grade_is_stored(
    page: Page, high_school: Server, new_rows: Callable[[], list[dict[str, Any]]]
) -> None:
    open_survey(page, high_school, "en")
    page.check("#a-conn_belong-3")
    for section in range(1, section_count(page)):
        assert visible_section(page) == section
        page.click(f'[data-section="{section}"] [data-next]')
    page.check("#d-grade-11")
    page.click("#submit")
    page.wait_for_url("**/survey/thanks*")
    (row,) = new_rows()
    assert (row["grade"], row[high_school.layout.items["conn_belong"]]) == (11, 3)
