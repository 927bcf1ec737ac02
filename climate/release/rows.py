"""Protected tables cut into tidy published statistics, with intervals beside exact values."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import numpy.typing as npt

from analysis.disclosure import (
    HIDDEN,
    CellKey,
    Policy,
    Protected,
    PublishedRow,
    fewest_answered,
    provably_small,
    quantity_name,
)
from climate.instruments import Instrument
from climate.release.catalogue import (
    FLAGGED,
    SCHOOL,
    CellData,
    flag_item,
    item_options,
    statistic_of,
)
from climate.release.intervals import design_effects, district_limits, published_limits
from climate.release.result import ALL, DISTRICT, ScaleTotal, Statistic, is_number

FloatArray = npt.NDArray[np.float64]


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


@dataclass(frozen=True, slots=True)
class _Columns:
    """The quantities as parallel columns, in the order their rows are published."""

    indicators: list[str]
    statistics: list[str]
    is_mean: npt.NDArray[np.bool_]
    count_names: list[str]
    mean_names: list[str]
    order: list[int]  # position of each quantity in count codes followed by mean codes

    @classmethod
    def of(cls, quantities: Sequence[_Quantity]) -> _Columns:
        """Columns of ``quantities``."""
        counts = [q.name for q in quantities if q.index >= 0]
        means = [q.name for q in quantities if q.index < 0]
        position = {("count", n): i for i, n in enumerate(counts)}
        position.update({("mean", n): len(counts) + i for i, n in enumerate(means)})
        return cls(
            [q.indicator for q in quantities],
            [q.statistic for q in quantities],
            np.array([q.index < 0 for q in quantities], dtype=bool),
            counts,
            means,
            [position["mean" if q.index < 0 else "count", q.name] for q in quantities],
        )

    def codes(self, published: PublishedRow) -> list[str]:
        """Each quantity's published code in one row."""
        both = [
            *map(published.counts.__getitem__, self.count_names),
            *map(published.means.__getitem__, self.mean_names),
        ]
        return [both[i] for i in self.order]


class _Values(dict[str, str]):
    """A published code's value: the code without a trailing ``%``."""

    def __missing__(self, code: str) -> str:
        value = self[code] = code[:-1] if code.endswith("%") else code
        return value


class _Marks(dict[str, "str | None"]):
    """What stands beside a code for its limits: None for the interval of a number."""

    def __missing__(self, code: str) -> str | None:
        value = code[:-1] if code.endswith("%") else code
        shown = None if is_number(value) else "" if value == "" else HIDDEN
        self[code] = shown
        return shown


class _Labels(dict[int, str]):
    """Published limits by key: twice the step in percent or tenths, plus one for a mean."""

    UNDEFINED = 2**62

    def __missing__(self, key: int) -> str:
        step, mean = divmod(key, 2)
        label = self[key] = (
            "" if key == self.UNDEFINED else f"{step / 10:.1f}" if mean else str(step)
        )
        return label

    def of(self, limits: FloatArray, is_mean: npt.NDArray[np.bool_]) -> list[str]:
        """Limits as published: whole percents, means to one decimal, empty where undefined."""
        steps = np.floor(np.where(is_mean, 10.0, 100.0) * limits + 0.5)
        undefined = np.isnan(steps)
        keys = 2 * np.where(undefined, 0.0, steps).astype(np.int64) + is_mean
        keys[undefined] = self.UNDEFINED
        return list(map(self.__getitem__, keys.tolist()))


@dataclass(frozen=True, slots=True)
class _Entry:
    """One published row's group and codes, before its statistics are built."""

    published: PublishedRow
    org: tuple[str, str, str]
    dimension: str
    group: str
    codes: list[str]
    marks: list[str | None]
    shown: npt.NDArray[np.bool_]

    @property
    def key(self) -> CellKey:
        """The row's cell key."""
        return self.published.key


