"""The demo district: a deterministic, realistic generator of schools, rosters and responses.

Every student has nine correlated latent traits (``climate.demo.traits``): one per scale
and one for the harder questions, so items of one scale agree more than scales do.

Schools differ (a shared and a per-trait school effect) and change: most drift a little,
one in ten improves and one in ten worsens. One change is planted so that the report has a
true story to tell: the first school (a high school, the one the demo counselor sees)
starts a belonging program before the newest closed year, which lifts its connectedness
by ``PROGRAM_SHIFT`` (about 20 points of students favorable) in that year and not before.
Girls and students of another gender report more distress and risk, the later categories
of each demographic a little less belonging, so the report's groups differ for real.

Answers to the harder questions and the other yes/no items are drawn to published rates
(``climate.demo.prevalence`` names each source). Items asked only after a given answer are
left unanswered for everyone else, about 3 % of answers are skipped, and some students
stop early. The same seed always gives the same district, answer for answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from climate.demo import prevalence
from climate.demo.traits import (
    ITEM_TRAITS,
    LOADING,
    PROGRAM_START,
    PROGRAM_TRAIT,
    RISK_LOADING,
    SPREAD,
    TRAITS,
    demographics,
    draw,
)
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
    """A generated school: its size, its effect on each trait, trend and planted program."""

    id: str
    name: str
    level: str
    grade_low: int
    grade_high: int
    size: float
    effects: tuple[float, ...]  # per trait, in ``TRAITS`` order
    trend: float  # per year, on ``SCHOOL_TRAITS``
    program_from: int | None  # the year index from which ``PROGRAM_SHIFT`` applies
    counselor_ratio: float
    psychologist_ratio: float
    social_worker_ratio: float  # 0 when the school has no social worker


def schools(
    count: int, rng: np.random.Generator, program_from: int | None = None
) -> list[SeedSchool]:
    """Elementary, middle and high schools of different sizes and trajectories.

    With ``program_from``, the first school runs the belonging program from that year index.
    """
    high = max(1, round(count * 0.2))
    middle = max(1, round(count * 0.25)) if count > 2 else 0
    levels = ["high"] * high + ["middle"] * middle + ["elementary"] * (count - high - middle)
    sizes = rng.lognormal(0.0, 0.35, count)
    sizes = sizes / sizes.mean()
    # The program school is a big high school, so that its change is told after the
    # adjustment for the number of scales.
    sizes[0] = max(sizes[0], 2.0)
    trends = rng.normal(0.0, 0.03, count)
    trends[0] = 0.0  # before the program, the program school holds steady
    movers = 1 + rng.permutation(count - 1)
    step = max(1, count // 10)
    trends[movers[:step]] = 0.07
    trends[movers[step : 2 * step]] = -0.07
    result = []
    for i, level in enumerate(levels):
        low, high_grade = LEVELS[level]
        base = NAMES[i % len(NAMES)]
        name = f"{base} {SUFFIX[level]}" + (f" {i // len(NAMES) + 1}" if i >= len(NAMES) else "")
        shared = rng.normal(0.0, 0.25)
        own = rng.normal(0.0, 0.15, len(TRAITS))
        # Schools differ less in the harder questions than in how students see them.
        effects = [
            shared + o if t != "risk" else 0.3 * shared + 0.5 * o
            for t, o in zip(TRAITS, own, strict=True)
        ]
        if i == 0 and program_from is not None:
            # Low belonging is why the school starts its program.
            effects[TRAITS.index(PROGRAM_TRAIT)] = PROGRAM_START
        result.append(
            SeedSchool(
                id=f"S{i + 1:03d}",
                name=name,
                level=level,
                grade_low=low,
                grade_high=high_grade,
                size=float(sizes[i]),
                effects=tuple(float(e) for e in effects),
                trend=float(trends[i]),
                program_from=program_from if i == 0 else None,
                # Most schools sit above the recommended 250:1 and 500:1, as nationally.
                counselor_ratio=float(rng.uniform(220, 700 if level == "elementary" else 520)),
                psychologist_ratio=float(rng.uniform(700, 1600)),
                social_worker_ratio=float(rng.uniform(700, 2600)) if rng.random() > 0.25 else 0.0,
            )
        )
    return result


def enrollment(school: SeedSchool, respondents: int, rng: np.random.Generator) -> dict[int, int]:
    """Students per grade, all grades: enough for ``respondents`` at a 70-95 % response rate."""
    rate = rng.uniform(0.70, 0.95)
    grades = range(school.grade_low, school.grade_high + 1)
    per_grade = respondents / rate / max(1, len(surveyed_grades(school)))
    return {g: max(1, round(per_grade * rng.uniform(0.9, 1.1))) for g in grades}


def respondents(
    enrolled: dict[int, int], grades: Sequence[int], rng: np.random.Generator
) -> dict[int, int]:
    """Students who answer, per surveyed grade: each enrolled student at one response rate.

    Drawn per grade from that grade's enrollment, so no grade has more respondents than
    students.
    """
    rate = rng.uniform(0.70, 0.95)
    return {g: int(rng.binomial(enrolled.get(g, 0), rate)) for g in grades}


def surveyed_grades(school: SeedSchool) -> list[int]:
    """Grades that take a survey: 3 and up."""
    return list(range(max(3, school.grade_low), school.grade_high + 1))


def instrument_grades(instrument: Instrument, school: SeedSchool) -> list[int]:
    """The school's surveyed grades that ``instrument`` asks."""
    low, high = instrument.grade_band
    return [g for g in surveyed_grades(school) if low <= g <= high]


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
    grades: np.ndarray | None = None,
) -> Answers:
    """Answers of ``count`` students of one school in one year, drawn from the model.

    ``grades`` gives each student's grade (by default drawn evenly over the school's grades).
    """
    band = np.array(instrument_grades(instrument, school))
    grade = rng.choice(band, count) if grades is None else np.asarray(grades)
    program = school.program_from is not None and year_index >= school.program_from
    traits = draw(school.effects, school.trend * year_index, program, grade, band.min(), rng)
    groups = demographics(instrument, traits, rng)
    grade_codes = grade.copy()
    prefer_grade = next(
        o.value
        for d in instrument.demographics
        if d.id == GRADE
        for o in d.options
        if o.prefer_not_to_say
    )
    grade_codes[rng.random(count) < 0.01] = prefer_grade

    scale_of = _item_scales(instrument)
    stop_at = np.where(
        rng.random(count) < 0.05, rng.integers(1, len(instrument.items), count), 10**6
    )
    sensitive_items = {
        i.id
        for s in instrument.sections
        if s.module == "sensitive"
        for i in _items(instrument, s.items)
    }
    drawn: dict[str, np.ndarray] = {}
    for item in instrument.items:
        values = np.array([o.value for o in instrument.response_sets[item.response_set].options])
        drawn[item.id] = _answer(instrument, item.id, values, scale_of, traits, grade, drawn, rng)
    items: dict[str, np.ndarray] = {}
    for position, item in enumerate(instrument.items):
        chosen = drawn[item.id].copy()
        chosen[rng.random(count) < 0.03] = MISSING
        chosen[position >= stop_at] = MISSING
        if item.id in sensitive_items and not sensitive:
            chosen[:] = MISSING
        items[item.id] = chosen
    for rule in instrument.skip_rules:
        shown = np.isin(items[rule.show_if], rule.values)
        items[rule.item][~shown] = MISSING
    return Answers(grade=grade_codes, demographics=groups, items=items)


