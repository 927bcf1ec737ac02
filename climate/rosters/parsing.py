"""Parse and validate the roster CSV files: schools, enrollment and staffing."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy import String

from analysis.staffing import ROLES, NeedEstimate, SchoolYear
from climate.models import Enrollment, School, Staffing
from climate.models.districts import LEVELS
from climate.rosters.columns import Columns
from climate.rosters.csvfile import CsvFile, CsvProblem, shown

__all__ = [
    "FILES",
    "EnrollmentRow",
    "RosterColumn",
    "RosterError",
    "RosterFile",
    "RosterProblem",
    "Rosters",
    "SchoolRow",
    "StaffingRow",
    "parse_rosters",
    "read_rosters",
    "school_years",
]


@dataclass(frozen=True)
class RosterColumn:
    """One column of a roster file, as the parser reads it and the upload page explains it.

    ``kind`` names what the column holds (``id``, ``text``, ``choice``, ``grade``, ``year``,
    ``count``, ``fte``, ``nces``); ``values`` lists a choice's allowed values; ``length`` is
    the longest text its database column holds.
    """

    name: str
    kind: str
    required: bool = True
    values: tuple[str, ...] = ()
    length: int | None = None


@dataclass(frozen=True)
class RosterFile:
    """One roster file: its name and columns, in the order a template lists them."""

    key: str
    columns: tuple[RosterColumn, ...]

    @property
    def filename(self) -> str:
        """The file's usual name, such as ``schools.csv``."""
        return f"{self.key}.csv"

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the columns the file must have."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def optional(self) -> tuple[str, ...]:
        """The names of the columns the file may leave out."""
        return tuple(c.name for c in self.columns if not c.required)


def _length(model: type[Any], column: str) -> int | None:
    kind = model.__table__.columns[column].type
    return kind.length if isinstance(kind, String) else None


_SCHOOL_ID = RosterColumn("school_id", "id", length=_length(School, "id"))
_YEAR = RosterColumn("year", "year")
FILES: tuple[RosterFile, ...] = (
    RosterFile(
        "schools",
        (
            _SCHOOL_ID,
            RosterColumn("name", "text", length=_length(School, "name")),
            RosterColumn("level", "choice", values=LEVELS),
            RosterColumn("grade_low", "grade"),
            RosterColumn("grade_high", "grade"),
            RosterColumn("nces_id", "nces", required=False),
        ),
    ),
    RosterFile(
        "enrollment",
        (_SCHOOL_ID, _YEAR, RosterColumn("grade", "grade"), RosterColumn("students", "count")),
    ),
    RosterFile(
        "staffing",
        (
            _SCHOOL_ID,
            _YEAR,
            RosterColumn("role", "choice", values=ROLES),
            RosterColumn("fte", "fte"),
        ),
    ),
)
SCHOOL_COLUMNS = FILES[0].required
SCHOOL_OPTIONAL = FILES[0].optional
ENROLLMENT_COLUMNS = FILES[1].required
STAFFING_COLUMNS = FILES[2].required

# Pre-kindergarten and kindergarten sit below grade 1 so spans compare as numbers.
_GRADE_WORDS = {"PK": -1, "K": 0}
_NCES_ID = re.compile(r"\d{12}")
_YEARS = range(1900, 2201)
_SHOWN = 50
# Longer numbers are refused before int() reads them (the column checks then say why).
_DIGITS = 18
_NAME = 40  # a longer column name is located by its place instead


RosterProblem = CsvProblem


class RosterError(ValueError):
    """The rosters have problems; all of them are in `problems`."""

    def __init__(self, problems: list[RosterProblem]) -> None:
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems[:_SHOWN]]
        if len(self.problems) > _SHOWN:
            lines.append(f"... and {len(self.problems) - _SHOWN} more problems")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class SchoolRow:
    """A row of schools.csv; grades PK and K are -1 and 0."""

    school_id: str
    name: str
    level: str
    grade_low: int
    grade_high: int
    nces_id: str | None = None


