"""Survey weights: raking to enrollment margins, trimming, and schools as strata.

Units are cells of respondents who share every raking variable (for example school x
grade x gender); each cell has a respondent count and one weight per respondent.
Raking (iterative proportional fitting) adjusts the weights until the weighted counts
match every supplied margin, such as enrollment by school x grade. Trimming caps
extreme weights, and re-raking restores the margins.

Calibrated weights have a smaller variance than their design alone implies, and the
variance of an estimate from them must come from the residuals of its variable on the
calibration margins. :func:`calibrated_design` rakes a
:class:`~analysis.design.SampleDesign` and records the margins in it, so that
:func:`~analysis.design.design_total` and :func:`~analysis.design.design_mean` use them;
one margin is post-stratification.

When every school takes part and weights are calibrated within each school, schools
are strata, not clusters: use :func:`stratified_estimate`, whose variance comes from
respondent-level sums inside each school.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis.design import DesignEstimate, SampleDesign, reliability_flag

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
_LOG_MAX = math.log(float(np.finfo(float).max))


@dataclass(frozen=True, slots=True, eq=False)
class Calibration:
    """Calibrated weights and the calibration that made them.

    Estimates from ``weights`` need the calibration in their variance: an estimate
    that treats them as design weights misstates its standard error. Estimate through
    :func:`calibrated_design`, or pass ``model`` with the weights to your own
    linearization.

    Attributes
    ----------
    weights : ndarray
        Weight per respondent of each cell.
    iterations : int
        Raking passes used.
    converged : bool
        Every margin met within the tolerance.
    max_error : float
        Largest relative gap between a weighted margin and its target.
    base_weights : ndarray
        Weight per respondent of each cell before raking.
    categories : tuple of ndarray
        Per margin, in the order given, the category code of each cell (categories are
        numbered in the order they first appear).
    """

    weights: FloatArray
    iterations: int
    converged: bool
    max_error: float
    base_weights: FloatArray
    categories: tuple[IntArray, ...]

    @property
    def model(self) -> FloatArray:
        """Calibration model matrix: one 0/1 indicator column per category of each margin.

        Examples
        --------
        >>> cal = rake([5, 5, 5], {"g": ["a", "b", "a"]}, {"g": {"a": 20, "b": 10}})
        >>> cal.model.tolist()
        [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
        """
        return np.hstack([np.eye(int(c.max(initial=-1)) + 1)[c] for c in self.categories])


def trim_weights(
    weights: npt.ArrayLike, counts: npt.ArrayLike, upper: float = 5.0, lower: float = 0.0
) -> FloatArray:
    """Cap weights at ``upper`` (and floor at ``lower``) times their mean, keeping the total.

    The weight removed by capping is spread proportionally over the untrimmed
    respondents; this repeats until no weight is outside the bounds.

    Parameters
    ----------
    weights : array_like
        Weight per respondent of each cell.
    counts : array_like
        Respondents per cell.
    upper, lower : float
        Bounds as multiples of the mean weight (``lower`` 0 disables the floor).

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError
        If the weights or counts are not finite and non-negative, have different
        shapes or sum to zero, or if the bounds leave no weight free to take the excess.

    References
    ----------
    Potter, F. J. (1990). A study of procedures to identify and trim extreme sampling
    weights. *Proceedings of the Survey Research Methods Section, ASA*, 225-230.

    Examples
    --------
    >>> trim_weights([1.0, 1.0, 1.0, 9.0], [1, 1, 1, 1], upper=2.0).round(3).tolist()
    [2.0, 2.0, 2.0, 6.0]
    """
    w = np.array(weights, dtype=float)
    n = np.asarray(counts, dtype=float)
    if w.shape != n.shape or w.ndim != 1:
        raise ValueError("weights and counts must be 1-D with one entry per cell")
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(n))):
        raise ValueError("weights and counts must be finite numbers")
    if np.any(w < 0) or np.any(n < 0):
        raise ValueError("weights and counts must be non-negative")
    if not upper > 1 or not 0 <= lower < 1:
        raise ValueError(f"need upper > 1 and 0 <= lower < 1, got {upper}, {lower}")
    total = float((w * n).sum())
    if total <= 0:
        raise ValueError("weights sum to zero")
    mean = total / n.sum()
    hi, lo = upper * mean, lower * mean
    for _ in range(100):
        capped = np.clip(w, lo, hi)
        fixed = (capped != w) | (w >= hi) | ((w <= lo) & (lo > 0))
        free_total = float((capped * n)[~fixed].sum())
        if free_total <= 0:
            raise ValueError("trimming bounds leave no weight free to absorb the excess")
        scale = (total - float((capped * n)[fixed].sum())) / free_total
        # Only free weights are scaled: a capped weight times a vast scale (from free
        # weights near 0) would overflow, and be thrown away.
        w = capped.copy()
        w[~fixed] *= scale
        if np.all(w <= hi * (1 + 1e-12)) and np.all(w >= lo * (1 - 1e-12)):
            break
    return w


def rake(
    counts: npt.ArrayLike,
    margins: Mapping[str, Sequence[Hashable]],
    targets: Mapping[str, Mapping[Hashable, float]],
    base_weights: npt.ArrayLike | None = None,
    trim_upper: float | None = None,
    tol: float = 1e-8,
    max_iter: int = 500,
) -> Calibration:
    """Rake weights to population margins, optionally with trimming.

    Parameters
    ----------
    counts : array_like, shape (cells,)
        Respondents per cell.
    margins : mapping of str to sequence
        For each raking variable, the category of each cell. School x grade is one
        variable whose categories are ``(school, grade)`` pairs.
    targets : mapping of str to mapping
        Population total (e.g. enrollment) of every category of every variable.
    base_weights : array_like, optional
        Starting weight per respondent of each cell; 1 by default.
    trim_upper : float, optional
        Cap weights at this multiple of the mean weight after each pass (trimmed raking).
    tol : float, default 1e-8
        Relative tolerance on the margins.
    max_iter : int, default 500

    Returns
    -------
    Calibration
        ``converged`` is False (and ``max_error`` says by how much) when the margins
        cannot all be met, e.g. a target of 0 for a category with respondents.

    Raises
    ------
    ValueError
        If there are no cells, a count, base weight or target is not a finite number
        (counts and targets at least 0, base weights above 0), an argument has the wrong
        length, a category has no target, or a target above 0 has no respondents.

    References
    ----------
    Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled
    frequency table when the expected marginal totals are known. *Annals of
    Mathematical Statistics* 11, 427-444.
    Battaglia, M. P., Hoaglin, D. C. and Frankel, M. R. (2009). Practical considerations
    in raking survey data. *Survey Practice* 2(5).

    Examples
    --------
    >>> cal = rake([10, 10, 20, 10], {"grade": [6, 6, 7, 7], "gender": ["f", "m", "f", "m"]},
    ...            {"grade": {6: 100, 7: 200}, "gender": {"f": 160, "m": 140}})
    >>> cal.converged, round(float((cal.weights * [10, 10, 20, 10]).sum()))
    (True, 300)
    """
    n = np.asarray(counts, dtype=float)
    if n.ndim != 1 or not np.all(np.isfinite(n)) or np.any(n < 0):
        raise ValueError("counts must be a 1-D array of finite, non-negative respondent counts")
    if n.size == 0:
        raise ValueError("counts is empty: give at least one cell")
    w = np.ones_like(n) if base_weights is None else np.array(base_weights, dtype=float)
    if w.shape != n.shape or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("base_weights must be finite and positive with one entry per cell")
    if set(margins) != set(targets):
        raise ValueError(f"margins {sorted(margins)} and targets {sorted(targets)} differ")
    if not margins:
        raise ValueError("margins is empty: give at least one raking variable")
    base = w.copy()
    plan = []
    for name, labels in margins.items():
        if len(labels) != n.size:
            raise ValueError(f"margin {name!r} has {len(labels)} entries for {n.size} cells")
        tgt = targets[name]
        present = set(labels)
        unknown = present - set(tgt)
        if unknown:
            raise ValueError(
                f"margin {name!r}: categories {sorted(map(str, unknown))} have no target"
            )
        for cat, total in tgt.items():
            if not (math.isfinite(total) and total >= 0):
                raise ValueError(f"margin {name!r}: target of {cat!r} is not a finite number >= 0")
            if total > 0 and not any(n[i] > 0 for i, v in enumerate(labels) if v == cat):
                raise ValueError(
                    f"margin {name!r}: category {cat!r} has a target but no respondents"
                )
        index: dict[Hashable, int] = {}
        codes = np.array([index.setdefault(v, len(index)) for v in labels], dtype=np.intp)
        goal = np.array([float(tgt[v]) for v in index])
        plan.append((codes, goal))
    categories = tuple(codes for codes, _ in plan)
    error = math.inf
    for it in range(1, max_iter + 1):
        for codes, goal in plan:
            current = np.bincount(codes, weights=w * n, minlength=goal.size)
            ratio = np.divide(goal, current, out=np.ones_like(goal), where=current > 0)
            w = w * ratio[codes]
        if trim_upper is not None:
            w = trim_weights(w, n, upper=trim_upper)
        error = max(
            float(
                np.max(
                    np.abs(np.bincount(c, weights=w * n, minlength=g.size) - g)
                    / np.maximum(g, 1e-300)
                )
            )
            for c, g in plan
        )
        if error < tol:
            return Calibration(w, it, True, error, base, categories)
    return Calibration(w, max_iter, False, error, base, categories)


def calibrated_design(
    design: SampleDesign,
    margins: Mapping[str, Sequence[Hashable]],
    targets: Mapping[str, Mapping[Hashable, float]],
    trim_upper: float | None = None,
    tol: float = 1e-8,
    max_iter: int = 500,
) -> SampleDesign:
    """Rake a design's weights to population margins, keeping the calibration in it.

    Parameters
    ----------
    design : SampleDesign
        The sample with its design weights (see :func:`~analysis.design.sample_design`).
    margins : mapping of str to sequence
        For each raking variable, the category of each row. One margin is
        post-stratification (R ``postStratify()``); several, raking (R ``rake()``).
    targets : mapping of str to mapping
        Population total of every category of every variable.
    trim_upper, tol, max_iter
        As in :func:`rake`.

    Returns
    -------
    SampleDesign
        The design with the raked weights and the margins they were raked to, which
        :func:`~analysis.design.design_total` and :func:`~analysis.design.design_mean`
        use for the variance.

    Raises
    ------
    ValueError
        When raking does not meet every margin within ``tol``, or when the design is
        already calibrated (rake once, on all the margins).

    Notes
    -----
    The variance of an estimate from calibrated weights is that of the weighted
    residuals of its variable on the calibration variables (Deville and Särndal 1992):
    the part of a variable the margins explain is known without sampling error.
    Ignoring the calibration usually overstates the standard error, and can understate
    it. The residuals come from the least-squares fit on the margins' indicators
    weighted by the design weights, as in R ``calibrate(calfun = "raking")``; R's
    ``rake()`` fits without weights, which gives the same standard errors when the
    design weights are equal (as in R's ``apiclus1`` examples).

    References
    ----------
    Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey
    sampling. *Journal of the American Statistical Association* 87, 376-382.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 7.

    Examples
    --------
    Four schools in two districts, post-stratified to 60 elementary and 40 high schools:

    >>> from analysis.design import design_total, sample_design
    >>> design = sample_design([10.0] * 4, [["d1", "d1", "d2", "d2"]])
    >>> level = ["E", "H", "E", "H"]
    >>> raked = calibrated_design(design, {"level": level}, {"level": {"E": 60, "H": 40}})
    >>> raked.weights.tolist()
    [30.0, 20.0, 30.0, 20.0]
    >>> est = design_total(raked, [1.0, 1.0, 1.0, 1.0])
    >>> est.estimate, est.se
    (100.0, 0.0)
    """
    if design.calibration is not None:
        raise ValueError("design is already calibrated; rake it once, on all its margins")
    cal = rake(
        design.counts,
        margins,
        targets,
        base_weights=design.weights,
        trim_upper=trim_upper,
        tol=tol,
        max_iter=max_iter,
    )
    if not cal.converged:
        raise ValueError(
            f"raking did not meet the margins in {max_iter} passes "
            f"(largest relative error {cal.max_error:.3g})"
        )
    return dataclasses.replace(
        design, weights=cal.weights, calibration=cal.categories, base_weights=design.weights
    )


def _inverse_logit(value: float) -> float:
    # Below -709.78 exp(-value) is past the largest float: the proportion is 0.
    return 1 / (1 + math.exp(-value)) if -value <= _LOG_MAX else 0.0


@dataclass(frozen=True, slots=True)
class StratumTotals:
    """Respondent-level sums of one school used as a stratum.

    With weight ``w`` and outcome ``y`` per respondent: ``n``; ``w_sum = sum w``;
    ``wy = sum w y``; ``w2 = sum w^2``; ``w2y = sum w^2 y``; ``w2y2 = sum w^2 y^2``
    (for a 0/1 outcome ``w2y2 = w2y``). All are plain SQL sums.
    """

    stratum: Hashable
    n: int
    w_sum: float
    wy: float
    w2: float
    w2y: float
    w2y2: float


def stratified_estimate(
    rows: Sequence[StratumTotals], proportion: bool = True, confidence: float = 0.95
) -> DesignEstimate:
    """Ratio estimate with schools as strata and respondents as units.

    Parameters
    ----------
    rows : sequence of StratumTotals
        One row per school.
    proportion : bool, default True
        Survey-logit interval for a proportion; ``t`` interval otherwise.
    confidence : float, default 0.95

    Returns
    -------
    DesignEstimate
        ``df = respondents - schools``; ``deff`` is None.

    Raises
    ------
    ValueError
        If ``rows`` is empty or has no weight, a school has fewer than 2 respondents, a
        sum is not finite or a weight sum negative, a proportion's ``wy`` exceeds its
        weights (its estimate would leave ``[0, 1]``), or ``confidence`` lies outside
        ``(0, 1)``.

    Notes
    -----
    With ``z_i = w_i (y_i - R) / W``, each school contributes
    ``n_h / (n_h - 1) (sum z^2 - (sum z)^2 / n_h)``, and ``sum z^2`` expands into the
    sums of :class:`StratumTotals`.

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., sect. 6.11.

    Examples
    --------
    >>> rows = [StratumTotals("a", 4, 8.0, 4.0, 16.0, 8.0, 8.0),
    ...         StratumTotals("b", 5, 5.0, 2.0, 5.0, 2.0, 2.0)]
    >>> round(stratified_estimate(rows).estimate, 4)
    0.4615
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    if not rows:
        raise ValueError("rows is empty")
    for row in rows:
        sums = (row.w_sum, row.wy, row.w2, row.w2y, row.w2y2)
        if not all(math.isfinite(v) for v in sums):
            raise ValueError(f"stratum {row.stratum!r} has a sum that is not a finite number")
        if row.w_sum < 0 or row.w2 < 0:
            raise ValueError(f"stratum {row.stratum!r} has negative weights")
    total_w = sum(r.w_sum for r in rows)
    if total_w <= 0:
        raise ValueError("rows have no weight")
    r_hat = sum(r.wy for r in rows) / total_w
    if proportion and not 0 <= r_hat <= 1:
        raise ValueError(f"a proportion needs 0 <= sum wy <= sum w_sum, got estimate {r_hat}")
    var = 0.0
    for row in rows:
        if row.n < 2:
            raise ValueError(f"stratum {row.stratum!r} has fewer than 2 respondents")
        sz = (row.wy - r_hat * row.w_sum) / total_w
        sz2 = (row.w2y2 - 2 * r_hat * row.w2y + r_hat * r_hat * row.w2) / total_w**2
        var += row.n / (row.n - 1) * max(sz2 - sz * sz / row.n, 0.0)
    se = math.sqrt(var)
    n = sum(r.n for r in rows)
    df = n - len(rows)
    if df < 1:
        raise ValueError("too few respondents for a variance")
    t = float(stats.t.ppf(0.5 + confidence / 2, df))
    if proportion and 0 < r_hat < 1:
        half = t * se / (r_hat * (1 - r_hat))
        logit = math.log(r_hat / (1 - r_hat))
        lower = min(r_hat, _inverse_logit(logit - half))
        upper = max(r_hat, _inverse_logit(logit + half))
    else:
        lower, upper = r_hat - t * se, r_hat + t * se
        if proportion:
            lower, upper = max(lower, 0.0), min(upper, 1.0)
    rse = None if r_hat == 0 else se / abs(r_hat)
    return DesignEstimate(
        r_hat, se, lower, upper, df, None, rse, reliability_flag(rse), len(rows), n, confidence
    )
