"""Scale scores per respondent, from an instrument's scale definition.

Scoring rules
-------------
* Reverse-coded items are scored ``minimum + maximum - x``.
* A score exists only when at least ``min_fraction`` of the scale's items are answered
  (``ceil(min_fraction * k)`` items, and at least one); otherwise it is missing.
* ``scoring="mean"``: the mean of the answered items. ``scoring="sum"``: the prorated
  sum, ``k`` times that mean, so a respondent who skipped an item is not pulled down.
* Cut-points: a score is *favorable* when ``score >= favorable_at`` and *elevated* when
  ``score >= elevated_at``. For a scale where low scores are the concern (WHO-5: raw
  below 13 is poor well-being), reverse every item so the cut reads "at or above".

What the database sums
----------------------
The service scores each response at ingestion and stores the score and two flags.
Reports then need only, per cell (``GROUP BY school, year, subgroup``)::

    COUNT(score)                          -> n_scored
    SUM(score)                            -> total
    SUM(score * score)                    -> sum_squares
    SUM(CASE WHEN favorable THEN 1 END)   -> n_favorable
    SUM(CASE WHEN elevated THEN 1 END)    -> n_elevated

which is :class:`ScaleTotals`. Means and variances follow from the first three; the
proportions favorable or elevated from the last two over ``n_scored``. Per-school rows
of these feed :class:`analysis.design.PsuTotals`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ScaleDefinition:
    """How to score one scale of an instrument.

    Attributes
    ----------
    id : str
        Scale identifier.
    items : tuple of str
        Item identifiers, in instrument order.
    reverse : frozenset of str
        Items scored ``minimum + maximum - x``.
    minimum, maximum : float
        Range of every item's answer values.
    min_fraction : float
        Fraction of items that must be answered for a score (0 < f <= 1); at least one
        item is needed however small it is.
    favorable_at, elevated_at : float or None
        Cut-points on the score's own scale (mean or sum), finite; None when not used.

    Raises
    ------
    ValueError
        If the items are empty or repeated, ``reverse`` names an unknown item, the
        range is not finite or empty, ``min_fraction`` lies outside ``(0, 1]``, or a
        cut-point is NaN or infinite.
    scoring : {"mean", "sum"}
        Mean of items, or prorated sum.
    """

    id: str
    items: tuple[str, ...]
    reverse: frozenset[str] = frozenset()
    minimum: float = 1.0
    maximum: float = 5.0
    min_fraction: float = 0.5
    favorable_at: float | None = None
    elevated_at: float | None = None
    scoring: Literal["mean", "sum"] = "mean"

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError(f"scale {self.id!r}: items is empty")
        if len(set(self.items)) != len(self.items):
            raise ValueError(f"scale {self.id!r}: items has duplicates")
        extra = set(self.reverse) - set(self.items)
        if extra:
            raise ValueError(f"scale {self.id!r}: reverse names unknown items {sorted(extra)}")
        if not (math.isfinite(self.minimum) and math.isfinite(self.maximum)):
            raise ValueError(f"scale {self.id!r}: minimum and maximum must be finite")
        if not self.minimum < self.maximum:
            raise ValueError(f"scale {self.id!r}: minimum must be below maximum")
        if not 0 < self.min_fraction <= 1:
            raise ValueError(f"scale {self.id!r}: min_fraction must lie in (0, 1]")
        if self.scoring not in ("mean", "sum"):
            raise ValueError(f"scale {self.id!r}: scoring must be 'mean' or 'sum'")
        for name, cut in (("favorable_at", self.favorable_at), ("elevated_at", self.elevated_at)):
            # A NaN cut would leave every flag False without a word.
            if cut is not None and not math.isfinite(cut):
                raise ValueError(f"scale {self.id!r}: {name} must be a finite number")

    @property
    def min_items(self) -> int:
        """Fewest answered items that give a score: never fewer than one."""
        # A score is a mean of answers, so even the smallest min_fraction needs one.
        return max(1, math.ceil(self.min_fraction * len(self.items) - 1e-9))


@dataclass(frozen=True, slots=True)
class ScaleScore:
    """One respondent's score on one scale.

    Attributes
    ----------
    score : float or None
        None when too few items were answered.
    answered : int
        Items answered.
    favorable, elevated : bool or None
        Cut-point flags; None when the score is missing or the cut is not defined.
    """

    score: float | None
    answered: int
    favorable: bool | None
    elevated: bool | None


@dataclass(frozen=True, slots=True, eq=False)
class ScoreArrays:
    """Scores of many respondents (NaN where missing) with their flags.

    Attributes
    ----------
    scores : ndarray of float
    answered : ndarray of int
    favorable, elevated : ndarray of bool
        False where the score is missing or the cut is not defined.
    """

    scores: FloatArray
    answered: npt.NDArray[np.int64]
    favorable: BoolArray
    elevated: BoolArray


@dataclass(frozen=True, slots=True)
class ScaleTotals:
    """The sums the database keeps per cell to reproduce every scale estimate.

    Attributes
    ----------
    n_scored : int
    total, sum_squares : float
    n_favorable, n_elevated : int
    """

    n_scored: int
    total: float
    sum_squares: float
    n_favorable: int
    n_elevated: int

    def __add__(self, other: ScaleTotals) -> ScaleTotals:
        """Merge two cells."""
        return ScaleTotals(
            self.n_scored + other.n_scored,
            self.total + other.total,
            self.sum_squares + other.sum_squares,
            self.n_favorable + other.n_favorable,
            self.n_elevated + other.n_elevated,
        )


def _flag(score: float, cut: float | None) -> bool | None:
    return None if cut is None else score >= cut


def score_respondent(scale: ScaleDefinition, answers: Mapping[str, float | None]) -> ScaleScore:
    """Score one respondent's answers on one scale.

    Parameters
    ----------
    scale : ScaleDefinition
    answers : mapping of item id to value or None
        Items absent from the mapping count as unanswered.

    Returns
    -------
    ScaleScore

    Raises
    ------
    ValueError
        When an answer lies outside ``[minimum, maximum]``.

    References
    ----------
    Kessler, R. C. et al. (2003). Screening for serious mental illness in the general
    population. *Archives of General Psychiatry* 60, 184-189 (K6 scoring).

    Examples
    --------
    >>> s = ScaleDefinition("safety", ("a", "b", "c", "d"), frozenset({"d"}),
    ...                     favorable_at=4.0)
    >>> score_respondent(s, {"a": 4, "b": 5, "c": None, "d": 2})
    ScaleScore(score=4.333333333333333, answered=3, favorable=True, elevated=None)
    """
    values: list[float] = []
    for item in scale.items:
        v = answers.get(item)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        x = float(v)
        if not scale.minimum <= x <= scale.maximum:
            raise ValueError(
                f"scale {scale.id!r}: item {item!r} has value {v} outside "
                f"[{scale.minimum}, {scale.maximum}]"
            )
        values.append(scale.minimum + scale.maximum - x if item in scale.reverse else x)
    if len(values) < scale.min_items:
        return ScaleScore(None, len(values), None, None)
    mean = sum(values) / len(values)
    score = mean * len(scale.items) if scale.scoring == "sum" else mean
    return ScaleScore(
        score, len(values), _flag(score, scale.favorable_at), _flag(score, scale.elevated_at)
    )


def score_matrix(scale: ScaleDefinition, values: npt.ArrayLike) -> ScoreArrays:
    """Score many respondents at once.

    Parameters
    ----------
    scale : ScaleDefinition
    values : array_like, shape (respondents, items)
        Answers in the order of ``scale.items``; NaN where unanswered.

    Returns
    -------
    ScoreArrays
        Identical, respondent by respondent, to :func:`score_respondent`.

    Examples
    --------
    >>> s = ScaleDefinition("k6", tuple("abcdef"), minimum=0, maximum=4,
    ...                     scoring="sum", elevated_at=13)
    >>> out = score_matrix(s, [[4, 3, 2, 2, 1, 1], [0, 0, 0, float("nan"), 0, 0]])
    >>> out.scores.tolist(), out.elevated.tolist()
    ([13.0, 0.0], [True, False])
    """
    x = np.array(values, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(scale.items):
        raise ValueError(f"values must have shape (respondents, {len(scale.items)}), got {x.shape}")
    answered = ~np.isnan(x)
    bad = answered & ((x < scale.minimum) | (x > scale.maximum))
    if bad.any():
        row, col = map(int, np.argwhere(bad)[0])
        raise ValueError(
            f"scale {scale.id!r}: item {scale.items[col]!r} of respondent {row} "
            f"has value {x[row, col]} outside [{scale.minimum}, {scale.maximum}]"
        )
    rev = np.array([item in scale.reverse for item in scale.items])
    x[:, rev] = scale.minimum + scale.maximum - x[:, rev]
    count = answered.sum(axis=1)
    total = np.where(answered, x, 0.0).sum(axis=1)
    # A respondent who answered no item has no mean (and fewer than min_items anyway).
    mean = np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)
    scores = mean * len(scale.items) if scale.scoring == "sum" else mean
    scores = np.where(count >= scale.min_items, scores, np.nan)
    ok = ~np.isnan(scores)

    def flag(cut: float | None) -> BoolArray:
        if cut is None:
            return np.zeros(scores.shape, dtype=bool)
        return ok & (np.where(ok, scores, -np.inf) >= cut)

    return ScoreArrays(
        scores, count.astype(np.int64), flag(scale.favorable_at), flag(scale.elevated_at)
    )


def scale_totals(scored: ScoreArrays) -> ScaleTotals:
    """Sufficient statistics of a set of scores, as the database would sum them.

    Parameters
    ----------
    scored : ScoreArrays

    Returns
    -------
    ScaleTotals

    Examples
    --------
    >>> s = ScaleDefinition("x", ("a", "b"), favorable_at=3.0)
    >>> scale_totals(score_matrix(s, [[3, 4], [1, 2], [float("nan")] * 2]))
    ScaleTotals(n_scored=2, total=5.0, sum_squares=14.5, n_favorable=1, n_elevated=0)
    """
    ok = ~np.isnan(scored.scores)
    s = scored.scores[ok]
    return ScaleTotals(
        int(ok.sum()),
        float(s.sum()),
        float((s * s).sum()),
        int(scored.favorable.sum()),
        int(scored.elevated.sum()),
    )
