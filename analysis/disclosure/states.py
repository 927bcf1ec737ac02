"""Earlier states of a release's data: checked to nest, and laid out as one release.

Respondents are only ever added to a year's data, so each earlier state is part
of the next and of the new data: every cell's n and counts only grow, and what
was added (the difference) is itself a group of respondents, its scale sums
within the scale's range. :func:`nested_states` checks this and merges earlier
releases of the same data into one state; :func:`combined_release` lays the
states, their differences and the new data out as one release, with one
edition dimension per state (categories ``before`` and ``change``):

- ``key``: the new data;
- ``(edition_t=before, key)``: state t; ``(edition_t=change, key)``: new - state t;
- with several states, one table per pair ``i < j`` whose cells are
  ``(before, before)`` = state i, ``(change, before)`` = state j - state i,
  ``(change, change)`` = new - state j, and ``(before, change)`` = nothing,
  so that every state, every difference of two states and every difference from
  the new data is a cell, and the relations say that each state holds the one
  before it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.disclosure.cells import (
    Cell,
    CellKey,
    Dimension,
    Release,
    Structure,
    Table,
    quantity_name,
)

__all__ = [
    "BEFORE",
    "CHANGE",
    "EDITION",
    "NestingError",
    "Role",
    "Shape",
    "State",
    "combined_release",
    "edition_names",
    "is_edition",
    "nested_states",
]

EDITION = "edition"
BEFORE = "before"
CHANGE = "change"

# What a cell of the combined release holds.
MARGIN = "margin"  # the new data: the cells published now
STATE = "state"  # an earlier state
CHANGED = "change"  # what was added between two states, or since one
ZERO = "zero"  # empty by construction, and known to be


class NestingError(ValueError):
    """An earlier release's data are not part of the new data: responses were removed or
    changed since it was published."""


def edition_names(states: int) -> tuple[str, ...]:
    """Names of the edition dimensions for ``states`` earlier states of the data.

    Examples
    --------
    >>> edition_names(1)
    ('edition',)
    >>> edition_names(2)
    ('edition1', 'edition2')
    """
    if states == 1:
        return (EDITION,)
    return tuple(f"{EDITION}{t}" for t in range(1, states + 1))


def is_edition(dimension: str) -> bool:
    """Whether a dimension name is one of the edition dimensions.

    Examples
    --------
    >>> is_edition("edition2"), is_edition("school")
    (True, False)
    """
    return dimension == EDITION or (
        dimension.startswith(EDITION) and dimension[len(EDITION) :].isdigit()
    )


def show(key: CellKey) -> str:
    """A cell key as people read it.

    Examples
    --------
    >>> show((("school", "A"), ("grade", "3"))), show(())
    ('(school=A, grade=3)', '(all)')
    """
    return "(" + ", ".join(f"{d}={c}" for d, c in key) + ")" if key else "(all)"


@dataclass(frozen=True)
class Data:
    """One cell's sufficient statistics, every item and scale present."""

    n: int
    counts: Mapping[str, tuple[int, ...]]
    sums: Mapping[str, tuple[float, float]]


