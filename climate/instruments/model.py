"""The instrument file format: msgspec Structs decoded from TOML, unknown fields forbidden."""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = [
    "CombinedGroup",
    "Demographic",
    "DemographicOption",
    "Instrument",
    "Item",
    "Licence",
    "LoadedInstrument",
    "Option",
    "Problem",
    "ResponseSet",
    "Scale",
    "Section",
    "SkipRule",
    "item_range",
    "scale_range",
]


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong with an instrument file, located by field path and, when known, line."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class Option(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One answer of a response set: the stored value and the label a student sees."""

    value: int
    label: str


class ResponseSet(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Ordered answer options shared by several items."""

    options: list[Option]


class Item(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One question, answered from a named response set."""

    id: str
    text: str
    response_set: str
    sensitive: bool = False


class Scale(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A score computed from several items, with one cut-point for reporting."""

    id: str
    title: str
    items: list[str]
    reverse: list[str] = []
    scoring: Literal["mean", "sum"] = "mean"
    min_fraction: float = 0.5
    favorable_at: float | None = None
    elevated_at: float | None = None
    description: str = ""


class Section(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A page of the survey; a `sensitive` module runs only when an administration enables it."""

    id: str
    title: str
    items: list[str]
    module: Literal["sensitive"] | None = None


class SkipRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Show `item` only if item `show_if` was answered with one of `values`."""

    item: str
    show_if: str
    values: list[int]


class DemographicOption(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One answer of a demographic question."""

    value: int
    label: str
    prefer_not_to_say: bool = False


class CombinedGroup(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Answers of a demographic question also published together, as one more group.

    `options` are answer values; `not_reported = true` adds the students who did not say
    (prefer not to say, or no answer). Releases name the group by its members, `11+12`.
    """

    options: list[int]
    label: str
    not_reported: bool = False


class Demographic(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A demographic question, asked after the last section, and its combined groups."""

    id: str
    text: str
    options: list[DemographicOption]
    combined: list[CombinedGroup] = []


class Licence(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Terms under which the instrument's wording may be used."""

    name: str
    attribution: str
    url: str | None = None


class Instrument(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A whole survey instrument as written in `surveys/*.toml`."""

    id: str
    version: str
    title: str
    description: str
    licence: Licence
    grade_band: list[int]
    response_sets: dict[str, ResponseSet]
    items: list[Item]
    sections: list[Section]
    scales: list[Scale]
    skip_rules: list[SkipRule] = []
    demographics: list[Demographic]


class LoadedInstrument(msgspec.Struct, frozen=True):
    """A validated instrument with where it came from and the sha256 of its bytes."""

    path: str
    instrument: Instrument
    content_hash: str


def item_range(instrument: Instrument, item_id: str) -> tuple[int, int]:
    """Return the lowest and highest option value an item can take."""
    for item in instrument.items:
        if item.id == item_id:
            break
    else:
        raise KeyError(f"instrument {instrument.id!r} has no item {item_id!r}")
    response_set = instrument.response_sets.get(item.response_set)
    if response_set is None or not response_set.options:
        raise KeyError(f"item {item_id!r} names no usable response set {item.response_set!r}")
    values = [option.value for option in response_set.options]
    return min(values), max(values)


def scale_range(instrument: Instrument, scale: Scale) -> tuple[float, float]:
    """Return the lowest and highest score a scale can take under its scoring rule."""
    ranges = {item_range(instrument, item_id) for item_id in scale.items}
    if len(ranges) != 1:
        raise ValueError(f"items of scale {scale.id!r} do not share one response range")
    low, high = ranges.pop()
    if scale.scoring == "sum":
        # A prorated sum is the item mean times the number of items, so the bounds scale too.
        return float(low * len(scale.items)), float(high * len(scale.items))
    return float(low), float(high)
