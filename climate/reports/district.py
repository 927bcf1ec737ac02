"""The district dashboard: schools side by side, a heat map and district trends, per instrument.

Each instrument's part is titled by the school level its grade band is ("Elementary (grades
3-5)"). District intervals are design-based: they treat the district's few schools as a sample
of schools, so they are wider than any one school's; the page says so under each of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from analysis.disclosure import HIDDEN
from analysis.plots import read_value
from climate.release.result import DISTRICT
from climate.reports import charts
from climate.reports.changes import changes
from climate.reports.formatting import Formatter
from climate.reports.heatmap import HeatColumn, HeatMap, HeatRow, direction, heat_map
from climate.reports.heatmap import cell as heat_cell
from climate.reports.labels import Labels
from climate.reports.participation import level_title
from climate.reports.published import Published, scale_statistic
from climate.reports.school import (
    Figure,
    change_sentence,
    figure,
    response_rate,
    unestimable_sentence,
)
from climate.reports.source import SchoolFacts

NAME = "name"
BAND = "band"
ORDERS = ("asc", "desc")


@dataclass(frozen=True, slots=True)
class SchoolRow:
    """One school in the side-by-side table."""

    school: str
    name: str
    band: str
    rate: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True, slots=True)
class Column:
    """A sortable column: its key, heading, and the link that sorts by it."""

    key: str
    heading: str
    link: str
    sorted: str  # "ascending", "descending" or "" (for aria-sort)


@dataclass(frozen=True, slots=True)
class InstrumentView:
    """One instrument's part of the dashboard."""

    instrument: str
    columns: tuple[Column, ...]
    rows: tuple[SchoolRow, ...]
    district: tuple[Figure, ...]
    heatmap: HeatMap | None
    trends: tuple[charts.Chart, ...]
    changes: tuple[str, ...]
    unestimable: tuple[str, ...]
    hidden: bool
    district_band: str = "–"
    district_rate: str = "–"
    level: str = ""
    interval_note: str = ""


def _sort_key(text: str) -> tuple[int, float]:
    reading = read_value(text, "mean") if text not in ("", HIDDEN) else None
    if reading is None or reading.number is None:
        return (1, 0.0)
    return (0, reading.number)


def _band_key(text: str) -> tuple[int, float]:
    head = text.rstrip("+").split("-")[0]
    return (0, float(head)) if head.isdigit() else (1, 0.0)


def _link(year: int, key: str, order: str, lang: str) -> str:
    return f"/staff/reports/district?year={year}&sort={key}&order={order}&lang={lang}#schools"


