"""Alpha per scale in the release: the rows' alpha against the students' own rows."""

from __future__ import annotations

import asyncio

import numpy as np
from sqlalchemy import select

from analysis import cronbach_alpha, feldt_interval
from analysis.disclosure import Policy, code_n, n_interval
from climate import db
from climate.instruments import item_range
from climate.instruments.registry import instrument_of
from climate.models import Administration, InstrumentVersion, response
from climate.release.pipeline import year_releases
from climate.release.reliability import ALPHA
from climate.release.result import DISTRICT, YearRelease
from climate.responses.layout import Layout
from climate.settings import Settings
from tests.climate.release.seeded import seed


def _release_and_answers(
    settings: Settings, policy: Policy
) -> tuple[YearRelease, dict[str, np.ndarray]]:
    planted = seed(settings)

    async def run() -> tuple[YearRelease, dict[str, np.ndarray]]:
        engine = db.create_engine(settings.database_url)
        try:
            (release,) = await year_releases(engine, planted.year, district_name="D", policy=policy)
            async with engine.connect() as conn:
                found = (
                    await conn.execute(
                        select(
                            InstrumentVersion.id,
                            InstrumentVersion.instrument_id,
                            InstrumentVersion.version,
                            InstrumentVersion.source,
                        )
                        .join(
                            Administration,
                            Administration.instrument_version_id == InstrumentVersion.id,
                        )
                        .where(
                            InstrumentVersion.instrument_id == release.instrument_id,
                            Administration.school_year == planted.year,
                        )
                    )
                ).one()
                version_id = found.id
                instrument = instrument_of(
                    InstrumentVersion(
                        instrument_id=found.instrument_id,
                        version=found.version,
                        source=found.source,
                    )
                )
                layout = Layout.of(instrument)
                answers: dict[str, np.ndarray] = {}
                for scale in instrument.scales:
                    columns = [response.c[layout.items[i]] for i in scale.items]
                    rows = (
                        await conn.execute(
                            select(*columns)
                            .join(
                                Administration,
                                Administration.id == response.c.administration_id,
                            )
                            .where(
                                Administration.instrument_version_id == version_id,
                                Administration.school_year == planted.year,
                                *(c.is_not(None) for c in columns),
                            )
                        )
                    ).all()
                    x = np.array(rows, dtype=float).reshape(len(rows), len(columns))
                    for j, item in enumerate(scale.items):
                        if item in scale.reverse:
                            low, high = item_range(instrument, item)
                            x[:, j] = low + high - x[:, j]
                    answers[scale.id] = x
            return release, answers
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_alpha_rows_match_the_students_rows(settings: Settings) -> None:
    policy = Policy(k=settings.suppression_k)
    release, answers = _release_and_answers(settings, policy)
    rows = {r.indicator: r for r in release.rows if r.statistic == ALPHA}
    assert set(rows) == set(answers)
    for scale, x in answers.items():
        row = rows[scale]
        # The oracle: alpha computed from the students' reverse-coded rows.
        expected = cronbach_alpha(x)
        assert (row.org_type, row.dimension, row.group) == (DISTRICT, "all", "all")
        assert row.value == f"{expected.alpha:.2f}"
        # Counted in a band, with the interval from the band's lower end.
        assert row.n_band == code_n(len(x), policy)
        low, high = feldt_interval(expected.alpha, int(n_interval(row.n_band)[0]), x.shape[1])
        assert (row.ci_low, row.ci_high) == (f"{low:.2f}", f"{high:.2f}")
        assert float(row.ci_low) <= round(expected.lower, 2) + 0.005
        assert float(row.ci_high) >= round(expected.upper, 2) - 0.005


def test_no_alpha_for_a_scale_fewer_than_k_students_completed(settings: Settings) -> None:
    # With k above the district's size, nothing of the district is shown, alpha included.
    release, answers = _release_and_answers(settings, Policy(k=5_000))
    assert answers
    assert [r for r in release.rows if r.statistic == ALPHA] == []
