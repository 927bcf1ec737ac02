"""The counselor's school report, built from one instrument's published rows only."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.disclosure import HIDDEN
from analysis.plots import PublishedGroup
from climate.release.reliability import ALPHA
from climate.release.result import DISTRICT, Statistic
from climate.reports import charts
from climate.reports.changes import Change, Unestimable, changes
from climate.reports.contrasts import contrasts
from climate.reports.findings import Finding, findings
from climate.reports.formatting import Formatter
from climate.reports.labels import Labels
from climate.reports.published import (
    Published,
    rse_flag,
    scale_statistic,
    unit_of,
)

# Nunnally (1978): 0.7 or more is the usual bar for a scale used to compare groups.
GOOD_ALPHA = "0.7"


@dataclass(frozen=True, slots=True)
class Figure:
    """One published value as shown: the value, its interval and a reliability flag."""

    value: str
    ci: str = ""
    flag: str = ""


@dataclass(frozen=True, slots=True)
class Headline:
    """One scale's headline: % favorable or elevated, the mean, and their trend."""

    scale: str
    title: str
    statistic: str
    percent: Figure
    mean: Figure
    district: Figure
    band: str
    chart: charts.Chart
    anchors: str = ""


@dataclass(frozen=True, slots=True)
class GapTable:
    """Subgroups of one dimension against all students, every scale, the newest year."""

    dimension: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Figure, ...]], ...]
    chart: charts.Chart | None


@dataclass(frozen=True, slots=True)
class ItemTable:
    """One item's answers, % per option, at the school and in the district."""

    item: str
    text: str
    rows: tuple[tuple[str, Figure, Figure], ...]
    condition: str = ""


@dataclass(frozen=True, slots=True)
class SchoolReport:
    """Everything the counselor report shows."""

    year: int
    years: tuple[int, ...]
    instrument: str
    headlines: tuple[Headline, ...]
    findings: tuple[Finding, ...]
    year_label: str
    years_label: str
    featured: str
    changes: tuple[str, ...]
    unestimable: tuple[str, ...]
    gaps: tuple[GapTable, ...]
    items: tuple[ItemTable, ...]
    band: str
    scales: tuple[tuple[str, str], ...]
    gap_scale: str
    hidden: bool
    reliability: tuple[tuple[str, Figure], ...] = ()
    # The alpha commonly taken as good internal consistency, in the page's digits.
    good_alpha: str = ""


def figure(row: Statistic | None, fmt: Formatter) -> Figure:
    """A published row as shown; a row the catalogue lacks shows a dash."""
    if row is None:
        return Figure("–")
    unit = unit_of(row.statistic)
    flag = rse_flag(row)
    ci = fmt.interval(row.ci_low, row.ci_high, unit)
    # Too unsteady to stand as a point: only its interval is shown.
    return Figure("" if flag == "unreliable" else fmt.value(row.value, unit), ci, flag)


def _alpha(row: Statistic, fmt: Formatter) -> Figure:
    # Alpha has no relative standard error to flag: its interval says how precise it is.
    return Figure(fmt.value(row.value, ALPHA), fmt.interval(row.ci_low, row.ci_high, ALPHA))


def change_sentence(change: Change, labels: Labels, fmt: Formatter) -> str:
    """A significant change in plain words, with the published values at both ends."""
    _ = labels._
    words = {
        "scale": labels.scale(change.scale),
        "statistic": labels.statistic(change.statistic),
        "first": fmt.isolate(fmt.value(change.first, "percent")),
        "first_year": fmt.isolate(fmt.school_year(change.first_year)),
        "last": fmt.isolate(fmt.value(change.last, "percent")),
        "last_year": fmt.isolate(fmt.school_year(change.last_year)),
    }
    if change.direction == "increasing":
        text = _(
            "%(scale)s (%(statistic)s) rose from %(first)s in %(first_year)s "
            "to %(last)s in %(last_year)s."
        )
    else:
        text = _(
            "%(scale)s (%(statistic)s) fell from %(first)s in %(first_year)s "
            "to %(last)s in %(last_year)s."
        )
    return text % words


def unestimable_sentence(trend: Unestimable, labels: Labels) -> str:
    """A trend the data cannot estimate, and why, in plain words."""
    _ = labels._
    words = {"scale": labels.scale(trend.scale), "statistic": labels.statistic(trend.statistic)}
    if trend.reason == "no variance":
        text = _(
            "%(scale)s (%(statistic)s): no trend can be estimated, because the schools' "
            "results leave no spread to measure its uncertainty by."
        )
    else:
        text = _(
            "%(scale)s (%(statistic)s): no trend can be estimated, because the trend model "
            "finds no finite answer for these years."
        )
    return text % words


def _series_points(
    published: Published, org: str, scale: str, statistic: str
) -> list[tuple[int, str, str, str]]:
    points = []
    for year in published.years:
        row = published.get(year, org, scale, statistic)
        if row is None:
            points.append((year, "", "", ""))
        elif row.exact():
            points.append((year, row.value, row.ci_low, row.ci_high))
        else:
            # Limits are published only beside a plain number; a coded value stands alone.
            points.append((year, row.value, "", ""))
    return points


def _headline(
    published: Published, school: str, name: str, scale: str, labels: Labels, fmt: Formatter
) -> Headline:
    _ = labels._
    year = published.years[-1]
    release = published.releases[-1]
    statistic = scale_statistic(release, scale)
    title = labels.scale(scale)
    lines = [
        charts.series(name, _series_points(published, school, scale, statistic), statistic),
        charts.series(
            _("District"), _series_points(published, DISTRICT, scale, statistic), statistic
        ),
    ]
    chart = charts.trend(
        lines,
        title=f"{title}: {labels.statistic(statistic)}",
        y_label=labels.statistic(statistic),
        fmt=fmt,
        _=_,
    )
    return Headline(
        scale,
        title,
        labels.statistic(statistic),
        figure(published.get(year, school, scale, statistic), fmt),
        figure(published.get(year, school, scale, "mean"), fmt),
        figure(published.get(year, DISTRICT, scale, statistic), fmt),
        fmt.band(published.n_band(year, school)),
        chart,
        labels.anchors(scale),
    )


