"""Students' latent traits in the demo district, and the demographic groups that shift them.

Nine correlated traits, one per scale and one (``risk``) for the harder questions, all
oriented so that higher is better. Traits of one domain (belonging, safety, feelings)
correlate ``WITHIN_DOMAIN``, of different domains ``ACROSS_DOMAINS``: each item loads on its
own scale's trait, so items of one scale agree more than scales do, as on real surveys.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from climate.instruments import Instrument
from climate.responses.layout import GRADE

# The traits, in a fixed order; each scale's items load on the trait of the same name.
TRAITS = (
    "connectedness",
    "caring_adults",
    "help_seeking",
    "safety",
    "drills",
    "bullying",
    "wellbeing",
    "distress",
    "risk",
)
DOMAINS = ("belonging",) * 3 + ("safety",) * 3 + ("feelings",) * 3
WITHIN_DOMAIN, ACROSS_DOMAINS, DISTRESS_RISK = 0.5, 0.3, 0.65
LOADING = 0.8  # an item's correlation with its trait
RISK_LOADING = 0.85  # the harder questions share more with each other
# Items outside every scale, and the trait each is answered from.
ITEM_TRAITS = {
    "bully_any": "bullying",
    "bully_told": "help_seeking",
    "bully_better": "caring_adults",
    "sh_hurt": "risk",
    "sui_thought": "risk",
    "sui_plan": "risk",
    "sh_talked": "help_seeking",
}
# The planted change: the first school's belonging program, in SD of the trait. Calibrated
# so that its connectedness rises about 20 points of students favorable, from near 55 %.
PROGRAM_TRAIT = "connectedness"
PROGRAM_SHIFT = 0.6
PROGRAM_START = -0.3  # the program school's belonging before it, below most schools
# Trends and movers act on how students see their school, not on the harder questions,
# whose district rates stay near the published ones.
SCHOOL_TRAITS = frozenset(TRAITS[:7])
FEELINGS = frozenset(("wellbeing", "distress", "risk"))
# Gender shifts on the feelings traits: girls report more distress than boys, students of
# another gender identity more still (YRBS 2023: 27 % of girls and 14 % of boys in high
# school seriously considered attempting suicide). They are centred on the groups' shares,
# so the district rates stay at the published ones.
GENDER_SHIFT = {1: -0.2, 2: 0.22, 3: -0.55, 4: -0.55}


def trait_correlations() -> np.ndarray:
    """Correlations of the traits: ``WITHIN_DOMAIN`` inside a domain, else ``ACROSS_DOMAINS``."""
    size = len(TRAITS)
    matrix = np.full((size, size), ACROSS_DOMAINS)
    for i in range(size):
        for j in range(size):
            if DOMAINS[i] == DOMAINS[j]:
                matrix[i, j] = WITHIN_DOMAIN
    distress, risk = TRAITS.index("distress"), TRAITS.index("risk")
    matrix[distress, risk] = matrix[risk, distress] = DISTRESS_RISK
    np.fill_diagonal(matrix, 1.0)
    return matrix


_CHOLESKY = np.linalg.cholesky(trait_correlations())


# The standard deviation of a latent answer: a trait (its school effects included) mixed
# with the item's own noise.
SPREAD = float(np.sqrt(1.0 + 0.25**2 + 0.15**2))


def _category_weights(count: int, small_last: int) -> np.ndarray:
    """Shares for non-prefer options: a large first group, a tail of small groups."""
    weights = np.array([0.55**i for i in range(count)], dtype=float)
    weights[count - small_last :] = 0.004
    shares: np.ndarray = weights / weights.sum()
    return shares


def draw(
    effects: Sequence[float],
    drift: float,
    program: bool,
    grade: np.ndarray,
    lowest: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Students' traits (one row each, ``TRAITS`` columns) in one school and year.

    ``effects`` are the school's, ``drift`` its trend times the years gone by, ``program``
    whether its belonging program runs this year; ``lowest`` is the lowest grade surveyed.
    """
    traits: np.ndarray = rng.standard_normal((len(grade), len(TRAITS))) @ _CHOLESKY.T
    traits += np.asarray(effects)
    for index, trait in enumerate(TRAITS):
        if trait in SCHOOL_TRAITS:
            # Older students feel a little less connected and safe.
            traits[:, index] += drift - 0.08 * (grade - lowest)
    if program:
        traits[:, TRAITS.index(PROGRAM_TRAIT)] += PROGRAM_SHIFT
    return traits


def demographics(
    instrument: Instrument, traits: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Demographic answers; the groups' real differences are added to ``traits`` in place."""
    count = len(traits)
    demographics: dict[str, np.ndarray] = {}
    belonging = [TRAITS.index(t) for t in SCHOOL_TRAITS if DOMAINS[TRAITS.index(t)] == "belonging"]
    feelings = [TRAITS.index(t) for t in FEELINGS]
    for question in instrument.demographics:
        if question.id == GRADE:
            continue
        values = np.array([o.value for o in question.options if not o.prefer_not_to_say])
        prefer = next(o.value for o in question.options if o.prefer_not_to_say)
        weights = _category_weights(len(values), 2 if len(values) > 4 else 0)
        if question.id == "home_language":
            weights = np.roll(weights, _english_index(question.options))
        chosen = rng.choice(len(values), count, p=weights)
        codes = values[chosen]
        if question.id == "gender":
            shift = np.array([GENDER_SHIFT.get(int(v), 0.0) for v in values])
            traits[:, feelings] += (shift - shift @ weights)[chosen][:, None]
        else:
            # The later categories report a little less belonging.
            traits[:, belonging] -= 0.06 * np.minimum(chosen, 4)[:, None]
        codes[rng.random(count) < 0.03] = prefer
        demographics[question.id] = codes
    return demographics


def _english_index(options: object) -> int:
    labels = [o.label.lower() for o in options]  # type: ignore[attr-defined]
    return next((i for i, label in enumerate(labels) if "english" in label), 0)
