"""What changed: only trends that survive Benjamini-Hochberg, told with published values."""

from __future__ import annotations

from climate.reports.changes import changes
from climate.reports.published import Published
from tests.climate.reports.releases import series

NULL = {f"null{i}": (30, 31, 30) for i in range(7)}
NULL_SHOWN = {f"null{i}": ("30", "31", "30") for i in range(7)}


def test_a_strong_trend_is_told_with_its_published_values() -> None:
    # 20 -> 40 -> 60 of 100: linear p = 2.4e-08 (analysis.fit_trend, model-based variance).
    published = Published.of(series({"up": (20, 40, 60), **NULL}, {"up": ("20", "40", "60")}))
    found = changes(published, "A")
    assert [(c.scale, c.direction, c.first, c.last) for c in found] == [
        ("up", "increasing", "20", "60")
    ]
    assert found[0].adjusted_p < 0.05


def test_a_marginal_trend_alone_survives_but_not_among_eight() -> None:
    # 30 -> 38 -> 45 of 100 has linear p = 0.0293 (analysis.fit_trend); alone it passes at
    # 0.05, but as the smallest of 8 p-values BH multiplies it by 8 (Benjamini & Hochberg 1995).
    marginal = {"up": (30, 38, 45)}
    shown = {"up": ("30", "38", "45")}
    assert len(changes(Published.of(series(marginal, shown)), "A")) == 1
    crowded = Published.of(series({**marginal, **NULL}, {**shown, **NULL_SHOWN}))
    assert changes(crowded, "A") == ()


def test_no_change_is_told_when_an_end_value_is_hidden() -> None:
    published = Published.of(series({"up": (20, 40, 60)}, {"up": ("20", "40", "*")}))
    assert changes(published, "A") == ()


def test_a_single_year_has_no_changes() -> None:
    published = Published.of(series({"up": (20, 40, 60)}, {"up": ("20", "40", "60")})[:1])
    assert changes(published, "A") == ()
