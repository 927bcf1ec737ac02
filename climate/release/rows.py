"""Protected tables cut into tidy published statistics, with intervals beside exact values."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import numpy.typing as npt

from analysis.disclosure import HIDDEN, CellKey, Protected, PublishedRow, n_interval, quantity_name
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
from climate.release.intervals import clustered, published_limits
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


@dataclass(frozen=True, slots=True)
class _SchoolCells:
    """Every school cell's events (or score sums) and denominators, for district limits."""

    row: dict[CellKey, int]
    y: FloatArray
    d: FloatArray

    @classmethod
    def of(cls, data: Mapping[CellKey, CellData], quantities: Sequence[_Quantity]) -> _SchoolCells:
        """Per quantity (columns) and school cell (rows), as one matrix each."""
        keys = [k for k in data if any(d == SCHOOL for d, _ in k)]
        size = len(quantities)
        if not keys:
            empty = np.zeros((0, size))
            return cls({}, empty, empty)
        cells = [data[k] for k in keys]
        items = list(dict.fromkeys(q.item for q in quantities))
        blocks = [np.array([c.counts[i] for c in cells], dtype=float) for i in items]
        ends = np.cumsum([b.shape[1] for b in blocks])
        start = {i: int(e) - b.shape[1] for i, e, b in zip(items, ends, blocks, strict=True)}
        counts = np.hstack(blocks)
        n = np.array([c.n for c in cells], dtype=float)[:, None]
        # The last option of each item is the missing one (skipped or unscored).
        missing = [start[q.item] + len(cells[0].counts[q.item]) - 1 for q in quantities]
        answered = n - counts[:, missing]
        is_mean = np.array([q.index < 0 for q in quantities], dtype=bool)
        y = counts[:, [start[q.item] + max(q.index, 0) for q in quantities]]
        d = answered if MISSING_SUPPORTED else np.where(is_mean, answered, n)
        means = np.flatnonzero(is_mean)
        if len(means):
            scales = [quantities[j].indicator for j in means.tolist()]
            sums = np.array([[c.sums[s] for s in scales] for c in cells])
            y[:, means] = sums[:, :, 0]
        return cls({k: i for i, k in enumerate(keys)}, y, d)


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
    columns = _Columns.of(quantities)
    entries = _entries(protected, columns, names, district_name)
    needed = [i for i, e in enumerate(entries) if e.org[0] == SCHOOL and e.published.key in data]
    school_limits = _school_limits(protected, quantities, [entries[i] for i in needed])
    at = {i: j for j, i in enumerate(needed)}
    schools = _SchoolCells.of(data, quantities)
    values, labels = _Values(), _Labels()
    rows: list[Statistic] = []
    for i, entry in enumerate(entries):
        marks = entry.marks
        ci_low = ci_high = ["" if m is None else m for m in marks]
        if entry.shown.any() and entry.published.key in data:
            if i in at:
                lows, highs = school_limits[0][at[i]], school_limits[1][at[i]]
            else:
                lows, highs = _district_limits(
                    entry.published.key, schools, names, entry.shown, columns.is_mean
                )
            ci_low = [
                label if m is None else m
                for m, label in zip(marks, labels.of(lows, columns.is_mean), strict=True)
            ]
            ci_high = [
                label if m is None else m
                for m, label in zip(marks, labels.of(highs, columns.is_mean), strict=True)
            ]
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
                repeat(entry.published.n),
            )
        )
    return tuple(rows)


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


class _Sizes(dict[str, float]):
    """The lower end of a published band of n."""

    def __missing__(self, code: str) -> float:
        size = self[code] = float(n_interval(code)[0])
        return size


def _school_limits(
    protected: Protected, quantities: Sequence[_Quantity], entries: Sequence[_Entry]
) -> tuple[FloatArray, FloatArray]:
    # A school group's limits come from its published values and the band of those who
    # answered (published with them), never from its exact counts: those would give
    # its n away, and subtraction the n of the groups hidden beside it.
    size = len(quantities)
    if not entries:
        return np.zeros((0, size)), np.zeros((0, size))
    numbers, sizes = _Numbers(), _Sizes()
    answered = protected.codes.answered
    items = list(dict.fromkeys(q.item for q in quantities))
    item_of = np.array([items.index(q.item) for q in quantities])
    shown = np.array([e.shown for e in entries])
    value = np.array([list(map(numbers.__getitem__, e.codes)) for e in entries])
    # An item's band stands beside each of its shown values; read where one is shown.
    member = item_of[:, None] == np.arange(len(items))[None, :]
    has_shown = (shown.astype(float) @ member.astype(float)) > 0
    at = [protected.structure.index[e.published.key] for e in entries]
    bands = np.full(has_shown.shape, np.nan)
    for column, item in enumerate(items):
        rows = np.flatnonzero(has_shown[:, column]).tolist()
        if rows:
            codes = answered[item]
            bands[rows, column] = [sizes[codes[at[r]]] for r in rows]
    ranges = _ranges(protected, quantities)
    is_mean = np.array([q.index < 0 for q in quantities], dtype=bool)
    band = np.where(shown, bands[:, item_of], np.nan)
    return published_limits(np.where(shown, value, np.nan), band, is_mean, *ranges)


def _district_limits(
    key: CellKey,
    schools: _SchoolCells,
    names: Mapping[str, str],
    shown: npt.NDArray[np.bool_],
    is_mean: npt.NDArray[np.bool_],
) -> tuple[FloatArray, FloatArray]:
    # A district cell: the same group in each school is one PSU's totals.
    size = len(shown)
    lows, highs = np.full(size, np.nan), np.full(size, np.nan)
    parts = [schools.row[k] for s in names if (k := _with_school(key, s)) in schools.row]
    if not parts:
        return lows, highs
    wanted = np.flatnonzero(shown)
    pick = np.ix_(np.array(parts), wanted)
    # A group's interval is a domain's, however many schools it reaches; the total's is not.
    lows[wanted], highs[wanted] = clustered(
        schools.y[pick].T, schools.d[pick].T, is_mean[wanted], subgroup=key != ()
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
