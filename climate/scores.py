"""Scale scores at ingestion: the instrument's scales scored with ``analysis.scoring``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from climate.instruments import Instrument

MISSING = -1


def score_columns(instrument: Instrument, items: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per scale, each respondent's score (NaN when too few items were answered)."""
    result: dict[str, np.ndarray] = {}
    for scale in instrument.scales:
        matrix = np.column_stack([items[i] for i in scale.items]).astype(float)
        matrix[matrix == MISSING] = np.nan
        low, high = _item_bounds(instrument, scale.items[0])
        for column, item_id in enumerate(scale.items):
            if item_id in scale.reverse:
                matrix[:, column] = low + high - matrix[:, column]
        answered = np.sum(~np.isnan(matrix), axis=1)
        enough = answered >= np.ceil(scale.min_fraction * len(scale.items) - 1e-9)
        mean = np.nansum(matrix, axis=1) / np.maximum(answered, 1)
        score = mean * len(scale.items) if scale.scoring == "sum" else mean
        result[scale.id] = np.where(enough, score, np.nan)
    return result


def _item_bounds(instrument: Instrument, item_id: str) -> tuple[int, int]:
    item = next(i for i in instrument.items if i.id == item_id)
    values = [o.value for o in instrument.response_sets[item.response_set].options]
    return min(values), max(values)
