"""The Babel extractor for instrument files."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract, extract_from_dir

from climate.instruments import SHIPPED_DIRECTORY, Instrument, load_instrument
from climate.instruments.extract import extract_instrument
from tests.climate.instruments.broken import VALID

METHOD = "climate.instruments.extract:extract_instrument"


def _visible_strings(instrument: Instrument) -> list[str]:
    """Every string a student or reader sees, gathered from the decoded model."""
    out = [instrument.title, instrument.description]
    out += [o.label for r in instrument.response_sets.values() for o in r.options]
    out += [item.text for item in instrument.items]
    out += [section.title for section in instrument.sections]
    out += [scale.title for scale in instrument.scales]
    for demographic in instrument.demographics:
        out += [demographic.text, *(option.label for option in demographic.options)]
        out += [group.label for group in demographic.combined]
    return out


def _extract(path: Path, tags: tuple[str, ...] = ()) -> list[tuple[int, None, str, list[str]]]:
    with path.open("rb") as fileobj:
        return list(extract_instrument(fileobj, [], tags, {}))


def test_every_visible_string_is_extracted_in_file_order() -> None:
    for path in [VALID, *sorted(SHIPPED_DIRECTORY.glob("*.toml"))]:
        messages = [message for _, _, message, _ in _extract(path)]
        assert messages == _visible_strings(load_instrument(path).instrument)


def test_line_numbers_point_at_the_string() -> None:
    for path in [VALID, *sorted(SHIPPED_DIRECTORY.glob("*.toml"))]:
        rows = path.read_text("utf-8").splitlines()
        for line, funcname, message, _ in _extract(path):
            assert funcname is None
            # A multi-line string starts on its key's line with its first words.
            assert message.split()[0] in rows[line - 1], (path, line, message)


def test_exact_results_for_a_small_file() -> None:
    source = b"""id = "mini"
title = "Mini"

[response_sets.yn]
options = [
  { value = 0, label = "No" },
  # TRANSLATORS: an answer, not a command
  { value = 1, label = "Yes" },
]

[[items]]
id = "a"
text = "Are you well?"
"""
    result = list(extract_instrument(io.BytesIO(source), [], ["TRANSLATORS:"], {}))
    assert result == [
        (2, None, "Mini", ["mini: title"]),
        (6, None, "No", ["mini: response_sets.yn.options[0].label"]),
        (
            8,
            None,
            "Yes",
            ["mini: response_sets.yn.options[1].label", "TRANSLATORS: an answer, not a command"],
        ),
        (13, None, "Are you well?", ["mini: items[0].text"]),
    ]


def test_broken_shapes_are_skipped_not_fatal() -> None:
    source = b'title = 3\nitems = "x"\n[[demographics]]\ntext = "Grade?"\noptions = [1, 2]\n'
    result = list(extract_instrument(io.BytesIO(source), [], [], {}))
    assert result == [(4, None, "Grade?", ["instrument: demographics[0].text"])]


def test_babel_runs_the_extractor_by_its_dotted_name() -> None:
    secondary = SHIPPED_DIRECTORY / "secondary.toml"
    with secondary.open("rb") as fileobj:
        found = list(
            extract(METHOD, fileobj, comment_tags=("TRANSLATORS:",), strip_comment_tags=True)
        )
    comments = {message: notes for _line, message, notes, _context in found}
    items = load_instrument(secondary).instrument.items
    index, hurt = next((n, item) for n, item in enumerate(items) if item.id == "sh_hurt")
    # Babel strips the tag and keeps the translator note beside the field path.
    assert comments[hurt.text] == [
        f"secondary: items[{index}].text",
        "keep the wording calm and plain; avoid words that sound clinical or alarming.",
    ]


def test_babel_walks_the_surveys_directory() -> None:
    found = list(extract_from_dir(str(SHIPPED_DIRECTORY), method_map=[("*.toml", METHOD)]))
    files = {filename for filename, *_ in found}
    assert files == {"elementary.toml", "secondary.toml"}
    assert len(found) == sum(
        len(_visible_strings(load_instrument(SHIPPED_DIRECTORY / f).instrument)) for f in files
    )