class Shape:
    """The new release's dimensions, items and scales: what every state's data must fit."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.order = {d.name: i for i, d in enumerate(release.dimensions)}
        self.categories = {d.name: set(d.groups) for d in release.dimensions}
        clash = [d for d in self.order if is_edition(d)]
        if clash:
            raise ValueError(f"dimension {clash[0]!r}: the name is kept for editions")
        self.zero = Data(
            0,
            {i.name: (0,) * len(i.options) for i in release.items},
            {s.name: (0.0, 0.0) for s in release.scales},
        )
        self.scored = {
            s.name: next(
                (
                    (i.name, i.options.index(i.missing))
                    for i in release.items
                    if i.name == s.item and i.missing is not None
                ),
                None,
            )
            for s in release.scales
        }

    def key(self, key: Sequence[tuple[str, str]], what: str) -> CellKey:
        """``key`` in the release's dimension order; ValueError naming ``what`` if it does
        not fit."""
        for d, c in key:
            if d not in self.order:
                raise ValueError(f"{what}: cell key names unknown dimension {d!r}")
            if c not in self.categories[d]:
                raise NestingError(
                    f"{what}: its data are not part of the new data: cell {show(tuple(key))} "
                    f"names {d}={c}, which the new data do not have"
                )
        return tuple(sorted(key, key=lambda p: self.order[p[0]]))

    def data(self, cells: Sequence[Cell], what: str) -> dict[CellKey, Data]:
        """Every cell's statistics by canonical key."""
        found: dict[CellKey, Data] = {}
        for cell in cells:
            key = self.key(cell.key, what)
            if key in found:
                raise ValueError(f"{what}: cell {show(key)} is given twice")
            counts: dict[str, tuple[int, ...]] = {}
            for item in self.release.items:
                values = cell.counts.get(item.name)
                if values is None and cell.n:
                    raise ValueError(f"{what}: cell {show(key)} has no counts of {item.name!r}")
                values = values if values is not None else (0,) * len(item.options)
                if len(values) != len(item.options):
                    raise ValueError(
                        f"{what}: cell {show(key)}: item {item.name!r} needs one count per option"
                    )
                counts[item.name] = tuple(int(v) for v in values)
            sums: dict[str, tuple[float, float]] = {}
            for scale in self.release.scales:
                pair = cell.sums.get(scale.name)
                if pair is None and cell.n:
                    raise ValueError(f"{what}: cell {show(key)} has no sums of {scale.name!r}")
                sums[scale.name] = (0.0, 0.0) if pair is None else (float(pair[0]), float(pair[1]))
            found[key] = Data(int(cell.n), counts, sums)
        return found

    def minus(self, after: Data, before: Data, key: CellKey, what: str | None = None) -> Data:
        """``after - before``: what was added. With ``what``, refuse a difference that is
        not a group of respondents (something was removed or changed)."""

        def refuse(quantity: str, low: object, high: object) -> None:
            if what is not None:
                raise NestingError(
                    f"{what}: its data are not part of the new data: in cell {show(key)}, "
                    f"{quantity} went from {low} to {high}; responses were removed or changed "
                    "since it was published"
                )

        n = after.n - before.n
        if n < 0:
            refuse("n", before.n, after.n)
        counts: dict[str, tuple[int, ...]] = {}
        for item in self.release.items:
            now, then = after.counts[item.name], before.counts[item.name]
            counts[item.name] = tuple(x - y for x, y in zip(now, then, strict=True))
            for option, x, y in zip(item.options, now, then, strict=True):
                if x < y:
                    refuse(f"the count of {quantity_name(item.name, option)!r}", y, x)
        sums: dict[str, tuple[float, float]] = {}
        for scale in self.release.scales:
            (a, a2), (b, b2) = after.sums[scale.name], before.sums[scale.name]
            total, squares = a - b, a2 - b2
            scored = n
            unscored = self.scored[scale.name]
            if unscored is not None:
                scored -= counts[unscored[0]][unscored[1]]
            # Sums added up in another order differ in their last digits.
            tol = 1e-9 * (1.0 + abs(a) + abs(b))
            tol2 = 1e-9 * (1.0 + abs(a2) + abs(b2))
            if scored == 0:
                if abs(total) > tol or abs(squares) > tol2:
                    refuse(f"the sum of {scale.name!r}", b, a)
                total = squares = 0.0
            elif not (
                scale.low * scored - tol <= total <= scale.high * scored + tol and squares > -tol2
            ):
                refuse(f"the sum of {scale.name!r}", b, a)
            sums[scale.name] = (total, squares)
        return Data(n, counts, sums)

    def same(self, a: Mapping[CellKey, Data], b: Mapping[CellKey, Data]) -> bool:
        """Whether two states hold the same data (sums to their last digits)."""
        for key in a.keys() | b.keys():
            x, y = a.get(key, self.zero), b.get(key, self.zero)
            if x.n != y.n or x.counts != y.counts:
                return False
            for name, pair in x.sums.items():
                for s, t in zip(pair, y.sums[name], strict=True):
                    if abs(s - t) > 1e-9 * (1.0 + abs(s) + abs(t)):
                        return False
        return True


@dataclass(frozen=True)
class State:
    """One earlier state of the data: the releases made of it (by position), and the
    categories one of them did not have (its cells there were empty, and known to be)."""

    data: dict[CellKey, Data]
    members: tuple[int, ...]
    missing: frozenset[tuple[str, str]]


