"""The "What to do next" panel's text: the district's file, its errors, and the default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from climate.reports.next_steps import (
    NextStepsError,
    default_next_steps,
    district_next_steps,
    next_steps_for,
    parse,
)

DISTRICT = """\
[en]
intro = "Bring results to your support team meeting."
tiers = [
  { name = "Tier 1", text = "Advisory lessons on belonging, every grade." },
  { name = "Tier 2", text = "Check-in/check-out with a trusted adult." },
]
contacts = [{ name = "Student services", detail = "555-0100, weekdays 8-4" }]
links = [{ title = "Referral form", url = "https://district.example/refer" }]

[es]
intro = "Lleve los resultados a la reunión de su equipo de apoyo."
"""


def _identity(text: str) -> str:
    return text


def test_the_district_text_is_read_by_language() -> None:
    found = parse(DISTRICT, "next.toml")
    assert set(found) == {"en", "es"}
    english = found["en"]
    assert english.from_district
    assert [t.name for t in english.tiers] == ["Tier 1", "Tier 2"]
    assert english.contacts[0].text == "555-0100, weekdays 8-4"
    assert english.links[0].url == "https://district.example/refer"
    assert found["es"].tiers == ()


def test_a_reader_gets_their_language_else_the_districts_first(tmp_path: Path) -> None:
    path = tmp_path / "next.toml"
    path.write_text(DISTRICT, encoding="utf-8")
    assert next_steps_for(path, "es", _identity).intro.startswith("Lleve")
    # No Arabic table: the district's own contacts, in the language they were written in.
    arabic = next_steps_for(path, "ar", _identity)
    assert arabic.lang == "en"
    assert arabic.contacts[0].name == "Student services"


def test_without_a_file_the_shipped_text_is_translated() -> None:
    shipped = next_steps_for(None, "es", lambda text: f"«{text}»")
    assert not shipped.from_district
    assert shipped.lang == "es"
    assert shipped.intro.startswith("«")
    assert all(t.name.startswith("«") for t in shipped.tiers)
    assert len(shipped.tiers) == 3


def test_the_shipped_text_gives_no_clinical_advice() -> None:
    shipped = default_next_steps(_identity, "en")
    words = " ".join([shipped.intro, *(f"{t.name} {t.text}" for t in shipped.tiers)]).lower()
    for advice in ("diagnos", "medication", "therapy", "treat", "prescri", "screen"):
        assert advice not in words, advice


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[en]\ntiers = [{ name = "A", text = 3 }]',
            "next.toml: Expected `str`, got `int` at en.tiers[1].text",
        ),
        (
            '[en]\ntiers = [{ name = "A", text = "x" }, { name = "B" }]',
            "missing required field `text` at en.tiers[2]",
        ),
        ("[en\nintro = 'x'", "(at line 1, column 4)"),
        ('[en]\ncolour = "red"', "unknown field `colour` at en"),
        ("en = 3", "next.toml: en must be a table, such as [en]"),
        ('[es]\ncontacts = [{ name = " ", detail = "x" }]', "es.contacts[1] has an empty field"),
        (
            '[en]\nlinks = [{ title = "x", url = "javascript:alert(1)" }]',
            "en.links[1].url 'javascript:alert(1)' must be an http(s) address",
        ),
        ("", "no language table, such as [en], was found"),
    ],
)
def test_a_bad_file_is_named_with_its_field(text: str, message: str) -> None:
    with pytest.raises(NextStepsError) as raised:
        parse(text, "next.toml")
    assert message in str(raised.value)


def test_an_edit_shows_and_a_broken_edit_keeps_the_last_good_text(tmp_path: Path) -> None:
    path = tmp_path / "next.toml"
    path.write_text('[en]\nintro = "First."\n', encoding="utf-8")
    assert district_next_steps(path)["en"].intro == "First."
    path.write_text('[en]\nintro = "Second."\n', encoding="utf-8")
    os.utime(path, (1, 1))  # a new modification time, however fast the edit
    assert district_next_steps(path)["en"].intro == "Second."
    path.write_text('[en]\nintro = "Third.\n', encoding="utf-8")
    os.utime(path, (2, 2))
    assert district_next_steps(path)["en"].intro == "Second."
