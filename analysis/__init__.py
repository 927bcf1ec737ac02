"""climate.analysis: a pure library of survey statistics, disclosure control and staffing.

It takes numbers and returns numbers (never the web service, Litestar or SQLAlchemy), so an
analyst can use it from a notebook. Statistics are exported here; disclosure control and
staffing are the subpackages :mod:`analysis.disclosure` and :mod:`analysis.staffing`.
"""

from analysis import disclosure, plots, staffing
from analysis.comparisons import (
    Contrast,
    difference,
    newcombe_difference,
    odds_ratio,
    woolf_odds_ratio,
)
from analysis.design import (
    RSE_CAUTION,
    RSE_UNRELIABLE,
    DesignEstimate,
    PsuTotals,
    RatioScores,
    design_covariance,
    design_df,
    ratio_estimate,
    ratio_scores,
    reliability_flag,
    sample_mean,
    total_estimate,
)
from analysis.logistic import (
    LogitFit,
    categorical_design,
    fit_grouped_logit,
    treatment_columns,
)
from analysis.multiplicity import (
    Adjustment,
    benjamini_hochberg,
    bonferroni,
)
from analysis.proportions import (
    ProportionInterval,
    clopper_pearson_interval,
    proportion_interval,
    wilson_interval,
)
from analysis.reliability import (
    AlphaResult,
    ItemStatistic,
    LanguageCheck,
    OmegaResult,
    ScaleReliability,
    compare_languages,
    cronbach_alpha,
    item_statistics,
    mcdonald_omega,
    scale_reliability,
)
from analysis.scoring import (
    ScaleDefinition,
    ScaleScore,
    ScaleTotals,
    ScoreArrays,
    scale_totals,
    score_matrix,
    score_respondent,
)
from analysis.tables import (
    ChiSquareTest,
    RaoScottTest,
    linear_trend_test,
    pearson_chisq,
    rao_scott,
)
from analysis.trends import (
    MIN_YEARS_QUADRATIC,
    TrendFit,
    adjust_trends,
    fit_trend,
    orthogonal_polynomials,
    year_over_year,
)
from analysis.weights import (
    Calibration,
    StratumTotals,
    rake,
    stratified_estimate,
    trim_weights,
)

__all__ = [
    "MIN_YEARS_QUADRATIC",
    "RSE_CAUTION",
    "RSE_UNRELIABLE",
    "Adjustment",
    "AlphaResult",
    "Calibration",
    "ChiSquareTest",
    "Contrast",
    "DesignEstimate",
    "ItemStatistic",
    "LanguageCheck",
    "LogitFit",
    "OmegaResult",
    "ProportionInterval",
    "PsuTotals",
    "RaoScottTest",
    "RatioScores",
    "ScaleDefinition",
    "ScaleReliability",
    "ScaleScore",
    "ScaleTotals",
    "ScoreArrays",
    "StratumTotals",
    "TrendFit",
    "adjust_trends",
    "benjamini_hochberg",
    "bonferroni",
    "categorical_design",
    "clopper_pearson_interval",
    "compare_languages",
    "cronbach_alpha",
    "design_covariance",
    "design_df",
    "difference",
    "disclosure",
    "fit_grouped_logit",
    "fit_trend",
    "item_statistics",
    "linear_trend_test",
    "mcdonald_omega",
    "newcombe_difference",
    "odds_ratio",
    "orthogonal_polynomials",
    "pearson_chisq",
    "plots",
    "proportion_interval",
    "rake",
    "rao_scott",
    "ratio_estimate",
    "ratio_scores",
    "reliability_flag",
    "sample_mean",
    "scale_reliability",
    "scale_totals",
    "score_matrix",
    "score_respondent",
    "staffing",
    "stratified_estimate",
    "total_estimate",
    "treatment_columns",
    "trim_weights",
    "wilson_interval",
    "woolf_odds_ratio",
    "year_over_year",
]
