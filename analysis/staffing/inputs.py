"""Inputs to a staffing plan: one school in one year, and its measured need."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from analysis.staffing.policy import MEASURES, ROLES

__all__ = ["NeedEstimate", "SchoolYear"]


@dataclass(frozen=True)
class NeedEstimate:
    """The share of a school's students with elevated need on one measure.

    Either a point estimate with its confidence interval, or ``hidden=True``
    when the protected release withholds the estimate.

    Parameters
    ----------
    share : float, optional
        Point estimate, between 0 and 1.
    low, high : float, optional
        Confidence limits, ``0 <= low <= share <= high <= 1``.
    hidden : bool
        True when the estimate is suppressed; then no number may be given.

    Examples
    --------
    >>> NeedEstimate(0.3, 0.26, 0.34).share
    0.3
    >>> NeedEstimate(hidden=True).hidden
    True
    >>> NeedEstimate(0.3, 0.31, 0.34)
    Traceback (most recent call last):
    ...
    ValueError: low: 0.31 must not exceed share 0.3
    """

    share: float | None = None
    low: float | None = None
    high: float | None = None
    hidden: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.hidden, bool):
            raise TypeError(f"hidden: expected True or False, got {self.hidden!r}")
        values = {"share": self.share, "low": self.low, "high": self.high}
        if self.hidden:
            given = [name for name, value in values.items() if value is not None]
            if given:
                raise ValueError(f"{given[0]}: a hidden estimate carries no numbers")
            return
        for name, value in values.items():
            if value is None:
                raise ValueError(f"{name}: required unless hidden=True")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{name}: expected a number, got {value!r}")
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name}: {value} is not a share between 0 and 1")
        share, low, high = self.share or 0.0, self.low or 0.0, self.high or 0.0
        if low > share:
            raise ValueError(f"low: {low} must not exceed share {share}")
        if high < share:
            raise ValueError(f"high: {high} must not be below share {share}")


@dataclass(frozen=True)
class SchoolYear:
    """One school in one year: enrollment, current staff and measured need.

    Parameters
    ----------
    school_id : str
        The district's school identifier.
    year : int
        School year (the year it starts).
    enrollment : int
        Students enrolled, 0 or more.
    fte : Mapping[str, float]
        Current full-time equivalents per role; a missing role counts as 0.
    need : Mapping[str, NeedEstimate]
        Need estimates per survey measure; a missing measure means no survey data.
    name : str
        Display name.

    Examples
    --------
    >>> s = SchoolYear("S1", 2024, 500, {"counselor": 1.0})
    >>> s.current_fte("psychologist")
    0.0
    """

    school_id: str
    year: int
    enrollment: int
    fte: Mapping[str, float] = field(default_factory=dict)
    need: Mapping[str, NeedEstimate] = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.school_id, str) or not self.school_id:
            raise TypeError(f"school_id: expected a non-empty string, got {self.school_id!r}")
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise TypeError(f"year: expected an integer, got {self.year!r}")
        if isinstance(self.enrollment, bool) or not isinstance(self.enrollment, int):
            raise TypeError(f"enrollment: expected an integer, got {self.enrollment!r}")
        if self.enrollment < 0:
            raise ValueError(f"enrollment: {self.enrollment} is negative ({self.school_id})")
        for role, fte in self.fte.items():
            if role not in ROLES:
                raise ValueError(f"fte: unknown role {role!r}; expected one of {', '.join(ROLES)}")
            if isinstance(fte, bool) or not isinstance(fte, int | float):
                raise TypeError(f"fte[{role!r}]: expected a number, got {fte!r}")
            if not (math.isfinite(fte) and fte >= 0.0):
                raise ValueError(f"fte[{role!r}]: {fte} is not a non-negative number")
        for measure, estimate in self.need.items():
            if measure not in MEASURES:
                raise ValueError(
                    f"need: unknown measure {measure!r}; expected one of {', '.join(MEASURES)}"
                )
            if not isinstance(estimate, NeedEstimate):
                raise TypeError(f"need[{measure!r}]: expected a NeedEstimate")

    def current_fte(self, role: str) -> float:
        """Current FTE of `role` (0 when the roster lists none)."""
        return float(self.fte.get(role, 0.0))
