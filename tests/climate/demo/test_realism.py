"""The demo district tells a counselor nothing false: rates, correlations, rosters, skips.

Every rate is computed from the stored responses through the report's own aggregation
(``fetch_cells``: counts per option, percentages of those who answered), over the
district's closed secondary windows, and checked against the range its source allows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Executable, Row, func, select

from climate import db
from climate.demo import district as demo
from climate.instruments import Instrument, load_directory
from climate.models import Administration, Enrollment, InstrumentVersion, response
from climate.responses.cells import ALL, fetch_cells
from climate.responses.layout import Layout
from climate.settings import Settings

TODAY = dt.date(2026, 11, 28)
YES, NO, NO_THOUGHTS = 1, 0, 2


@pytest.fixture
def seeded(settings: Settings) -> demo.SeedSummary:
    """The demo district as ``climate seed`` makes it by default."""

    async def run() -> demo.SeedSummary:
        engine = db.create_engine(settings.database_url)
        try:
            return await demo.seed_district(engine, settings, today=TODAY)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _instrument(settings: Settings, instrument_id: str) -> Instrument:
    return load_directory(settings.surveys_dir)[instrument_id].instrument


def _query(settings: Settings, statement: Executable) -> Sequence[Row[Any]]:
    async def run() -> Sequence[Row[Any]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(statement)).all()
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _closed(settings: Settings, instrument_id: str) -> list[int]:
    rows = _query(
        settings,
        select(Administration.id)
        .join(InstrumentVersion, InstrumentVersion.id == Administration.instrument_version_id)
        .where(InstrumentVersion.instrument_id == instrument_id, Administration.status == "closed"),
    )
    return [int(r[0]) for r in rows]


def _option_counts(settings: Settings, instrument: Instrument, item: str) -> dict[int, int]:
    """District counts per option of ``item`` over the closed windows, as the report counts."""

    closed = _closed(settings, instrument.id)

    async def run() -> dict[int, int]:
        engine = db.create_engine(settings.database_url)
        totals: dict[int, int] = {}
        try:
            async with engine.connect() as conn:
                for administration in closed:
                    cells = await fetch_cells(conn, administration, instrument, ALL)
                    for value, counts in cells.options[item].items():
                        totals[value] = totals.get(value, 0) + int(counts.sum())
        finally:
            await engine.dispose()
        return totals

    return asyncio.run(run())


def _share(counts: dict[int, int], value: int, of: tuple[int, ...] | None = None) -> float:
    """The share answering ``value`` among those who answered (one of ``of``, if given)."""
    answered = sum(n for v, n in counts.items() if of is None or v in of)
    assert answered > 300  # enough students for the ranges below to be a fair test
    return counts.get(value, 0) / answered


def test_sensitive_rates_lie_near_the_published_ones(
    settings: Settings, seeded: demo.SeedSummary
) -> None:
    secondary = _instrument(settings, "secondary")
    assert {i.id for i in secondary.items if i.sensitive} == {
        "sh_hurt",
        "sui_thought",
        "sui_plan",
        "sh_talked",
    }
    # Seriously considered attempting suicide, past 12 months: 20.4 % of high-school
    # students (YRBS 2023; Verlenden et al., MMWR Suppl 2024;73(4):79-86); the grades 6-8
    # lifetime rate is 22.3 % (middle-school YRBS 2019, J Adolesc Health 2024;74(4):720-728),
    # so a past-year district rate over grades 6-12 lies in 14-25 %.
    thought = _share(_option_counts(settings, secondary, "sui_thought"), YES)
    assert 0.14 <= thought <= 0.25
    # Asked only after a Yes, so of those who said Yes: YRBS 2023 high school, 16 % made a
    # plan of 20 % considering (0.80 at most); middle school 14.7 % of 22.3 % (0.66).
    plan = _share(_option_counts(settings, secondary, "sui_plan"), YES)
    assert 0.55 <= plan <= 0.85
    # Hurt themselves on purpose without wanting to die, past 12 months: 17.6 % of high
    # school students, 6.4-30.8 % by state and sex (Monto et al., Am J Public Health
    # 2018;108(8):1042-1048); thinking about it is at least as common as doing it.
    hurt = _share(_option_counts(settings, secondary, "sh_hurt"), YES)
    assert 0.15 <= hurt <= 0.31
    # Of those with such thoughts, a half to two thirds talk to someone (Rowe et al., Aust
    # N Z J Psychiatry 2014;48(12):1083-1095: a third to a half do not seek help).
    talked = _option_counts(settings, secondary, "sh_talked")
    assert 0.45 <= _share(talked, YES, of=(YES, NO)) <= 0.70
    # Those without such thoughts say so: about 1 - P(either thought).
    assert 0.6 <= _share(talked, NO_THOUGHTS) <= 0.85


def test_no_thoughts_answers_agree_with_the_questions_before(
    settings: Settings, seeded: demo.SeedSummary
) -> None:
    layout = Layout.of(_instrument(settings, "secondary"))
    hurt, thought, talked = (
        response.c[layout.items[i]] for i in ("sh_hurt", "sui_thought", "sh_talked")
    )
    closed = response.c.administration_id.in_(_closed(settings, "secondary"))
    rows: dict[int, int] = {
        int(value): int(n)
        for value, n in _query(
            settings,
            select(talked, func.count())
            .where(closed, (hurt == YES) | (thought == YES), talked.is_not(None))
            .group_by(talked),
        )
    }
    assert rows.get(YES, 0) > 0
    assert rows.get(NO_THOUGHTS, 0) == 0
    without = {
        int(value)
        for value, _n in _query(
            settings,
            select(talked, func.count())
            .where(closed, hurt == NO, thought == NO, talked.is_not(None))
            .group_by(talked),
        )
    }
    assert without == {NO_THOUGHTS}


def test_conditional_items_are_unanswered_for_those_who_do_not_qualify(
    settings: Settings, seeded: demo.SeedSummary
) -> None:
    for instrument_id in ("secondary", "elementary"):
        instrument = _instrument(settings, instrument_id)
        layout = Layout.of(instrument)
        closed = response.c.administration_id.in_(_closed(settings, instrument_id))
        assert instrument.skip_rules
        for rule in instrument.skip_rules:
            item, shown_if = (
                response.c[layout.items[rule.item]],
                response.c[layout.items[rule.show_if]],
            )
            qualifies = shown_if.in_(rule.values)
            answered_anyway = _query(
                settings,
                select(func.count()).where(
                    closed, ~qualifies | shown_if.is_(None), item.is_not(None)
                ),
            )[0][0]
            assert answered_anyway == 0, rule
            answered = _query(
                settings, select(func.count()).where(closed, qualifies, item.is_not(None))
            )[0][0]
            assert answered > 0, rule


def test_no_grade_has_more_respondents_than_students(
    settings: Settings, seeded: demo.SeedSummary
) -> None:
    enrolled = {
        (school, year, grade): students
        for school, year, grade, students in _query(
            settings,
            select(Enrollment.school_id, Enrollment.year, Enrollment.grade, Enrollment.students),
        )
    }
    counted = _query(
        settings,
        select(response.c.school_id, Administration.school_year, response.c.grade, func.count())
        .join(Administration, Administration.id == response.c.administration_id)
        .where(response.c.grade.is_not(None))
        .group_by(response.c.school_id, Administration.school_year, response.c.grade),
    )
    assert len(counted) > 20
    over = [
        (school, year, grade, n, enrolled.get((school, year, grade), 0))
        for school, year, grade, n in counted
        if n > enrolled.get((school, year, grade), 0)
    ]
    assert over == []


def _correlations(matrix: np.ndarray) -> np.ndarray:
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    result: np.ndarray = np.corrcoef(complete.T)
    return result


@pytest.mark.parametrize("instrument_id", ["secondary", "elementary"])
def test_scales_correlate_less_than_the_items_within_them(
    settings: Settings, seeded: demo.SeedSummary, instrument_id: str
) -> None:
    instrument = _instrument(settings, instrument_id)
    layout = Layout.of(instrument)
    items = [i for s in instrument.scales for i in s.items]
    columns = [response.c[layout.items[i]] for i in items] + [
        response.c[layout.scales[s.id]] for s in instrument.scales
    ]
    rows = _query(
        settings,
        select(*columns).where(response.c.administration_id.in_(_closed(settings, instrument_id))),
    )
    data = np.array([[np.nan if v is None else float(v) for v in r] for r in rows])
    answers, scores = data[:, : len(items)], data[:, len(items) :]
    between = np.abs(_correlations(scores))
    np.fill_diagonal(between, 0.0)
    for index, scale in enumerate(instrument.scales):
        at = [items.index(i) for i in scale.items]
        sign = np.array([-1.0 if i in scale.reverse else 1.0 for i in scale.items])
        within = _correlations(answers[:, at]) * np.outer(sign, sign)
        mean_within = within[~np.eye(len(at), dtype=bool)].mean()
        # Items of one scale share its trait; scales share only correlated traits.
        assert between[index].max() < mean_within, scale.id
        assert mean_within > 0.3, scale.id
