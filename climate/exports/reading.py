"""What an export adds beside each published statistic: how to read its value, and names.

The added columns follow the thirteen fixed ones, so readers of the fixed columns keep
working. Nothing here is a new number: ``value_flag`` and ``value_bound`` restate the
published code, the reliability flag is read back from the published value and interval by
the report pages' own rule, and the labels are the pages' own. The pages' labels and rule
live in ``climate.reports``, above this package, so the edges hand them down as a
``Reading``; without one, labels are the codes and no reliability flag is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from analysis.disclosure import HIDDEN
from climate.instruments import Instrument
from climate.release.result import ALL, Statistic, YearRelease, is_number

Translate = Callable[[str], str]

EXTRA_COLUMNS = (
    "value_flag",
    "value_bound",
    "reliability",
    "dimension_label",
    "group_label",
    "indicator_label",
)
"""Columns after the fixed ones, in this order in CSV, JSON and XLSX alike."""

EXACT = "exact"
BOTTOM_CODED = "bottom_coded"
TOP_CODED = "top_coded"
HIDDEN_FLAG = "hidden"


class Wording(Protocol):
    """The names the report pages show (``climate.reports.labels.Labels``)."""

    def dimension(self, dimension: str) -> str: ...

    def group(self, dimension: str, group: str) -> str: ...

    def scale(self, scale_id: str) -> str: ...

    def item(self, item_id: str) -> str: ...

    def options(self, item_id: str) -> tuple[tuple[str, str], ...]: ...


class _Codes:
    """Names that are the codes themselves, where no wording was handed down."""

    def dimension(self, dimension: str) -> str:
        return dimension

    def group(self, dimension: str, group: str) -> str:
        return group

    def scale(self, scale_id: str) -> str:
        return scale_id

    def item(self, item_id: str) -> str:
        return item_id

    def options(self, item_id: str) -> tuple[tuple[str, str], ...]:
        return ()


def _codes(instrument: Instrument | None) -> Wording:
    return _Codes()


def _no_flag(row: Statistic) -> str:
    return ""


def _same(text: str) -> str:
    return text


@dataclass(frozen=True, slots=True)
class Reading:
    """The export's language: its labels per instrument, interface strings, reliability rule."""

    lang: str = "en"
    labels: Callable[[Instrument | None], Wording] = _codes
    gettext: Translate = _same
    reliability: Callable[[Statistic], str] = _no_flag


PLAIN = Reading()


def value_flag(value: str) -> tuple[str, str]:
    """How a published value reads: its flag, and the bound of a coded value ("" otherwise)."""
    if value == HIDDEN:
        return HIDDEN_FLAG, ""
    if value.startswith("<="):
        return BOTTOM_CODED, value[2:]
    if value.startswith(">="):
        return TOP_CODED, value[2:]
    if is_number(value):
        return EXACT, ""
    return "", ""


def number(text: str) -> int | float | None:
    """A published plain number as a number (whole numbers as int), else None."""
    if not is_number(text):
        return None
    return int(text) if text.lstrip("-").isdigit() else float(text)


class _Names:
    """One release's labels, each worked out once: a district's file repeats them all."""

    def __init__(self, wording: Wording, gettext: Translate) -> None:
        self._wording = wording
        self._all = gettext("All students")
        # An item's indicator is one of its answers: the share of students who gave it.
        self._answer = gettext("%(question)s — %(answer)s")
        self._dimensions: dict[str, str] = {}
        self._groups: dict[tuple[str, str], str] = {}
        self._indicators: dict[str, str] = {}

    def dimension(self, dimension: str) -> str:
        found = self._dimensions.get(dimension)
        if found is None:
            found = self._all if dimension == ALL else self._wording.dimension(dimension)
            self._dimensions[dimension] = found
        return found

    def group(self, dimension: str, group: str) -> str:
        key = (dimension, group)
        found = self._groups.get(key)
        if found is None:
            found = self._all if key == (ALL, ALL) else self._wording.group(dimension, group)
            self._groups[key] = found
        return found

    def indicator(self, indicator: str) -> str:
        found = self._indicators.get(indicator)
        if found is None:
            item, sep, option = indicator.partition(":")
            if sep:
                answer = dict(self._wording.options(item)).get(option, option)
                found = self._answer % {"question": self._wording.item(item), "answer": answer}
            else:
                found = self._wording.scale(indicator)
            self._indicators[indicator] = found
        return found


Extra = tuple[str, str, str, str, str, str]


class Annotator:
    """The added columns of every row of some releases, in one language."""

    def __init__(
        self,
        releases: Sequence[YearRelease],
        instruments: Mapping[tuple[str, str], Instrument],
        reading: Reading = PLAIN,
    ) -> None:
        """Labels for each release from the instrument version it was made from."""
        self.reading = reading
        self._names = {
            r.release_id: _Names(
                reading.labels(instruments.get((r.instrument_id, r.instrument_version))),
                reading.gettext,
            )
            for r in releases
        }
        self._codes = _Names(_Codes(), reading.gettext)
        self._values: dict[tuple[str, str, str, str], tuple[str, str, str]] = {}
        self._labels: dict[tuple[str, str, str, str], tuple[str, str, str]] = {}

    def __call__(self, row: Statistic) -> Extra:
        """``EXTRA_COLUMNS`` of one row, as text."""
        # The flag and the rule read the published value and limits only, and the labels
        # the row's codes only: rows alike share one answer, worked out once.
        key = (row.statistic, row.value, row.ci_low, row.ci_high)
        values = self._values.get(key)
        if values is None:
            values = self._values[key] = (*value_flag(row.value), self.reading.reliability(row))
        codes = (row.release_id, row.dimension, row.group, row.indicator)
        labels = self._labels.get(codes)
        if labels is None:
            names = self._names.get(row.release_id, self._codes)
            labels = self._labels[codes] = (
                names.dimension(row.dimension),
                names.group(row.dimension, row.group),
                names.indicator(row.indicator),
            )
        return values + labels
