"""The XLSX export: one sheet per dimension with the tidy columns, a codebook and methods.

Each data sheet is an Excel table, numbers are number cells, and the methods sheet says in
plain rows how the values were protected and how to read them, in the export's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis.disclosure import HIDDEN
from climate.exports.reading import EXTRA_COLUMNS, Annotator, Extra, Translate, number
from climate.exports.spreadsheet import Cell, Spreadsheet
from climate.instruments import Instrument
from climate.release.result import COLUMNS, Statistic, YearRelease


def _same(text: str) -> str:
    return text


def _reading(_: Translate) -> tuple[tuple[str, str], ...]:
    """How to read the values and the added columns, in the export's language."""
    return (
        (
            HIDDEN,
            _(
                "Hidden to protect students' privacy: the group is too small, or the value "
                "would let someone work out a hidden one. Every hidden value has this one mark."
            ),
        ),
        (
            "<=N",
            _(
                "Shown only as 'N percent or less' (bottom-coded), so that no count of 0, 1 or "
                "2 students is shown; N depends on the group's size."
            ),
        ),
        (">=N", _("Shown only as 'N percent or more' (top-coded), for the same reason.")),
        (
            "n_band",
            _(
                "Respondents in the group: exactly for the district, each district group and "
                "each whole school; in bands (10-19, 20-39, 40-99, 100-299, 300+) for groups "
                "within a school. * for a hidden group, or <10 where the published numbers "
                "already show that it has fewer than 10 students (a * group may be small, or "
                "hidden to protect another group)."
            ),
        ),
        ("percent", _("Of the students who answered the item (skips are not counted).")),
        ("percent_favorable / percent_elevated", _("Of the students with a scale score.")),
        ("mean", _("Mean scale score of the students with a score, one decimal.")),
        (
            "alpha",
            _(
                "Cronbach's alpha of a scale, district rows only: over the district's students "
                "who answered every item of the scale (n_band counts them), two decimals; "
                "ci_low and ci_high are Feldt's 95 percent limits from the lower end of that "
                "band, so never narrower than the exact ones."
            ),
        ),
        (
            "ci_low / ci_high",
            _(
                "95 percent confidence interval, shown only beside a value shown exactly. Every "
                "interval is computed from published values alone, so it reveals nothing "
                "more. School groups: from the value and the smallest number of students who "
                "answered that the published values allow (Wilson for percentages; t with the "
                "widest spread the mean allows), never narrower than the exact interval. "
                "District groups: widened for students clustered in schools by the design "
                "effect measured from the published school totals, on the degrees of freedom "
                "of the schools the group is in (Korn-Graubard for percentages)."
            ),
        ),
        (
            "value_flag",
            _(
                "How to read value: exact (a number), bottom_coded (<=N), top_coded (>=N) or "
                "hidden (*); empty where there is nothing to estimate."
            ),
        ),
        (
            "value_bound",
            _(
                "N of a coded value: the most the value can be when bottom-coded, the least "
                "when top-coded; empty otherwise."
            ),
        ),
        (
            "reliability",
            _(
                "As on the report pages: caution where the interval is wide next to the value "
                "(relative standard error 30-50%), unreliable where it is too wide to use the "
                "value (above 50%); empty otherwise."
            ),
        ),
        (
            "dimension_label / group_label / indicator_label",
            _("The names the report pages show for the codes, in the export's language."),
        ),
    )


def policy_rows(policy: Mapping[str, Any], _: Translate) -> list[tuple[str, str]]:
    """A disclosure policy as one readable row per setting (a setting not known here as is)."""
    rows: list[tuple[str, str]] = []
    known = {"k", "tiers", "n_bands", "exact_n", "exact_n_dimensions", "mean_decimals"}
    if "k" in policy:
        k = int(policy["k"])
        rows.append(
            (
                "k",
                _("Smallest group shown: %(k)s students; groups of 1 to %(below)s are hidden.")
                % {"k": k, "below": k - 1},
            )
        )
    for tier in policy.get("tiers", ()):
        rows.append(
            (
                f"tier n>={tier['min_n']}",
                _(
                    "Groups of %(n)s students or more: percentages of %(low)s or less are "
                    "shown as <=%(low)s, of %(high)s or more as >=%(high)s."
                )
                % {"n": tier["min_n"], "low": tier["low"], "high": tier["high"]},
            )
        )
    if "n_bands" in policy:
        bands = ", ".join(
            f"{low}+" if high is None else f"{low}-{high}" for low, high in policy["n_bands"]
        )
        rows.append(
            ("n_bands", _("Respondents are counted in these bands: %(bands)s.") % {"bands": bands})
        )
    exact = tuple(policy.get("exact_n_dimensions", ()))
    if policy.get("exact_n"):
        rows.append(("exact_n", _("Respondents are counted exactly everywhere.")))
    elif exact:
        rows.append(
            (
                "exact_n_dimensions",
                _("Respondents are counted exactly for the district and by: %(dimensions)s.")
                % {"dimensions": ", ".join(exact)},
            )
        )
    if "mean_decimals" in policy:
        rows.append(
            (
                "mean_decimals",
                _("Decimal places shown in means: %(decimals)s.")
                % {"decimals": policy["mean_decimals"]},
            )
        )
    rows += [(key, _plain(value, _)) for key, value in policy.items() if key not in known]
    return rows


