"""The fixed catalogue: an instrument's cells as one disclosure release per year.

Dimensions are ``school`` and every demographic of the instrument; each demographic's
categories are its option values plus ``not_reported``. One table per demographic,
``(school, d)``, whose lattice gives school x category, school totals, district x category
and the district total, all linked. A question's combined groups are categories too, named
by their members (``11+12``), their cells the sums of their members'. Each item counts its
options plus ``skipped``; each scale has a cut-point item (flagged, not flagged, unscored)
and a mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import msgspec

from analysis.disclosure import Cell, CellKey, Dimension, Item, Release, Scale, Table
from climate.instruments import Demographic, Instrument, scale_range
from climate.responses.cells import ALL, Cells

SCHOOL = "school"
NOT_REPORTED = "not_reported"
SKIPPED = "skipped"
FLAGGED = "flagged"
NOT_FLAGGED = "not_flagged"
UNSCORED = "unscored"

# The engine learns per-item denominators (answered only) in a release of its own; until
# then percentages are of all respondents, and intervals follow whichever it publishes.
MISSING_SUPPORTED = "missing" in {f.name for f in fields(Item)}


def flag_item(scale_id: str) -> str:
    """Name of the cut-point item of a scale."""
    return f"{scale_id}:flag"


def category_name(value: int | None) -> str:
    """Published name of a demographic category (``not_reported`` for none)."""
    return NOT_REPORTED if value is None else str(value)


def item_options(instrument: Instrument, item_id: str) -> tuple[str, ...]:
    """Option values of an item as category names, in response-set order."""
    item = next(i for i in instrument.items if i.id == item_id)
    return tuple(str(o.value) for o in instrument.response_sets[item.response_set].options)


def statistic_of(instrument: Instrument, scale_id: str) -> str:
    """``percent_favorable`` or ``percent_elevated``, whichever the scale defines."""
    scale = next(s for s in instrument.scales if s.id == scale_id)
    return "percent_favorable" if scale.favorable_at is not None else "percent_elevated"


def _item(name: str, options: tuple[str, ...], sensitive: tuple[str, ...], missing: str) -> Item:
    extra: dict[str, Any] = {"missing": missing} if MISSING_SUPPORTED else {}
    return Item(name, options, sensitive, **extra)


def _scale(name: str, low: float, high: float, item: str, cut: float | None) -> Scale:
    extra: dict[str, Any] = {"item": item, "cut": cut} if MISSING_SUPPORTED else {}
    return Scale(name, low, high, **extra)


def categories(question: Demographic) -> tuple[str, ...]:
    """A demographic's categories in the release: its answers, then ``not_reported``."""
    values = (str(o.value) for o in question.options if not o.prefer_not_to_say)
    return (*values, NOT_REPORTED)


def combined_groups(question: Demographic) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A demographic's combined groups: (published name, members in category order)."""
    result = []
    for group in question.combined:
        wanted = {str(v) for v in group.options} | ({NOT_REPORTED} if group.not_reported else set())
        members = tuple(c for c in categories(question) if c in wanted)
        result.append(("+".join(members), members))
    return tuple(result)


def dimensions(instrument: Instrument, schools: tuple[str, ...]) -> tuple[Dimension, ...]:
    """The release's dimensions: schools, then every demographic and its combined groups."""
    result = [Dimension(SCHOOL, schools)]
    for question in instrument.demographics:
        result.append(
            Dimension(question.id, categories(question), combined=combined_groups(question))
        )
    return tuple(result)


def items(instrument: Instrument, *, sensitive: bool = True) -> tuple[Item, ...]:
    """Every item with ``skipped`` as its missing option, then each scale's cut-point item.

    ``sensitive=False`` drops the stricter audit of sensitive answers (small groups are
    still hidden); it exists for measuring the engine, never for publishing.
    """
    result = []
    for item in instrument.items:
        options = item_options(instrument, item.id)
        marked = options if item.sensitive and sensitive else ()
        result.append(_item(item.id, (*options, SKIPPED), marked, SKIPPED))
    for scale in instrument.scales:
        result.append(_item(flag_item(scale.id), (FLAGGED, NOT_FLAGGED, UNSCORED), (), UNSCORED))
    return tuple(result)