def nested_states(
    shape: Shape,
    earlier: Sequence[tuple[str, Sequence[Cell], Sequence[Dimension]]],
    new: Mapping[CellKey, Data],
) -> tuple[list[State], tuple[int, ...]]:
    """Distinct earlier states, oldest first, and the releases made of exactly the new data.

    ``earlier`` gives each release's id, cells and dimensions (empty: the new data's),
    oldest first. ValueError when a release's data are not part of the next one's.
    """
    states: list[State] = []
    for at, (release, cells, dimensions) in enumerate(earlier):
        what = f"release {release!r}"
        data = shape.data(cells, what)
        had = {d.name: set(d.groups) for d in dimensions}
        for key in data:
            for d, c in key:
                if d in had and c not in had[d]:
                    raise ValueError(f"{what}: cell {show(key)} names {d}={c}, not among its own")
        missing = frozenset(
            (d, c) for d, cats in shape.categories.items() if d in had for c in cats - had[d]
        )
        if states and shape.same(states[-1].data, data):
            last = states[-1]
            states[-1] = State(last.data, (*last.members, at), last.missing | missing)
            continue
        if states:
            _check(shape, states[-1].data, data, f"release {earlier[states[-1].members[-1]][0]!r}")
        states.append(State(data, (at,), missing))
    if not states:
        return [], ()
    _check(shape, states[-1].data, new, f"release {earlier[states[-1].members[-1]][0]!r}")
    if shape.same(states[-1].data, new):
        return states[:-1], states[-1].members
    return states, ()


def _check(
    shape: Shape, before: Mapping[CellKey, Data], after: Mapping[CellKey, Data], what: str
) -> None:
    # The most detailed cell first: it says best where the responses went.
    for key in sorted(before.keys() | after.keys(), key=lambda k: (-len(k), k)):
        shape.minus(after.get(key, shape.zero), before.get(key, shape.zero), key, what)


@dataclass(frozen=True)
class Role:
    """What a cell of the combined release holds: its kind, the new release's cell it is of,
    the state it belongs to, and whether it is the one cell audited for that value (the
    others hold the same data again)."""

    kind: str
    base: CellKey
    state: int = -1
    canonical: bool = True


def combined_release(
    shape: Shape, base: Structure, states: Sequence[State], new: Mapping[CellKey, Data]
) -> tuple[Release, dict[CellKey, Role]]:
    """The release of every state, every difference and the new data, and each cell's role."""
    release = shape.release
    names = edition_names(len(states))
    dims = (*(Dimension(n, (BEFORE, CHANGE)) for n in names), *release.dimensions)
    pairs = list(itertools.combinations(range(len(states)), 2))
    if len(states) == 1:
        tables = tuple(Table(t.name, (names[0], *t.dimensions)) for t in release.tables)
    else:
        tables = tuple(
            Table(f"{t.name} {names[i]} {names[j]}", (names[i], names[j], *t.dimensions))
            for t in release.tables
            for i, j in pairs
        )
    cells: list[Cell] = []
    roles: dict[CellKey, Role] = {}

    def put(key: CellKey, role: Role, data: Data | None) -> None:
        roles[key] = role
        if data is not None and data.n:
            cells.append(Cell(key, data.n, dict(data.counts), dict(data.sums)))

    for k in base.keys:
        now = new.get(k, shape.zero)
        then = [s.data.get(k, shape.zero) for s in states]
        # A cell naming a category an earlier release did not have was empty in it.
        absent = [any(p in s.missing for p in k) for s in states]
        put(k, Role(MARGIN, k), now)
        for t, name in enumerate(names):
            put(((name, BEFORE), *k), Role(ZERO if absent[t] else STATE, k, t), then[t])
            put(((name, CHANGE), *k), Role(CHANGED, k, t), shape.minus(now, then[t], k))
        for i, j in pairs:
            a, b = names[i], names[j]
            copy = Role(ZERO if absent[i] else STATE, k, i, canonical=False)
            put(((a, BEFORE), (b, BEFORE), *k), copy, then[i])
            put(((a, BEFORE), (b, CHANGE), *k), Role(ZERO, k), None)
            added = Role(ZERO if absent[j] else CHANGED, k, j)
            put(((a, CHANGE), (b, BEFORE), *k), added, shape.minus(then[j], then[i], k))
            again = Role(CHANGED, k, j, canonical=False)
            put(((a, CHANGE), (b, CHANGE), *k), again, shape.minus(now, then[j], k))
    return Release(dims, tables, tuple(cells), release.items, release.scales), roles
