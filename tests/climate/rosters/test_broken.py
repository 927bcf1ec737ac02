"""Every broken roster file is refused with its located problem, without an exception."""

from __future__ import annotations

import pytest

from climate.rosters.parsing import RosterError, parse_rosters
from tests.climate.rosters.broken import BROKEN_ROSTERS, VALID, BrokenCsv


def _parsed(case: BrokenCsv) -> list[str]:
    files = {name: text.encode("utf-8") for name, text in VALID.items()}
    files[case.file] = case.data
    with pytest.raises(RosterError) as info:
        parse_rosters(files["schools"], files["enrollment"], files["staffing"])
    return [str(problem) for problem in info.value.problems]


def test_the_valid_rosters_parse() -> None:
    rosters = parse_rosters(*(text.encode("utf-8") for text in VALID.values()))
    assert len(rosters.schools) == 2


@pytest.mark.parametrize("case", BROKEN_ROSTERS, ids=lambda c: f"{c.file}: {c.name}")
def test_broken_roster_is_refused_with_its_place(case: BrokenCsv) -> None:
    found = _parsed(case)
    assert case.expect(f"{case.file}.csv") in found
    # A message quotes at most a little of a huge value.
    assert all(len(problem) < 300 for problem in found)


STOPPING = ("unterminated quote", "text after a closing quote", "value over 128 KB")


@pytest.mark.parametrize("name", STOPPING)
def test_a_schools_file_read_only_in_part_names_no_unknown_schools(name: str) -> None:
    # The other files' schools may be in the part that could not be read.
    case = next(c for c in BROKEN_ROSTERS if c.file == "schools" and c.name == name)
    assert _parsed(case) == [case.expect("schools.csv")]
