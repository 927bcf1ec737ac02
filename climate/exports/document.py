"""The JSON export: the same statistics as the CSV, with the releases and a JSON Schema.

The added fields follow the fixed ones in every row and in the schema, so a reader of the
fixed fields keeps working; ``value_bound`` is a number (or null), as the values it bounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from analysis.disclosure import HIDDEN
from climate.exports.reading import EXTRA_COLUMNS, Annotator, number
from climate.release.result import COLUMNS, Statistic, YearRelease


class ReleaseInfo(msgspec.Struct, frozen=True):
    """One release in the export: what it covers and under which policy it was protected."""

    release_id: str
    instrument_id: str
    instrument_version: str
    year: int
    protected_at: str
    policy: dict[str, Any]
    policy_hash: str


class Row(msgspec.Struct, frozen=True):
    """One published statistic (the CSV's columns, by name)."""

    release_id: str
    year: int
    org_type: str
    org_id: str
    org_name: str
    dimension: str
    group: str
    indicator: str
    statistic: str
    value: str
    ci_low: str
    ci_high: str
    n_band: str
    value_flag: str
    value_bound: int | float | None
    reliability: str
    dimension_label: str
    group_label: str
    indicator_label: str


class ExportDocument(msgspec.Struct, frozen=True):
    """A whole export: when it was made, its releases, how to read it, and its rows."""

    generated_at: str
    scope: str
    columns: tuple[str, ...]
    hidden_symbol: str
    releases: tuple[ReleaseInfo, ...]
    rows: tuple[Row, ...]
    language: str = "en"
    years: tuple[int, ...] = ()


def json_schema() -> dict[str, Any]:
    """The JSON Schema of an export document."""
    return msgspec.json.schema(ExportDocument)


def _row(r: Statistic, annotate: Annotator) -> Row:
    flag, bound, *names = annotate(r)
    fields: tuple[Any, ...] = (*msgspec.structs.astuple(r), flag, number(bound), *names)
    return Row(*fields)


def write_json(
    rows: Iterable[Statistic],
    path: Path,
    *,
    releases: Sequence[YearRelease],
    generated_at: dt.datetime,
    school: str | None = None,
    annotate: Annotator | None = None,
) -> int:
    """Write the document, and its schema beside it as ``<name>.schema.json``; return rows."""
    extra = annotate or Annotator(releases, {})
    document = ExportDocument(
        generated_at=generated_at.isoformat(timespec="seconds"),
        scope="district" if school is None else f"school:{school}",
        columns=COLUMNS + EXTRA_COLUMNS,
        hidden_symbol=HIDDEN,
        releases=tuple(
            ReleaseInfo(
                r.release_id,
                r.instrument_id,
                r.instrument_version,
                r.year,
                r.protected_at,
                r.policy,
                r.policy_hash,
            )
            for r in releases
        ),
        rows=tuple(_row(r, extra) for r in rows),
        language=extra.reading.lang,
        years=tuple(sorted({r.year for r in releases})),
    )
    path.write_bytes(msgspec.json.encode(document))
    schema = path.with_name(path.stem + ".schema.json")
    schema.write_bytes(msgspec.json.format(msgspec.json.encode(json_schema()), indent=2))
    return len(document.rows)
