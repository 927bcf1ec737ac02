"""The summary's findings: tested changes and differences from the district in plain words.

A finding is only ever a test that survived the report's Benjamini-Hochberg adjustment
(``climate.reports.changes`` over the years, ``climate.reports.contrasts`` against the
district), told with published values. Each says whether it is a strength or a concern in
words, not by colour alone: more students favorable is a strength, more students with
elevated scores a concern.
"""

from __future__ import annotations

from dataclasses import dataclass

from climate.reports.changes import Change
from climate.reports.contrasts import Contrast
from climate.reports.formatting import Formatter
from climate.reports.labels import Labels

# A summary a counselor reads in two minutes: no more findings than this.
MOST_FINDINGS = 5
STRENGTH = "strength"
CONCERN = "concern"


@dataclass(frozen=True, slots=True)
class Finding:
    """One tested result in plain words: a strength or a concern."""

    kind: str
    label: str
    text: str
    scale: str = ""


def trend_finding(change: Change, labels: Labels, fmt: Formatter) -> str:
    """A significant change as a summary finding: who there are more or fewer of, and when."""
    _ = labels._
    words = {
        "scale": labels.scale(change.scale),
        "first": fmt.isolate(fmt.value(change.first, "percent")),
        "first_year": fmt.isolate(fmt.school_year(change.first_year)),
        "last": fmt.isolate(fmt.value(change.last, "percent")),
        "last_year": fmt.isolate(fmt.school_year(change.last_year)),
    }
    messages = {
        ("percent_favorable", "increasing"): _(
            "%(scale)s: more students favorable, "
            "from %(first)s in %(first_year)s to %(last)s in %(last_year)s."
        ),
        ("percent_favorable", "decreasing"): _(
            "%(scale)s: fewer students favorable, "
            "from %(first)s in %(first_year)s to %(last)s in %(last_year)s."
        ),
        ("percent_elevated", "increasing"): _(
            "%(scale)s: more students with elevated scores, "
            "from %(first)s in %(first_year)s to %(last)s in %(last_year)s."
        ),
        ("percent_elevated", "decreasing"): _(
            "%(scale)s: fewer students with elevated scores, "
            "from %(first)s in %(first_year)s to %(last)s in %(last_year)s."
        ),
    }
    return messages[change.statistic, change.direction] % words


def contrast_sentence(contrast: Contrast, labels: Labels, fmt: Formatter) -> str:
    """A significant difference from the district in plain words, with both published values."""
    _ = labels._
    words = {
        "scale": labels.scale(contrast.scale),
        "here": fmt.isolate(fmt.value(contrast.here, "percent")),
        "district": fmt.isolate(fmt.value(contrast.district, "percent")),
    }
    messages = {
        ("percent_favorable", "higher"): _(
            "%(scale)s: higher here than in the district "
            "(%(here)s favorable, against %(district)s)."
        ),
        ("percent_favorable", "lower"): _(
            "%(scale)s: lower here than in the district (%(here)s favorable, against %(district)s)."
        ),
        ("percent_elevated", "higher"): _(
            "%(scale)s: higher here than in the district "
            "(%(here)s with elevated scores, against %(district)s)."
        ),
        ("percent_elevated", "lower"): _(
            "%(scale)s: lower here than in the district "
            "(%(here)s with elevated scores, against %(district)s)."
        ),
    }
    return messages[contrast.statistic, contrast.direction] % words


def _kind(statistic: str, up: bool) -> str:
    # More students favorable is good; more students with elevated scores is not.
    good = up if statistic == "percent_favorable" else not up
    return STRENGTH if good else CONCERN


def findings(
    found: tuple[Change, ...], against: tuple[Contrast, ...], labels: Labels, fmt: Formatter
) -> tuple[Finding, ...]:
    """Tested changes and differences in plain words, concerns first, most certain first.

    At most ``MOST_FINDINGS``; when there are strengths, at least one of them is among them.
    """
    _ = labels._
    names = {STRENGTH: _("Strength"), CONCERN: _("Concern")}
    told: list[tuple[str, float, str, str]] = [
        (
            _kind(c.statistic, c.direction == "increasing"),
            c.adjusted_p,
            trend_finding(c, labels, fmt),
            c.scale,
        )
        for c in found
    ]
    told += [
        (
            _kind(c.statistic, c.direction == "higher"),
            c.adjusted_p,
            contrast_sentence(c, labels, fmt),
            c.scale,
        )
        for c in against
    ]
    told.sort(key=lambda t: (t[0] != CONCERN, t[1]))
    concerns = [t for t in told if t[0] == CONCERN]
    strengths = [t for t in told if t[0] == STRENGTH]
    # Concerns come first, but never crowd out every strength: a school that is improving
    # should read so in its summary, so the last place is kept for the surest strength.
    kept = concerns[: MOST_FINDINGS - min(1, len(strengths))]
    kept += strengths[: MOST_FINDINGS - len(kept)]
    return tuple(Finding(kind, names[kind], text, scale) for kind, _p, text, scale in kept)