def _items(instrument: Instrument, ids: list[str]) -> Iterator[Item]:
    wanted = set(ids)
    return (item for item in instrument.items if item.id in wanted)


def _item_scales(instrument: Instrument) -> dict[str, tuple[str, bool, bool]]:
    """Per scale item: its scale, whether high values are good, whether it is a concern."""
    result = {}
    for scale in instrument.scales:
        concern = scale.elevated_at is not None
        for item_id in scale.items:
            result[item_id] = (scale.id, concern == (item_id in scale.reverse), concern)
    return result


def _latent(traits: np.ndarray, trait: str, loading: float, rng: np.random.Generator) -> np.ndarray:
    """An item's latent answer: its trait's part plus the item's own noise."""
    own = rng.standard_normal(len(traits))
    latent: np.ndarray = loading * traits[:, TRAITS.index(trait)] + np.sqrt(1 - loading**2) * own
    return latent


def _answer(
    instrument: Instrument,
    item_id: str,
    values: np.ndarray,
    scale_of: dict[str, tuple[str, bool, bool]],
    traits: np.ndarray,
    grade: np.ndarray,
    drawn: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """Every student's answer to one item (before skips), from its trait or published rate."""
    if item_id in scale_of:
        scale, good_high, concern = scale_of[item_id]
        latent = _latent(traits, scale, LOADING, rng)
        cuts = _cuts(_shares(len(values), good_high, concern))
        return values[np.searchsorted(cuts, latent if good_high else -latent)]
    if item_id in HARDER:
        return _harder(item_id, traits, grade, drawn, rng)
    if item_id in BULLYING:
        return _bullying(instrument, item_id, values, traits, drawn, rng)
    trait = ITEM_TRAITS.get(item_id, "connectedness")
    latent = _latent(traits, trait, 0.5, rng)
    return values[np.searchsorted(_cuts(_shares(len(values), True, False)), latent)]


HARDER = ("sh_hurt", "sui_thought", "sui_plan", "sh_talked")
BULLYING = ("bully_any", "bully_told", "bully_better")
NOT_HAD_THOUGHTS = 2  # sh_talked: "I have not had thoughts like these"


def _harder(
    item_id: str,
    traits: np.ndarray,
    grade: np.ndarray,
    drawn: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """The harder questions: Yes (1) at the published rates, for middle and high school."""
    count = len(traits)
    if item_id == "sui_plan":
        # Asked only after a Yes: the rate is a share of those who said Yes.
        return (rng.random(count) < _rates(prevalence.SUICIDE_PLAN_OF_THOUGHT, grade)).astype(int)
    if item_id == "sh_talked":
        none = np.zeros(count)
        thoughts = (drawn.get("sh_hurt", none) == 1) | (drawn.get("sui_thought", none) == 1)
        talked = _yes_among(traits, "help_seeking", thoughts, prevalence.TALKED_OF_THOUGHT, rng)
        return np.where(thoughts, talked, NOT_HAD_THOUGHTS)
    rate = prevalence.SELF_HARM_THOUGHT if item_id == "sh_hurt" else prevalence.SUICIDE_THOUGHT
    return _yes(-_latent(traits, "risk", RISK_LOADING, rng), _rates(rate, grade))


def _bullying(
    instrument: Instrument,
    item_id: str,
    values: np.ndarray,
    traits: np.ndarray,
    drawn: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """Bullied (Yes is the bad answer), told an adult, and whether it got better."""
    count = len(traits)
    trait = ITEM_TRAITS[item_id]
    if item_id == "bully_any":
        return _yes(-_latent(traits, trait, LOADING, rng), np.full(count, prevalence.BULLIED))
    rule = next((r for r in instrument.skip_rules if r.item == item_id), None)
    asked = np.ones(count, bool) if rule is None else np.isin(drawn[rule.show_if], rule.values)
    if item_id == "bully_told":
        elementary = instrument.grade_band[1] < 6
        told = (
            prevalence.TOLD_ADULT_OF_BULLIED_ELEMENTARY
            if elementary
            else prevalence.TOLD_ADULT_OF_BULLIED
        )
        return _yes_among(traits, trait, asked, told, rng)
    latent = _latent(_centred(traits, asked), trait, 0.5, rng)
    return values[np.searchsorted(_cuts(np.array(prevalence.BETTER_AFTER_TELLING)), latent)]


def _centred(traits: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """Traits centred on the ``asked`` students, whose published rate is a share of them."""
    centre = traits[asked].mean(axis=0) if asked.any() else np.zeros(traits.shape[1])
    centred: np.ndarray = traits - centre
    return centred


def _rates(rate: prevalence.Rate, grade: np.ndarray) -> np.ndarray:
    return np.where(grade >= 9, rate.high, rate.middle)


def _yes(latent: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """1 for the students whose latent lies in the top ``rate`` of its distribution, else 0."""
    answered: np.ndarray = (latent > SPREAD * stats.norm.ppf(1 - rate)).astype(int)
    return answered


def _yes_among(
    traits: np.ndarray, trait: str, asked: np.ndarray, rate: float, rng: np.random.Generator
) -> np.ndarray:
    """Yes (1) for ``rate`` of the ``asked`` students, the more likely the higher their trait.

    The trait is centred on the asked students: those asked (bullied, or with hard
    thoughts) see adults and help differently from the rest, and the published rate is
    a share of them.
    """
    latent = _latent(_centred(traits, asked), trait, 0.5, rng)
    answered: np.ndarray = (latent > stats.norm.ppf(1 - rate)).astype(int)
    return answered


def _shares(options: int, good_high: bool, concern: bool) -> np.ndarray:
    """A realistic answer distribution over ``options`` values, in value order.

    Most students give the good answers: shares grow geometrically toward the good end
    (for four options about 6, 14, 30 and 50 %; steeper for concerns), so secondary
    scales land near two in three students favorable, about one in four bullied at least
    once a month on average, and about one in twenty with elevated distress.
    """
    # Concerns (bullying, distress) are rarer than favorable answers are common.
    shares = np.array([(3.2 if concern else 2.2) ** k for k in range(options)])
    shares = shares / shares.sum()
    ordered: np.ndarray = shares if good_high else shares[::-1]
    return ordered


def _cuts(shares: np.ndarray) -> np.ndarray:
    """Latent cut-points that give ``shares`` (in value order) to a latent of ``SPREAD``."""
    cumulative = np.clip(np.cumsum(shares)[:-1], 1e-6, 1 - 1e-6)
    cuts: np.ndarray = SPREAD * stats.norm.ppf(cumulative)
    return cuts


def school_year_dates(year: int) -> tuple[dt.date, dt.date]:
    """The spring survey window of school year ``year`` (e.g. 2027 is 2026-27)."""
    return dt.date(year, 2, 1), dt.date(year, 3, 15)
