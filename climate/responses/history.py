"""Historical and paper responses from CSV: every row checked, scored, stored all or nothing.

Columns are ``school_id,grade``, then demographic ids and item ids of the instrument, with
option values as answers; an empty cell is a skip. Problems read ``file:line: column:
message``. Responses go into the closed administration of that instrument and year, made
when there is none.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from climate.instruments import Instrument, LoadedInstrument
from climate.instruments.registry import register
from climate.models import Administration, AdministrationSchool, School, response
from climate.responses.layout import GRADE, Layout
from climate.responses.scoring import MISSING, score_columns
from climate.rosters.csvfile import CsvFile, CsvProblem, shown

MAX_PROBLEMS = 200
LOCALE = "und"  # a paper or external survey's language is not known
YEARS = range(1900, 2201)
_DIGITS = 4  # option values are small; a longer cell is not one
Span = tuple[int, int]  # a school's lowest and highest grade (PK -1, K 0)


class HistoryError(ValueError):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems[:MAX_PROBLEMS]))


@dataclass(frozen=True, slots=True)
class Parsed:
    """Checked rows: per school, grade, demographics and answers (MISSING for a skip)."""

    schools: tuple[str, ...]
    grades: tuple[int | None, ...]
    demographics: dict[str, list[int | None]]
    items: dict[str, np.ndarray]


def parse_responses(
    data: bytes, instrument: Instrument, schools: Mapping[str, Span], *, name: str
) -> Parsed:
    """Check every row against the instrument and its school; raise HistoryError with all."""
    found: list[CsvProblem] = []
    records = CsvFile(name, data, found).records()
    first = next(records, None)
    header = [column.strip() for column in first[1]] if first else []
    if found:
        raise HistoryError([str(p) for p in found])
    if header[:2] != ["school_id", GRADE]:
        raise HistoryError([f"{name}:1: the header must start with school_id,grade"])
    problems: list[str] = []
    demographics = {d.id: d for d in instrument.demographics if d.id != GRADE}
    grade = next(d for d in instrument.demographics if d.id == GRADE)
    items = {i.id: i for i in instrument.items}
    columns = header[2:]
    for column in columns:
        if column not in demographics and column not in items:
            problems.append(
                f"{name}:1: {column[:40]}: not a demographic or item of {instrument.id}"
            )
    if len(set(header)) != len(header):
        problems.append(f"{name}:1: a column is repeated")
    if problems:
        raise HistoryError(problems)
    allowed: dict[str, set[int]] = {GRADE: {o.value for o in grade.options}}
    prefer: dict[str, set[int]] = {GRADE: {o.value for o in grade.options if o.prefer_not_to_say}}
    for d in demographics.values():
        allowed[d.id] = {o.value for o in d.options}
        prefer[d.id] = {o.value for o in d.options if o.prefer_not_to_say}
    for question in items.values():
        options = instrument.response_sets[question.response_set].options
        allowed[question.id] = {o.value for o in options}
        prefer[question.id] = set()
    schools_seen: list[str] = []
    grades: list[int | None] = []
    demo_values: dict[str, list[int | None]] = {d: [] for d in demographics}
    item_values: dict[str, list[int]] = {i: [] for i in items}
    for line, row in records:
        if len(row) != len(header):
            problems.append(f"{name}:{line}: expected {len(header)} columns, got {len(row)}")
            continue
        school = row[0].strip()
        values: dict[str, int | None] = {}
        for column, cell in zip(header[1:], row[1:], strict=True):
            cell = cell.strip()
            if cell == "":
                values[column] = None
                continue
            value = _option(cell)
            if value is None:
                problems.append(f"{name}:{line}: {column}: {shown(cell)} is not an option value")
                continue
            if value not in allowed[column]:
                listed = ", ".join(str(v) for v in sorted(allowed[column]))
                problems.append(f"{name}:{line}: {column}: {value} is not one of {listed}")
                continue
            # "Prefer not to say" is stored as not reported, as the survey stores it.
            values[column] = None if value in prefer[column] else value
        problems += _school_problems(name, line, instrument, schools, school, values.get(GRADE))
        schools_seen.append(school)
        grades.append(values.get(GRADE))
        for demographic_id in demographics:
            demo_values[demographic_id].append(values.get(demographic_id))
        for item_id in items:
            answer = values.get(item_id)
            item_values[item_id].append(MISSING if answer is None else answer)
        if len(problems) >= MAX_PROBLEMS:
            break
    problems = [str(p) for p in found] + problems
    if problems:
        raise HistoryError(problems)
    if not schools_seen:
        raise HistoryError([f"{name}: the file has no responses"])
    return Parsed(
        tuple(schools_seen),
        tuple(grades),
        demo_values,
        {i: np.asarray(v, dtype=np.int64) for i, v in item_values.items()},
    )


def _option(cell: str) -> int | None:
    """An answer's option value, or None when the cell is not a small whole number."""
    if len(cell) > _DIGITS or not cell.lstrip("+-").isdigit():
        return None
    return int(cell)