def published_rows(
    instrument: Instrument,
    protected: Protected,
    data: Mapping[CellKey, CellData],
    *,
    policy: Policy,
    release_id: str,
    year: int,
    names: Mapping[str, str],
    district_name: str,
) -> tuple[Statistic, ...]:
    """Every published statistic of a protected release, one row each, in lattice order.

    Every interval is a function of published values alone (see :mod:`climate.release.
    intervals`), so it tells an attacker nothing the values beside it do not.
    """
    quantities = _quantities(instrument)
    columns = _Columns.of(quantities)
    entries = [e for e in _entries(protected, columns, names, district_name) if e.key in data]
    numbers = _Numbers()
    value = np.array([list(map(numbers.__getitem__, e.codes)) for e in entries]).reshape(
        len(entries), len(quantities)
    )
    shown = np.array([e.shown for e in entries], dtype=bool).reshape(value.shape)
    size = _answered(protected, quantities, entries, policy)
    value[~shown] = np.nan
    is_mean = columns.is_mean
    ranges = _ranges(protected, quantities)
    school = np.array([e.org[0] == SCHOOL for e in entries], dtype=bool)
    lows, highs = np.full(value.shape, np.nan), np.full(value.shape, np.nan)
    if school.any():
        lows[school], highs[school] = published_limits(
            value[school], size[school], is_mean, *ranges
        )
    district = np.flatnonzero(~school)
    if district.size:
        totals = np.flatnonzero(school & np.array([len(e.key) == 1 for e in entries], dtype=bool))
        deff = design_effects(value[totals], size[totals], _flag_columns(quantities))
        reach = _reach(entries)
        df = np.array([reach.get(entries[i].key, 0) - 1 for i in district], dtype=float)
        lows[district], highs[district] = district_limits(
            value[district], size[district], deff, df, is_mean, *ranges
        )
    labels = _Labels()
    values = _Values()
    small = provably_small(protected.structure, protected.codes.n, policy)
    fewer = f"<{policy.k}"
    rows: list[Statistic] = []
    for i, entry in enumerate(entries):
        n_band = fewer if small[protected.structure.index[entry.key]] else entry.published.n
        marks = entry.marks
        low_labels = labels.of(lows[i], is_mean)
        high_labels = labels.of(highs[i], is_mean)
        ci_low = [label if m is None else m for m, label in zip(marks, low_labels, strict=True)]
        ci_high = [label if m is None else m for m, label in zip(marks, high_labels, strict=True)]
        rows.extend(
            map(
                Statistic,
                repeat(release_id),
                repeat(year),
                repeat(entry.org[0]),
                repeat(entry.org[1]),
                repeat(entry.org[2]),
                repeat(entry.dimension),
                repeat(entry.group),
                columns.indicators,
                columns.statistics,
                map(values.__getitem__, entry.codes),
                ci_low,
                ci_high,
                repeat(n_band),
            )
        )
    return tuple(rows)


def _flag_columns(quantities: Sequence[_Quantity]) -> npt.NDArray[np.int64]:
    """For each quantity, the column whose design effect it takes: a mean its scale's share."""
    share = {
        q.indicator: j
        for j, q in enumerate(quantities)
        if q.index == 0 and q.item.endswith(":flag")
    }
    return np.array(
        [share[q.indicator] if q.index < 0 else j for j, q in enumerate(quantities)],
        dtype=np.int64,
    )


def _reach(entries: Sequence[_Entry]) -> dict[CellKey, int]:
    """Per district group, the schools it has respondents in (published: empty groups show 0)."""
    found: dict[CellKey, int] = {}
    for e in entries:
        if e.org[0] == SCHOOL:
            rest = tuple(p for p in e.key if p[0] != SCHOOL)
            found[rest] = found.get(rest, 0) + 1
    return found


def _answered(
    protected: Protected,
    quantities: Sequence[_Quantity],
    entries: Sequence[_Entry],
    policy: Policy,
) -> FloatArray:
    """Per row and quantity: the fewest who answered that the row's published values allow."""
    answered = protected.codes.answered
    index = protected.structure.index
    items = list(dict.fromkeys(q.item for q in quantities))
    percent = {
        item: [j for j, q in enumerate(quantities) if q.item == item and q.index >= 0]
        for item in items
    }
    of_item = {item: [j for j, q in enumerate(quantities) if q.item == item] for item in items}
    size = np.full((len(entries), len(quantities)), np.nan)
    for r, e in enumerate(entries):
        if not e.shown.any():
            continue
        at = index[e.key]
        for item in items:
            columns = of_item[item]
            if not e.shown[columns].any():
                continue
            band = answered[item][at] if item in answered else e.published.n
            codes = [e.codes[j] for j in percent[item]]
            size[r, columns] = fewest_answered(band, codes, policy)
    return size


def _entries(
    protected: Protected, columns: _Columns, names: Mapping[str, str], district_name: str
) -> list[_Entry]:
    marks_of = _Marks()
    result: list[_Entry] = []
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
            codes = columns.codes(published)
            marks = list(map(marks_of.__getitem__, codes))
            shown = np.array([m is None for m in marks], dtype=bool)
            result.append(_Entry(published, org, dimension, group, codes, marks, shown))
    return result


def _ranges(protected: Protected, quantities: Sequence[_Quantity]) -> tuple[FloatArray, FloatArray]:
    scales = protected.structure.scales
    low = [scales[q.name].low if q.index < 0 else 0.0 for q in quantities]
    high = [scales[q.name].high if q.index < 0 else 100.0 for q in quantities]
    return np.array(low, dtype=float), np.array(high, dtype=float)


class _Numbers(dict[str, float]):
    """A published code as a number, NaN unless it is shown as one."""

    def __missing__(self, code: str) -> float:
        shown = is_number(code[:-1] if code.endswith("%") else code)
        number = self[code] = float(code.rstrip("%")) if shown else math.nan
        return number


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
