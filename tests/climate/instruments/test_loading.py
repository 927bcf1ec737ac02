"""Instrument files: decoding, semantic validation, located problems, loading, ranges."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from climate.instruments import (
    SHIPPED_DIRECTORY,
    InstrumentError,
    LoadedInstrument,
    Problem,
    check_files,
    item_range,
    load_directory,
    load_instrument,
    parse_instrument,
    scale_range,
)
from climate.instruments.positions import find_line, value_lines
from tests.climate.instruments.broken import BROKEN, VALID, Broken, BrokenFile


def test_every_case_has_its_own_file_name() -> None:
    names = [case.name for case in BROKEN]
    assert len(set(names)) == len(names)


def test_an_edit_that_no_longer_matches_is_refused() -> None:
    stale = Broken("stale", (('version = "9.9"', 'version = "v9"'),), "{file}: never printed")
    with pytest.raises(ValueError, match="occurs 0 times, not once"):
        stale.text()


def test_valid_fixture_has_no_problems() -> None:
    assert check_files([VALID]) == []


def test_each_mistake_is_reported_at_its_field_and_line(broken: BrokenFile) -> None:
    problems = check_files([broken.path])
    assert [str(problem) for problem in problems] == [broken.expected]


def test_parse_raises_with_the_same_problems(broken: BrokenFile) -> None:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(broken.path.read_bytes(), file=str(broken.path))
    assert caught.value.problems == check_files([broken.path])
    assert str(caught.value) == broken.expected


def test_structural_mistakes_are_all_reported_at_once() -> None:
    text = VALID.read_text("utf-8")
    text = text.replace('response_set = "agree"\n', 'response_set = "agree"\nweight = 1\n', 2)
    text = text.replace('version = "1.0"', "version = 1")
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text.encode())
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("version", "expected str, got int"),
        ("items[0].weight", "unknown field"),
        ("items[1].weight", "unknown field"),
    ]


def test_unknown_top_level_field() -> None:
    text = 'colour = "blue"\n' + VALID.read_text("utf-8")
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text.encode())
    assert caught.value.problems == [Problem("<string>", "colour", "unknown field", 1)]


def test_not_utf8_and_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(b'id = "\xff"\n', file="bad.toml")
    assert caught.value.problems[0].message.startswith("not UTF-8 text")
    assert check_files([tmp_path / "absent.toml"])[0].message.startswith("cannot read:")


def test_problem_formats_as_file_line_path_message() -> None:
    assert str(Problem("a.toml", "items[3].text", "must not be empty", 12)) == (
        "a.toml:12: items[3].text: must not be empty"
    )
    assert str(Problem("a.toml", "licence", "required field is missing")) == (
        "a.toml: licence: required field is missing"
    )


def test_load_instrument_hashes_the_file_bytes() -> None:
    loaded = load_instrument(VALID)
    assert isinstance(loaded, LoadedInstrument)
    assert loaded.path == str(VALID)
    assert loaded.content_hash == hashlib.sha256(VALID.read_bytes()).hexdigest()
    assert loaded.instrument.id == "tiny"


def test_load_directory_keys_by_id_and_rejects_a_shared_id(tmp_path: Path) -> None:
    shutil.copy(VALID, tmp_path / "a.toml")
    assert list(load_directory(tmp_path)) == ["tiny"]
    shutil.copy(VALID, tmp_path / "b.toml")
    with pytest.raises(InstrumentError) as caught:
        load_directory(tmp_path)
    assert caught.value.problems == [
        Problem(
            str(tmp_path / "b.toml"),
            "id",
            f"instrument id 'tiny' is also used by {tmp_path / 'a.toml'}",
            2,
        )
    ]
    with pytest.raises(InstrumentError):
        load_directory(tmp_path / "missing")


def test_check_files_expands_directories_and_skips_repeats(broken_directory: Path) -> None:
    problems = check_files([broken_directory, broken_directory / "unknown_field.toml"])
    assert [Path(problem.file).stem for problem in problems] == sorted(c.name for c in BROKEN)


def test_item_and_scale_ranges() -> None:
    instrument = load_instrument(VALID).instrument
    assert item_range(instrument, "belong") == (1, 3)
    assert item_range(instrument, "teased") == (0, 2)
    belonging, bullying = instrument.scales
    assert scale_range(instrument, belonging) == (1.0, 3.0)  # mean of 1..3 items
    assert scale_range(instrument, bullying) == (0.0, 4.0)  # sum of two 0..2 items
    with pytest.raises(KeyError, match="'nope'"):
        item_range(instrument, "nope")


def test_scale_range_refuses_mixed_items() -> None:
    instrument = load_instrument(VALID).instrument
    mixed = msgspec.structs.replace(instrument.scales[0], items=["belong", "teased"])
    with pytest.raises(ValueError, match="'belonging'"):
        scale_range(instrument, mixed)


# Shipped instruments


@pytest.fixture(scope="module")
def shipped() -> dict[str, LoadedInstrument]:
    return load_directory(SHIPPED_DIRECTORY)


def test_shipped_instruments_validate(shipped: dict[str, LoadedInstrument]) -> None:
    assert set(shipped) == {"secondary", "elementary"}
    assert check_files([SHIPPED_DIRECTORY]) == []


def test_shipped_instruments_cover_the_constructs(shipped: dict[str, LoadedInstrument]) -> None:
    constructs = {
        "connectedness",
        "caring_adults",
        "help_seeking",
        "safety",
        "bullying",
        "wellbeing",
        "distress",
        "drills",
    }
    for loaded in shipped.values():
        instrument = loaded.instrument
        scales = {scale.id: scale for scale in instrument.scales}
        assert set(scales) == constructs
        assert scales["distress"].elevated_at is not None
        assert scales["bullying"].elevated_at is not None
        assert scales["wellbeing"].favorable_at is not None
        assert all(len(scale.items) >= 3 and scale.description for scale in scales.values())
        assert any(scale.reverse for scale in scales.values())
        assert instrument.skip_rules
        assert 5 <= len(instrument.sections) <= 8
        assert instrument.licence.name == "CC-BY-4.0"
        assert instrument.licence.attribution == "the climate project"
        languages = {
            o.label for d in instrument.demographics if d.id == "home_language" for o in d.options
        }
        assert {
            "Spanish",
            "Arabic",
            "Chinese",
            "Vietnamese",
            "Portuguese",
            "Russian",
            "Haitian Creole",
            "Somali",
            "English",
        } <= languages


def test_secondary_instrument(shipped: dict[str, LoadedInstrument]) -> None:
    instrument = shipped["secondary"].instrument
    assert instrument.grade_band == [6, 12]
    assert 40 <= len(instrument.items) <= 55
    scale_items = {item_id for scale in instrument.scales for item_id in scale.items}
    points = {
        len(instrument.response_sets[item.response_set].options)
        for item in instrument.items
        if item.id in scale_items
    }
    assert points <= {4, 5}
    sensitive = [section for section in instrument.sections if section.module == "sensitive"]
    assert len(sensitive) == 1
    assert sensitive[0].items == [item.id for item in instrument.items if item.sensitive]
    assert "help_anonymous" in next(s for s in instrument.scales if s.id == "help_seeking").items
    assert len(instrument.demographics) > 4


def test_elementary_instrument(shipped: dict[str, LoadedInstrument]) -> None:
    instrument = shipped["elementary"].instrument
    assert instrument.grade_band == [3, 5]
    assert 20 <= len(instrument.items) <= 25
    scored = {item_id for scale in instrument.scales for item_id in scale.items}
    assert {
        len(instrument.response_sets[item.response_set].options)
        for item in instrument.items
        if item.id in scored
    } == {3}
    assert not any(section.module for section in instrument.sections)
    assert not any(item.sensitive for item in instrument.items)


# Invariants


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_bytes_give_an_instrument_error_or_an_instrument(data: bytes) -> None:
    problems: list[Problem] = []
    try:
        parse_instrument(data, file="fuzz.toml")
    except InstrumentError as error:
        problems = error.problems
        assert problems  # an error always says what is wrong
    lines = data.count(b"\n") + 1
    assert all(p.file == "fuzz.toml" and (p.line is None or 1 <= p.line <= lines) for p in problems)


_VALID_ROWS = VALID.read_text("utf-8").splitlines()


@settings(max_examples=80, deadline=None)
@given(st.sets(st.integers(0, len(_VALID_ROWS) - 1), min_size=1, max_size=3))
def test_dropping_lines_never_crashes_and_points_at_real_lines(dropped: set[int]) -> None:
    text = "\n".join(row for n, row in enumerate(_VALID_ROWS) if n not in dropped) + "\n"
    problems: list[Problem] = []
    try:
        parse_instrument(text.encode())
    except InstrumentError as error:
        problems = error.problems
    rows = text.count("\n")
    assert all(p.line is None or 1 <= p.line <= rows for p in problems)
    if all(_VALID_ROWS[n].strip() == "" or _VALID_ROWS[n].startswith("#") for n in dropped):
        assert problems == []


_text = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_text, st.booleans(), st.integers(0, 3)), min_size=1, max_size=6))
def test_value_lines_point_at_each_value(entries: list[tuple[str, bool, int]]) -> None:
    # Items are written either as tables or as inline tables spread over lines, with
    # blank lines between; every text must be found on the line that holds it.
    chunks = ['title = "t"  # a comment with "quotes" and [brackets]']
    for text, inline, blank in entries:
        encoded = json.dumps(text)
        chunks.append("\n" * blank)
        if inline:
            chunks.append(f"[[items]]\nid = 'x'\nsub = {{ a = [1,\n 2], text = {encoded} }}")
        else:
            chunks.append(f'[[items]]\nid = """multi\nline"""\ntext = {encoded}')
    source = "\n".join(chunks) + "\n"
    lines = value_lines(source)
    rows = source.splitlines()
    for index, (text, inline, _blank) in enumerate(entries):
        path = f"items[{index}].sub.text" if inline else f"items[{index}].text"
        line = find_line(lines, path)
        assert line is not None
        assert json.dumps(text) in rows[line - 1]
