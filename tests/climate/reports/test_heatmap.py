"""The heat map reads one way in every column: a fixed five-step scale of favorability, with
elevated scales turned around, tier codes placed only when their whole range fits one step,
and hidden or unsteady values left unshaded."""

from __future__ import annotations

import pytest

from climate.release.result import ALL, Statistic
from climate.reports.formatting import Formatter
from climate.reports.heatmap import ELEVATED, FAVORABLE, cell, legend, step

FMT = Formatter.for_language("en")


def _row(value: str, statistic: str, low: str, high: str) -> Statistic:
    return Statistic(
        "r", 2026, "school", "A", "A", ALL, ALL, "s", statistic, value, low, high, "100-299"
    )


@pytest.mark.parametrize(
    ("value", "statistic", "expected"),
    [
        ("0", FAVORABLE, 1),
        ("19", FAVORABLE, 1),
        ("20", FAVORABLE, 2),
        ("41", FAVORABLE, 3),
        ("79", FAVORABLE, 4),
        ("80", FAVORABLE, 5),
        ("100", FAVORABLE, 5),
        # Elevated: 21 % bullied is 79 % favorable, 4 % distressed is 96 %.
        ("21", ELEVATED, 4),
        ("4", ELEVATED, 5),
        ("90", ELEVATED, 1),
    ],
)
def test_a_value_is_shaded_by_its_favorability(value: str, statistic: str, expected: int) -> None:
    assert step(value, statistic) == expected


def test_higher_is_worse_on_an_elevated_scale_and_better_on_a_favorable_one() -> None:
    # The case: 21 % bullying must not shade like 41 % connectedness's opposite.
    assert step("21", ELEVATED) > step("41", FAVORABLE)
    assert step("10", ELEVATED) > step("30", ELEVATED)
    assert step("30", FAVORABLE) < step("50", FAVORABLE)


def test_a_tier_code_and_a_near_value_share_a_shade() -> None:
    # "<=2%" against "4%" distress spanned the whole colour range; on a fixed scale they are one.
    assert step("<=2", ELEVATED) == step("4", ELEVATED) == 5
    assert step(">=95", FAVORABLE) == 5
    assert step("<=5", FAVORABLE) == 1


def test_a_tier_code_across_two_steps_is_not_shaded() -> None:
    # <=30 % elevated is 70-100 % favorable: steps 4 and 5, so no one shade is true.
    assert step("<=30", ELEVATED) == 0


@pytest.mark.parametrize("value", ["*", ""])
def test_hidden_and_missing_values_are_not_shaded(value: str) -> None:
    assert step(value, FAVORABLE) == 0


def test_a_value_too_unsteady_to_use_is_shown_as_its_interval_and_not_shaded() -> None:
    # 10 % with limits 1-40: the relative standard error read back from the limits is over 50 %.
    shown = cell(_row("10", FAVORABLE, "1", "40"), FMT)
    assert (shown.step, shown.flag) == (0, "unreliable")
    assert shown.text == "1% – 40%"
    steady = cell(_row("62", FAVORABLE, "55", "69"), FMT)
    assert (steady.text, steady.step, steady.flag) == ("62%", 4, "")


def test_the_legend_gives_every_step_its_values_both_ways() -> None:
    steps = legend(FMT, lambda text: text)
    assert [
        (
            s.step,
            s.favorable.replace("\u00a0", " ").replace("\u2060", ""),
            s.elevated.replace("\u00a0", " ").replace("\u2060", ""),
        )
        for s in steps
    ] == [
        (1, "0% – 19%", "81% – 100%"),
        (2, "20% – 39%", "61% – 80%"),
        (3, "40% – 59%", "41% – 60%"),
        (4, "60% – 79%", "21% – 40%"),
        (5, "80% – 100%", "0% – 20%"),
    ]
    assert steps[0].word
    assert steps[-1].word
    assert not steps[2].word
