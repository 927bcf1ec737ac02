"""Cronbach's alpha per scale, published beside the district's scale results.

Alpha is a statistic of the whole district's students: never of a school or a subgroup, so
never of a small group. It is published only when at least ``k`` students answered every item
of the scale and the district's own row of the scale is shown. Its value rests on the sums of
products of answers of the students who answered every item, which appear in no other
published number and in no relation the disclosure audit protects, so it narrows no hidden
value. Those students are counted in a band, as every other n is, and the Feldt interval is
computed from the band's lower end, not from the exact count: it reveals nothing about n
and is at least as wide as the exact interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analysis import alpha_from_moments, feldt_interval
from analysis.disclosure import HIDDEN, Policy, code_n, n_interval
from climate.instruments import Instrument
from climate.release.catalogue import statistic_of
from climate.release.result import ALL, DISTRICT, Statistic
from climate.responses.cells import ScaleMoments

ALPHA = "alpha"


def alpha_rows(
    instrument: Instrument,
    moments: Mapping[str, ScaleMoments],
    rows: Sequence[Statistic],
    *,
    policy: Policy,
) -> tuple[Statistic, ...]:
    """One ``alpha`` row per scale of the district, where it may be published."""
    district = {
        (r.indicator, r.statistic): r
        for r in rows
        if r.org_type == DISTRICT and r.dimension == ALL and r.group == ALL
    }
    found = []
    for scale in instrument.scales:
        shown = district.get((scale.id, statistic_of(instrument, scale.id)))
        sums = moments.get(scale.id)
        if shown is None or sums is None or sums.n < policy.k or shown.n_band == HIDDEN:
            continue
        try:
            result = alpha_from_moments(sums.n, sums.sums, sums.products, sums.reverse)
        except ValueError:
            # An item everyone answered alike leaves alpha undefined: nothing to publish.
            continue
        band = code_n(sums.n, policy)
        low, high = feldt_interval(result.alpha, int(n_interval(band)[0]), result.k)
        found.append(
            Statistic(
                shown.release_id,
                shown.year,
                DISTRICT,
                shown.org_id,
                shown.org_name,
                ALL,
                ALL,
                scale.id,
                ALPHA,
                f"{result.alpha:.2f}",
                f"{low:.2f}",
                f"{high:.2f}",
                band,
            )
        )
    return tuple(found)
