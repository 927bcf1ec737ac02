"""The dashboard's view of one instrument: a heat map on the fixed scale, a level title and a
line under district intervals that says how they are computed."""

from __future__ import annotations

from climate.reports.district import instrument_view, interval_note
from climate.reports.formatting import Formatter
from climate.reports.labels import Labels
from climate.reports.published import Published
from tests.climate.reports.releases import schools_release

LABELS = Labels(_=lambda text: text, text=lambda text: text, instrument=None)
FMT = Formatter.for_language("en")


def test_the_heat_map_shades_every_school_and_the_district_on_the_fixed_scale() -> None:
    published = Published.of([schools_release(2026, {"A": {"s": 40}, "B": {"s": 60}}, {"s": "62"})])
    view = instrument_view(published, {}, LABELS, FMT, sort="name", order="asc", lang="en")
    assert view.heatmap is not None
    # Every org publishes 62 % favourable (the fixture): step 4 of 5 (60-79 %) everywhere.
    assert [row.cells[0].step for row in view.heatmap.rows] == [4, 4]
    assert view.heatmap.district.cells[0].text == "62%"
    assert view.heatmap.district.cells[0].step == 4
    assert len(view.heatmap.legend) == 5


def test_the_district_interval_line_names_the_schools_and_degrees_of_freedom() -> None:
    note = interval_note(3, FMT, lambda text: text)
    assert "3 schools as a sample of schools" in note
    assert "degrees of freedom: 2" in note
    assert "3 schools" not in interval_note(1, FMT, lambda text: text)
