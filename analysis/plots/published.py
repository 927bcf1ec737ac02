"""Published values as the charts take them: strings from the disclosure gate, never counts.

A published value is one of

- a number, ``"45"``, ``"3.2"`` or ``"45%"``;
- a tier code, ``"<=5"`` / ``"<=5%"`` (at most the bound) or ``">=95%"`` (at least it);
- the one hidden symbol ``"*"``;
- ``""``, nothing published (the group was not surveyed that year).

Confidence limits are plain numbers and are allowed only beside a plain number: a
limit beside a hidden or tier-coded value would tell what the code hides.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from analysis.disclosure.policy import HIDDEN

__all__ = [
    "HIDDEN",
    "PublishedGaps",
    "PublishedGrid",
    "PublishedGroup",
    "PublishedPoint",
    "PublishedSeries",
    "Reading",
    "Unit",
    "read_value",
]

Unit = Literal["percent", "mean"]
Kind = Literal["number", "at_most", "at_least", "hidden", "empty"]

_CODE = re.compile(r"^(<=|>=)?(-?[0-9]+(?:\.[0-9]+)?)(%?)$")
_UNITS = ("percent", "mean")


@dataclass(frozen=True, slots=True)
class Reading:
    """What one published value says.

    Attributes
    ----------
    code : str
        The value exactly as published.
    kind : {"number", "at_most", "at_least", "hidden", "empty"}
        A plain number, a tier code (``<=``, ``>=``), hidden, or nothing published.
    number : float or None
        The number, or the bound of a tier code; None when hidden or empty.
    text : str
        The digits of ``number`` as published (never reformatted), or ``""``.

    Examples
    --------
    >>> read_value("<=5%").kind
    'at_most'
    """

    code: str
    kind: Kind
    number: float | None
    text: str

    @property
    def shown(self) -> bool:
        """True when the value has a position on the value axis (a number or a bound)."""
        return self.number is not None


def read_value(code: object, unit: Unit = "percent", *, name: str = "value") -> Reading:
    """Read one published value.

    Parameters
    ----------
    code : str
        A published value: number, tier code, ``"*"`` or ``""``.
    unit : {"percent", "mean"}
        Percentages must lie in ``[0, 100]``.
    name : str
        How to name the value in an error message.

    Returns
    -------
    Reading

    Raises
    ------
    TypeError
        When ``code`` is not a string (a raw count or estimate).
    ValueError
        When ``code`` is not a published form, or a percentage is outside ``[0, 100]``.

    Examples
    --------
    >>> read_value("61%")
    Reading(code='61%', kind='number', number=61.0, text='61')
    >>> read_value(">=95").number
    95.0
    >>> read_value("*").kind
    'hidden'
    """
    if not isinstance(code, str):
        raise TypeError(
            f"{name} must be a published string such as '45', '<=5' or '*', "
            f"got {type(code).__name__} {code!r}: charts take only values from the gate"
        )
    if unit not in _UNITS:
        raise ValueError(f"unit must be 'percent' or 'mean', got {unit!r}")
    text = code.strip()
    if text == HIDDEN:
        return Reading(code, "hidden", None, "")
    if text == "":
        return Reading(code, "empty", None, "")
    match = _CODE.match(text)
    if match is None:
        raise ValueError(f"{name} {code!r} is not a published value (number, <=n, >=n, * or '')")
    op, digits, percent_sign = match.groups()
    if percent_sign and unit != "percent":
        raise ValueError(f"{name} {code!r} carries % but the unit is {unit!r}")
    number = float(digits)
    if unit == "percent" and not 0 <= number <= 100:
        raise ValueError(f"{name} {code!r} is a percentage outside [0, 100]")
    kind: Kind = "at_most" if op == "<=" else "at_least" if op == ">=" else "number"
    return Reading(code, kind, number, digits)


def _text(value: object, name: str, *, published: bool = False) -> str:
    if not isinstance(value, str):
        what = "a published string such as '45', '<=5' or '*'" if published else "a str"
        raise TypeError(f"{name} must be {what}, got {type(value).__name__} {value!r}")
    return value


def _year(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int year, got {type(value).__name__} {value!r}")
    return value


def _check_interval(
    value: str, low: str, high: str, unit: Unit, name: str
) -> tuple[Reading, Reading, Reading]:
    reading = read_value(value, unit, name=name)
    lo = read_value(low, unit, name=f"{name} ci_low")
    hi = read_value(high, unit, name=f"{name} ci_high")
    given = (lo.kind != "empty", hi.kind != "empty")
    if given[0] != given[1]:
        raise ValueError(f"{name}: give both ci_low and ci_high or neither")
    if given[0]:
        if reading.kind != "number":
            raise ValueError(
                f"{name}: a confidence interval beside {value!r} would reveal the hidden or "
                "tier-coded value; publish limits only beside a plain number"
            )
        if lo.number is None or hi.number is None or lo.kind != "number" or hi.kind != "number":
            raise ValueError(f"{name}: confidence limits must be plain numbers")
        if lo.number > hi.number:
            raise ValueError(f"{name}: ci_low {low!r} is above ci_high {high!r}")
    return reading, lo, hi


@dataclass(frozen=True, slots=True)
class PublishedPoint:
    """One year of a published series: value and optional confidence limits, all strings.

    Examples
    --------
    >>> PublishedPoint(2024, "61%", "57", "65").year
    2024
    """

    year: int
    value: str
    ci_low: str = ""
    ci_high: str = ""

    def __post_init__(self) -> None:
        _year(self.year, "year")
        for name in ("value", "ci_low", "ci_high"):
            _text(getattr(self, name), f"{self.year} {name}", published=True)


def _tuple(items: object, kind: type, name: str) -> tuple[object, ...]:
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise TypeError(f"{name} must be a sequence of {kind.__name__}")
    for item in items:
        if not isinstance(item, kind):
            raise TypeError(
                f"{name} must hold {kind.__name__} objects, got {type(item).__name__} {item!r}"
            )
    return tuple(items)


@dataclass(frozen=True, slots=True)
class PublishedSeries:
    """A published indicator over years for one population (a school, the district).

    Parameters
    ----------
    label : str
        Legend name, e.g. ``"Lincoln MS"`` or ``"District"``.
    points : sequence of PublishedPoint
        Strictly increasing years.
    unit : {"percent", "mean"}
        Percent values lie in ``[0, 100]``.

    Examples
    --------
    >>> s = PublishedSeries("District", (PublishedPoint(2024, "58"),), "percent")
    >>> s.years
    (2024,)
    """

    label: str
    points: tuple[PublishedPoint, ...]
    unit: Unit
    readings: tuple[Reading, ...] = field(init=False, repr=False, compare=False)
    intervals: tuple[tuple[Reading, Reading], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _text(self.label, "label")
        points = _tuple(self.points, PublishedPoint, f"points of {self.label!r}")
        object.__setattr__(self, "points", points)
        if self.unit not in _UNITS:
            raise ValueError(f"unit of {self.label!r} must be 'percent' or 'mean'")
        if not points:
            raise ValueError(f"series {self.label!r} has no points")
        years = [p.year for p in self.points]
        if any(b <= a for a, b in itertools.pairwise(years)):
            raise ValueError(f"years of {self.label!r} must strictly increase, got {years}")
        checked = [
            _check_interval(p.value, p.ci_low, p.ci_high, self.unit, f"{self.label!r} {p.year}")
            for p in self.points
        ]
        object.__setattr__(self, "readings", tuple(c[0] for c in checked))
        object.__setattr__(self, "intervals", tuple((c[1], c[2]) for c in checked))

    @property
    def years(self) -> tuple[int, ...]:
        """The years of the points, in order."""
        return tuple(p.year for p in self.points)


@dataclass(frozen=True, slots=True)
class PublishedGroup:
    """One published subgroup value (or all students) for a gap chart.

    Examples
    --------
    >>> PublishedGroup("Grade 9", "54", "48", "60").label
    'Grade 9'
    """

    label: str
    value: str
    ci_low: str = ""
    ci_high: str = ""

    def __post_init__(self) -> None:
        _text(self.label, "label")
        for name in ("value", "ci_low", "ci_high"):
            _text(getattr(self, name), f"{self.label!r} {name}", published=True)


@dataclass(frozen=True, slots=True)
class PublishedGaps:
    """Subgroup values against all students, for one indicator and one year.

    Examples
    --------
    >>> g = PublishedGaps("Connectedness", 2026, "percent", PublishedGroup("All", "62"),
    ...                   (PublishedGroup("Grade 9", "*"),))
    >>> g.readings[0].kind
    'hidden'
    """

    indicator: str
    year: int
    unit: Unit
    overall: PublishedGroup
    groups: tuple[PublishedGroup, ...]
    overall_reading: tuple[Reading, Reading, Reading] = field(init=False, repr=False, compare=False)
    checked: tuple[tuple[Reading, Reading, Reading], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        _text(self.indicator, "indicator")
        _year(self.year, "year")
        if self.unit not in _UNITS:
            raise ValueError("unit must be 'percent' or 'mean'")
        if not isinstance(self.overall, PublishedGroup):
            raise TypeError(f"overall must be a PublishedGroup, got {self.overall!r}")
        object.__setattr__(self, "groups", _tuple(self.groups, PublishedGroup, "groups"))
        if not self.groups:
            raise ValueError("groups is empty: a gap chart needs at least one subgroup")
        g = self.overall
        object.__setattr__(
            self,
            "overall_reading",
            _check_interval(g.value, g.ci_low, g.ci_high, self.unit, repr(g.label)),
        )
        object.__setattr__(
            self,
            "checked",
            tuple(
                _check_interval(g.value, g.ci_low, g.ci_high, self.unit, repr(g.label))
                for g in self.groups
            ),
        )

    @property
    def readings(self) -> tuple[Reading, ...]:
        """The readings of the subgroup values, in order."""
        return tuple(c[0] for c in self.checked)


@dataclass(frozen=True, slots=True)
class PublishedGrid:
    """Published values of several indicators (columns) for several schools (rows).

    Examples
    --------
    >>> grid = PublishedGrid(("Adams", "Baker"), ("Safety",), ("percent",), (("71",), ("*",)))
    >>> [r[0].kind for r in grid.readings]
    ['number', 'hidden']
    """

    schools: tuple[str, ...]
    indicators: tuple[str, ...]
    units: tuple[Unit, ...]
    values: tuple[tuple[str, ...], ...]
    readings: tuple[tuple[Reading, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schools", _tuple(self.schools, str, "schools"))
        object.__setattr__(self, "indicators", _tuple(self.indicators, str, "indicators"))
        object.__setattr__(self, "units", _tuple(self.units, str, "units"))
        if not self.schools or not self.indicators:
            raise ValueError("a grid needs at least one school and one indicator")
        if len(self.units) != len(self.indicators):
            raise ValueError(
                f"units has {len(self.units)} entries for {len(self.indicators)} indicators"
            )
        rows = _tuple(self.values, Sequence, "values")
        if len(rows) != len(self.schools):
            raise ValueError(f"values has {len(rows)} rows for {len(self.schools)} schools")
        readings = []
        for school, row in zip(self.schools, rows, strict=True):
            cells = _tuple(row, object, f"values of {school!r}")
            if len(cells) != len(self.indicators):
                raise ValueError(
                    f"values of {school!r} has {len(cells)} cells for "
                    f"{len(self.indicators)} indicators"
                )
            readings.append(
                tuple(
                    read_value(v, u, name=f"{school!r} {ind!r}")
                    for v, u, ind in zip(cells, self.units, self.indicators, strict=True)
                )
            )
        object.__setattr__(self, "values", tuple(tuple(r) for r in rows))  # type: ignore[arg-type]
        object.__setattr__(self, "readings", tuple(readings))
