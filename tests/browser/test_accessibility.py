"""axe-core finds no WCAG 2.0/2.1 A or AA violation on any student page in any shipped language."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import CODE, LOCALES, Server

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async tags => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


def violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """What axe-core reports on the page as it is now."""
    page.add_script_tag(content=axe_source)
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, TAGS)
    return found


@pytest.mark.parametrize("lang", LOCALES)
def test_student_pages_have_no_violations(
    audited: Page, server: Server, axe_source: str, lang: str
) -> None:
    page = audited
    report: dict[str, list[dict[str, Any]]] = {}

    def audit(name: str, path: str, status: int = 200) -> None:
        response = page.goto(server.url(path))
        assert response is not None
        assert response.status == status, path
        assert page.get_attribute("html", "lang") == lang.replace("_", "-")
        report[name] = violations(page, axe_source)

    audit("landing", f"/?lang={lang}")
    audit("notice", f"/s/{CODE}?lang={lang}")
    audit("survey", f"/survey?lang={lang}")
    # Every section at once, so every question and answer is checked, not only the first page.
    page.eval_on_selector_all(
        "[data-section]", "els => els.forEach(e => e.removeAttribute('data-hidden'))"
    )
    report["survey, all sections"] = violations(page, axe_source)
    audit("thank-you", f"/survey/thanks?lang={lang}")
    audit("unknown code", f"/s/ACDEF-ACDEF?lang={lang}", status=404)
    page.goto(server.url(f"/s/{CODE}?lang={lang}"))
    with page.expect_navigation():
        page.click("#decline")
    assert page.is_visible("#declined")
    report["declined"] = violations(page, axe_source)

    found = {name: issues for name, issues in report.items() if issues}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
