"""One renderer and one locale choice for student pages, staff pages and JSON errors."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from climate.app import create_app
from climate.errors import UnknownCode
from climate.i18n import Catalogs
from climate.pages import STATIC_VERSION, Pages, static_url
from climate.settings import CrisisContact, Settings
from tests.climate.districts import CLASS, make_district

Client = TestClient[Litestar]
# The seeded administration offers these; the district accepts more (vi among them).
SURVEY_LOCALES = ("en", "es", "ar")
PAGES = ["/", "/staff/sign-in", "/survey/start"]


@pytest.fixture
def web(settings: Settings) -> Iterator[Client]:
    """The real app on a seeded district."""
    make_district(settings)
    with TestClient(create_app(settings)) as client:
        yield client


def _lang(client: Client, path: str, headers: dict[str, str]) -> str:
    # Each request stands alone: no cookie carried over from an earlier answer.
    client.cookies.clear()
    # The code a student entered, as the start page leaves it for the survey's pages.
    sent = "; ".join(c for c in (headers.get("cookie"), f"climate_code={CLASS}") if c)
    page = client.get(path, headers={**headers, "cookie": sent})
    assert page.status_code == 200, page.text
    found = re.search(r'<html lang="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_explicit_choice_beats_cookie_beats_header_beats_default(web: Client, path: str) -> None:
    everything = {"cookie": "lang=ar", "accept-language": "es"}
    assert _lang(web, f"{path}?lang=es", everything) == "es"
    assert _lang(web, path, everything) == "ar"
    assert _lang(web, path, {"accept-language": "ar-EG,ar;q=0.9"}) == "ar"
    assert _lang(web, path, {}) == "en"


@pytest.mark.parametrize("path", PAGES)
def test_a_page_offers_only_its_own_languages(web: Client, path: str) -> None:
    # Vietnamese is accepted by the district but not offered by this survey.
    expected = "en" if path.startswith("/survey") else "vi"
    assert _lang(web, f"{path}?lang=vi", {}) == expected
    assert _lang(web, path, {"cookie": "lang=vi"}) == expected


def test_only_student_pages_remember_a_chosen_language(web: Client) -> None:
    web.cookies.clear()
    assert web.get("/?lang=es").cookies.get("lang") == "es"
    web.cookies.clear()
    assert web.get("/staff/sign-in?lang=es").cookies.get("lang") is None


@pytest.mark.parametrize(
    "headers", [{"cookie": "lang=es"}, {"accept-language": "es-MX"}], ids=["cookie", "header"]
)
def test_json_errors_speak_the_chosen_language(web: Client, headers: dict[str, str]) -> None:
    spanish = Catalogs().gettext("es", UnknownCode.message)
    assert spanish != UnknownCode.message
    web.cookies.clear()
    answer = web.get("/api/v1/surveys/XXXXXXXXXX", headers=headers)
    assert answer.status_code == 404
    assert answer.json() == {"error": "unknown_code", "message": spanish}


def test_context_holds_what_every_template_needs() -> None:
    settings = Settings(
        mode="demo",
        district_name="Riverside Unified",
        crisis_contacts=(CrisisContact("Counseling office", "555-0100"),),
    )
    context = Pages(settings, Catalogs()).context("ar", SURVEY_LOCALES, extra=1)
    assert (context["lang"], context["html_lang"], context["dir"]) == ("ar", "ar", "rtl")
    assert context["languages"] == [("en", "English"), ("es", "Español"), ("ar", "العربية")]
    assert context["district_name"] == "Riverside Unified"
    assert context["crisis_contacts"] == settings.crisis_contacts
    assert context["static_url"] is static_url
    assert context["extra"] == 1
    # Arabic interface text, not the English source.
    assert context["gettext"]("Staff") == Catalogs().gettext("ar", "Staff") != "Staff"


def test_static_urls_carry_the_content_version(web: Client) -> None:
    assert re.fullmatch(r"[0-9a-f]{12}", STATIC_VERSION)
    url = static_url("survey.css")
    assert url == f"/static/survey.css?v={STATIC_VERSION}"
    assert url in web.get("/").text
    assert web.get(url).status_code == 200
