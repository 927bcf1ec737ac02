"""Broken CSV files: the ways a file goes wrong on its way from a spreadsheet, and rosters
broken one field at a time, each with the located problem it must be refused with.

``damaged`` breaks any valid file in the ways that do not depend on what it holds
(encoding, NUL bytes, quoting, sizes, structure); the response import tests use it too.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHOOLS = (
    "school_id,name,level,grade_low,grade_high,nces_id\n"
    "E1,Adams Elementary,elementary,K,5,010000500870\n"
    "H1,Lincoln High,high,9,12,\n"
)
ENROLLMENT = "school_id,year,grade,students\nE1,2024,K,40\nH1,2024,9,300\nH1,2024,12,250\n"
STAFFING = "school_id,year,role,fte\nE1,2024,counselor,0.5\nH1,2024,psychologist,0.4\n"
VALID = {"schools": SCHOOLS, "enrollment": ENROLLMENT, "staffing": STAFFING}

HUGE = 140_000  # characters: past the csv module's 131072 limit
DIGITS = "9" * 5000  # past Python's 4300 digits for int()


@dataclass(frozen=True)
class BrokenCsv:
    """One broken file of a set, and a problem it must be refused with."""

    name: str
    file: str  # which file of the set is replaced
    data: bytes
    expected: str  # a line the refusal prints, with {file} standing for the file's name

    def expect(self, file: str) -> str:
        """The expected problem for the file named ``file``."""
        return self.expected.replace("{file}", file)


def damaged(file: str, valid: str) -> list[BrokenCsv]:
    """``valid`` (a header and at least two rows) broken without regard to what it holds."""
    header, first, second = valid.splitlines()[:3]
    rest = "".join(f"{line}\n" for line in valid.splitlines()[3:])
    cells = first.split(",")
    width = len(cells)

    def case(name: str, text: str | bytes, expected: str) -> BrokenCsv:
        data = text.encode("utf-8") if isinstance(text, str) else text
        return BrokenCsv(name, file, data, expected)

    def row(index: int, value: str) -> str:
        return ",".join(value if k == index else cell for k, cell in enumerate(cells))

    return [
        case("empty", "", "{file}:1: -: file is empty"),
        case("only a byte order mark", "\ufeff", "{file}:1: -: file is empty"),
        case("blank lines only", "\n \n\n", "{file}:1: -: file is empty"),
        case(
            "unterminated quote",
            f"{header}\n{first}\n{row(1, chr(34) + cells[1])}\n",
            "{file}:3: -: a quote opened here is never closed",
        ),
        case(
            "quote closed lines later",
            f'{header}\n{row(1, chr(34) + cells[1])}\n{second}"\n{rest}',
            "{file}:2: -: a quoted value runs on to line 3; is a closing quote missing?",
        ),
        case(
            "text after a closing quote",
            f"{header}\n{row(1, chr(34) + cells[1] + chr(34) + 'x')}\n{second}\n",
            "{file}:2: -: not readable as CSV: ',' expected after '\"'",
        ),
        case(
            "unterminated quote in the header",
            f'"{header}\n{first}\n',
            "{file}:1: -: a quote opened here is never closed",
        ),
        case(
            "NUL byte",
            f"{header}\n{first}\n{row(1, cells[1] + chr(0))}\n",
            "{file}:3: -: contains a NUL byte; save the file as CSV UTF-8 (not UTF-16)",
        ),
        case(
            "UTF-16 with a byte order mark",
            valid.encode("utf-16"),
            "{file}:1: column 1: not UTF-8 text (byte 0xff); save the file as CSV UTF-8",
        ),
        case(
            "UTF-16 without a byte order mark",
            valid.encode("utf-16-le"),
            "{file}:1: -: contains a NUL byte; save the file as CSV UTF-8 (not UTF-16)",
        ),
        case(
            "Latin-1",
            f"{header}\n{row(1, cells[1] + 'é')}\n".encode("latin-1"),
            "{file}:2: column 2: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8",
        ),
        case(
            "value over 128 KB",
            f"{header}\n{first}\n{row(1, 'x' * HUGE)}\n",
            "{file}:3: -: a value is longer than 131072 characters",
        ),
        case(
            "a value too few",
            f"{header}\n{first}\n{','.join(cells[:-1])}\n",
            f"{{file}}:3: -: expected {width} values, got {width - 1}",
        ),
        case(
            "a value too many",
            f"{header}\n{first},extra\n{second}\n",
            f"{{file}}:2: -: expected {width} values, got {width + 1}",
        ),
    ]


def _roster(name: str, file: str, text: str, expected: str) -> BrokenCsv:
    return BrokenCsv(name, file, text.encode("utf-8"), expected)


_SCHOOL_HEADER = "school_id,name,level,grade_low,grade_high,nces_id\n"
_LONG_ID = "E" * 33

# Rosters broken in what they hold: structure, numbers, lengths and references.
ROSTER_CASES = [
    _roster(
        "header only",
        "staffing",
        "school_id,year,role,fte\n",
        "{file}:2: -: no data rows after the header",
    ),
    _roster(
        "missing column",
        "enrollment",
        "school_id,year,students\nE1,2024,40\n",
        "{file}:1: grade: missing column",
    ),
    _roster(
        "extra column",
        "staffing",
        "school_id,year,role,fte,notes\nE1,2024,counselor,1,x\n",
        "{file}:1: notes: unknown column; expected school_id, year, role, fte",
    ),
    _roster(
        "duplicate header",
        "staffing",
        "school_id,year,role,fte,fte\nE1,2024,counselor,1,1\n",
        "{file}:1: fte: column appears twice",
    ),
    _roster(
        "over-long column name",
        "staffing",
        f"school_id,year,role,{'x' * 1000}\nE1,2024,counselor,1\n",
        "{file}:1: column 4: unknown column; expected school_id, year, role, fte",
    ),
    _roster(
        "over-long school id",
        "schools",
        f"{_SCHOOL_HEADER}{_LONG_ID},Adams,elementary,K,5,\nH1,Lincoln High,high,9,12,\n",
        "{file}:2: school_id: at most 32 characters, got 33",
    ),
    _roster(
        "over-long name",
        "schools",
        f"{_SCHOOL_HEADER}E1,{'A' * 201},elementary,K,5,\nH1,Lincoln High,high,9,12,\n",
        "{file}:2: name: at most 200 characters, got 201",
    ),
    _roster(
        "over-long level",
        "schools",
        f"{_SCHOOL_HEADER}E1,Adams,{'e' * 17},K,5,\nH1,Lincoln High,high,9,12,\n",
        f"{{file}}:2: level: unknown level '{'e' * 17}'; expected elementary, middle, high, other",
    ),
    _roster(
        "unknown level",
        "schools",
        f"{_SCHOOL_HEADER}E1,Adams,castle,K,5,\nH1,Lincoln High,high,9,12,\n",
        "{file}:2: level: unknown level 'castle'; expected elementary, middle, high, other",
    ),
    _roster(
        "over-long NCES id",
        "schools",
        f"{_SCHOOL_HEADER}E1,Adams,elementary,K,5,{'0' * 13}\nH1,Lincoln High,high,9,12,\n",
        f"{{file}}:2: nces_id: expected the 12-digit NCES school id, got '{'0' * 13}'",
    ),
    _roster(
        "blank name",
        "schools",
        f"{_SCHOOL_HEADER}E1,  ,elementary,K,5,\nH1,Lincoln High,high,9,12,\n",
        "{file}:2: name: must not be empty",
    ),
    _roster(
        "huge integer",
        "enrollment",
        f"school_id,year,grade,students\nE1,2024,K,{DIGITS}\n",
        f"{{file}}:2: students: expected at most 18 digits, got '{DIGITS[:40]}'... "
        "(5000 characters)",
    ),
    _roster(
        "integer past the column",
        "enrollment",
        "school_id,year,grade,students\nE1,2024,K,3000000000\n",
        "{file}:2: students: at most 2147483647, got 3000000000",
    ),
    _roster(
        "integer past 64 bits",
        "enrollment",
        "school_id,year,grade,students\nE1,2024,K,99999999999999999999\n",
        "{file}:2: students: expected at most 18 digits, got '99999999999999999999'",
    ),
    _roster(
        "negative count",
        "enrollment",
        "school_id,year,grade,students\nE1,2024,K,-3\n",
        "{file}:2: students: must not be negative, got -3",
    ),
    _roster(
        "float where a whole number belongs",
        "enrollment",
        "school_id,year,grade,students\nE1,2024,K,12.5\n",
        "{file}:2: students: expected a whole number, got '12.5'",
    ),
    _roster(
        "year as a float",
        "staffing",
        "school_id,year,role,fte\nE1,2024.0,counselor,1\n",
        "{file}:2: year: expected a whole number, got '2024.0'",
    ),
    _roster(
        "year out of range",
        "staffing",
        "school_id,year,role,fte\nE1,99999,counselor,1\n",
        "{file}:2: year: expected a school year such as 2024, got 99999",
    ),
    _roster(
        "infinite fte",
        "staffing",
        "school_id,year,role,fte\nE1,2024,counselor,1e999\n",
        "{file}:2: fte: expected a number such as 1.5, got '1e999'",
    ),
    _roster(
        "negative fte",
        "staffing",
        "school_id,year,role,fte\nE1,2024,counselor,-0.5\n",
        "{file}:2: fte: must not be negative, got -0.5",
    ),
    _roster(
        "over-long role",
        "staffing",
        f"school_id,year,role,fte\nE1,2024,{'r' * 300},1\n",
        f"{{file}}:2: role: unknown role '{'r' * 40}'... (300 characters); "
        "expected counselor, psychologist, social_worker",
    ),
    _roster(
        "unknown school",
        "staffing",
        "school_id,year,role,fte\nZ9,2024,counselor,1\n",
        "{file}:2: school_id: unknown school 'Z9'; not in schools.csv",
    ),
    _roster(
        "grade past 12",
        "enrollment",
        "school_id,year,grade,students\nE1,2024,13,30\n",
        "{file}:2: grade: expected PK, K or a grade 0-12, got '13'",
    ),
    _roster(
        "grade the school does not teach",
        "enrollment",
        "school_id,year,grade,students\nE1,2024,9,30\n",
        "{file}:2: grade: grade 9 is outside E1's grades K-5",
    ),
    _roster(
        "duplicate key",
        "staffing",
        "school_id,year,role,fte\nE1,2024,counselor,1\nE1,2024,counselor,2\n",
        "{file}:3: role: E1 2024 counselor already on line 2",
    ),
]

BROKEN_ROSTERS = [
    *damaged("schools", SCHOOLS),
    *damaged("enrollment", ENROLLMENT),
    *damaged("staffing", STAFFING),
    *ROSTER_CASES,
]