def _school_problems(
    name: str,
    line: int,
    instrument: Instrument,
    schools: Mapping[str, Span],
    school: str,
    grade: int | None,
) -> list[str]:
    """The row's school is unknown, teaches none of the instrument's grades, or not its grade."""
    span = schools.get(school)
    if span is None:
        return [f"{name}:{line}: school_id: unknown school {shown(school)}"]
    low, high = instrument.grade_band
    if span[1] < low or span[0] > high:
        return [
            f"{name}:{line}: school_id: {school} has grades {_grades(span)}, none of them "
            f"in {instrument.id}'s grades {low}-{high}"
        ]
    if grade is not None and not span[0] <= grade <= span[1]:
        return [
            f"{name}:{line}: {GRADE}: grade {grade} is outside {school}'s grades {_grades(span)}"
        ]
    return []


def _grades(span: Span) -> str:
    return "-".join({-1: "PK", 0: "K"}.get(grade, str(grade)) for grade in span)


def _check_year(year: int) -> None:
    if year not in YEARS:
        raise HistoryError([f"--year {year}: expected a school year such as 2024"])


async def import_responses(
    engine: AsyncEngine, loaded: LoadedInstrument, year: int, data: bytes, *, name: str
) -> int:
    """Check every row of a CSV file, then store them all in one transaction; return how many.

    Raises HistoryError listing every problem, and then nothing is stored.
    """
    _check_year(year)
    async with engine.connect() as conn:
        schools = await known_schools(conn)
    parsed = parse_responses(data, loaded.instrument, schools, name=name)
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        await store_responses(session, loaded, year, parsed)
    return len(parsed.schools)


async def known_schools(conn: AsyncConnection) -> dict[str, Span]:
    """The district's schools: each id with its lowest and highest grade."""
    rows = await conn.execute(select(School.id, School.grade_low, School.grade_high))
    return {school: (low, high) for school, low, high in rows.all()}


async def store_responses(
    session: AsyncSession, loaded: LoadedInstrument, year: int, parsed: Parsed
) -> int:
    """Score and insert the rows into the year's closed administration (inside the caller's
    transaction); return the administration id."""
    instrument = loaded.instrument
    version = await register(session, loaded)
    existing = (
        (
            await session.execute(
                select(Administration).where(
                    Administration.instrument_version_id == version.id,
                    Administration.school_year == year,
                )
            )
        )
        .scalars()
        .all()
    )
    if any(a.status != "closed" for a in existing):
        raise HistoryError(
            [f"{instrument.id} {year}: an administration of that year is not closed"]
        )
    if existing:
        administration = existing[0]
    else:
        low, high = instrument.grade_band
        day = dt.date(year, 6, 30)
        administration = Administration(
            instrument_version_id=version.id,
            name=f"{instrument.title} {year - 1}-{str(year)[-2:]} (imported)",
            school_year=year,
            term="imported",
            grades=list(range(low, high + 1)),
            locales=["en"],
            opens_on=day,
            closes_on=day,
            access_mode="class-code",
            consent_mode="passive",
            status="closed",
            declines=0,
        )
        session.add(administration)
        await session.flush()
    taking = set(
        (
            await session.scalars(
                select(AdministrationSchool.school_id).where(
                    AdministrationSchool.administration_id == administration.id
                )
            )
        ).all()
    )
    session.add_all(
        AdministrationSchool(administration_id=administration.id, school_id=s)
        for s in sorted(set(parsed.schools) - taking)
    )
    await session.flush()
    layout = Layout.of(instrument)
    scores = score_columns(instrument, parsed.items)
    rows: list[dict[str, Any]] = []
    for k, school in enumerate(parsed.schools):
        row: dict[str, Any] = {
            "id": uuid.uuid4(),
            "administration_id": administration.id,
            "school_id": school,
            GRADE: parsed.grades[k],
            "locale": LOCALE,
            "submitted_on": administration.closes_on,
        }
        for d, column in layout.demographics.items():
            row[column] = parsed.demographics[d][k]
        for i, column in layout.items.items():
            value = int(parsed.items[i][k])
            row[column] = None if value == MISSING else value
        for s, column in layout.scales.items():
            score = float(scores[s][k])
            row[column] = None if np.isnan(score) else score
        rows.append(row)
    await session.execute(insert(response), rows)
    return administration.id
