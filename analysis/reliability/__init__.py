"""Internal consistency of a scale: alpha, omega, item diagnostics, language checks.

Respondents with any missing item are left out (listwise deletion), so every
statistic of one call rests on the same respondents. ``alpha`` computes Cronbach's
alpha from rows or from a database's sums, with Feldt limits; ``omega`` McDonald's
omega; ``scales`` the per-item and per-group view and the check of translations.
"""

from analysis.reliability.alpha import (
    AlphaResult,
    alpha_from_moments,
    cronbach_alpha,
    feldt_interval,
)
from analysis.reliability.omega import OmegaResult, mcdonald_omega
from analysis.reliability.scales import (
    ItemStatistic,
    LanguageCheck,
    ScaleReliability,
    compare_languages,
    item_statistics,
    scale_reliability,
)

__all__ = [
    "AlphaResult",
    "ItemStatistic",
    "LanguageCheck",
    "OmegaResult",
    "ScaleReliability",
    "alpha_from_moments",
    "compare_languages",
    "cronbach_alpha",
    "feldt_interval",
    "item_statistics",
    "mcdonald_omega",
    "scale_reliability",
]
