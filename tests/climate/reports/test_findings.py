"""The summary's findings: tested results only, concerns first, with a visible kind."""

from __future__ import annotations

from climate.reports.changes import Change
from climate.reports.contrasts import Contrast
from climate.reports.findings import CONCERN, MOST_FINDINGS, STRENGTH, findings
from climate.reports.formatting import Formatter
from climate.reports.labels import Labels

LABELS = Labels(_=lambda text: text, text=lambda text: text, instrument=None)
FMT = Formatter.for_language("en")


def _change(scale: str, statistic: str, direction: str, p: float) -> Change:
    return Change(scale, statistic, direction, 2024, "20", 2026, "40", p)


def test_findings_are_strengths_or_concerns_by_what_the_scale_measures() -> None:
    found = findings(
        (
            _change("belong", "percent_favorable", "increasing", 0.01),
            _change("distress", "percent_elevated", "increasing", 0.02),
        ),
        (Contrast("safe", "percent_favorable", "lower", "50", "60", 0.001),),
        LABELS,
        FMT,
    )
    # Concerns first, the most certain first; then strengths.
    assert [(f.kind, f.label) for f in found] == [
        (CONCERN, "Concern"),
        (CONCERN, "Concern"),
        (STRENGTH, "Strength"),
    ]
    assert [f.scale for f in found] == ["safe", "distress", "belong"]
    assert found[0].text == ("safe: lower here than in the district (50% favorable, against 60%).")
    assert found[1].text == (
        "distress: more students with elevated scores, from 20% in 2023-24 to 40% in 2025-26."
    )
    assert found[2].text.startswith("belong: more students favorable, from 20% in 2023-24")


def test_no_more_findings_than_a_counselor_reads_in_two_minutes() -> None:
    many = tuple(
        _change(f"s{i}", "percent_favorable", "decreasing", 0.001 * (i + 1)) for i in range(8)
    )
    found = findings(many, (), LABELS, FMT)
    assert len(found) == MOST_FINDINGS
    assert [f.text.split(":")[0] for f in found] == [f"s{i}" for i in range(MOST_FINDINGS)]
    assert findings((), (), LABELS, FMT) == ()


def test_many_concerns_leave_room_for_the_surest_strength() -> None:
    concerns = tuple(
        _change(f"c{i}", "percent_favorable", "decreasing", 0.001 * (i + 1)) for i in range(8)
    )
    strengths = (
        _change("weaker", "percent_favorable", "increasing", 0.04),
        _change("surer", "percent_favorable", "increasing", 0.002),
    )
    found = findings(concerns + strengths, (), LABELS, FMT)
    assert len(found) == MOST_FINDINGS
    assert [f.scale for f in found] == [f"c{i}" for i in range(MOST_FINDINGS - 1)] + ["surer"]
    assert [f.kind for f in found][-2:] == [CONCERN, STRENGTH]
