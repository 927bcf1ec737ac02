"""Sample designs held row by row: weights, stages, strata, fpc and calibration.

:class:`PsuTotals` reduces a sample to one row per school, which is all a one-stage
design needs. Two things need the rows themselves: the within-unit terms of a
multistage design drawn without replacement, and weights calibrated to population
margins, whose variance comes from the residuals of each variable on the calibration
variables. A :class:`SampleDesign` keeps one row per sampled unit (or per cell of
respondents within a last-stage unit), and carries the calibration with the weights, so
that :func:`design_total` and :func:`design_mean` cannot estimate calibrated weights as
if they were not.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.design.clusters import psu_index
from analysis.design.domains import domain_df
from analysis.design.estimates import DesignEstimate, EstimateKind, reliability_flag
from analysis.design.limits import _logit_limits, _t
from analysis.design.stages import multistage_covariance

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

# Sweeps of the residual projection before giving up; margins that need more are so
# nearly confounded that the calibration itself is unstable.
_MAX_SWEEPS = 10_000


@dataclass(frozen=True, slots=True, eq=False)
class SampleDesign:
    """Rows of a sample with their weights and their place in the design.

    Build one with :func:`sample_design`; calibrate its weights with
    :func:`analysis.weights.calibrated_design`, which records the calibration here.

    Attributes
    ----------
    weights : ndarray
        Weight of each respondent of each row.
    counts : ndarray
        Respondents per row (1 when each row is one unit).
    clusters : tuple of tuples
        Per stage, first stage first, the unit of that stage each row belongs to.
    strata : tuple or None
        First-stage stratum of each row.
    fpc : tuple
        Per stage, each row's finite population correction (as in
        :func:`multistage_covariance`), or None where that stage was drawn with
        replacement.
    calibration : tuple of ndarray or None
        For calibrated weights, one array per calibration margin holding the category
        code of each row; None otherwise.
    base_weights : ndarray or None
        For calibrated weights, the weights they were calibrated from; None otherwise.
    """

    weights: FloatArray
    counts: FloatArray
    clusters: tuple[tuple[Hashable, ...], ...]
    strata: tuple[Hashable, ...] | None
    fpc: tuple[FloatArray | None, ...]
    calibration: tuple[IntArray, ...] | None = None
    base_weights: FloatArray | None = None

    def __post_init__(self) -> None:
        rows = self.weights.shape[0]
        if self.weights.shape != (rows,) or self.counts.shape != (rows,):
            raise ValueError("weights and counts must be 1-D with one entry per row")
        if not self.clusters or any(len(ids) != rows for ids in self.clusters):
            raise ValueError(f"clusters must name, for each stage, the unit of all {rows} rows")
        if self.strata is not None and len(self.strata) != rows:
            raise ValueError(f"strata has {len(self.strata)} entries for {rows} rows")
        if len(self.fpc) != len(self.clusters):
            raise ValueError(f"fpc has {len(self.fpc)} entries for {len(self.clusters)} stages")
        if (self.calibration is None) != (self.base_weights is None):
            raise ValueError("calibration and base_weights must be given together")
        if self.calibration is not None and any(c.shape != (rows,) for c in self.calibration):
            raise ValueError("calibration must hold one category code per row in each margin")


def sample_design(
    weights: npt.ArrayLike,
    clusters: Sequence[Sequence[Hashable]],
    *,
    strata: Sequence[Hashable] | None = None,
    fpc: Sequence[npt.ArrayLike | None] | None = None,
    counts: npt.ArrayLike | None = None,
) -> SampleDesign:
    """Describe a sample row by row: ``svydesign(id = ~stage1 + stage2, ...)``.

    Parameters
    ----------
    weights : array_like
        Sampling weight of each respondent of each row.
    clusters : sequence of sequences
        One sequence per stage, first stage first: the unit of that stage each row
        belongs to, named uniquely within the unit above it. For a sample of
        respondents drawn directly, pass the respondents as the only stage.
    strata : sequence, optional
        First-stage stratum of each row.
    fpc : sequence, optional
        One entry per stage, as in :func:`multistage_covariance`: population counts
        (> 1) or sampling fractions (<= 1) per row, or None for a stage drawn with
        replacement. Omitted, the first stage is taken as drawn with replacement.
    counts : array_like, optional
        Respondents per row, when a row is a cell of respondents sharing a weight and
        a last-stage unit; 1 by default.

    Returns
    -------
    SampleDesign

    Examples
    --------
    >>> design = sample_design([2.0, 2.0, 4.0, 4.0], [["a", "a", "b", "b"]])
    >>> len(design.clusters), design.counts.tolist()
    (1, [1.0, 1.0, 1.0, 1.0])
    """
    w = np.array(weights, dtype=float)
    if w.ndim != 1 or w.size == 0:
        raise ValueError("weights must be a non-empty 1-D array")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    n = np.ones_like(w) if counts is None else np.array(counts, dtype=float)
    if n.shape != w.shape or not np.all(np.isfinite(n)) or np.any(n < 0):
        raise ValueError("counts must be non-negative with one entry per row")
    if isinstance(clusters, str) or any(isinstance(ids, str) for ids in clusters):
        raise TypeError("clusters takes one sequence of unit names per stage")
    stages = tuple(tuple(ids) for ids in clusters)
    if fpc is None:
        fpcs: tuple[FloatArray | None, ...] = (None,) * len(stages)
    else:
        fpcs = tuple(None if f is None else np.array(f, dtype=float) for f in fpc)
        for k, f in enumerate(fpcs, start=1):
            if f is not None and f.shape != w.shape:
                raise ValueError(f"fpc of stage {k} must have one entry per row ({w.size})")
    return SampleDesign(w, n, stages, None if strata is None else tuple(strata), fpcs)


def design_total(
    design: SampleDesign, y: npt.ArrayLike, confidence: float = 0.95
) -> DesignEstimate:
    """Weighted population total of ``y`` with its design-based ``t`` interval.

    Parameters
    ----------
    design : SampleDesign
        The sample; calibrated weights bring their calibration with them.
    y : array_like
        Per row, the sum of the variable over the row's respondents (its value, for a
        row of one unit). Give 0 for respondents outside a subgroup to estimate the
        subgroup's total.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    DesignEstimate
        ``df`` is first-stage units minus strata; ``deff`` is None.

    Notes
    -----
    The variance is :func:`multistage_covariance` of the rows' weighted values. With
    calibrated weights, each value is replaced by its residual from the regression
    on the calibration variables, weighted by the weights before calibration, and
    multiplied by the calibrated weight: ``w_i (y_i - x_i' B)`` (Deville and Särndal
    1992; R ``survey``'s ``calibrate()``, ``rake()`` and ``postStratify()``).

    References
    ----------
    Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey
    sampling. *Journal of the American Statistical Association* 87, 376-382.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 7.

    Examples
    --------
    >>> design = sample_design([10.0] * 4, [["a", "a", "b", "b"]])
    >>> est = design_total(design, [1.0, 2.0, 3.0, 5.0])
    >>> est.estimate, round(est.se, 4), est.df
    (110.0, 50.0, 1)
    """
    values = _values(design, y)
    total = float(design.weights @ values)
    z = _linearized(design, values)
    return _estimate(design, total, z, None, confidence)


def design_mean(
    design: SampleDesign,
    y: npt.ArrayLike,
    kind: EstimateKind = "mean",
    confidence: float = 0.95,
    *,
    domain: npt.ArrayLike | None = None,
) -> DesignEstimate:
    """Weighted mean (or proportion) of ``y`` per respondent, with its interval.

    Parameters
    ----------
    design : SampleDesign
        The sample; calibrated weights bring their calibration with them.
    y : array_like
        Per row, the sum of the variable over the row's respondents.
    kind : {"mean", "proportion"}
        Means get a ``t`` interval; proportions (``y`` counting respondents with a
        trait) the survey-logit interval of :func:`ratio_estimate`.
    confidence : float, default 0.95
        Nominal coverage.
    domain : array_like of bool, optional
        For the mean of a domain (subgroup), whether each row's respondents belong to
        it. Rows outside it count as zero, and stay in the design for its variance.

    Returns
    -------
    DesignEstimate
        ``deff`` is None; ``n`` counts the domain's respondents only.

    Raises
    ------
    ValueError
        If the domain has no respondents, or members in too few first-stage units to
        leave a degree of freedom.

    Notes
    -----
    The mean ``R = sum(w y) / sum(w n)`` is linearized as ``w (y - R n) / sum(w n)``;
    calibrated weights replace ``y - R n`` by its calibration residual, as in
    :func:`design_total`. A domain's interval takes the degrees of freedom of
    :func:`analysis.design.domain_df` over the first-stage units' weighted and
    unweighted respondents in the domain.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 2-3, 7.

    Examples
    --------
    >>> design = sample_design([1.0] * 6, [[1, 1, 2, 2, 3, 3]], fpc=[[30] * 6])
    >>> est = design_mean(design, [4.0, 6.0, 5.0, 7.0, 2.0, 3.0])
    >>> round(est.estimate, 4), round(est.se, 4), est.df
    (4.5, 0.9874, 2)

    The mean of the rows of one subgroup, spread over two of the three schools:

    >>> inside = [True, False, True, True, False, False]
    >>> est = design_mean(design, [4.0, 6.0, 5.0, 7.0, 2.0, 3.0], domain=inside)
    >>> round(est.estimate, 4), est.n, est.df
    (5.3333, 3, 1.0)
    """
    if kind not in ("mean", "proportion"):
        raise ValueError(f"kind must be 'mean' or 'proportion', got {kind!r}")
    values = _values(design, y)
    counts = design.counts
    if domain is not None:
        inside = np.asarray(domain)
        if inside.shape != counts.shape or inside.dtype != np.bool_:
            raise ValueError(
                f"domain must hold one bool per row ({counts.size}), got {inside.dtype} "
                f"of shape {inside.shape}"
            )
        values, counts = np.where(inside, values, 0.0), np.where(inside, counts, 0.0)
    total_w = float(design.weights @ counts)
    if total_w <= 0:
        if domain is not None:
            raise ValueError("domain: its respondents' weights sum to zero")
        raise ValueError("the design's weights sum to zero over its respondents")
    r = float(design.weights @ values) / total_w
    if kind == "proportion" and not -1e-12 <= r <= 1 + 1e-12:
        raise ValueError(f"proportion estimate {r} lies outside [0, 1]; check y <= counts")
    z = _linearized(design, values - r * counts) / total_w
    df = None if domain is None else _domain_df(design, counts)
    return _estimate(design, r, z, kind, confidence, df, float(counts.sum()))


def _domain_df(design: SampleDesign, counts: FloatArray) -> float:
    """:func:`domain_df` over the first-stage units of the respondents ``counts`` counts."""
    units = psu_index(design.clusters[0], counts.size)
    at = units.codes
    first = np.unique(at, return_index=True)[1]
    x = np.bincount(at, weights=design.weights * counts, minlength=units.n_psu)
    n = np.bincount(at, weights=counts, minlength=units.n_psu)
    strata = None if design.strata is None else [design.strata[i] for i in first.tolist()]
    fpc = design.fpc[0]
    df = domain_df(x, n, strata, None if fpc is None else fpc[first])
    if df < 1:
        raise ValueError(
            f"domain: members in {int(np.count_nonzero(x > 0))} of {units.n_psu} first-stage "
            "units are too few to leave a degree of freedom for an interval"
        )
    return df


def _values(design: SampleDesign, y: npt.ArrayLike) -> FloatArray:
    values = np.asarray(y, dtype=float)
    if values.shape != design.weights.shape:
        raise ValueError(f"y has shape {values.shape}; the design has {design.weights.size} rows")
    if not np.all(np.isfinite(values)):
        raise ValueError("y has missing or infinite values; give 0 for rows outside a subgroup")
    return values


def _linearized(design: SampleDesign, values: FloatArray) -> FloatArray:
    """Weighted values, or with calibrated weights their weighted calibration residuals."""
    if design.calibration is None or design.base_weights is None:
        return design.weights * values
    n = design.counts
    fit = design.base_weights * n
    residual = values.copy()
    scale = float(np.max(np.abs(values) / np.maximum(n, 1.0), initial=0.0))
    # Alternating projections (backfitting) onto the complement of each margin's
    # category indicators converge to the residual of the weighted least-squares fit
    # on all margins at once, without forming the (rows x categories) model matrix.
    for _ in range(_MAX_SWEEPS):
        largest = 0.0
        for codes in design.calibration:
            num = np.bincount(codes, weights=design.base_weights * residual)
            den = np.bincount(codes, weights=fit)
            shift = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
            residual -= n * shift[codes]
            largest = max(largest, float(np.max(np.abs(shift), initial=0.0)))
        if largest <= 1e-10 * scale:
            return design.weights * residual
    raise ValueError(
        "calibration residuals did not settle: the calibration margins are nearly confounded"
    )


def _estimate(
    design: SampleDesign,
    estimate: float,
    z: FloatArray,
    kind: EstimateKind | None,
    confidence: float,
    df: float | None = None,
    n_total: float | None = None,
) -> DesignEstimate:
    var = float(multistage_covariance(z, design.clusters, design.strata, design.fpc)[0, 0])
    se = float(np.sqrt(max(var, 0.0)))
    first = set(design.clusters[0])
    n_psu = len(first)
    strata = 1 if design.strata is None else len(set(design.strata))
    if df is None:
        df = n_psu - strata
    if n_total is None:
        n_total = float(design.counts.sum())
    if kind == "proportion":
        estimate = min(max(estimate, 0.0), 1.0)
        lower, upper = _logit_limits(estimate, se, df, n_total, confidence)
    else:
        t = _t(confidence, df)
        lower, upper = estimate - t * se, estimate + t * se
    rse = None if estimate == 0 else se / abs(estimate)
    return DesignEstimate(
        estimate,
        se,
        lower,
        upper,
        df,
        None,
        rse,
        reliability_flag(rse),
        n_psu,
        round(n_total),
        confidence,
    )
