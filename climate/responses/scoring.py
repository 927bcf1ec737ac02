"""Scale scores at ingestion: an instrument's scales scored by ``analysis.scoring``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.scoring import ScaleDefinition, score_matrix
from climate.instruments import Instrument, Scale, item_range

MISSING = -1


def definition(instrument: Instrument, scale: Scale) -> ScaleDefinition:
    """The analysis library's definition of one instrument scale."""
    low, high = item_range(instrument, scale.items[0])
    return ScaleDefinition(
        id=scale.id,
        items=tuple(scale.items),
        reverse=frozenset(scale.reverse),
        minimum=low,
        maximum=high,
        min_fraction=scale.min_fraction,
        favorable_at=scale.favorable_at,
        elevated_at=scale.elevated_at,
        scoring=scale.scoring,
    )


def score_columns(instrument: Instrument, items: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per scale, each respondent's score (NaN when too few items were answered).

    ``items`` maps item ids to integer answers with ``MISSING`` (-1) for a skip.
    """
    result: dict[str, np.ndarray] = {}
    for scale in instrument.scales:
        matrix = np.column_stack([items[i] for i in scale.items]).astype(float)
        matrix[matrix == MISSING] = np.nan
        result[scale.id] = score_matrix(definition(instrument, scale), matrix).scores
    return result
