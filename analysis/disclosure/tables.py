"""Tidy-table front end: one row per cell, margins marked by a total label."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.disclosure.cells import Cell, CellKey, Dimension, Item, Release, Table
from analysis.disclosure.ledger import Ledger
from analysis.disclosure.loss import Loss, measure_loss
from analysis.disclosure.policy import HIDDEN, Policy
from analysis.disclosure.publish import AuditReport, protect

__all__ = ["TidyResult", "protect_tidy"]


@dataclass(frozen=True)
class TidyResult:
    """Protected rows in input order (same columns), the audit report, ledger and loss."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    report: AuditReport
    ledger: Ledger
    loss: Loss


def protect_tidy(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    dims: Sequence[str],
    total_label: str,
    policy: Policy | None = None,
    *,
    release_id: str = "release",
    ledger: Ledger | None = None,
    first_line: int = 2,
) -> TidyResult:
    """Protect a tidy table: columns ``dims``, ``n`` and count columns.

    A row whose value in a dimension is ``total_label`` is the margin over
    that dimension. Every margin must be present and add up. Errors raise
    ValueError naming the line (``first_line`` is the line of ``rows[0]``).

    Examples
    --------
    >>> header = ["grade", "n", "unsafe"]
    >>> rows = [["9", "4", "1"], ["10", "26", "5"], ["11", "30", "6"], ["Total", "60", "12"]]
    >>> result = protect_tidy(header, rows, ["grade"], "Total")
    >>> [row[1:] for row in result.rows]
    [('*', '*'), ('*', '*'), ('20-39', '20%'), ('40-99', '20%')]
    """
    policy = policy or Policy()
    header = tuple(header)
    missing = [d for d in (*dims, "n") if d not in header]
    if missing:
        raise ValueError(f"line 1: no column named {missing[0]!r}")
    if len(set(header)) != len(header):
        raise ValueError("line 1: repeated column names")
    if len(set(dims)) != len(dims) or not dims:
        raise ValueError("dims: name each dimension once")
    counts = [h for h in header if h not in dims and h != "n"]
    dim_at = [header.index(d) for d in dims]
    n_at = header.index("n")
    count_at = [header.index(c) for c in counts]
    categories: dict[str, list[str]] = {d: [] for d in dims}
    parsed: dict[CellKey, tuple[int, int, tuple[int, ...]]] = {}
    for offset, row in enumerate(rows):
        line = first_line + offset
        if len(row) != len(header):
            raise ValueError(f"line {line}: expected {len(header)} fields, got {len(row)}")
        key_parts = []
        for d, at in zip(dims, dim_at, strict=True):
            value = row[at].strip()
            if not value:
                raise ValueError(f"line {line}: empty value in column {d!r}")
            if value != total_label:
                if value not in categories[d]:
                    categories[d].append(value)
                key_parts.append((d, value))
        key: CellKey = tuple(key_parts)
        if key in parsed:
            raise ValueError(f"line {line}: repeats the row of line {parsed[key][0]}")
        n = _integer(row[n_at], "n", line)
        values = tuple(_integer(row[at], c, line) for c, at in zip(counts, count_at, strict=True))
        for c, v in zip(counts, values, strict=True):
            if v > n:
                raise ValueError(f"line {line}: count {c!r} = {v} is above n = {n}")
        parsed[key] = (line, n, values)
    _check_margins(parsed, dims, categories, total_label)
    dimensions = tuple(Dimension(d, tuple(categories[d])) for d in dims)
    cells = tuple(
        Cell(key, n, {c: (v,) for c, v in zip(counts, values, strict=True)})
        for key, (_, n, values) in parsed.items()
    )
    release = Release(
        dimensions,
        (Table("table", tuple(dims)),),
        cells,
        items=tuple(Item(c, sensitive=("",)) for c in counts),
    )
    result = protect(release, policy, release_id=release_id, ledger=ledger)
    index = result.structure.index
    order = {d: i for i, d in enumerate(dims)}
    out_rows = []
    for row in rows:
        key = tuple(
            sorted(
                (
                    (d, row[at].strip())
                    for d, at in zip(dims, dim_at, strict=True)
                    if row[at].strip() != total_label
                ),
                key=lambda p: order[p[0]],
            )
        )
        at_cell = index[key]
        fields = list(row)
        fields[n_at] = result.codes.n[at_cell]
        for name, at in zip(counts, count_at, strict=True):
            code = result.codes.counts[name][at_cell]
            fields[at] = code if result.codes.n[at_cell] != HIDDEN else HIDDEN
        out_rows.append(tuple(fields))
    return TidyResult(header, tuple(out_rows), result.report, result.ledger, measure_loss(result))


def _integer(text: str, column: str, line: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"line {line}: {column!r} is not a whole number: {text!r}") from None
    if value < 0:
        raise ValueError(f"line {line}: {column!r} must not be negative")
    return value


def _check_margins(
    parsed: Mapping[CellKey, tuple[int, int, tuple[int, ...]]],
    dims: Sequence[str],
    categories: Mapping[str, Sequence[str]],
    total_label: str,
) -> None:
    choices = [[None, *categories[d]] for d in dims]
    for combo in itertools.product(*choices):
        key = tuple((d, c) for d, c in zip(dims, combo, strict=True) if c is not None)
        if len(key) == len(dims) or key in parsed:
            continue
        shown = ", ".join(
            f"{d}={c if c is not None else total_label}" for d, c in zip(dims, combo, strict=True)
        )
        raise ValueError(f"missing margin row ({shown})")
    for key, (line, n, values) in parsed.items():
        fixed = {d for d, _ in key}
        for d in dims:
            if d in fixed:
                continue
            order = {name: i for i, name in enumerate(dims)}
            parts = [
                parsed.get(tuple(sorted((*key, (d, c)), key=lambda p: order[p[0]])))
                for c in categories[d]
            ]
            total_n = sum(p[1] for p in parts if p is not None)
            if total_n != n:
                raise ValueError(
                    f"line {line}: n = {n} but its rows over {d!r} add up to {total_n}"
                )
            for j, value in enumerate(values):
                total = sum(p[2][j] for p in parts if p is not None)
                if total != value:
                    raise ValueError(
                        f"line {line}: count column {j + 1} = {value} but its rows over "
                        f"{d!r} add up to {total}"
                    )
