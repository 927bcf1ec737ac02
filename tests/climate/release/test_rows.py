"""Published statistics: the intervals beside school groups give nothing more away."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from analysis import PsuTotals, ratio_estimate
from analysis.design.estimates import EstimateKind
from analysis.disclosure import CellKey, Policy, protect
from climate import db
from climate.instruments import Instrument
from climate.release.catalogue import (
    SCHOOL,
    CellData,
    build_release,
    cell_data,
    flag_item,
    item_options,
)
from climate.release.gather import gather, sources
from climate.release.result import Statistic
from climate.release.rows import published_rows
from climate.settings import Settings
from tests.climate.release.seeded import seed

Rows = tuple[Statistic, ...]


@dataclass(frozen=True)
class _Published:
    before: Rows
    after: Rows
    data: dict[CellKey, CellData]
    instrument: Instrument


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
        protected = protect(release, Policy(answered_bands=True), release_id="r")
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
                release_id="r",
                year=planted.year,
                names=gathered.names,
                district_name="D",
            )
            for cells in (data, grown)
        )
        return _Published(before, after, data, source.instrument)

    return asyncio.run(run())


def test_school_intervals_follow_from_published_values_alone(settings: Settings) -> None:
    # Intervals from a school group's exact counts give its exact n away: eight Wilson
    # intervals in whole percents leave one n in the band 40-99 (measured when this was
    # written). Computed from the published value and band they cannot.
    published = _rows(settings)
    true, grown = published.before, published.after
    before = [r for r in true if r.org_type == "school"]
    after = [r for r in grown if r.org_type == "school"]
    assert len([r for r in before if r.ci_low not in ("", "*")]) > 100
    assert [(r.ci_low, r.ci_high) for r in before] == [(r.ci_low, r.ci_high) for r in after]
    # The district's design-based intervals do use the school groups' counts.
    district = [(r.ci_low, r.ci_high) for r in true if r.org_type == "district"]
    assert district != [(r.ci_low, r.ci_high) for r in grown if r.org_type == "district"]


def _label(limit: float, mean: bool) -> str:
    """A limit as published: whole percents, means to one decimal, rounded half up."""
    step = math.floor((10 if mean else 100) * limit + 0.5)
    return f"{step / 10:.1f}" if mean else str(step)


def _school_totals(row: Statistic, published: _Published) -> tuple[list[PsuTotals], EstimateKind]:
    """Per school holding the row's group: its events (or score sum) and who answered."""
    group: CellKey = () if row.dimension == "all" else ((row.dimension, row.group),)
    cells = {
        k[0][1]: c for k, c in published.data.items() if k and k[0][0] == SCHOOL and k[1:] == group
    }
    totals = []
    for school, cell in sorted(cells.items()):
        if row.statistic == "mean":
            flagged, not_flagged, _ = cell.counts[flag_item(row.indicator)]
            y, x = cell.sums[row.indicator][0], flagged + not_flagged
        else:
            item, option = row.indicator.rsplit(":", 1)
            values = cell.counts[item]
            # Options in response-set order, then the skipped ones, who did not answer.
            y = values[item_options(published.instrument, item).index(option)]
            x = sum(values[:-1])
        totals.append(PsuTotals(school, float(y), float(x), int(x)))
    return totals, "mean" if row.statistic == "mean" else "proportion"


def test_district_groups_take_the_degrees_of_freedom_of_a_domain(settings: Settings) -> None:
    # The district total has the design's schools - 1 degrees of freedom; a group's
    # interval those of analysis.domain_df, fewer where a few schools hold most of it,
    # and none where it lives in one school. The oracle: ratio_estimate over the
    # schools that hold the group, their respondents and answers counted anew.
    published = _rows(settings, schools=10)
    district = [
        r
        for r in published.before
        if r.org_type == "district"
        and r.exact()
        and (r.statistic == "mean" or r.statistic == "percent")
    ]
    checked = narrower = 0
    for row in district:
        totals, kind = _school_totals(row, published)
        subgroup = row.dimension != "all"
        if sum(t.x > 0 for t in totals) < 2:
            assert (row.ci_low, row.ci_high) == ("", ""), row
            continue
        est = ratio_estimate(totals, kind, domain=subgroup)
        mean = kind == "mean"
        assert (row.ci_low, row.ci_high) == (_label(est.lower, mean), _label(est.upper, mean))
        checked += 1
        if subgroup:
            design = ratio_estimate(totals, kind, domain=False)
            assert est.df <= design.df
            shown = (_label(design.lower, mean), _label(design.upper, mean))
            narrower += est.df < design.df and shown != (row.ci_low, row.ci_high)
    assert checked > 50
    # The design's degrees of freedom would have published narrower intervals here.
    assert narrower > 0
