"""Support staff per school from the Civil Rights Data Collection (CRDC) school support file.

The Office for Civil Rights publishes, for every public school, the full-time equivalents of
school counselors, psychologists, social workers and sworn law enforcement officers in the
public-use file ``School Support.csv`` (columns ``SCH_FTECOUNSELORS``,
``SCH_FTESERVICES_PSY``, ``SCH_FTESERVICES_SOC``, ``SCH_FTESECURITY_LEO``), one row per
school keyed by ``COMBOKEY``: the 12-digit NCES school id, the district's 7-digit ``LEAID``
followed by the 5-digit ``SCHID``. A value that was not published is a negative reserved
code; ``RESERVED`` holds each code with its name in the public-use file manuals of the
U.S. Department of Education, Office for Civil Rights:

- 2015-16 CRDC Public-Use Data File User's Manual, Table 2 (-2, -5, -6, -7, -8, -9);
- 2017-18 CRDC Public-Use Data File Manual, Table 2, section 5.1.1 (-3, -5, -6, -8, -9, -11),
  https://ocrdata.ed.gov/assets/downloads/2017-18%20CRDC%20Public-Use%20Data%20File%20Manual.pdf;
- 2020-21 CRDC Data File User's Manual, section 5.4 (adds -4, -13),
  https://ocrdata.ed.gov/assets/downloads/2020-21%20User%27s%20Manual.pdf;
- 2021-22 CRDC Data File User's Manual, Table 1 (adds -12),
  https://civilrightsdata.ed.gov/assets/downloads/2021-22%20User%27s%20Manual.pdf.

Only rows in the district's own LEAs (the first seven digits of its schools' ``nces_id``) are
matched; the rest of the national file is counted and passed over. The import keeps the file's
figures per school and year in ``crdc_staffing``, and gives the plan a baseline: for each
matched school and role with a published value, it writes the year's ``staffing`` row, marked
with its source, unless the district's own roster already has that school, year and role. The
district's own figures always win, and importing the rosters again replaces a CRDC value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.models import ROLES, CrdcStaffing, School, Staffing
from climate.rosters.csvfile import CsvFile, CsvProblem, shown
from climate.rosters.parsing import RosterError
from climate.security import audit
from climate.security.principals import Principal

__all__ = [
    "COLUMNS",
    "KEY",
    "RESERVED",
    "CrdcError",
    "CrdcImport",
    "CrdcRow",
    "Match",
    "Reserved",
    "crdc_source",
    "import_crdc",
    "match_schools",
    "parse_crdc",
]

KEY = "COMBOKEY"
# Our name for each figure, and the CRDC column it is read from.
COLUMNS = {
    "counselor": "SCH_FTECOUNSELORS",
    "psychologist": "SCH_FTESERVICES_PSY",
    "social_worker": "SCH_FTESERVICES_SOC",
    "sworn_officers": "SCH_FTESECURITY_LEO",
}
RESERVED = {
    -2: "small cell value: withheld from the public file to protect students' privacy",
    -3: "skip logic failure: the value failed the collection's skip logic or processing checks",
    -4: "missing optional data: an optional item the district did not report",
    -5: "action plan: the district did not report this and filed a plan to report it later",
    -6: "force certified: the district's submission was certified without this value",
    -7: "system error: the value was lost to an error of the collection system",
    -8: "EDFacts missing data: the value was to come from EDFacts, which did not have it",
    -9: "not applicable or skipped: the item did not apply to this school, or was skipped",
    -11: "suppressed data: withheld from the public file",
    -12: "suppressed for privacy protections: withheld from the public file",
    -13: "missing DIND skip logic: skipped because a directional indicator (2020-21: COVID) "
    "was missing",
}
_NCES_ID = re.compile(r"\d{12}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_SPREADSHEET = re.compile(r"\d(\.\d+)?[eE]\+?\d+")


@dataclass(frozen=True, slots=True)
class Reserved:
    """A reserved code where a figure should be, located in the file."""

    file: str
    line: int
    column: str
    code: int

    @property
    def meaning(self) -> str:
        """What the code means, as the CRDC manuals define it."""
        return RESERVED[self.code]


@dataclass(frozen=True, slots=True)
class CrdcRow:
    """One school's row: its NCES id, and each figure (None where a code stands)."""

    line: int
    nces_id: str
    fte: Mapping[str, float | None]
    reserved: tuple[Reserved, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """The file's rows matched to the district's schools by NCES id."""

    schools: Mapping[str, CrdcRow]  # school id -> its row
    unknown: tuple[CrdcRow, ...]  # rows in the district's LEAs that no school's nces_id names
    missing: tuple[str, ...]  # schools whose nces_id the file does not have
    unkeyed: tuple[str, ...]  # schools without an nces_id, which cannot be matched
    others: int  # rows of other districts, passed over


@dataclass(frozen=True, slots=True)
class CrdcImport:
    """What an import matched and wrote."""

    source: str
    match: Match
    baseline: int  # staffing rows written for the plan
    kept: int  # school roles where the district's own roster was kept


class CrdcError(ValueError):
    """The file is readable but cannot be matched to the district; nothing was written."""


def crdc_source(year: int) -> str:
    """The source label of the collection of school year ``year`` (2021 is ``CRDC 2020-21``)."""
    return f"CRDC {year - 1}-{year % 100:02d}"


class _File(CsvFile):
    """The CRDC file: the columns it needs by name, any others passed over."""

    def rows(self) -> list[CrdcRow]:
        records = self.records()
        first = next(records, None)
        if first is None:
            return []
        header = [name.strip().upper() for name in first[1]]
        places = self._places(header)
        if places is None:
            return []
        rows: list[CrdcRow] = []
        seen: dict[str, int] = {}
        for line, values in records:
            if len(values) != len(header):
                self.problem(line, "-", f"expected {len(header)} values, got {len(values)}")
                continue
            row = self._row(line, {name: values[place].strip() for name, place in places.items()})
            if row is None:
                continue
            if row.nces_id in seen:
                self.problem(line, KEY, f"{row.nces_id} already on line {seen[row.nces_id]}")
                continue
            seen[row.nces_id] = line
            rows.append(row)
        if not rows and not self.problems:
            self.problem(2, "-", "no data rows after the header")
        return rows

    def _places(self, header: list[str]) -> dict[str, int] | None:
        places: dict[str, int] = {}
        for column in (KEY, *COLUMNS.values()):
            found = [index for index, name in enumerate(header) if name == column]
            if not found:
                self.problem(1, column, "missing column of the CRDC school support file")
            elif len(found) > 1:
                self.problem(1, column, "column appears twice")
            else:
                places[column] = found[0]
        return places if len(places) == len(COLUMNS) + 1 else None

    def _row(self, line: int, values: Mapping[str, str]) -> CrdcRow | None:
        nces_id = self._key(line, values[KEY])
        fte: dict[str, float | None] = {}
        reserved: list[Reserved] = []
        ok = nces_id is not None
        for field, column in COLUMNS.items():
            value = self._figure(line, column, values[column])
            if isinstance(value, Reserved):
                reserved.append(value)
                fte[field] = None
            elif value is None:
                ok = False
            else:
                fte[field] = value
        if not ok or nces_id is None:
            return None
        return CrdcRow(line, nces_id, fte, tuple(reserved))

    def _key(self, line: int, text: str) -> str | None:
        if _NCES_ID.fullmatch(text):
            return text
        if _SPREADSHEET.fullmatch(text):
            message = f"{shown(text)} was turned into a number by a spreadsheet; use the original"
        elif text.isdigit() and len(text) < 12:
            message = f"expected 12 digits, got {shown(text)}; were leading zeros dropped?"
        else:
            message = f"expected the 12-digit NCES school id, got {shown(text)}"
        self.problem(line, KEY, message)
        return None

    def _figure(self, line: int, column: str, text: str) -> float | Reserved | None:
        value = float(text) if _NUMBER.fullmatch(text) else math.nan
        if math.isnan(value):
            self.problem(line, column, f"expected a number of FTE such as 1.5, got {shown(text)}")
            return None
        if value >= 0:
            return value
        if value.is_integer() and int(value) in RESERVED:
            return Reserved(self.name, line, column, int(value))
        codes = ", ".join(str(code) for code in sorted(RESERVED, reverse=True))
        self.problem(line, column, f"{text} is not a CRDC reserved code ({codes})")
        return None


def parse_crdc(data: bytes, name: str) -> tuple[CrdcRow, ...]:
    """Parse the school support file; raise RosterError listing every problem found."""
    problems: list[CsvProblem] = []
    rows = _File(name, data, problems).rows()
    if problems:
        raise RosterError(problems)
    return tuple(rows)


def match_schools(rows: Sequence[CrdcRow], schools: Mapping[str, str | None]) -> Match:
    """Match ``rows`` to ``schools`` (school id -> nces_id) within the district's LEAs."""
    by_nces = {nces: school for school, nces in schools.items() if nces}
    leas = {nces[:7] for nces in by_nces}
    ours = [row for row in rows if row.nces_id[:7] in leas]
    matched = {by_nces[row.nces_id]: row for row in ours if row.nces_id in by_nces}
    return Match(
        schools=dict(sorted(matched.items())),
        unknown=tuple(row for row in ours if row.nces_id not in by_nces),
        missing=tuple(sorted(school for school in by_nces.values() if school not in matched)),
        unkeyed=tuple(sorted(school for school, nces in schools.items() if not nces)),
        others=len(rows) - len(ours),
    )


async def import_crdc(
    engine: AsyncEngine, rows: Sequence[CrdcRow], year: int, name: str, actor: Principal | str
) -> CrdcImport:
    """Match and store one year's CRDC figures, in one transaction (all or nothing)."""
    source = crdc_source(year)
    async with engine.begin() as conn:
        schools = dict((await conn.execute(select(School.id, School.nces_id))).tuples().all())
        found = match_schools(rows, schools)
        if not any(schools.values()):
            raise CrdcError(
                "no school has an nces_id; add the 12-digit NCES school id to schools.csv "
                "(column nces_id) and import the rosters again"
            )
        if not found.schools:
            raise CrdcError(f"{name}: no row has the NCES id of one of the district's schools")
        # A new import of the year replaces the earlier one, never the district's own roster.
        await conn.execute(delete(CrdcStaffing).where(CrdcStaffing.year == year))
        await conn.execute(
            delete(Staffing).where(Staffing.year == year, Staffing.source.is_not(None))
        )
        own = set(
            (
                await conn.execute(
                    select(Staffing.school_id, Staffing.role).where(Staffing.year == year)
                )
            )
            .tuples()
            .all()
        )
        figures = [
            {"school_id": school, "year": year, "source": source, **row.fte}
            for school, row in found.schools.items()
        ]
        await conn.execute(insert(CrdcStaffing), figures)
        baseline = [
            {"school_id": s, "year": year, "role": role, "fte": fte, "source": source}
            for s, row in found.schools.items()
            for role in ROLES
            if (fte := row.fte[role]) is not None and (s, role) not in own
        ]
        if baseline:
            await conn.execute(insert(Staffing), baseline)
        kept = sum(1 for s, row in found.schools.items() for role in ROLES if (s, role) in own)
        await audit.record(
            conn,
            actor,
            audit.ROSTER_IMPORTED,
            "crdc",
            detail={"source": source, "schools": len(found.schools), "staffing": len(baseline)},
        )
    return CrdcImport(source, found, len(baseline), kept)