def _plain(value: object, _: Translate) -> str:
    """A setting's value as text: lists joined by commas, no JSON brackets or quotes."""
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v, _) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v, _)}" for k, v in value.items())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def codebook_rows(instrument: Instrument) -> list[tuple[str, str, str, str]]:
    """What every group and option value means: instrument, field, value, label."""
    rows = []
    for question in instrument.demographics:
        for option in question.options:
            if not option.prefer_not_to_say:
                rows.append((instrument.id, question.id, str(option.value), option.label))
        rows.append((instrument.id, question.id, "not_reported", "Prefer not to say, or skipped"))
    for item in instrument.items:
        rows.append((instrument.id, item.id, "", item.text))
        for answer in instrument.response_sets[item.response_set].options:
            rows.append((instrument.id, item.id, str(answer.value), answer.label))
    for scale in instrument.scales:
        rows.append((instrument.id, scale.id, "", scale.title))
    return rows


def methods_rows(
    releases: Sequence[YearRelease],
    generated_at: dt.datetime,
    school: str | None,
    _: Translate = _same,
) -> list[tuple[str, str]]:
    """The methods sheet: releases, instrument versions, policy, and how to read values."""
    rows = [
        ("generated_at", generated_at.isoformat(timespec="seconds")),
        ("scope", "district" if school is None else f"school {school} and the district"),
    ]
    for r in releases:
        rows += [
            ("release_id", r.release_id),
            (f"{r.release_id}: instrument", f"{r.instrument_id} version {r.instrument_version}"),
            (f"{r.release_id}: school year", str(r.year)),
            (f"{r.release_id}: protected_at", r.protected_at),
        ]
        rows += [
            (f"{r.release_id}: disclosure policy {key}", text)
            for key, text in policy_rows(r.policy, _)
        ]
        rows.append((f"{r.release_id}: policy sha256", r.policy_hash))
    rows += [(f"how to read {k}", v) for k, v in _reading(_)]
    return rows


class _Numbers(dict[str, Cell]):
    """A published text as a number cell where it is a plain number, else the text itself."""

    def __missing__(self, text: str) -> Cell:
        found = number(text)
        cell = self[text] = text if found is None else found
        return cell


def _cells(r: Statistic, extra: Extra, numbers: _Numbers | None = None) -> tuple[Cell, ...]:
    """One statistic as a sheet row: ``COLUMNS`` then ``EXTRA_COLUMNS``, numbers as numbers."""
    cell = (numbers if numbers is not None else _Numbers()).__getitem__
    flag, bound, *names = extra
    return (
        r.release_id,
        r.year,
        r.org_type,
        r.org_id,
        r.org_name,
        r.dimension,
        r.group,
        r.indicator,
        r.statistic,
        cell(r.value),
        cell(r.ci_low),
        cell(r.ci_high),
        cell(r.n_band),
        flag,
        cell(bound),
        *names,
    )


def write_xlsx(
    rows: Iterable[Statistic],
    path: Path,
    *,
    releases: Sequence[YearRelease],
    instruments: Sequence[Instrument],
    generated_at: dt.datetime,
    school: str | None = None,
    annotate: Annotator | None = None,
) -> int:
    """Write the rows on one sheet per dimension, then codebook and methods; return rows.

    Every data sheet is an Excel table (filter buttons on its header); a value, limit, n or
    bound that is a plain number is a number cell, every coded or hidden one stays text.
    """
    extra = annotate or Annotator(releases, {})
    # A zip file takes one part at a time, so each dimension's rows are gathered first.
    dimensions: dict[str, list[tuple[Cell, ...]]] = {}
    numbers = _Numbers()
    count = 0
    for r in rows:
        dimensions.setdefault(r.dimension, []).append(_cells(r, extra(r), numbers))
        count += 1
    with Spreadsheet(path) as book:
        for dimension, cells in dimensions.items():
            book.add_sheet(dimension, COLUMNS + EXTRA_COLUMNS, cells, table=True)
        book.add_sheet(
            "codebook",
            ("instrument", "field", "value", "label"),
            [line for instrument in instruments for line in codebook_rows(instrument)],
            table=True,
        )
        book.add_sheet(
            "methods",
            ("item", "value"),
            methods_rows(releases, generated_at, school, extra.reading.gettext),
        )
    return count
