"""Historical and paper responses from CSV: every row checked, scored, stored all or nothing.

Columns are ``school_id,grade``, then demographic ids and item ids of the instrument, with
option values as answers; an empty cell is a skip. Problems read ``file:line: column:
message``. Responses go into the closed administration of that instrument and year, made
when there is none.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Sequence
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

MAX_PROBLEMS = 200
LOCALE = "und"  # a paper or external survey's language is not known


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
    data: bytes, instrument: Instrument, known_schools: set[str], *, name: str
) -> Parsed:
    """Check every row against the instrument; raise HistoryError listing every problem."""
    problems: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HistoryError([f"{name}:1: the file is not UTF-8 text"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or header[:2] != ["school_id", GRADE]:
        raise HistoryError([f"{name}:1: the header must start with school_id,grade"])
    demographics = {d.id: d for d in instrument.demographics if d.id != GRADE}
    grade = next(d for d in instrument.demographics if d.id == GRADE)
    items = {i.id: i for i in instrument.items}
    columns = header[2:]
    for column in columns:
        if column not in demographics and column not in items:
            problems.append(f"{name}:1: {column}: not a demographic or item of {instrument.id}")
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
    schools: list[str] = []
    grades: list[int | None] = []
    demo_values: dict[str, list[int | None]] = {d: [] for d in demographics}
    item_values: dict[str, list[int]] = {i: [] for i in items}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"{name}:{line}: expected {len(header)} columns, got {len(row)}")
            continue
        school = row[0].strip()
        if school not in known_schools:
            problems.append(f"{name}:{line}: school_id: unknown school {school!r}")
        values: dict[str, int | None] = {}
        for column, cell in zip(header[1:], row[1:], strict=True):
            cell = cell.strip()
            if cell == "":
                values[column] = None
                continue
            try:
                value = int(cell)
            except ValueError:
                problems.append(f"{name}:{line}: {column}: {cell!r} is not an option value")
                continue
            if value not in allowed[column]:
                listed = ", ".join(str(v) for v in sorted(allowed[column]))
                problems.append(f"{name}:{line}: {column}: {value} is not one of {listed}")
                continue
            # "Prefer not to say" is stored as not reported, as the survey stores it.
            values[column] = None if value in prefer[column] else value
        schools.append(school)
        grades.append(values.get(GRADE))
        for demographic_id in demographics:
            demo_values[demographic_id].append(values.get(demographic_id))
        for item_id in items:
            answer = values.get(item_id)
            item_values[item_id].append(MISSING if answer is None else answer)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise HistoryError(problems)
    if not schools:
        raise HistoryError([f"{name}: the file has no responses"])
    return Parsed(
        tuple(schools),
        tuple(grades),
        demo_values,
        {i: np.asarray(v, dtype=np.int64) for i, v in item_values.items()},
    )


async def import_responses(
    engine: AsyncEngine, loaded: LoadedInstrument, year: int, data: bytes, *, name: str
) -> int:
    """Check every row of a CSV file, then store them all in one transaction; return how many.

    Raises HistoryError listing every problem, and then nothing is stored.
    """
    async with engine.connect() as conn:
        schools = await known_schools(conn)
    parsed = parse_responses(data, loaded.instrument, schools, name=name)
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        await store_responses(session, loaded, year, parsed)
    return len(parsed.schools)


async def known_schools(conn: AsyncConnection) -> set[str]:
    """Ids of the district's schools."""
    return set((await conn.scalars(select(School.id))).all())


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
