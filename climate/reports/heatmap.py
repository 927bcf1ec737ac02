"""The dashboard's heat map: schools by scales, shaded by favorability on one fixed scale.

Every column reads the same way: a darker purple is better for students, a deeper orange is
worse. A favorable scale is shaded by its percentage; an elevated scale (bullying, distress)
by 100 minus it, so 21 % bullied shades like 79 % favorable. The scale is fixed at five
steps of 20 points over 0-100 %, the same in every column and every year, so two values one
step apart really are about 20 points apart, and "≤2%" and "4%" distress share a shade.

Shading is never the only signal: each cell prints its value, the two extreme steps carry a
mark, the legend gives every step's values, and screen readers hear the step in words. A
hidden value (``*``), a missing one and one too unsteady to use are left unshaded. The map is
an HTML table (classes, no inline style: the CSP allows none), so text on a shade is real
text that contrast checks can read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from analysis.plots import read_value
from climate.release.result import Statistic
from climate.reports.formatting import Formatter
from climate.reports.published import rse_flag

Translate = Callable[[str], str]

STEPS = 5
WIDTH = 100 // STEPS
FAVORABLE = "percent_favorable"
ELEVATED = "percent_elevated"


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One shaded value: as printed, its step (1 worst to 5 best; 0 unshaded) and flag."""

    text: str
    step: int
    flag: str = ""


@dataclass(frozen=True, slots=True)
class HeatColumn:
    """One scale: its title and which way is better."""

    title: str
    direction: str


@dataclass(frozen=True, slots=True)
class HeatRow:
    """One school (or the district) across every scale."""

    name: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True, slots=True)
class HeatStep:
    """One step of the legend: the favorable and the elevated values it shades."""

    step: int
    favorable: str
    elevated: str
    word: str


@dataclass(frozen=True, slots=True)
class HeatMap:
    """The map and its legend."""

    title: str
    columns: tuple[HeatColumn, ...]
    rows: tuple[HeatRow, ...]
    district: HeatRow
    legend: tuple[HeatStep, ...]


def _step_of(favorability: float) -> int:
    return min(STEPS, int(favorability // WIDTH) + 1)


def step(value: str, statistic: str) -> int:
    """The shade of a published percentage: 1 (least favorable) to 5; 0 when unshaded.

    A tier code is a range ("≤5" is 0-5): it is shaded only when the whole range lies in
    one step, which it does for every code near 0 or 100.
    """
    reading = read_value(value, "percent")
    if reading.number is None:
        return 0
    low, high = {
        "at_most": (0.0, reading.number),
        "at_least": (reading.number, 100.0),
    }.get(reading.kind, (reading.number, reading.number))
    if statistic == ELEVATED:
        low, high = 100.0 - high, 100.0 - low
    first, last = _step_of(low), _step_of(high)
    return first if first == last else 0


def cell(row: Statistic | None, fmt: Formatter) -> HeatCell:
    """A published row as a heat-map cell (a missing row is a dash, unshaded)."""
    if row is None:
        return HeatCell("–", 0)
    flag = rse_flag(row)
    if flag == "unreliable":
        # Too unsteady to stand as a point, so too unsteady to place on the scale.
        return HeatCell(fmt.interval(row.ci_low, row.ci_high, "percent"), 0, flag)
    return HeatCell(fmt.value(row.value, "percent"), step(row.value, row.statistic), flag)


def legend(fmt: Formatter, _: Translate) -> tuple[HeatStep, ...]:
    """Each step with the values it shades, for favorable and for elevated scales."""
    words = {1: _("least favorable"), STEPS: _("most favorable")}
    found = []
    for k in range(1, STEPS + 1):
        low, high = (k - 1) * WIDTH, (100 if k == STEPS else k * WIDTH - 1)
        favorable = _range(fmt, low, high)
        elevated = _range(fmt, 100 - high, 100 - low)
        found.append(HeatStep(k, favorable, elevated, words.get(k, "")))
    return tuple(found)


def _range(fmt: Formatter, low: int, high: int) -> str:
    # Kept on one line (a line may break after a dash: the word joiner forbids it) and left
    # to right, in any page direction.
    both = f"{fmt.number(str(low), 'percent')}\u00a0–\u2060\u00a0{fmt.number(str(high), 'percent')}"
    return fmt.isolate(both)


def direction(statistic: str, _: Translate) -> str:
    """Which way is better for a scale's statistic, in words."""
    if statistic == ELEVATED:
        return _("Elevated (%): lower is better")
    return _("Favorable (%): higher is better")


def heat_map(
    title: str,
    columns: Sequence[HeatColumn],
    rows: Sequence[HeatRow],
    district: HeatRow,
    fmt: Formatter,
    _: Translate,
) -> HeatMap:
    """The heat map of one instrument's schools."""
    return HeatMap(title, tuple(columns), tuple(rows), district, legend(fmt, _))
