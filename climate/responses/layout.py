"""Where an instrument's answers, demographics and scale scores live in the response row."""

from __future__ import annotations

from dataclasses import dataclass

from climate.instruments import Instrument
from climate.models import (
    MAX_DEMOGRAPHICS,
    MAX_ITEMS,
    MAX_SCALES,
    answer_column,
    demographic_column,
    score_column,
)

GRADE = "grade"


@dataclass(frozen=True, slots=True)
class Layout:
    """Column names per item, demographic (grade has its own column) and scale, in file order."""

    items: dict[str, str]
    demographics: dict[str, str]
    scales: dict[str, str]

    @classmethod
    def of(cls, instrument: Instrument) -> Layout:
        """Map an instrument onto the response table's slots."""
        others = [d.id for d in instrument.demographics if d.id != GRADE]
        if (
            len(instrument.items) > MAX_ITEMS
            or len(others) > MAX_DEMOGRAPHICS
            or len(instrument.scales) > MAX_SCALES
        ):
            raise ValueError(f"instrument {instrument.id} does not fit the response table")
        return cls(
            items={item.id: answer_column(i) for i, item in enumerate(instrument.items, 1)},
            demographics={d: demographic_column(i) for i, d in enumerate(others, 1)},
            scales={scale.id: score_column(i) for i, scale in enumerate(instrument.scales, 1)},
        )

    @property
    def columns(self) -> tuple[str, ...]:
        """Every slot column this instrument uses, in a fixed order."""
        return (*self.demographics.values(), *self.items.values(), *self.scales.values())
