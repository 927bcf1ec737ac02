"""Protected tables cut into tidy published statistics, with intervals beside exact values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from analysis.disclosure import CellKey, Protected, quantity_name
from climate.instruments import Instrument
from climate.release.catalogue import (
    FLAGGED,
    MISSING_SUPPORTED,
    SCHOOL,
    CellData,
    flag_item,
    item_options,
    statistic_of,
)
from climate.release.intervals import clustered, t_mean, wilson
from climate.release.result import ALL, DISTRICT, HIDDEN, ScaleTotal, Statistic, is_number


@dataclass(frozen=True, slots=True)
class _Quantity:
    indicator: str
    statistic: str
    item: str
    index: int  # option index in the item's counts; -1 for a mean
    name: str  # quantity name in the protected tables, or the scale id for a mean


def _quantities(instrument: Instrument) -> list[_Quantity]:
    result = []
    for scale in instrument.scales:
        item = flag_item(scale.id)
        result.append(
            _Quantity(
                scale.id, statistic_of(instrument, scale.id), item, 0, quantity_name(item, FLAGGED)
            )
        )
        result.append(_Quantity(scale.id, "mean", item, -1, scale.id))
    for question in instrument.items:
        for j, option in enumerate(item_options(instrument, question.id)):
            result.append(
                _Quantity(
                    f"{question.id}:{option}",
                    "percent",
                    question.id,
                    j,
                    quantity_name(question.id, option),
                )
            )
    return result


def _vectors(
    data: CellData, quantities: list[_Quantity]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per quantity: events (or score sum), denominator, sum of squares, and a mean mask."""
    y = np.zeros(len(quantities))
    d = np.zeros(len(quantities))
    yy = np.zeros(len(quantities))
    is_mean = np.zeros(len(quantities), dtype=bool)
    for j, q in enumerate(quantities):
        counts = data.counts[q.item]
        # The last option is the missing one (skipped or unscored).
        answered = data.n - counts[-1] if MISSING_SUPPORTED else data.n
        if q.index < 0:
            total, squares = data.sums[q.indicator]
            y[j], d[j], yy[j], is_mean[j] = total, data.n - counts[-1], squares, True
        else:
            y[j], d[j] = counts[q.index], answered
    return y, d, yy, is_mean


def _percent(value: float) -> str:
    return "" if math.isnan(value) else str(math.floor(100 * value + 0.5))


def _decimal(value: float) -> str:
    return "" if math.isnan(value) else f"{math.floor(10 * value + 0.5) / 10:.1f}"


def _value(code: str) -> str:
    return code[:-1] if code.endswith("%") else code


def published_rows(
    instrument: Instrument,
    protected: Protected,
    data: Mapping[CellKey, CellData],
    *,
    release_id: str,
    year: int,
    names: Mapping[str, str],
    district_name: str,
) -> tuple[Statistic, ...]:
    """Every published statistic of a protected release, one row each, in lattice order."""
    quantities = _quantities(instrument)
    rows: list[Statistic] = []
    seen: set[CellKey] = set()
    for table in protected.tables:
        for published in table.rows:
            key = published.key
            if key in seen or published.n == "0":
                continue
            seen.add(key)
            school = dict(key).get(SCHOOL)
            groups = [(d, c) for d, c in key if d != SCHOOL]
            dimension, group = groups[0] if groups else (ALL, ALL)
            org = (
                (SCHOOL, school, names.get(school, school))
                if school
                else (DISTRICT, DISTRICT, district_name)
            )
            lows, highs = _limits(
                key, data, quantities, protected, published.counts, published.means, names
            )
            for j, q in enumerate(quantities):
                code = published.means[q.name] if q.index < 0 else published.counts[q.name]
                value = _value(code)
                if is_number(value):
                    low, high = lows[j], highs[j]
                    fmt = _decimal if q.index < 0 else _percent
                    ci_low, ci_high = fmt(low), fmt(high)
                elif value == "":
                    ci_low = ci_high = ""
                else:
                    ci_low = ci_high = HIDDEN
                rows.append(
                    Statistic(
                        release_id,
                        year,
                        org[0],
                        org[1],
                        org[2],
                        dimension,
                        group,
                        q.indicator,
                        q.statistic,
                        value,
                        ci_low,
                        ci_high,
                        published.n,
                    )
                )
    return tuple(rows)


def _limits(
    key: CellKey,
    data: Mapping[CellKey, CellData],
    quantities: list[_Quantity],
    protected: Protected,
    counts: Mapping[str, str],
    means: Mapping[str, str],
    names: Mapping[str, str],
) -> tuple[np.ndarray, np.ndarray]:
    size = len(quantities)
    lows, highs = np.full(size, np.nan), np.full(size, np.nan)
    cell = data.get(key)
    if cell is None:
        return lows, highs
    shown = np.array(
        [is_number(_value(means[q.name] if q.index < 0 else counts[q.name])) for q in quantities]
    )
    if not shown.any():
        return lows, highs
    if SCHOOL in dict(key):
        y, d, yy, is_mean = _vectors(cell, quantities)
        pl, ph = wilson(y, d)
        ml, mh = t_mean(d, y, yy)
        return np.where(is_mean, ml, pl), np.where(is_mean, mh, ph)
    # District cell: the same group in each school is one PSU's totals.
    parts = [(s, data[(*_with_school(key, s),)]) for s in names if (*_with_school(key, s),) in data]
    if not parts:
        return lows, highs
    schools = [s for s, _ in parts]
    vectors = [_vectors(c, quantities) for _, c in parts]
    for j, q in enumerate(quantities):
        if not shown[j]:
            continue
        lows[j], highs[j] = clustered(
            schools,
            [v[0][j] for v in vectors],
            [v[1][j] for v in vectors],
            "mean" if q.index < 0 else "proportion",
        )
    return lows, highs


def _with_school(key: CellKey, school: str) -> CellKey:
    return ((SCHOOL, school), *key)


def scale_totals(
    instrument: Instrument, data: Mapping[CellKey, CellData]
) -> tuple[ScaleTotal, ...]:
    """Per school group and scale: n, scored, flagged and score sums (internal, for trends)."""
    result = []
    for key, cell in data.items():
        school = dict(key).get(SCHOOL)
        if school is None:
            continue
        groups = [(d, c) for d, c in key if d != SCHOOL]
        dimension, group = groups[0] if groups else (ALL, ALL)
        for scale in instrument.scales:
            flagged, not_flagged, _ = cell.counts[flag_item(scale.id)]
            total, squares = cell.sums[scale.id]
            result.append(
                ScaleTotal(
                    school,
                    dimension,
                    group,
                    scale.id,
                    cell.n,
                    flagged + not_flagged,
                    flagged,
                    total,
                    squares,
                )
            )
    return tuple(result)