@dataclass(frozen=True)
class EnrollmentRow:
    """A row of enrollment.csv."""

    school_id: str
    year: int
    grade: int
    students: int


@dataclass(frozen=True)
class StaffingRow:
    """A row of staffing.csv."""

    school_id: str
    year: int
    role: str
    fte: float


@dataclass(frozen=True)
class Rosters:
    """The three rosters, validated together."""

    schools: tuple[SchoolRow, ...]
    enrollment: tuple[EnrollmentRow, ...]
    staffing: tuple[StaffingRow, ...]


def _limits(model: type[Any], row: type[Any], names: dict[str, str] | None = None) -> Columns:
    # A school id is checked on its line of schools.csv, not again on each line naming it.
    checked = [f.name for f in fields(row) if names or f.name != "school_id"]
    return Columns(model, checked, names)


_SCHOOL_LIMITS = _limits(School, SchoolRow, {"school_id": "id"})
_ENROLLMENT_LIMITS = _limits(Enrollment, EnrollmentRow)
_STAFFING_LIMITS = _limits(Staffing, StaffingRow)


class _File(CsvFile):
    """One roster file: its rows by column name, checked against the expected header."""

    def __init__(self, name: str, data: bytes, problems: list[RosterProblem]) -> None:
        super().__init__(name, data, problems)
        self.header_ok = False

    def rows(
        self, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> Iterator[tuple[int, dict[str, str]]]:
        records = self.records()
        first = next(records, None)
        if first is None:
            return
        header = [name.strip() for name in first[1]]
        if not self._check_header(header, required, optional):
            return
        self.header_ok = True
        before, count = len(self.problems), 0
        for line, values in records:
            count += 1
            if len(values) != len(header):
                self.problem(line, "-", f"expected {len(header)} values, got {len(values)}")
                continue
            yield line, {name: value.strip() for name, value in zip(header, values, strict=True)}
        # A file that could not be read to its end has said why already.
        if count == 0 and len(self.problems) == before:
            self.problem(2, "-", "no data rows after the header")

    def _check_header(
        self, header: list[str], required: tuple[str, ...], optional: tuple[str, ...]
    ) -> bool:
        before = len(self.problems)
        seen: set[str] = set()
        for index, name in enumerate(header, start=1):
            if not name:
                self.problem(1, f"column {index}", "empty column name")
            elif name in seen:
                self.problem(1, name, "column appears twice")
            elif name not in required and name not in optional:
                place = name if len(name) <= _NAME else f"column {index}"
                self.problem(1, place, f"unknown column; expected {', '.join(required)}")
            seen.add(name)
        for name in required:
            if name not in seen:
                self.problem(1, name, "missing column")
        return len(self.problems) == before


def _whole(file: _File, line: int, column: str, text: str) -> int | None:
    if not re.fullmatch(r"[+-]?\d+", text):
        file.problem(line, column, f"expected a whole number, got {shown(text)}")
        return None
    if len(text.lstrip("+-")) > _DIGITS:
        file.problem(line, column, f"expected at most {_DIGITS} digits, got {shown(text)}")
        return None
    value = int(text)
    if value < 0:
        file.problem(line, column, f"must not be negative, got {value}")
        return None
    return value


def _year(file: _File, line: int, text: str) -> int | None:
    year = _whole(file, line, "year", text)
    if year is not None and year not in _YEARS:
        file.problem(line, "year", f"expected a school year such as 2024, got {year}")
        return None
    return year


def _grade(file: _File, line: int, column: str, text: str) -> int | None:
    if text.upper() in _GRADE_WORDS:
        return _GRADE_WORDS[text.upper()]
    if re.fullmatch(r"\d{1,2}", text) and int(text) <= 12:
        return int(text)
    file.problem(line, column, f"expected PK, K or a grade 0-12, got {shown(text)}")
    return None


def _text(file: _File, line: int, column: str, row: Mapping[str, str]) -> str | None:
    value = row[column]
    if not value:
        file.problem(line, column, "must not be empty")
        return None
    return value


def _fits(file: _File, line: int, limits: Columns, row: object) -> bool:
    """Whether every value of ``row`` fits its column; say where one does not."""
    found = limits.misfits(row)
    for column, message in found:
        file.problem(line, column, message)
    return not found


def _fte(file: _File, line: int, text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        file.problem(line, "fte", f"expected a number such as 1.5, got {shown(text)}")
        return None
    if not math.isfinite(value):
        file.problem(line, "fte", f"expected a number such as 1.5, got {shown(text)}")
        return None
    if value < 0:
        file.problem(line, "fte", f"must not be negative, got {text[:_NAME]}")
        return None
    return value


def _schools(file: _File) -> tuple[list[SchoolRow], set[str]]:
    rows: list[SchoolRow] = []
    ids: dict[str, int] = {}
    for line, row in file.rows(SCHOOL_COLUMNS, SCHOOL_OPTIONAL):
        school_id = _text(file, line, "school_id", row)
        name = _text(file, line, "name", row)
        level = _text(file, line, "level", row)
        low = _grade(file, line, "grade_low", row["grade_low"])
        high = _grade(file, line, "grade_high", row["grade_high"])
        nces = row.get("nces_id") or None
        ok = True
        if level is not None and level not in LEVELS:
            file.problem(
                line, "level", f"unknown level {shown(level)}; expected {', '.join(LEVELS)}"
            )
            ok = False
        if nces is not None and not _NCES_ID.fullmatch(nces):
            file.problem(
                line, "nces_id", f"expected the 12-digit NCES school id, got {shown(nces)}"
            )
            ok = False
        if low is not None and high is not None and low > high:
            file.problem(line, "grade_high", f"grade_high {row['grade_high']} is below grade_low")
            ok = False
        if school_id is not None:
            if school_id in ids:
                message = f"{shown(school_id)} already on line {ids[school_id]}"
                file.problem(line, "school_id", message)
                continue
            ids[school_id] = line
        if school_id and name and level and low is not None and high is not None and ok:
            school = SchoolRow(school_id, name, level, low, high, nces)
            if _fits(file, line, _SCHOOL_LIMITS, school):
                rows.append(school)
    return rows, set(ids)


@dataclass(frozen=True)
class _Known:
    """The schools other rows may name: those of schools.csv and those already stored."""

    ids: set[str]
    uploaded: bool  # schools.csv is part of this import

    def where(self) -> str:
        if self.uploaded:
            return "not in schools.csv"
        return "not a stored school, and schools.csv is not part of this import"


def _known_school(file: _File, line: int, school_id: str, known: _Known | None) -> bool:
    if known is not None and school_id not in known.ids:
        message = f"unknown school {shown(school_id)}; {known.where()}"
        file.problem(line, "school_id", message)
        return False
    return True


def _enrollment(
    file: _File, spans: Mapping[str, SchoolRow], known: _Known | None
) -> list[EnrollmentRow]:
    rows: list[EnrollmentRow] = []
    keys: dict[tuple[str, int, int], int] = {}
    for line, row in file.rows(ENROLLMENT_COLUMNS):
        school_id = _text(file, line, "school_id", row)
        year = _year(file, line, row["year"])
        grade = _grade(file, line, "grade", row["grade"])
        students = _whole(file, line, "students", row["students"])
        if school_id is None or not _known_school(file, line, school_id, known):
            continue
        school = spans.get(school_id)
        if (
            school is not None
            and grade is not None
            and not school.grade_low <= grade <= school.grade_high
        ):
            file.problem(
                line,
                "grade",
                f"grade {row['grade']} is outside {school_id}'s grades "
                f"{_show(school.grade_low)}-{_show(school.grade_high)}",
            )
            continue
        if year is None or grade is None or students is None:
            continue
        key = (school_id, year, grade)
        if key in keys:
            file.problem(
                line,
                "grade",
                f"{school_id} {year} grade {row['grade']} already on line {keys[key]}",
            )
            continue
        keys[key] = line
        enrolled = EnrollmentRow(school_id, year, grade, students)
        if _fits(file, line, _ENROLLMENT_LIMITS, enrolled):
            rows.append(enrolled)
    return rows


def _staffing(file: _File, known: _Known | None) -> list[StaffingRow]:
    rows: list[StaffingRow] = []
    keys: dict[tuple[str, int, str], int] = {}
    for line, row in file.rows(STAFFING_COLUMNS):
        school_id = _text(file, line, "school_id", row)
        year = _year(file, line, row["year"])
        role = row["role"]
        if role not in ROLES:
            file.problem(line, "role", f"unknown role {shown(role)}; expected {', '.join(ROLES)}")
        fte = _fte(file, line, row["fte"])
        if school_id is None or not _known_school(file, line, school_id, known):
            continue
        if year is None or fte is None or role not in ROLES:
            continue
        key = (school_id, year, role)
        if key in keys:
            file.problem(line, "role", f"{school_id} {year} {role} already on line {keys[key]}")
            continue
        keys[key] = line
        staff = StaffingRow(school_id, year, role, fte)
        if _fits(file, line, _STAFFING_LIMITS, staff):
            rows.append(staff)
    return rows


def _show(grade: int) -> str:
    return {-1: "PK", 0: "K"}.get(grade, str(grade))


def parse_rosters(
    schools: bytes | None,
    enrollment: bytes | None,
    staffing: bytes | None,
    *,
    names: tuple[str, str, str] = ("schools.csv", "enrollment.csv", "staffing.csv"),
    stored: Mapping[str, SchoolRow] | None = None,
) -> Rosters:
    """Parse the rosters given (None: a file not part of this import); raise RosterError
    listing every problem found.

    Any subset of the three files may be imported. Enrollment and staffing rows may name a
    school of schools.csv or one of ``stored`` (the schools already in the database); a row
    naming any other school is a problem located by file and line.
    """
    problems: list[RosterProblem] = []
    stored = stored or {}
    school_rows: list[SchoolRow] = []
    known: _Known | None = _Known(set(stored), uploaded=False)
    if schools is not None:
        school_file = _File(names[0], schools, problems)
        school_rows, ids = _schools(school_file)
        # Without all of schools.csv every other row could be an "unknown school".
        readable = school_file.header_ok and not school_file.stopped
        known = _Known(ids | set(stored), uploaded=True) if readable else None
    spans = {**stored, **{row.school_id: row for row in school_rows}}
    enrollment_rows = (
        _enrollment(_File(names[1], enrollment, problems), spans, known)
        if enrollment is not None
        else []
    )
    staffing_rows = (
        _staffing(_File(names[2], staffing, problems), known) if staffing is not None else []
    )
    if problems:
        raise RosterError(problems)
    return Rosters(tuple(school_rows), tuple(enrollment_rows), tuple(staffing_rows))


def read_rosters(schools: Path, enrollment: Path, staffing: Path) -> Rosters:
    """Read and parse the three roster files named on the command line."""
    paths = (Path(schools), Path(enrollment), Path(staffing))
    data = [path.read_bytes() for path in paths]
    return parse_rosters(*data, names=(str(paths[0]), str(paths[1]), str(paths[2])))


def school_years(
    rosters: Rosters,
    year: int,
    need: Mapping[str, Mapping[str, NeedEstimate]] | None = None,
) -> list[SchoolYear]:
    """Turn one year of rosters, and need estimates per school, into plan inputs."""
    students: dict[str, int] = {}
    fte: dict[str, dict[str, float]] = {}
    for enrolled in rosters.enrollment:
        if enrolled.year == year:
            students[enrolled.school_id] = students.get(enrolled.school_id, 0) + enrolled.students
    for staff in rosters.staffing:
        if staff.year == year:
            fte.setdefault(staff.school_id, {})[staff.role] = staff.fte
    need = need or {}
    return [
        SchoolYear(
            school_id=school.school_id,
            year=year,
            enrollment=students.get(school.school_id, 0),
            fte=fte.get(school.school_id, {}),
            need=dict(need.get(school.school_id, {})),
            name=school.name,
        )
        for school in rosters.schools
        # A school without any roster line for the year was not open or not reported.
        if school.school_id in students or school.school_id in fte
    ]
