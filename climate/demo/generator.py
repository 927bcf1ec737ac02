"""The demo district: a deterministic, realistic generator of schools, rosters and responses.

Students' answers come from a latent well-being model: each school has its own level and
trend (a few schools improve, a few worsen), subgroups differ by realistic gaps, the smallest
race/ethnicity and language groups are small enough to need suppression, and about 3 % of
answers are skipped, with some students stopping early. The same seed always gives the same
district, answer for answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import stats

from climate.instruments import Instrument, Item
from climate.responses.layout import GRADE

LEVELS = {"elementary": (0, 5), "middle": (6, 8), "high": (9, 12)}
NAMES = (
    "Maple",
    "Lincoln",
    "Riverside",
    "Cedar",
    "Washington",
    "Harbor",
    "Oak Grove",
    "Sunset",
    "Jefferson",
    "Lakeview",
    "Pine Hill",
    "Roosevelt",
    "Meadow",
    "Franklin",
    "Hillcrest",
    "Brookside",
    "Madison",
    "Summit",
    "Willow",
    "Kennedy",
    "Northgate",
    "Eastwood",
    "Valley",
    "Garfield",
    "Highland",
    "Parkside",
    "Monroe",
    "Bayview",
    "Redwood",
    "Fairview",
)
SUFFIX = {"elementary": "Elementary", "middle": "Middle School", "high": "High School"}
MISSING = -1


@dataclass(frozen=True, slots=True)
class SeedSchool:
    """A generated school and its size."""

    id: str
    name: str
    level: str
    grade_low: int
    grade_high: int
    size: float
    effect: float
    trend: float
    counselor_ratio: float
    psychologist_ratio: float
    social_worker_ratio: float  # 0 when the school has no social worker


def schools(count: int, rng: np.random.Generator) -> list[SeedSchool]:
    """Elementary, middle and high schools of different sizes and trajectories."""
    high = max(1, round(count * 0.2))
    middle = max(1, round(count * 0.25)) if count > 2 else 0
    levels = ["high"] * high + ["middle"] * middle + ["elementary"] * (count - high - middle)
    sizes = rng.lognormal(0.0, 0.35, count)
    sizes = sizes / sizes.mean()
    trends = rng.normal(0.0, 0.03, count)
    movers = rng.permutation(count)
    improving, worsening = (
        movers[: max(1, count // 10)],
        movers[max(1, count // 10) :][: max(1, count // 10)],
    )
    trends[improving] = 0.15
    trends[worsening] = -0.15
    result = []
    for i, level in enumerate(levels):
        low, high_grade = LEVELS[level]
        base = NAMES[i % len(NAMES)]
        name = f"{base} {SUFFIX[level]}" + (f" {i // len(NAMES) + 1}" if i >= len(NAMES) else "")
        result.append(
            SeedSchool(
                id=f"S{i + 1:03d}",
                name=name,
                level=level,
                grade_low=low,
                grade_high=high_grade,
                size=float(sizes[i]),
                effect=float(rng.normal(0.0, 0.3)),
                trend=float(trends[i]),
                # Most schools sit above the recommended 250:1 and 500:1, as nationally.
                counselor_ratio=float(rng.uniform(220, 700 if level == "elementary" else 520)),
                psychologist_ratio=float(rng.uniform(700, 1600)),
                social_worker_ratio=float(rng.uniform(700, 2600)) if rng.random() > 0.25 else 0.0,
            )
        )
    return result


def enrollment(school: SeedSchool, respondents: int, rng: np.random.Generator) -> dict[int, int]:
    """Students per grade: the respondents over a response rate of 70-95 %, all grades."""
    rate = rng.uniform(0.70, 0.95)
    grades = range(school.grade_low, school.grade_high + 1)
    per_grade = respondents / rate / max(1, len(surveyed_grades(school)))
    return {g: max(1, round(per_grade * rng.uniform(0.9, 1.1))) for g in grades}


def surveyed_grades(school: SeedSchool) -> list[int]:
    """Grades that take a survey: 3 and up."""
    return list(range(max(3, school.grade_low), school.grade_high + 1))


def staffing(students: int, school: SeedSchool) -> dict[str, float]:
    """Current FTE per role, mostly below the national standards, as in most districts."""
    counselor = students / school.counselor_ratio
    psychologist = students / school.psychologist_ratio
    social_worker = students / school.social_worker_ratio if school.social_worker_ratio else 0.0
    return {
        "counselor": round(counselor * 2) / 2,
        "psychologist": round(psychologist * 10) / 10,
        "social_worker": round(social_worker * 10) / 10,
    }


def _category_weights(count: int, small_last: int) -> np.ndarray:
    """Shares for non-prefer options: a large first group, a tail of small groups."""
    weights = np.array([0.55**i for i in range(count)], dtype=float)
    weights[count - small_last :] = 0.004
    shares: np.ndarray = weights / weights.sum()
    return shares


@dataclass(frozen=True, slots=True)
class Answers:
    """A generated batch: grades, demographics and answers; MISSING marks a skip."""

    grade: np.ndarray
    demographics: dict[str, np.ndarray]
    items: dict[str, np.ndarray]


def answers(
    instrument: Instrument,
    school: SeedSchool,
    year_index: int,
    count: int,
    sensitive: bool,
    rng: np.random.Generator,
) -> Answers:
    """Answers of ``count`` students of one school in one year, drawn from the model."""
    grades = np.array(
        [
            g
            for g in surveyed_grades(school)
            if instrument.grade_band[0] <= g <= instrument.grade_band[1]
        ]
    )
    grade = rng.choice(grades, count)
    theta = (
        school.effect
        + school.trend * year_index
        - 0.08 * (grade - grades.min())
        + rng.normal(0.0, 1.0, count)
    )
    demographics: dict[str, np.ndarray] = {}
    for question in instrument.demographics:
        if question.id == GRADE:
            continue
        values = np.array([o.value for o in question.options if not o.prefer_not_to_say])
        prefer = next(o.value for o in question.options if o.prefer_not_to_say)
        small = 2 if len(values) > 4 else 0
        weights = _category_weights(len(values), small)
        if question.id == "home_language":
            weights = np.roll(weights, _english_index(question.options))
        chosen = rng.choice(len(values), count, p=weights)
        codes = values[chosen]
        codes[rng.random(count) < 0.03] = prefer
        # Realistic gaps: the later categories report a little lower connectedness.
        theta = theta - 0.06 * np.minimum(chosen, 4)
        demographics[question.id] = codes
    grade_codes = grade.copy()
    prefer_grade = next(
        o.value
        for d in instrument.demographics
        if d.id == GRADE
        for o in d.options
        if o.prefer_not_to_say
    )
    grade_codes[rng.random(count) < 0.01] = prefer_grade

    direction = _item_directions(instrument)
    stop_at = np.where(
        rng.random(count) < 0.05, rng.integers(1, len(instrument.items), count), 10**6
    )
    items: dict[str, np.ndarray] = {}
    sensitive_items = {
        i.id
        for s in instrument.sections
        if s.module == "sensitive"
        for i in _items(instrument, s.items)
    }
    for position, item in enumerate(instrument.items):
        values = np.array([o.value for o in instrument.response_sets[item.response_set].options])
        good_high, concern = direction[item.id]
        latent = (0.8 if good_high else -0.8) * theta + rng.normal(0.0, 0.8, count)
        chosen = values[np.searchsorted(_cuts(len(values), good_high, concern), latent)]
        chosen[rng.random(count) < 0.03] = MISSING
        chosen[position >= stop_at] = MISSING
        if item.id in sensitive_items and not sensitive:
            chosen[:] = MISSING
        items[item.id] = chosen
    for rule in instrument.skip_rules:
        shown = np.isin(items[rule.show_if], rule.values)
        items[rule.item][~shown] = MISSING
    return Answers(grade=grade_codes, demographics=demographics, items=items)


def _items(instrument: Instrument, ids: list[str]) -> Iterator[Item]:
    wanted = set(ids)
    return (item for item in instrument.items if item.id in wanted)


def _english_index(options: object) -> int:
    labels = [o.label.lower() for o in options]  # type: ignore[attr-defined]
    return next((i for i, label in enumerate(labels) if "english" in label), 0)


def _item_directions(instrument: Instrument) -> dict[str, tuple[bool, bool]]:
    """Per item: whether its high values are the good answers, and whether it is a concern."""
    result = {item.id: (True, False) for item in instrument.items}
    for scale in instrument.scales:
        concern = scale.elevated_at is not None
        for item_id in scale.items:
            result[item_id] = (concern == (item_id in scale.reverse), concern)
    return result


def _cuts(options: int, good_high: bool, concern: bool) -> np.ndarray:
    """Latent cut-points giving a realistic answer distribution over ``options`` values.

    Most students give the good answers: shares grow geometrically toward the good end
    (for four options about 6, 14, 30 and 50 %; steeper for concerns), so secondary
    scales land near two in three students favorable, about one in four bullied at least
    once a month on average, and about one in twenty with elevated distress.
    """
    # Concerns (bullying, distress) are rarer than favorable answers are common.
    shares = np.array([(3.2 if concern else 2.2) ** k for k in range(options)])
    shares = shares / shares.sum()
    if not good_high:
        shares = shares[::-1]
    spread = float(np.hypot(0.8 * 1.05, 0.8))  # the latent's standard deviation
    cumulative = np.clip(np.cumsum(shares)[:-1], 1e-6, 1 - 1e-6)
    cuts: np.ndarray = spread * stats.norm.ppf(cumulative)
    return cuts


def school_year_dates(year: int) -> tuple[dt.date, dt.date]:
    """The spring survey window of school year ``year`` (e.g. 2027 is 2026-27)."""
    return dt.date(year, 2, 1), dt.date(year, 3, 15)
