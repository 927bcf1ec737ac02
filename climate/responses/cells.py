"""Responses reduced to cells of sufficient statistics by SQL ``GROUP BY``.

A cell is one school x one category of one dimension (``all``, ``grade`` or a demographic)
in one administration. It holds the number of respondents, the count of each option of
each item, and per scale the number scored, the sum and sum of squares of scores and the
number at or above the scale's cut-point (favorable or elevated). Only cells cross into
Python; district cells are sums of school cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from climate.instruments import Instrument
from climate.models import response
from climate.responses.layout import GRADE, Layout

ALL = "all"
NOT_REPORTED = None  # the category of students who preferred not to say or skipped


@dataclass(frozen=True, slots=True)
class ScaleSums:
    """Per cell: respondents scored, sum and sum of squares of scores, and at the cut-point."""

    scored: np.ndarray
    total: np.ndarray
    squares: np.ndarray
    flagged: np.ndarray


@dataclass(frozen=True, slots=True)
class Cells:
    """All cells of one dimension of one administration, one row per school x category."""

    administration_id: int
    dimension: str
    schools: tuple[str, ...]
    categories: tuple[int | None, ...]
    n: np.ndarray
    options: dict[str, dict[int, np.ndarray]]
    scales: dict[str, ScaleSums]

    def __len__(self) -> int:
        return len(self.schools)


def dimensions(instrument: Instrument) -> tuple[str, ...]:
    """The fixed catalogue of dimensions for an instrument: all students, then demographics."""
    return (ALL, *(d.id for d in instrument.demographics))


def _category_column(
    instrument: Instrument, layout: Layout, dimension: str
) -> ColumnElement[int | None]:
    column = response.c[GRADE] if dimension == GRADE else response.c[layout.demographics[dimension]]
    question = next(d for d in instrument.demographics if d.id == dimension)
    prefer = [o.value for o in question.options if o.prefer_not_to_say]
    # "Prefer not to say" and a skipped question are one category: not reported.
    return case((column.in_(prefer), None), else_=column)


async def fetch_cells(
    conn: AsyncConnection, administration_id: int, instrument: Instrument, dimension: str
) -> Cells:
    """Count one administration's responses by school and ``dimension`` in the database."""
    layout = Layout.of(instrument)
    keys: list[ColumnElement[Any]] = [response.c.school_id]
    if dimension != ALL:
        keys.append(_category_column(instrument, layout, dimension).label("category"))
    measures: list[ColumnElement[int] | ColumnElement[float]] = [func.count().label("n")]
    option_keys: list[tuple[str, int]] = []
    for item in instrument.items:
        column = response.c[layout.items[item.id]]
        for option in instrument.response_sets[item.response_set].options:
            # FILTER steps an aggregate only for the rows that match, one option of each
            # item per row, where SUM(CASE ...) steps every option's sum for every row.
            measures.append(func.count().filter(column == option.value))
            option_keys.append((item.id, option.value))
    for scale in instrument.scales:
        column = response.c[layout.scales[scale.id]]
        cut = scale.favorable_at if scale.favorable_at is not None else scale.elevated_at
        measures += [
            func.count(column),
            func.coalesce(func.sum(column), 0.0),
            func.coalesce(func.sum(column * column), 0.0),
            func.count().filter(column >= cut),
        ]
    query = (
        select(*keys, *measures)
        .where(response.c.administration_id == administration_id)
        .group_by(*keys)
    )
    width = len(keys)
    # Sorted here, not in SQL: the two databases place NULL categories differently.
    rows = sorted(
        (await conn.execute(query)).all(),
        key=lambda r: (str(r[0]), width > 1 and r[1] is None, 0 if width == 1 else r[1] or 0),
    )
    schools = tuple(str(r[0]) for r in rows)
    categories = tuple(None if width == 1 or r[1] is None else int(r[1]) for r in rows)
    values = np.array([[float(v or 0) for v in r[width:]] for r in rows]).reshape(len(rows), -1)
    n = values[:, 0].astype(np.int64)
    options: dict[str, dict[int, np.ndarray]] = {}
    for index, (item_id, value) in enumerate(option_keys, start=1):
        options.setdefault(item_id, {})[value] = values[:, index].astype(np.int64)
    scales: dict[str, ScaleSums] = {}
    base = 1 + len(option_keys)
    for offset, scale in enumerate(instrument.scales):
        start = base + 4 * offset
        scales[scale.id] = ScaleSums(
            scored=values[:, start].astype(np.int64),
            total=_exact(values[:, start + 1], _denominator(len(scale.items))),
            squares=_exact(values[:, start + 2], _denominator(len(scale.items)) ** 2),
            flagged=values[:, start + 3].astype(np.int64),
        )
    return Cells(administration_id, dimension, schools, categories, n, options, scales)


def _denominator(items: int) -> int:
    """A number that every score of a scale of ``items`` items times is a whole number.

    A score is a whole number of points over the items answered (times ``items`` when the
    scale is a prorated sum), so ``lcm(1, ..., items)`` clears every denominator.
    """
    return math.lcm(*range(1, items + 1))


def _exact(sums: np.ndarray, denominator: int) -> np.ndarray:
    """``sums`` of scores as the exact fractions they stand for, to the nearest double.

    Each database adds the stored scores in its own order (SQLite with compensated
    summation), so the same rows can sum to doubles a few units in the last place apart,
    and a mean of 1.75 can then print as 1.7 on one and 1.8 on the other. The true sum is
    a whole number over ``denominator``, and the two differ by far less than half of one
    step, so rounding to the step gives both databases the same number. Sums too large for
    a double to hold that many steps exactly are left as they are.
    """
    steps = sums * denominator
    exact = np.abs(steps) < 2.0**50
    return np.where(exact, np.round(steps) / denominator, sums)


@dataclass(frozen=True, slots=True)
class ScaleMoments:
    """One scale's answers over the respondents who answered all its items, for alpha."""

    n: int
    sums: np.ndarray
    products: np.ndarray
    reverse: tuple[bool, ...]


async def fetch_scale_moments(
    conn: AsyncConnection, administration_id: int, instrument: Instrument
) -> dict[str, ScaleMoments]:
    """Per scale, the district's complete respondents, item sums and sums of products."""
    layout = Layout.of(instrument)
    measures: list[ColumnElement[Any]] = []
    for scale in instrument.scales:
        columns = [response.c[layout.items[item]] for item in scale.items]
        complete = and_(*(c.is_not(None) for c in columns))
        measures.append(func.count().filter(complete))
        measures += [func.coalesce(func.sum(c).filter(complete), 0) for c in columns]
        measures += [
            func.coalesce(func.sum(a * b).filter(complete), 0)
            for i, a in enumerate(columns)
            for b in columns[i:]
        ]
    if not measures:
        return {}
    row = (
        await conn.execute(
            select(*measures).where(response.c.administration_id == administration_id)
        )
    ).one()
    values = [int(v or 0) for v in row]
    found: dict[str, ScaleMoments] = {}
    at = 0
    for scale in instrument.scales:
        k = len(scale.items)
        n, sums = values[at], np.array(values[at + 1 : at + 1 + k], dtype=float)
        upper = values[at + 1 + k : at + 1 + k + k * (k + 1) // 2]
        at += 1 + k + k * (k + 1) // 2
        products = np.zeros((k, k))
        products[np.triu_indices(k)] = upper
        products = products + np.triu(products, 1).T
        reverse = tuple(item in scale.reverse for item in scale.items)
        found[scale.id] = ScaleMoments(n, sums, products, reverse)
    return found
