"""What changed: only trends that survive Benjamini-Hochberg, told with published values;
a trend the data cannot estimate is told as such, never as a change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from climate.reports.changes import Unestimable, changes
from climate.reports.district import instrument_view
from climate.reports.formatting import Formatter
from climate.reports.labels import Labels
from climate.reports.published import Published
from climate.reports.school import school_report
from tests.climate.reports.releases import YEARS, schools_release, series

NULL = {f"null{i}": (30, 31, 30) for i in range(7)}
NULL_SHOWN = {f"null{i}": ("30", "31", "30") for i in range(7)}
LABELS = Labels(_=lambda text: text, text=lambda text: text, instrument=None)
FMT = Formatter.for_language("en")


def _district(
    flagged: Mapping[str, Mapping[str, Sequence[int]]], shown: Mapping[str, Sequence[str]]
) -> Published:
    """Schools' flagged counts (of 100) per scale and year, and the values every org shows."""
    return Published.of(
        schools_release(
            year,
            {s: {scale: v[i] for scale, v in counts.items()} for s, counts in flagged.items()},
            {scale: v[i] for scale, v in shown.items()},
        )
        for i, year in enumerate(YEARS)
    )


def test_a_strong_trend_is_told_with_its_published_values() -> None:
    # 20 -> 40 -> 60 of 100: linear p = 2.4e-08 (analysis.fit_trend, model-based variance).
    published = Published.of(series({"up": (20, 40, 60), **NULL}, {"up": ("20", "40", "60")}))
    found = changes(published, "A").found
    assert [(c.scale, c.direction, c.first, c.last) for c in found] == [
        ("up", "increasing", "20", "60")
    ]
    assert found[0].adjusted_p < 0.05


def test_a_marginal_trend_alone_survives_but_not_among_eight() -> None:
    # 30 -> 38 -> 45 of 100 has linear p = 0.0293 (analysis.fit_trend); alone it passes at
    # 0.05, but as the smallest of 8 p-values BH multiplies it by 8 (Benjamini & Hochberg 1995).
    marginal = {"up": (30, 38, 45)}
    shown = {"up": ("30", "38", "45")}
    assert len(changes(Published.of(series(marginal, shown)), "A").found) == 1
    crowded = Published.of(series({**marginal, **NULL}, {**shown, **NULL_SHOWN}))
    assert changes(crowded, "A").found == ()


def test_no_change_is_told_when_an_end_value_is_hidden() -> None:
    published = Published.of(series({"up": (20, 40, 60)}, {"up": ("20", "40", "*")}))
    assert changes(published, "A").found == ()


def test_a_single_year_has_no_changes() -> None:
    published = Published.of(series({"up": (20, 40, 60)}, {"up": ("20", "40", "60")})[:1])
    assert changes(published, "A").found == ()


def test_schools_that_move_alike_give_no_district_trend_not_a_certain_one() -> None:
    # Both schools go 10 -> 20 -> 30 of 100: each school's score totals are 0, so the
    # school-clustered variance is 0 and p would be 0 (analysis.fit_trend raises
    # NotEstimable("no variance") instead). A school that moves differently restores it.
    alike = {"A": {"up": (10, 20, 30)}, "B": {"up": (10, 20, 30)}}
    shown = {"up": ("10", "20", "30")}
    told = changes(_district(alike, shown), None)
    assert told.found == ()
    assert told.unestimable == (Unestimable("up", "percent_favorable", "no variance"),)
    apart = {"A": {"up": (10, 20, 30)}, "B": {"up": (12, 19, 33)}, "C": {"up": (9, 22, 28)}}
    assert changes(_district(apart, shown), None).unestimable == ()


def test_a_separated_trend_is_told_only_beside_plain_numbers() -> None:
    # 0, 0, then 35 of 100 separates the linear logit (Albert and Anderson, 1984). A share
    # of 0 is published coded ("<=2%"), and the reason would give that 0 away, so nothing
    # is told; beside plain numbers (a policy without top and bottom codes) it is.
    flagged = {"up": (0, 0, 35)}
    coded = Published.of(series(flagged, {"up": ("<=2%", "<=2%", "35")}))
    assert changes(coded, "A") == changes(Published.of(series(flagged, {"up": ("*",) * 3})), "A")
    assert changes(coded, "A").unestimable == ()
    plain = Published.of(series(flagged, {"up": ("0", "0", "35")}))
    assert changes(plain, "A").unestimable == (
        Unestimable("up", "percent_favorable", "separation"),
    )


def test_reports_say_a_trend_cannot_be_estimated_and_why() -> None:
    alike = {"A": {"up": (10, 20, 30)}, "B": {"up": (10, 20, 30)}}
    published = _district(alike, {"up": ("10", "20", "30")})
    view = instrument_view(published, {}, LABELS, FMT, sort="name", order="asc", lang="en")
    assert view.changes == ()
    assert view.unestimable == (
        "up (Favorable (%)): no trend can be estimated, because the schools' results leave "
        "no spread to measure its uncertainty by.",
    )
    plain = Published.of(series({"up": (0, 0, 35)}, {"up": ("0", "0", "35")}))
    report = school_report(plain, "A", "School A", LABELS, FMT)
    assert report.changes == ()
    assert report.unestimable == (
        "up (Favorable (%)): no trend can be estimated, because the trend model finds no "
        "finite answer for these years.",
    )
