"""Public school facts: a response rate divides by the grades a survey asks."""

from __future__ import annotations

from pathlib import Path

from climate.instruments import load_directory
from climate.reports.formatting import Formatter
from climate.reports.school import response_rate
from climate.reports.source import SchoolFacts

SURVEYS = Path(__file__).resolve().parents[3] / "surveys"


def test_a_response_rate_is_of_the_surveyed_grades() -> None:
    # An elementary school of kindergarten to grade 5, 40 students a grade; the
    # elementary survey asks grades 3-5 (its grade_band), so 96 respondents of 120
    # surveyed students are 80 %, where all 240 enrolled would make it 40 %.
    elementary = load_directory(SURVEYS)["elementary"].instrument
    assert tuple(elementary.grade_band) == (3, 5)
    facts = SchoolFacts("S1", "Harbor", 240, {}, dict.fromkeys(range(6), 40))
    assert facts.surveyed(elementary) == 120
    fmt = Formatter.for_language("en")
    assert response_rate("96", facts.surveyed(elementary), fmt) == "80%"
    # Without a grade breakdown or an instrument, the whole enrollment is all there is.
    assert SchoolFacts("S1", "Harbor", 240, {}).surveyed(elementary) == 240
    assert facts.surveyed(None) == 240
