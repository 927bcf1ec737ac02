"""Published statistics: the intervals beside school groups give nothing more away."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from analysis import PsuTotals, korn_graubard_interval, ratio_estimate
from analysis.disclosure import CellKey, Protected, code_percent, n_interval, protect
from climate import db
from climate.instruments import Instrument
from climate.release.catalogue import (
    SCHOOL,
    CellData,
    build_release,
    cell_data,
)
from climate.release.gather import gather, sources
from climate.release.pipeline import release_policy
from climate.release.result import Statistic
from climate.release.rows import published_rows
from climate.settings import Settings
from tests.climate.release.seeded import seed

Rows = tuple[Statistic, ...]
POLICY = release_policy()


@dataclass(frozen=True)
class _Published:
    before: Rows
    after: Rows
    data: dict[CellKey, CellData]
    instrument: Instrument
    protected: Protected


def _rows(settings: Settings, schools: int = 4) -> _Published:
    """Published rows of a seeded year, again from other counts behind the same codes."""
    planted = seed(settings, schools=schools)

    async def run() -> _Published:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                source = (await sources(conn, planted.year))[0]
                gathered = await gather(conn, source)
        finally:
            await engine.dispose()
        data = cell_data(source.instrument, gathered.schools, gathered.cells)
        release = build_release(source.instrument, gathered.schools, data)
        protected = protect(release, POLICY, release_id="r")
        # One more respondent in every group, who gave every item's first answer: the
        # counts change, the protected codes are taken as they were.
        grown = {
            key: CellData(
                cell.n + 1,
                {item: (values[0] + 1, *values[1:]) for item, values in cell.counts.items()},
                cell.sums,
            )
            for key, cell in data.items()
        }
        before, after = (
            published_rows(
                source.instrument,
                protected,
                cells,
                policy=POLICY,
                release_id="r",
                year=planted.year,
                names=gathered.names,
                district_name="D",
            )
            for cells in (data, grown)
        )
        return _Published(before, after, data, source.instrument, protected)

    return asyncio.run(run())


def test_every_interval_follows_from_published_values_alone(settings: Settings) -> None:
    # Intervals from exact counts are equations on them: a school group's gave its exact n
    # away (eight Wilson intervals in whole percents left one n in the band 40-99), and a
    # district group's design-based interval, computed from every school group's counts,
    # let an attacker solve for the hidden school groups. Other counts behind the same
    # published codes must give the same intervals, school and district alike.
    published = _rows(settings)
    true, grown = published.before, published.after
    assert len([r for r in true if r.org_type == "school" and r.ci_low not in ("", "*")]) > 100
    assert len([r for r in true if r.org_type == "district" and r.ci_low not in ("", "*")]) > 50
    assert [(r.ci_low, r.ci_high) for r in true] == [(r.ci_low, r.ci_high) for r in grown]


def _key(row: Statistic) -> CellKey:
    group: CellKey = () if row.dimension == "all" else ((row.dimension, row.group),)
    return group if row.org_type == "district" else ((SCHOOL, row.org_id), *group)


def _label(limit: float, mean: bool) -> str:
    """A limit as published: whole percents, means to one decimal, rounded half up."""
    step = math.floor((10 if mean else 100) * limit + 0.5)
    return f"{step / 10:.1f}" if mean else str(step)


def test_district_percentages_take_the_design_effect_of_the_published_school_totals(
    settings: Settings,
) -> None:
    # The oracle, from published values only: each school total's percentage of those who
    # answered (exact for school totals) as analysis.PsuTotals, ratio_estimate's
    # linearization variance over the simple random sample's as the design effect
    # (Kish 1965, section 8.2), then Korn-Graubard limits at the district group's own
    # percentage and answered count, on the schools it has respondents in less one.
    published = _rows(settings, schools=6)
    rows = published.before
    protected = published.protected
    answered = protected.codes.answered
    index = protected.structure.index

    def size(row: Statistic, key: CellKey) -> int:
        # Exact for whole schools and the district; in a band for a district group, where
        # the fewest who answered that every published percentage of the item allows is
        # found by trying each size: a percentage fits a size when some count is coded
        # to it, and the counts of the answered options must add up to the size.
        item = row.indicator.rsplit(":", 1)[0]
        code = answered[item][index[key]]
        if code.isdigit():
            return int(code)
        options = [r for r in rows if _key(r) == key and r.indicator.startswith(item + ":")]
        low, high = n_interval(code)
        for d in range(low, int(high) + 1):
            fits = [
                [y for y in range(d + 1) if code_percent(y, d, POLICY).rstrip("%") == r.value]
                for r in options
            ]
            if all(fits) and sum(min(f) for f in fits) <= d <= sum(max(f) for f in fits):
                return d
        raise AssertionError(f"no size fits {key} {item}")

    schools = [r for r in rows if r.org_type == "school" and r.dimension == "all"]
    checked = 0
    for row in rows:
        if row.org_type != "district" or row.statistic != "percent" or not row.exact():
            continue
        if row.dimension != "all" and checked >= 60:
            continue
        parts = [
            s
            for s in schools
            if (s.indicator, s.statistic) == (row.indicator, row.statistic) and s.exact()
        ]
        totals = []
        for s in parts:
            d = size(s, ((SCHOOL, s.org_id),))
            totals.append(PsuTotals(s.org_id, float(s.value) / 100 * d, float(d), d))
        deff = 1.0
        if len(totals) >= 2:
            estimate = ratio_estimate(totals, "proportion")
            simple = estimate.estimate * (1 - estimate.estimate) / sum(t.x for t in totals)
            deff = max(1.0, estimate.se**2 / simple) if simple > 0 else 1.0
        key: CellKey = () if row.dimension == "all" else ((row.dimension, row.group),)
        reach = {
            r.org_id
            for r in rows
            if r.org_type == "school" and (r.dimension, r.group) == (row.dimension, row.group)
        }
        if len(reach) < 2:
            assert (row.ci_low, row.ci_high) == ("", ""), row
            continue
        d = size(row, key)
        p = float(row.value) / 100
        ci = korn_graubard_interval(p, math.sqrt(deff * p * (1 - p) / d), d, len(reach) - 1)
        assert (row.ci_low, row.ci_high) == (_label(ci.lower, False), _label(ci.upper, False))
        checked += 1
    assert checked > 50