def instrument_view(
    published: Published,
    facts: Mapping[str, SchoolFacts],
    labels: Labels,
    fmt: Formatter,
    *,
    sort: str,
    order: str,
    lang: str,
) -> InstrumentView:
    """Schools of one instrument in the newest year, sorted as asked, with charts."""
    _ = labels._
    year = published.years[-1]
    release = published.releases[-1]
    scales = tuple(release.scales)
    statistics = {s: scale_statistic(release, s) for s in scales}
    raw: list[tuple[SchoolRow, dict[str, str]]] = []
    for school, name in sorted(release.schools.items(), key=lambda kv: kv[1]):
        band = published.n_band(year, school)
        values = {}
        figures = []
        for s in scales:
            row = published.get(year, school, s, statistics[s])
            values[s] = row.value if row is not None else ""
            figures.append(figure(row, fmt))
        fact = facts.get(school)
        rate = response_rate(band, fact.surveyed(labels.instrument) if fact else None, fmt)
        raw.append(
            (SchoolRow(school, name, fmt.band(band), rate, tuple(figures)), {**values, BAND: band})
        )
    if sort in scales or sort == BAND:
        keyed = _band_key if sort == BAND else _sort_key
        present = [r for r in raw if keyed(r[1][sort])[0] == 0]
        missing = [r for r in raw if keyed(r[1][sort])[0] == 1]
        present.sort(key=lambda r: keyed(r[1][sort])[1], reverse=order == "desc")
        # Hidden values sort last both ways: their place in the order would hint at them.
        raw = present + missing
    elif order == "desc":
        raw.reverse()
    keys = [(NAME, _("School")), (BAND, _("Respondents"))]
    keys += [(s, f"{labels.scale(s)} ({labels.statistic(statistics[s])})") for s in scales]
    chosen = sort if sort in dict(keys) else NAME
    columns = []
    for key, heading in keys:
        active = key == chosen
        flip = "desc" if active and order == "asc" else "asc"
        columns.append(
            Column(
                key,
                heading,
                _link(year, key, flip, lang),
                ("descending" if order == "desc" else "ascending") if active else "",
            )
        )
    rows = tuple(r for r, _v in raw)
    grid = None
    if rows:
        grid = heat_map(
            _("Schools by indicator, %(year)s") % {"year": year},
            [HeatColumn(labels.scale(s), direction(statistics[s], _)) for s in scales],
            [
                HeatRow(
                    r.name,
                    tuple(
                        heat_cell(published.get(year, r.school, s, statistics[s]), fmt)
                        for s in scales
                    ),
                )
                for r in rows
            ],
            HeatRow(
                _("District"),
                tuple(
                    heat_cell(published.get(year, DISTRICT, s, statistics[s]), fmt) for s in scales
                ),
            ),
            fmt,
            _,
        )
    trends = tuple(
        charts.trend(
            [
                charts.series(
                    _("District"),
                    [_point(published, y, s, statistics[s]) for y in published.years],
                    statistics[s],
                )
            ],
            title=f"{labels.scale(s)}: {labels.statistic(statistics[s])}",
            y_label=labels.statistic(statistics[s]),
            fmt=fmt,
            _=_,
        )
        for s in scales
    )
    hidden = any(v == HIDDEN for _r, values in raw for v in values.values())
    told = changes(published, None)
    # The district publishes its respondents exactly; its rate is of every school's
    # students in the surveyed grades, when each school's enrollment is known.
    enrolled = [
        fact.surveyed(labels.instrument) if (fact := facts.get(s)) else None
        for s in release.schools
    ]
    district_enrolled = sum(e for e in enrolled if e is not None) if None not in enrolled else None
    district_band = published.n_band(year, DISTRICT)
    return InstrumentView(
        labels.title(),
        tuple(columns),
        rows,
        tuple(figure(published.get(year, DISTRICT, s, statistics[s]), fmt) for s in scales),
        grid,
        trends,
        tuple(change_sentence(c, labels, fmt) for c in told.found),
        tuple(unestimable_sentence(u, labels) for u in told.unestimable),
        hidden,
        fmt.band(district_band),
        response_rate(district_band, district_enrolled, fmt),
        _level(labels),
        interval_note(len(release.schools), fmt, _),
    )


def _level(labels: Labels) -> str:
    if labels.instrument is None:
        return labels.title()
    low, high = labels.instrument.grade_band
    return level_title(range(low, high + 1), labels._)


def interval_note(schools: int, fmt: Formatter, _: Callable[[str], str]) -> str:
    """How a district interval is computed, in one line for under it."""
    if schools < 2:
        return _(
            "District intervals treat the schools as a sample of schools; with one school "
            "there is no spread between schools to measure."
        )
    return _(
        "District intervals treat the %(schools)s schools as a sample of schools: they are "
        "widened for how much schools differ (degrees of freedom: %(df)s, one fewer than "
        "the schools), so with few schools they are wide. A school's interval counts only "
        "its own students."
    ) % {"schools": fmt.integer(schools), "df": fmt.integer(schools - 1)}


def _point(
    published: Published, year: int, scale: str, statistic: str
) -> tuple[int, str, str, str]:
    row = published.get(year, DISTRICT, scale, statistic)
    if row is None:
        return (year, "", "", "")
    if row.exact():
        return (year, row.value, row.ci_low, row.ci_high)
    return (year, row.value, "", "")
