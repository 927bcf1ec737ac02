"""Design-based estimates from per-school totals (school = primary sampling unit).

The service reduces responses to one row per school (``GROUP BY school``) holding the
weighted numerator total ``y`` and the weighted denominator total ``x``. Everything
here works from those rows: ratio estimates (proportions and means), totals, their
Taylor-linearization variance with ``G/(G-1)`` scaling within strata, design degrees
of freedom ``schools - strata``, design effects, relative standard errors and
survey-logit intervals, exactly as R's ``survey`` package computes them, for one estimate
or (:func:`ratio_limits`) for a whole matrix of them at once.

For a subgroup (domain), pass a row for *every* school of the district, with zero
totals where the school has no member of the subgroup; dropping those schools would
understate the variance. Its interval then takes the degrees of freedom of
:func:`domain_df`, fewer than the design's where a few schools hold most members, so
that intervals of small subgroups in few schools keep their coverage.

Designs that per-school totals cannot express are held row by row in a
:class:`SampleDesign`: multistage samples drawn without replacement at each stage
(:func:`multistage_covariance`), and weights calibrated to population margins
(:func:`analysis.weights.calibrated_design`); :func:`design_total` and
:func:`design_mean` estimate from them.
"""

from analysis.design.clusters import PsuIndex, psu_covariance, psu_index, psu_totals
from analysis.design.domains import WORKING_ICC, domain_df
from analysis.design.estimates import (
    RSE_CAUTION,
    RSE_UNRELIABLE,
    DesignEstimate,
    RatioScores,
    ratio_estimate,
    ratio_scores,
    reliability_flag,
    rse_from_limits,
    sample_mean,
    total_estimate,
)
from analysis.design.limits import bounded_mean_limits, ratio_limits
from analysis.design.sample import SampleDesign, design_mean, design_total, sample_design
from analysis.design.stages import multistage_covariance
from analysis.design.totals import PsuTotals, design_covariance, design_df

__all__ = [
    "RSE_CAUTION",
    "RSE_UNRELIABLE",
    "WORKING_ICC",
    "DesignEstimate",
    "PsuIndex",
    "PsuTotals",
    "RatioScores",
    "SampleDesign",
    "bounded_mean_limits",
    "design_covariance",
    "design_df",
    "design_mean",
    "design_total",
    "domain_df",
    "multistage_covariance",
    "psu_covariance",
    "psu_index",
    "psu_totals",
    "ratio_estimate",
    "ratio_limits",
    "ratio_scores",
    "reliability_flag",
    "rse_from_limits",
    "sample_design",
    "sample_mean",
    "total_estimate",
]