def _gap_table(
    published: Published,
    school: str,
    dimension: str,
    gap_scale: str,
    labels: Labels,
    fmt: Formatter,
) -> GapTable:
    _ = labels._
    year = published.years[-1]
    release = published.releases[-1]
    scales = tuple(release.scales)
    rows = []
    chart_groups = []
    for group in published.groups(year, school, dimension):
        label = labels.group(dimension, group)
        cells = tuple(
            figure(
                published.get(year, school, s, scale_statistic(release, s), dimension, group), fmt
            )
            for s in scales
        )
        rows.append((label, cells))
        row = published.get(
            year, school, gap_scale, scale_statistic(release, gap_scale), dimension, group
        )
        if row is not None:
            exact = row.exact()
            chart_groups.append(
                PublishedGroup(
                    label, row.value, row.ci_low if exact else "", row.ci_high if exact else ""
                )
            )
    chart = None
    overall = published.get(year, school, gap_scale, scale_statistic(release, gap_scale))
    if chart_groups and overall is not None:
        exact = overall.exact()
        statistic = scale_statistic(release, gap_scale)
        chart = charts.gaps(
            PublishedGroup(
                _("All students"),
                overall.value,
                overall.ci_low if exact else "",
                overall.ci_high if exact else "",
            ),
            chart_groups,
            year=year,
            statistic=statistic,
            title=f"{labels.scale(gap_scale)}: {labels.statistic(statistic)}, "
            f"{labels.dimension(dimension)}",
            x_label=labels.statistic(statistic),
            fmt=fmt,
            _=_,
        )
    headers = tuple(
        f"{labels.scale(s)} ({labels.statistic(scale_statistic(release, s))})" for s in scales
    )
    return GapTable(dimension, labels.dimension(dimension), headers, tuple(rows), chart)


def _items(
    published: Published, school: str, labels: Labels, fmt: Formatter
) -> tuple[ItemTable, ...]:
    year = published.years[-1]
    instrument = labels.instrument
    if instrument is None:
        return ()
    tables = []
    for item in instrument.items:
        rows = tuple(
            (
                label,
                figure(published.get(year, school, f"{item.id}:{value}", "percent"), fmt),
                figure(published.get(year, DISTRICT, f"{item.id}:{value}", "percent"), fmt),
            )
            for value, label in labels.options(item.id)
        )
        tables.append(ItemTable(item.id, labels.item(item.id), rows, labels.condition(item.id)))
    return tuple(tables)


def school_report(
    published: Published,
    school: str,
    name: str,
    labels: Labels,
    fmt: Formatter,
    gap_scale: str | None = None,
) -> SchoolReport:
    """The report of one school over the years on show, newest year last."""
    year = published.years[-1]
    release = published.releases[-1]
    scales = tuple(release.scales)
    chosen = gap_scale if gap_scale in scales else scales[0]
    headlines = tuple(_headline(published, school, name, s, labels, fmt) for s in scales)
    gaps = tuple(
        _gap_table(published, school, d, chosen, labels, fmt)
        for d in published.dimensions(year, school)
    )
    hidden = any(
        r.value == HIDDEN
        for (y, org, *_rest), r in published.rows.items()
        if org in (school, DISTRICT) and y in published.years
    )
    told = changes(published, school)
    found = findings(told.found, contrasts(published, school), labels, fmt)
    return SchoolReport(
        year=year,
        years=published.years,
        instrument=labels.title(),
        headlines=headlines,
        findings=found,
        year_label=fmt.isolate(fmt.school_year(year)),
        years_label=", ".join(fmt.isolate(fmt.school_year(y)) for y in published.years),
        # The printout's one trend: the scale of the first finding, else the first scale.
        featured=found[0].scale if found else scales[0],
        changes=tuple(change_sentence(c, labels, fmt) for c in told.found),
        unestimable=tuple(unestimable_sentence(u, labels) for u in told.unestimable),
        gaps=gaps,
        items=_items(published, school, labels, fmt),
        band=fmt.band(published.n_band(year, school)),
        scales=tuple((s, labels.scale(s)) for s in scales),
        gap_scale=chosen,
        hidden=hidden,
        reliability=tuple(
            (labels.scale(s), _alpha(row, fmt))
            for s in scales
            if (row := published.get(year, DISTRICT, s, ALPHA)) is not None
        ),
        good_alpha=fmt.number(GOOD_ALPHA, ALPHA),
    )


def response_rate(band: str, enrollment: int | None, fmt: Formatter) -> str:
    """The share of enrolled students who responded: exact, or the range a band allows."""
    if not enrollment or band in ("", HIDDEN):
        return HIDDEN if band == HIDDEN else "–"
    if band.isdigit():
        return fmt.share(min(1.0, int(band) / enrollment))
    if band.endswith("+") and band[:-1].isdigit():
        return "≥" + fmt.share(min(1.0, int(band[:-1]) / enrollment))
    low, sep, high = band.partition("-")
    if not (sep and low.isdigit() and high.isdigit()):
        return "–"
    return (
        f"{fmt.share(min(1.0, int(low) / enrollment))} – "
        f"{fmt.share(min(1.0, int(high) / enrollment))}"
    )
