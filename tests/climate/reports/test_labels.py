"""Honest labels: what a mean score's ends mean, and who was asked a conditional question."""

from __future__ import annotations

from pathlib import Path

from climate.instruments import load_directory
from climate.reports.labels import Labels

SURVEYS = Path(__file__).resolve().parents[3] / "surveys"
SECONDARY = load_directory(SURVEYS)["secondary"].instrument
LABELS = Labels(_=lambda text: text, text=lambda text: text, instrument=SECONDARY)


def _option_labels(scale_id: str) -> tuple[str, str]:
    scale = next(s for s in SECONDARY.scales if s.id == scale_id)
    first = next(i for i in scale.items if i not in scale.reverse)
    item = next(i for i in SECONDARY.items if i.id == first)
    options = SECONDARY.response_sets[item.response_set].options
    return (
        f"{options[0].value} = {options[0].label}",
        f"{options[-1].value} = {options[-1].label}",
    )


def test_a_mean_score_says_its_anchors() -> None:
    for scale in SECONDARY.scales:
        low, high = _option_labels(scale.id)
        assert LABELS.anchors(scale.id) == f"{low} … {high}"
    # The agreement scales: 1 = strongly disagree ... 4 = strongly agree, from the instrument.
    assert LABELS.anchors("connectedness") == "1 = Strongly disagree … 4 = Strongly agree"
    assert LABELS.anchors("no such scale") == ""


def test_a_conditional_item_says_who_was_asked() -> None:
    rules = {r.item: r for r in SECONDARY.skip_rules}
    assert rules
    for item, rule in rules.items():
        said = LABELS.condition(item)
        assert said.startswith("Of students who answered “")
        assert f"to “{LABELS.item(rule.show_if)}”" in said
    unconditional = next(i.id for i in SECONDARY.items if i.id not in rules)
    assert LABELS.condition(unconditional) == ""
