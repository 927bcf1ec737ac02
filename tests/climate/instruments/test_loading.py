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
    MAX_ITEMS,
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

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "instruments"
VALID = FIXTURES / "valid.toml"

# One fixture per kind of mistake: (file stem, field path, message, text on the reported line).
# The line is looked up from the text, so the test checks the locator rather than a number;
# (after, text) means the first line holding text below the line holding after.
BROKEN = [
    ("unknown_field", "items[1].weight", "unknown field", "weight = 2"),
    ("wrong_type", "version", "expected str, got float", "version = 1.0"),
    ("syntax_error", "", "not valid TOML: Illegal character '\\n'", 'title = "School'),
    ("missing_licence", "licence", "required field is missing", None),
    ("empty_attribution", "licence.attribution", "must not be empty", 'attribution = " "'),
    (
        "bad_version",
        "version",
        "'v1' is not a dotted version string such as 1.0 or 2.1.3",
        'version = "v1"',
    ),
    (
        "bad_grade_band",
        "grade_band",
        "must be two grades [low, high] with 3 <= low <= high <= 12, got [2, 8]",
        "grade_band =",
    ),
    (
        "grade_options",
        "demographics[0].options",
        "grade options must be the grades 6..8 of the grade band, got [6, 7]",
        ("What grade", "options = ["),
    ),
    (
        "duplicate_item_id",
        "items[2].id",
        "duplicate item id 'belong' (first at items[0])",
        ('id = "outsider"', 'id = "belong"'),
    ),
    (
        "duplicate_section_id",
        "sections[1].id",
        "duplicate section id 'school' (first at sections[0])",
        ('title = "School"', 'id = "school"'),
    ),
    (
        "duplicate_scale_id",
        "scales[1].id",
        "duplicate scale id 'belonging' (first at scales[0])",
        ("favorable_at", 'id = "belonging"'),
    ),
    (
        "duplicate_demographic_id",
        "demographics[3].id",
        "duplicate demographic id 'gender' (first at demographics[1])",
        ("Race or ethnicity?", 'id = "gender"'),
    ),
    (
        "duplicate_option_value",
        "response_sets.agree.options[1].value",
        "duplicate option value 1",
        'label = "Not sure"',
    ),
    (
        "response_set_one_option",
        "response_sets.yes_no.options",
        "needs at least 2 options, has 1",
        ("[response_sets.yes_no]", "options = ["),
    ),
    (
        "response_set_missing",
        "items[2].response_set",
        "no response set 'agreement'",
        'response_set = "agreement"',
    ),
    (
        "option_value_range",
        "demographics[3].options[1].value",
        "value 100 is outside 0..99",
        "value = 100",
    ),
    ("scale_missing_item", "scales[1].items[2]", "no item 'shoved'", '"shoved"'),
    (
        "reverse_outside_scale",
        "scales[0].reverse[1]",
        "reverse-coded item 'safe' is not one of the scale's items",
        'reverse = ["outsider", "safe"]',
    ),
    (
        "scale_mixed_ranges",
        "scales[0].items[2]",
        "item 'teased' ranges 0..2 but 'belong' ranges 1..3; items of a scale must share one range",
        'items = ["belong", "outsider", "teased"]',
    ),
    (
        "cut_point_range",
        "scales[0].favorable_at",
        "cut-point 3.5 is outside the scale range 1..3",
        "favorable_at = 3.5",
    ),
    (
        "cut_point_both",
        "scales[0]",
        "scale 'belonging' needs exactly one of favorable_at and elevated_at, has both",
        "[[scales]]",
    ),
    (
        "cut_point_neither",
        "scales[1]",
        "scale 'bullying' needs exactly one of favorable_at and elevated_at, has neither",
        ("favorable_at", "[[scales]]"),
    ),
    (
        "skip_rule_later",
        "skip_rules[0].show_if",
        "item 'told' does not come before 'teased'",
        'show_if = "told"',
    ),
    ("skip_rule_missing", "skip_rules[0].show_if", "no item 'bullied'", 'show_if = "bullied"'),
    (
        "skip_rule_value",
        "skip_rules[0].values[1]",
        "item 'teased' has no option with value 3",
        "values = [1, 3]",
    ),
    ("empty_section", "sections[2].items", "section 'extra' has no items", "items = []"),
    (
        "item_in_no_section",
        "items[5]",
        "item 'told' is in no section",
        ('id = "excluded"', "[[items]]"),
    ),
    (
        "item_in_two_sections",
        "sections[1].items[3]",
        "item 'safe' is already in section 'school'",
        '"told", "safe"]',
    ),
    ("section_missing_item", "sections[0].items[3]", "no item 'proud'", '"proud"'),
    (
        "sensitive_not_marked",
        "sections[2].items[1]",
        "item 'told' is in a sensitive module but not marked sensitive = true",
        '"hurt", "told"',
    ),
    (
        "prefer_not_to_say",
        "demographics[1].options",
        "needs exactly one prefer_not_to_say option, has 0",
        ("Gender?", "options = ["),
    ),
    (
        "missing_demographic",
        "demographics",
        "missing required demographic 'home_language'",
        "[[demographics]]",
    ),
    ("too_many_items", "items", f"at most {MAX_ITEMS} items, has 81", "[[items]]"),
    ("too_many_scales", "scales", "at most 16 scales, has 17", "[[scales]]"),
    (
        "too_many_demographics",
        "demographics",
        "at most 10 demographics besides grade, has 11",
        "[[demographics]]",
    ),
]


