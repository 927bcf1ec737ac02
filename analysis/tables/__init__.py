"""Tests of association in subgroup x answer tables.

Pearson's chi-square and the linear-by-linear trend test (:mod:`analysis.tables.simple`)
treat respondents as a simple random sample. Under school clustering they overstate
significance; for district tables use the design-based tests of
:mod:`analysis.tables.design`, built from per-school tables of weighted counts.
"""

from analysis.tables.design import (
    RaoScottChisq,
    RaoScottTest,
    WaldTest,
    rao_scott,
    rao_scott_chisq,
    wald_test,
)
from analysis.tables.simple import ChiSquareTest, linear_trend_test, pearson_chisq

__all__ = [
    "ChiSquareTest",
    "RaoScottChisq",
    "RaoScottTest",
    "WaldTest",
    "linear_trend_test",
    "pearson_chisq",
    "rao_scott",
    "rao_scott_chisq",
    "wald_test",
]
