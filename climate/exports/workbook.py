"""The XLSX export: one sheet per dimension with the tidy columns, a codebook and methods."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec

from analysis.disclosure import HIDDEN
from climate.exports.spreadsheet import Spreadsheet
from climate.instruments import Instrument
from climate.release.result import COLUMNS, Statistic, YearRelease

READING = (
    (
        HIDDEN,
        "Hidden to protect students' privacy: the group is too small, or the value "
        "would let someone work out a hidden one. Every hidden value has this one mark.",
    ),
    (
        "<=N",
        "Shown only as 'N percent or less' (bottom-coded), so that no count of 0, 1 or 2 "
        "students is shown; N depends on the group's size.",
    ),
    (">=N", "Shown only as 'N percent or more' (top-coded), for the same reason."),
    (
        "n_band",
        "Respondents in the group: exactly for the district, each district group and each "
        "whole school; in bands (10-19, 20-39, 40-99, 100-299, 300+) for groups within a "
        "school. * for a hidden group, or <10 where the published numbers already show "
        "that it has fewer than 10 students (a * group may be small, or hidden to protect "
        "another group).",
    ),
    ("percent", "Of the students who answered the item (skips are not counted)."),
    ("percent_favorable / percent_elevated", "Of the students with a scale score."),
    ("mean", "Mean scale score of the students with a score, one decimal."),
    (
        "alpha",
        "Cronbach's alpha of a scale, district rows only: over the district's students who "
        "answered every item of the scale (n_band counts them), two decimals; ci_low and "
        "ci_high are Feldt's 95% limits from the lower end of that band, so never narrower "
        "than the exact ones.",
    ),
    (
        "ci_low / ci_high",
        "95% confidence interval, shown only beside a value shown exactly. "
        "Every interval is computed from published values alone, so it reveals nothing "
        "more. School groups: from the value and the smallest number of students who "
        "answered that the published values allow (Wilson for percentages; t with the "
        "widest spread the mean allows), never narrower than the exact interval. District "
        "groups: widened for students clustered in schools by the design effect measured "
        "from the published school totals, on the degrees of freedom of the schools the "
        "group is in (Korn-Graubard for percentages).",
    ),
)


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
    releases: Sequence[YearRelease], generated_at: dt.datetime, school: str | None
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
            (f"{r.release_id}: disclosure policy", json.dumps(r.policy, sort_keys=True)),
            (f"{r.release_id}: policy sha256", r.policy_hash),
        ]
    rows += [(f"how to read {k}", v) for k, v in READING]
    return rows


def _cells(r: Statistic) -> tuple[str | int, ...]:
    """One statistic as a sheet row, in the order of ``COLUMNS`` (its fields' order)."""
    return msgspec.structs.astuple(r)


def write_xlsx(
    rows: Iterable[Statistic],
    path: Path,
    *,
    releases: Sequence[YearRelease],
    instruments: Sequence[Instrument],
    generated_at: dt.datetime,
    school: str | None = None,
) -> int:
    """Write the rows on one sheet per dimension, then codebook and methods; return rows."""
    # A zip file takes one part at a time, so each dimension's rows are gathered first.
    dimensions: dict[str, list[Statistic]] = {}
    count = 0
    for r in rows:
        dimensions.setdefault(r.dimension, []).append(r)
        count += 1
    with Spreadsheet(path) as book:
        for dimension, statistics in dimensions.items():
            book.add_sheet(dimension, COLUMNS, map(_cells, statistics))
        book.add_sheet(
            "codebook",
            ("instrument", "field", "value", "label"),
            [line for instrument in instruments for line in codebook_rows(instrument)],
        )
        book.add_sheet("methods", ("item", "value"), methods_rows(releases, generated_at, school))
    return count