def _line_of(path: Path, where: str | tuple[str, str]) -> int:
    """Line holding a text; with (after, text), the first such line below the one holding after."""
    after, text = where if isinstance(where, tuple) else ("", where)
    rows = path.read_text("utf-8").splitlines()
    start = next(n for n, row in enumerate(rows) if after in row) + 1 if after else 0
    return next(n for n in range(start, len(rows)) if text in rows[n]) + 1


def test_every_fixture_is_listed() -> None:
    listed = {name for name, *_ in BROKEN}
    assert {path.stem for path in FIXTURES.glob("*.toml")} - {"valid"} == listed


def test_valid_fixture_has_no_problems() -> None:
    assert check_files([VALID]) == []


@pytest.mark.parametrize(("name", "path", "message", "on_line"), BROKEN)
def test_each_mistake_is_reported_at_its_field_and_line(
    name: str, path: str, message: str, on_line: str | tuple[str, str] | None
) -> None:
    file = FIXTURES / f"{name}.toml"
    # Only a missing table has no line of its own.
    line = None if on_line is None else _line_of(file, on_line)
    assert check_files([file]) == [Problem(str(file), path, message, line)]


@pytest.mark.parametrize("name", [name for name, *_ in BROKEN])
def test_parse_raises_with_the_same_problems(name: str) -> None:
    file = FIXTURES / f"{name}.toml"
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(file.read_bytes(), file=str(file))
    assert caught.value.problems == check_files([file])
    assert str(caught.value) == "\n".join(str(problem) for problem in caught.value.problems)


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


def test_an_error_inside_a_response_set_names_its_key() -> None:
    # msgspec reports dict values as `[...]`; the key must be recovered for the reader.
    text = VALID.read_text("utf-8").replace('{ value = 0, label = "Never" }', "{ value = 0 }")
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text.encode(), file="x.toml")
    assert caught.value.problems == [
        Problem(
            "x.toml",
            "response_sets.often.options[0].label",
            "required field is missing",
            _line_of(VALID, 'label = "Never"'),
        )
    ]


def test_unknown_top_level_field() -> None:
    text = 'colour = "blue"\n' + VALID.read_text("utf-8")
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text.encode())
    assert caught.value.problems == [Problem("<string>", "colour", "unknown field", 1)]