def scales(instrument: Instrument) -> tuple[Scale, ...]:
    """Each scale's mean over its range, scored respondents only, tied to its cut-point."""
    return tuple(
        _scale(
            s.id,
            *scale_range(instrument, s),
            item=flag_item(s.id),
            cut=s.favorable_at if s.favorable_at is not None else s.elevated_at,
        )
        for s in instrument.scales
    )


@dataclass(frozen=True)
class CellData:
    """One group's unprotected sufficient statistics (never published as such)."""

    n: int
    counts: dict[str, tuple[int, ...]]
    sums: dict[str, tuple[float, float]]

    def add(self, other: CellData) -> CellData:
        """The sum of two disjoint groups."""
        return CellData(
            self.n + other.n,
            {
                k: tuple(a + b for a, b in zip(v, other.counts[k], strict=True))
                for k, v in self.counts.items()
            },
            {k: (v[0] + other.sums[k][0], v[1] + other.sums[k][1]) for k, v in self.sums.items()},
        )


def _row_cells(instrument: Instrument, cells: Cells, row: int) -> CellData:
    n = int(cells.n[row])
    counts: dict[str, tuple[int, ...]] = {}
    for item in instrument.items:
        per = cells.options[item.id]
        values = [int(per[int(v)][row]) for v in item_options(instrument, item.id)]
        counts[item.id] = (*values, n - sum(values))
    sums: dict[str, tuple[float, float]] = {}
    for scale in instrument.scales:
        s = cells.scales[scale.id]
        scored, flagged = int(s.scored[row]), int(s.flagged[row])
        counts[flag_item(scale.id)] = (flagged, scored - flagged, n - scored)
        sums[scale.id] = (float(s.total[row]), float(s.squares[row]))
    return CellData(n, counts, sums)


def cell_data(
    instrument: Instrument, schools: tuple[str, ...], by_dimension: Mapping[str, Cells]
) -> dict[CellKey, CellData]:
    """Every non-empty cell of the lattice, district and combined cells summed from others."""
    known = set(schools)
    result: dict[CellKey, CellData] = {}

    def put(key: CellKey, data: CellData) -> None:
        before = result.get(key)
        result[key] = data if before is None else before.add(data)

    for dimension, cells in by_dimension.items():
        for row in range(len(cells)):
            school = cells.schools[row]
            if school not in known:
                raise ValueError(f"responses name school {school!r}, not in the administration")
            data = _row_cells(instrument, cells, row)
            if data.n == 0:
                continue
            if dimension == ALL:
                put(((SCHOOL, school),), data)
                put((), data)
            else:
                group = (dimension, category_name(cells.categories[row]))
                put(((SCHOOL, school), group), data)
                put((group,), data)
    combined = {q.id: combined_groups(q) for q in instrument.demographics}
    for key, data in list(result.items()):
        for dimension, category in key:
            for name, members in combined.get(dimension, ()):
                if category in members:
                    put(tuple((d, name if d == dimension else c) for d, c in key), data)
    return result


def answered_only(instrument: Instrument, data: Mapping[CellKey, CellData]) -> Instrument:
    """The instrument without items nobody answered and scales nobody scored this year.

    An item left out of an administration (the sensitive module switched off) or skipped by
    everyone has nothing to publish; its all-zero counts would only make every hidden cell's
    count "provably 0" to the audit. Whether an item was answered at all is read from the
    district total, which the release publishes anyway.
    """
    total = data.get(())
    if total is None:
        return instrument
    kept = [i for i in instrument.items if total.counts[i.id][-1] < total.n]
    ids = {i.id for i in kept}
    scales = [
        s
        for s in instrument.scales
        if set(s.items) <= ids and total.counts[flag_item(s.id)][-1] < total.n
    ]
    if len(kept) == len(instrument.items) and len(scales) == len(instrument.scales):
        return instrument
    return msgspec.structs.replace(instrument, items=kept, scales=scales)


def build_release(
    instrument: Instrument,
    schools: tuple[str, ...],
    data: Mapping[CellKey, CellData],
    *,
    sensitive: bool = True,
) -> Release:
    """The disclosure release of one instrument and year, every table linked."""
    demographic = [d.id for d in instrument.demographics]
    if not schools:
        raise ValueError("a release needs at least one school")
    return Release(
        dimensions=dimensions(instrument, schools),
        tables=tuple(Table(d, (SCHOOL, d)) for d in demographic),
        cells=tuple(Cell(key, d.n, d.counts, d.sums) for key, d in data.items()),
        items=items(instrument, sensitive=sensitive),
        scales=scales(instrument),
    )
