"""Per-school, per-role staffing recommendations and the district ranking.

The need-adjustment model
-------------------------
For a school with enrollment ``E`` and a role whose ratio standard is ``R``
students per FTE (ASCA 250, NASP 500, SSWAA 250 by default):

1. **Ratio standard.** ``standard_fte = E / R``; the current ratio is
   ``E / current_fte`` (none when the school has no staff of the role).
2. **Students with elevated need.** The survey gives the share ``p`` of
   students with elevated need on the role's measure (by default elevated
   distress), with a confidence interval ``[p_low, p_high]``; ``p * E`` is the
   estimated number of students with elevated need.
3. **Need above the district baseline.** The ratio standard is taken to cover
   the district's usual level of need ``b`` (by default the enrollment-weighted
   mean of the published school estimates). Only the excess adds staff:
   ``excess = max(0, p - b) * E`` students.
4. **Tier 3 share.** Following MTSS planning shares (Tier 2 about 15 %,
   Tier 3 about 5 % of students), a fraction ``f = t3 / (t2 + t3)`` of the excess
   students (0.25 by default) is taken to need intensive support; Tier 2 support
   is taken to fit within the ratio standard.
5. **Intensive caseload.** Each student needing intensive support takes
   ``1 / C`` FTE of the support team (``C = 50``, unconfirmed), of which the
   role carries ``s`` (one third each by default, unconfirmed):
   ``extra_fte = excess * f * s / C``.
6. **Range.** ``recommended_fte = standard_fte + extra_fte`` at ``p``; the
   range takes ``extra_fte`` at ``p_low`` and ``p_high``. ``gap`` is the
   recommended FTE minus the current FTE (positive means short).
7. **Flag.** ``meets`` when current FTE reaches the ratio standard;
   ``below standard`` otherwise; ``priority`` when below standard *and* the
   lower confidence limit ``p_low`` is above the baseline, so that the
   interval, not the point estimate, decides.

A school whose estimate is hidden by disclosure control, or that has no
survey data, gets a ratio-only recommendation with a note saying why. The
district ranking orders school-role rows by ``max(gap, 0) * p / b`` (need
weight 1 for ratio-only rows, or when the baseline is 0; a row without a gap
scores 0, even when a baseline within rounding of 0 makes its weight
infinite). Every assumption
above is returned in :attr:`StaffingPlan.assumptions` for a methods sheet.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from analysis.staffing.inputs import NeedEstimate, SchoolYear
from analysis.staffing.policy import MEASURES, StaffingPolicy, default_policy

__all__ = [
    "FLAGS",
    "RankedEntry",
    "RoleRecommendation",
    "StaffingPlan",
    "model_assumptions",
    "plan_staffing",
    "rank",
]

FLAGS: tuple[str, ...] = ("meets", "below standard", "priority")
"""Possible flags, from least to most urgent."""

# Float noise (e.g. 1000 / 250 stored as 3.9999999) must not turn `meets` into a shortfall.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class RoleRecommendation:
    """The recommendation for one school and one role; see the module docstring."""

    school_id: str
    name: str
    year: int
    role: str
    enrollment: int
    current_fte: float
    current_ratio: float | None
    standard_ratio: float
    standard_fte: float
    basis: str
    need_measure: str
    need_share: float | None
    need_low: float | None
    need_high: float | None
    baseline: float | None
    elevated_students: float | None
    extra_fte: float
    extra_fte_low: float
    extra_fte_high: float
    recommended_fte: float
    recommended_low: float
    recommended_high: float
    gap: float
    gap_low: float
    gap_high: float
    flag: str
    need_weight: float
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RankedEntry:
    """One row of the district ranking: gap weighted by need."""

    rank: int
    school_id: str
    name: str
    role: str
    gap: float
    need_weight: float
    score: float
    flag: str


@dataclass(frozen=True)
class StaffingPlan:
    """A district staffing plan for one year."""

    year: int
    recommendations: tuple[RoleRecommendation, ...]
    ranking: tuple[RankedEntry, ...]
    baseline: Mapping[str, float | None]
    baseline_source: Mapping[str, str]
    policy: StaffingPolicy
    assumptions: tuple[str, ...] = field(default=())


def _baselines(
    schools: Sequence[SchoolYear], given: Mapping[str, float]
) -> tuple[dict[str, float | None], dict[str, str]]:
    values: dict[str, float | None] = {}
    sources: dict[str, str] = {}
    for measure, value in given.items():
        if measure not in MEASURES:
            raise ValueError(f"baseline: unknown measure {measure!r}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValueError(f"baseline[{measure!r}]: {value!r} is not a share between 0 and 1")
    for measure in MEASURES:
        if measure in given:
            values[measure] = float(given[measure])
            sources[measure] = "district estimate supplied with the plan"
            continue
        # fsum makes the baseline independent of the order schools arrive in.
        published = [
            (estimate.share or 0.0, school.enrollment)
            for school in schools
            if (estimate := school.need.get(measure)) is not None
            and not estimate.hidden
            and school.enrollment > 0
        ]
        weighted = math.fsum(share * enrolled for share, enrolled in published)
        total = sum(enrolled for _, enrolled in published)
        values[measure] = weighted / total if total else None
        sources[measure] = (
            "enrollment-weighted mean of published school estimates"
            if total
            else "none: no school has a published estimate"
        )
    return values, sources


def _extra(share: float, baseline: float, enrollment: int, per_student: float) -> float:
    return max(0.0, share - baseline) * enrollment * per_student


def _recommend(
    school: SchoolYear, role: str, policy: StaffingPolicy, baseline: Mapping[str, float | None]
) -> RoleRecommendation:
    role_policy = policy.role(role)
    ratio = role_policy.ratio.value
    measure = role_policy.need_measure
    enrollment = school.enrollment
    current = school.current_fte(role)
    standard = enrollment / ratio
    notes: list[str] = []
    if enrollment == 0:
        notes.append("No students enrolled; the ratio standard needs no staff.")
    if current == 0.0 and enrollment > 0:
        notes.append(f"No {role.replace('_', ' ')} on staff.")
    estimate: NeedEstimate | None = school.need.get(measure)
    base = baseline[measure]
    label = measure.replace("_", " ")
    usable = estimate is not None and not estimate.hidden and base is not None
    if estimate is None:
        notes.append(f"No survey estimate of {label}; recommendation uses the ratio standard only.")
    elif estimate.hidden:
        notes.append(
            f"The survey estimate of {label} is hidden to protect student privacy; "
            "recommendation uses the ratio standard only."
        )
    elif base is None:
        notes.append("No district baseline; recommendation uses the ratio standard only.")
    per_student = policy.intensive_fraction * role_policy.intensive_share.value
    per_student /= policy.intensive_caseload.value
    if usable and estimate is not None and base is not None:
        share, low, high = estimate.share or 0.0, estimate.low or 0.0, estimate.high or 0.0
        extra = _extra(share, base, enrollment, per_student)
        extra_low = _extra(low, base, enrollment, per_student)
        extra_high = _extra(high, base, enrollment, per_student)
        confident = low > base
        weight = share / base if base > 0 else 1.0
        need: tuple[float | None, ...] = (share, low, high, share * enrollment)
    else:
        extra = extra_low = extra_high = 0.0
        confident = False
        weight = 1.0
        need = (None, None, None, None)
    recommended = standard + extra
    if current + _TOLERANCE >= standard:
        flag = "meets"
    else:
        flag = "priority" if confident else "below standard"
    return RoleRecommendation(
        school_id=school.school_id,
        name=school.name,
        year=school.year,
        role=role,
        enrollment=enrollment,
        current_fte=current,
        current_ratio=enrollment / current if current > 0 and enrollment > 0 else None,
        standard_ratio=ratio,
        standard_fte=standard,
        basis="ratio and need" if usable else "ratio only",
        need_measure=measure,
        need_share=need[0],
        need_low=need[1],
        need_high=need[2],
        baseline=base,
        elevated_students=need[3],
        extra_fte=extra,
        extra_fte_low=extra_low,
        extra_fte_high=extra_high,
        recommended_fte=recommended,
        recommended_low=standard + extra_low,
        recommended_high=standard + extra_high,
        gap=recommended - current,
        gap_low=standard + extra_low - current,
        gap_high=standard + extra_high - current,
        flag=flag,
        need_weight=weight,
        notes=tuple(notes),
    )


def _need_score(rec: RoleRecommendation) -> float:
    """``max(gap, 0) * need_weight``: 0 without a gap even for an infinite weight."""
    # A baseline near the smallest float makes share / baseline infinite, and 0 * inf is
    # NaN, which would scramble the ranking.
    return rec.gap * rec.need_weight if rec.gap > 0 else 0.0


def rank(recommendations: Sequence[RoleRecommendation]) -> tuple[RankedEntry, ...]:
    """Order school-role rows by ``max(gap, 0) * need_weight``, largest first.

    Ties go to the larger gap, then to school id and role, so the order is stable.

    Examples
    --------
    >>> plan = plan_staffing([SchoolYear("A", 2024, 500), SchoolYear("B", 2024, 1000)])
    >>> [(e.school_id, e.role, e.score) for e in plan.ranking[:2]]
    [('B', 'counselor', 4.0), ('B', 'social_worker', 4.0)]
    """
    keyed = sorted(
        recommendations,
        key=lambda r: (-_need_score(r), -r.gap, r.school_id, r.role),
    )
    return tuple(
        RankedEntry(
            rank=i,
            school_id=r.school_id,
            name=r.name,
            role=r.role,
            gap=r.gap,
            need_weight=r.need_weight,
            score=_need_score(r),
            flag=r.flag,
        )
        for i, r in enumerate(keyed, start=1)
    )


def model_assumptions(
    policy: StaffingPolicy, baseline_source: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """State every assumption of the model in words, with the policy's numbers.

    Examples
    --------
    >>> text = model_assumptions(default_policy())
    >>> any("1/50 FTE" in line for line in text)
    True
    """
    ratios = "; ".join(
        f"{r.role.replace('_', ' ')} {r.ratio.value:g} students per FTE ({r.ratio.source})"
        for r in policy.roles
    )
    shares = "; ".join(
        f"{r.role.replace('_', ' ')} {r.intensive_share.value:.3g}" for r in policy.roles
    )
    measures = "; ".join(f"{r.role.replace('_', ' ')}: {r.need_measure}" for r in policy.roles)
    caseload = policy.intensive_caseload
    lines = [
        f"Ratio standard: standard FTE = enrollment / students per FTE. {ratios}.",
        "Current ratio = enrollment / current FTE; none when the school has no staff of the role.",
        "Students with elevated need = survey share x enrollment, where the share comes from "
        f"the protected release. Measure per role: {measures}.",
        "The ratio standard is taken to cover the district baseline level of need; "
        "only students above the baseline add staff: excess = max(0, share - baseline) x "
        "enrollment.",
        f"Of the excess students, tier 3 / (tier 2 + tier 3) = {policy.tier3_share.value:g} / "
        f"({policy.tier2_share.value:g} + {policy.tier3_share.value:g}) = "
        f"{policy.intensive_fraction:.3g} need intensive (Tier 3) support; Tier 2 support is "
        "taken to fit within the ratio standard.",
        f"Each student needing intensive support takes 1/{caseload.value:g} FTE of the support "
        f"team (intensive-need caseload{', unconfirmed' if caseload.unconfirmed else ''}: "
        f"{caseload.source}), split across roles by intensive share: {shares}.",
        "Recommended FTE = standard FTE + extra FTE; the range uses the lower and upper "
        "confidence limits of the need estimate. Gap = recommended FTE - current FTE.",
        "Flag: meets = current FTE at or above the ratio standard; below standard = under it; "
        "priority = under it and the lower confidence limit of need above the district "
        "baseline.",
        "A school whose estimate is hidden by disclosure control, or without survey data, "
        "gets a ratio-only recommendation.",
        "Ranking: max(gap, 0) x need weight, where need weight = school share / district "
        "baseline (1 for ratio-only rows or a zero baseline).",
    ]
    for measure, source in (baseline_source or {}).items():
        lines.append(f"District baseline for {measure}: {source}.")
    return tuple(lines)


def plan_staffing(
    schools: Sequence[SchoolYear],
    policy: StaffingPolicy | None = None,
    *,
    baseline: Mapping[str, float] | None = None,
) -> StaffingPlan:
    """Recommend FTE per school and role for one year and rank the district.

    Parameters
    ----------
    schools : sequence of SchoolYear
        Every school of the district in one year; school ids must be unique.
    policy : StaffingPolicy, optional
        Ratio standards and need-model numbers; the defaults when omitted.
    baseline : mapping of measure to share, optional
        District baseline per measure (e.g. the district estimate from the
        protected release). A measure not given takes the enrollment-weighted
        mean of the published school estimates.

    Returns
    -------
    StaffingPlan
        Recommendations in school then role order, the ranking and assumptions.

    Raises
    ------
    ValueError
        If `schools` is empty, mixes years or repeats a school id.

    References
    ----------
    American School Counselor Association, *The Role of the School Counselor*
    (recommended ratio 250:1). National Association of School Psychologists,
    *Professional Standards* (2020) (500:1). School Social Work Association of
    America (250:1).

    Examples
    --------
    >>> school = SchoolYear(
    ...     "S1", 2024, 1000, {"counselor": 2.0},
    ...     need={"elevated_distress": NeedEstimate(0.30, 0.26, 0.34)},
    ... )
    >>> plan = plan_staffing([school], baseline={"elevated_distress": 0.20})
    >>> r = plan.recommendations[0]
    >>> r.role, r.standard_fte, round(r.extra_fte, 4), r.flag
    ('counselor', 4.0, 0.1667, 'priority')
    >>> round(r.recommended_low, 4), round(r.recommended_high, 4)
    (4.1, 4.2333)
    """
    policy = policy or default_policy()
    if not schools:
        raise ValueError("schools: a plan needs at least one school")
    years = {school.year for school in schools}
    if len(years) > 1:
        raise ValueError(f"schools: a plan covers one year, got {sorted(years)}")
    seen: set[str] = set()
    for school in schools:
        if school.school_id in seen:
            raise ValueError(f"schools: school_id {school.school_id!r} appears twice")
        seen.add(school.school_id)
    base, sources = _baselines(schools, baseline or {})
    recommendations = tuple(
        _recommend(school, role.role, policy, base) for school in schools for role in policy.roles
    )
    return StaffingPlan(
        year=years.pop(),
        recommendations=recommendations,
        ranking=rank(recommendations),
        baseline=base,
        baseline_source=sources,
        policy=policy,
        assumptions=model_assumptions(policy, sources),
    )