def test_not_utf8_and_not_a_file() -> None:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(b'id = "\xff"\n', file="bad.toml")
    assert caught.value.problems[0].message.startswith("not UTF-8 text")
    assert check_files([FIXTURES / "absent.toml"])[0].message.startswith("cannot read:")


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
            _line_of(VALID, 'id = "tiny"'),
        )
    ]
    with pytest.raises(InstrumentError):
        load_directory(tmp_path / "missing")


def test_check_files_expands_directories_and_skips_repeats() -> None:
    problems = check_files([FIXTURES, FIXTURES / "unknown_field.toml"])
    assert {Path(problem.file).stem for problem in problems} == {name for name, *_ in BROKEN}
    assert len(problems) == len(BROKEN)


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


# Further rules, each shown by edits of the valid file: ([(old, new), ...], path, message).
_PRIVATE_SECTION = (
    '[[sections]]\nid = "private"\ntitle = "Harder questions"\nitems = ["hurt"]\n'
    'module = "sensitive"\n\n'
)
EDITS = [
    (
        [('id = "peers"', 'id = "Peers"')],
        "sections[1].id",
        "'Peers' is not an id (lowercase letters, digits and _, a letter first, "
        "at most 40 characters)",
    ),
    ([('text = "I feel safe."', 'text = ""')], "items[2].text", "must not be empty"),
    (
        [('items = ["teased", "excluded"]', 'items = ["teased", "excluded", "teased"]')],
        "scales[1].items[2]",
        "item 'teased' is listed twice",
    ),
    (
        [('scoring = "sum"', 'scoring = "sum"\nmin_fraction = 0.0')],
        "scales[1].min_fraction",
        "must be above 0 and at most 1, got 0.0",
    ),
    (
        [('items = ["belong", "outsider"]\nreverse = ["outsider"]', "items = []")],
        "scales[0].items",
        "scale 'belonging' has no items",
    ),
    ([('item = "told"', 'item = "shouted"')], "skip_rules[0].item", "no item 'shouted'"),
    ([("values = [1, 2]", "values = []")], "skip_rules[0].values", "must list at least one value"),
    (
        [
            (
                "values = [1, 2]\n",
                'values = [1, 2]\n\n[[skip_rules]]\nitem = "told"\n'
                'show_if = "teased"\nvalues = [2]\n',
            )
        ],
        "skip_rules[1].item",
        "item 'told' already has a skip rule (skip_rules[0])",
    ),
    (
        [
            (_PRIVATE_SECTION, ""),
            ('[[sections]]\nid = "school"', _PRIVATE_SECTION + '[[sections]]\nid = "school"'),
            ('show_if = "teased"\nvalues = [1, 2]', 'show_if = "hurt"\nvalues = [1]'),
        ],
        "skip_rules[0].show_if",
        "item 'hurt' is in a sensitive module that may be off, 'told' is not",
    ),
    (
        [
            ('"teased", "excluded", "told"]', '"teased", "excluded", "told", "worry"]'),
            (
                'response_set = "yes_no"\nsensitive = true',
                'response_set = "yes_no"\n'
                'sensitive = true\n\n[[items]]\nid = "worry"\ntext = "Worried?"\n'
                'response_set = "yes_no"\nsensitive = true',
            ),
        ],
        "sections[1].items[3]",
        "item 'worry' is marked sensitive but section 'peers' is not a sensitive module",
    ),
    (
        [('  { value = 1, label = "Girl" },\n  { value = 2, label = "Boy" },\n', "")],
        "demographics[1].options",
        "needs at least one answer besides prefer not to say",
    ),
]


@pytest.mark.parametrize(("edits", "path", "message"), EDITS)
def test_further_rules(edits: list[tuple[str, str]], path: str, message: str) -> None:
    text = VALID.read_text("utf-8")
    for old, new in edits:
        assert text.count(old) == 1
        text = text.replace(old, new)
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text.encode())
    assert [(p.path, p.message) for p in caught.value.problems] == [(path, message)]
