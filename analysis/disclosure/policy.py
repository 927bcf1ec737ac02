"""Disclosure policy: thresholds, coding of published values, and its hash.

Published codes, and the integer constraints an attacker reads from them:

- ``n``: exact (``"25"``) or a band (``"20-39"``, ``"300+"``).
- a count as a percentage of n, rounded half up: ``"12%"`` means
  ``(2p - 1) n <= 200 y <= (2p + 1) n - 1``; ``"<=5%"`` and ``">=95%"`` are the
  tier codes that keep 0 %, 100 % and the counts near them out of sight.
- means to ``mean_decimals`` places.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import msgspec
import numpy as np

__all__ = [
    "HIDDEN",
    "Policy",
    "Tier",
    "code_mean",
    "code_n",
    "code_percent",
    "count_bounds",
    "count_interval",
    "denominator_range",
    "n_interval",
    "percent_rows",
]

HIDDEN = "*"
"""The one public symbol for every hidden value."""


@dataclass(frozen=True)
class Tier:
    """Top and bottom coding of percentages for groups of at least ``min_n``.

    Examples
    --------
    >>> Tier(300, 1, 99).low
    1
    """

    min_n: int
    low: int
    high: int

    def __post_init__(self) -> None:
        if not 0 <= self.low < self.high <= 100:
            raise ValueError(f"Tier for n >= {self.min_n}: need 0 <= low < high <= 100")


DEFAULT_TIERS = (
    Tier(300, 1, 99),
    Tier(100, 2, 98),
    Tier(40, 5, 95),
    Tier(20, 10, 90),
    Tier(10, 20, 80),
)
DEFAULT_BANDS: tuple[tuple[int, int | None], ...] = (
    (10, 19),
    (20, 39),
    (40, 99),
    (100, 299),
    (300, None),
)


@dataclass(frozen=True)
class Policy:
    """All disclosure settings; recorded (with a hash) in every audit report.

    Parameters
    ----------
    k : int
        Minimum group size; groups of 1 to k-1 respondents are hidden whole.
    tiers : tuple of Tier
        Percentage coding by group size (REFERENCES.md, NCES-style tiers).
    n_bands : tuple of (low, high or None)
        Bands in which n is published unless ``exact_n``.
    exact_n : bool
        Publish n exactly (as many enrollment tables do).
    exact_n_dimensions : tuple of str
        Publish n exactly for the cells that fix no dimension outside these (with
        ``("school",)``: the grand total and each school's total), and in bands
        elsewhere. The audit holds every exact n as an equation. The number of those who
        answered an item follows the same rule.
    mean_decimals : int
        Decimals of published means.
    sensitive_count_k : int
        Stricter threshold for sensitive answers: no count of 1 to this - 1
        may be determined exactly from what is published.
    min_width : int
        Protection criterion: a hidden primary value's feasible interval must
        have ``upper - lower >= min_width``. 1 is the exact criterion (the
        value must not be determined).
    total_cost : float
        Cost factor for using a total (margin) cell as a complement.
    max_rounds : int
        Audit rounds before failing blocks are hidden whole.
    answered_bands : bool
        Publish, beside an item's percentages, the band of those who answered
        it (as n is banded; intervals computed from it reveal it). The audit
        holds it as a constraint.

    Examples
    --------
    >>> Policy().tier(25)
    Tier(min_n=20, low=10, high=90)
    >>> len(Policy().digest())
    64
    """

    k: int = 10
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    n_bands: tuple[tuple[int, int | None], ...] = DEFAULT_BANDS
    exact_n: bool = False
    exact_n_dimensions: tuple[str, ...] = ()
    mean_decimals: int = 1
    sensitive_count_k: int = 10
    min_width: int = 1
    total_cost: float = 2.0
    max_rounds: int = 12
    answered_bands: bool = False
    tiers_sorted: tuple[Tier, ...] = field(init=False, repr=False, compare=False)
    # Denominator ranges by percent code, computed once per policy: an audit asks
    # millions of times, and hashing the tiers for a shared cache cost more.
    ranges: dict[str, tuple[int, float]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError("k must be at least 1")
        if self.min_width < 1:
            raise ValueError("min_width must be at least 1")
        if self.sensitive_count_k < 0:
            raise ValueError("sensitive_count_k must not be negative")
        if self.total_cost <= 0:
            raise ValueError("total_cost must be positive")
        if self.mean_decimals < 0:
            raise ValueError("mean_decimals must not be negative")
        if not self.tiers or min(t.min_n for t in self.tiers) > self.k:
            raise ValueError("tiers must cover every group size from k up")
        for low, high in self.n_bands:
            if high is not None and high < low:
                raise ValueError(f"n_bands: band {low}-{high} is empty")
        object.__setattr__(self, "tiers_sorted", tuple(sorted(self.tiers, key=lambda t: -t.min_n)))

    def tier(self, n: int) -> Tier:
        """The percentage tier of a group of ``n`` respondents."""
        for t in self.tiers_sorted:
            if n >= t.min_n:
                return t
        raise ValueError(f"n={n} is below every tier")

    def exact_for(self, key: Sequence[tuple[str, str]]) -> bool:
        """Whether the n of the cell with ``key`` is published exactly.

        Examples
        --------
        >>> Policy(exact_n_dimensions=("school",)).exact_for((("school", "A"),))
        True
        >>> Policy(exact_n_dimensions=("school",)).exact_for((("grade", "9"),))
        False
        """
        if self.exact_n:
            return True
        return bool(self.exact_n_dimensions) and all(d in self.exact_n_dimensions for d, _ in key)

    def band(self, n: int) -> tuple[int, int | None]:
        """The published band that holds ``n``."""
        for low, high in self.n_bands:
            if n >= low and (high is None or n <= high):
                return low, high
        raise ValueError(f"n={n} is in no band")

    def settings(self) -> dict[str, object]:
        """The settings as plain data, for the audit report."""
        data = asdict(self)
        data.pop("tiers_sorted", None)
        data.pop("ranges", None)
        return data

    def digest(self) -> str:
        """SHA-256 of the settings, to tie a report to the policy that made it."""
        return hashlib.sha256(msgspec.json.encode(self.settings(), order="sorted")).hexdigest()


def code_n(n: int, policy: Policy, *, exact: bool = False) -> str:
    """Published form of a shown group's n (exact when ``exact`` or the policy says so).

    Examples
    --------
    >>> code_n(25, Policy())
    '20-39'
    >>> code_n(25, Policy(exact_n=True))
    '25'
    >>> code_n(512, Policy())
    '300+'
    >>> code_n(512, Policy(), exact=True)
    '512'
    """
    if n == 0 or exact or policy.exact_n:
        return str(n)
    low, high = policy.band(n)
    return f"{low}+" if high is None else f"{low}-{high}"


def n_interval(code: str) -> tuple[int, float]:
    """Integer interval of n that a published n code allows.

    Examples
    --------
    >>> n_interval("20-39")
    (20, 39)
    >>> n_interval("300+")
    (300, inf)
    >>> n_interval("*")
    (1, inf)
    """
    if code == HIDDEN:
        return 1, math.inf
    if code.endswith("+"):
        return int(code[:-1]), math.inf
    if "-" in code:
        low, high = code.split("-")
        return int(low), int(high)
    return int(code), int(code)


def code_percent(count: int, n: int, policy: Policy) -> str:
    """Tier-coded whole-number percentage of ``count`` out of ``n``.

    Examples
    --------
    >>> code_percent(3, 25, Policy())
    '12%'
    >>> code_percent(1, 25, Policy())
    '<=10%'
    >>> code_percent(25, 25, Policy())
    '>=90%'
    """
    if n <= 0:
        raise ValueError("n must be positive to code a percentage")
    tier = policy.tier(n)
    rounded = (200 * count + n) // (2 * n)
    if rounded <= tier.low:
        return f"<={tier.low}%"
    if rounded >= tier.high:
        return f">={tier.high}%"
    return f"{rounded}%"


def count_interval(n_code: str, percent: str) -> tuple[int, float]:
    """Interval of a count that a published n code and percent code allow.

    Examples
    --------
    >>> count_interval("25", "12%")
    (3, 3)
    >>> count_interval("20-39", "12%")
    (3, 4)
    """
    low_n, high_n = n_interval(n_code)
    return count_bounds(low_n, high_n, percent)


def count_bounds(low_n: float, high_n: float, percent: str) -> tuple[int, float]:
    """Interval of a count whose group has ``low_n <= n <= high_n``, given its percent code.

    Examples
    --------
    >>> count_bounds(10, 19, "<=20%")
    (0, 3)
    """
    return _count_bounds(float(low_n), float(high_n), percent)


@lru_cache(maxsize=65536)
def _count_bounds(low_n: float, high_n: float, percent: str) -> tuple[int, float]:
    # Past a few thousand the rounding interval is wider than any small count.
    top = min(high_n, max(low_n, 1) + 2000)
    xs = np.arange(max(int(low_n), 1), int(top) + 1, dtype=np.int64)
    a = np.zeros_like(xs)
    b = xs.copy()
    for _, coef, row_lo, row_hi in percent_rows(percent):
        if row_lo > -math.inf:
            a = np.maximum(a, -((coef * xs) // 200))
        if row_hi < math.inf:
            b = np.minimum(b, (-coef * xs - 1) // 200)
    ok = a <= b
    if not ok.any():
        raise ValueError(f"n in [{low_n}, {high_n}] and percentage {percent!r} contradict")
    high: float = math.inf if high_n > top else int(b[ok].max())
    return int(a[ok].min()), high


def denominator_range(code: str, policy: Policy) -> tuple[int, float]:
    """Sizes of group whose tier can produce a percent code.

    A top- or bottom-code names its tier; a plain percentage needs a tier
    whose codes leave it plain. An attacker who does not see a denominator
    (the students who answered an item) still learns this range from it.

    Examples
    --------
    >>> denominator_range("12%", Policy())
    (20, inf)
    >>> denominator_range("<=5%", Policy())
    (40, 99)
    """
    found = policy.ranges.get(code)
    if found is None:
        found = policy.ranges[code] = _denominator_range(code, policy.tiers_sorted)
    return found


@lru_cache(maxsize=4096)
def _denominator_range(code: str, tiers: tuple[Tier, ...]) -> tuple[int, float]:
    lows: list[int] = []
    highs: list[float] = []
    for i, tier in enumerate(tiers):
        top = math.inf if i == 0 else tiers[i - 1].min_n - 1
        if code.startswith("<="):
            fits = int(code[2:-1]) == tier.low
        elif code.startswith(">="):
            fits = int(code[2:-1]) == tier.high
        else:
            fits = tier.low < int(code[:-1]) < tier.high
        if fits and top >= tier.min_n:
            lows.append(tier.min_n)
            highs.append(top)
    if not lows:
        raise ValueError(f"percent code {code!r} fits no tier of the policy")
    return min(lows), max(highs)


def percent_rows(code: str) -> list[tuple[int, int, float, float]]:
    """Constraints ``lo <= a*y + b*x <= hi`` (as ``(a, b, lo, hi)``) from a percent code.

    Examples
    --------
    >>> percent_rows("12%")
    [(200, -23, 0, inf), (200, -25, -inf, -1)]
    """
    if code.startswith("<="):
        p = int(code[2:-1])
        return [(200, -(2 * p + 1), -math.inf, -1)]
    if code.startswith(">="):
        p = int(code[2:-1])
        return [(200, -(2 * p - 1), 0, math.inf)]
    p = int(code[:-1])
    return [(200, -(2 * p - 1), 0, math.inf), (200, -(2 * p + 1), -math.inf, -1)]


def code_mean(total: float, squares: float, n: int, low: float, high: float, policy: Policy) -> str:
    """Published mean, or the hidden symbol when it would reveal every score.

    A mean is withheld when every respondent gave the same score or the mean
    sits at an end of the scale (then every respondent is at that end).

    Examples
    --------
    >>> code_mean(30.0, 100.0, 10, 0, 5, Policy())
    '3.0'
    >>> code_mean(30.0, 90.0, 10, 0, 5, Policy())
    '*'
    """
    if n <= 0:
        raise ValueError("n must be positive to code a mean")
    mean = total / n
    variance = squares / n - mean * mean
    scale = 10**policy.mean_decimals
    rounded = math.floor(mean * scale + 0.5) / scale
    if variance <= 1e-9 * max(1.0, squares / n) or rounded <= low or rounded >= high:
        return HIDDEN
    return f"{rounded:.{policy.mean_decimals}f}"
