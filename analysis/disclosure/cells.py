"""The release model: dimensions, items, cells, tables and their relations.

A cell is keyed by the categories it fixes, one per dimension; a dimension
missing from the key is summed over (the dimension's total). Every table of a
release spans the lattice of its dimensions (each dimension at one of its
categories or at its total), and tables share cells, so ``school=A`` in a
``school x grade`` table is the same cell as ``school=A`` in a ``school x sex``
table and has one status everywhere.

A dimension's combined groups (a recode before suppression) are categories of
their own, each the total of a relation ``combined = sum(members)`` and a part
of the recoded margin ``total = combined + other categories``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from analysis.disclosure.recodes import check_combined, recoded_margins

__all__ = [
    "Cell",
    "CellKey",
    "Dimension",
    "Item",
    "Release",
    "Scale",
    "Structure",
    "Table",
    "answered_name",
    "mean_name",
    "quantity_name",
]

CellKey = tuple[tuple[str, str], ...]
"""A cell key: ``(dimension, category)`` pairs in the release's dimension order."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def quantity_name(item: str, option: str) -> str:
    """Name of the count of one answer option of one item.

    Examples
    --------
    >>> quantity_name("unsafe", "")
    'unsafe'
    >>> quantity_name("mood", "low")
    'mood=low'
    """
    return item if option == "" else f"{item}={option}"


def mean_name(scale: str) -> str:
    """Name of a scale's published mean among the release's values.

    Examples
    --------
    >>> mean_name("conn")
    'mean:conn'
    """
    return f"mean:{scale}"


def answered_name(item: str) -> str:
    """Name of the band of those who answered an item among the release's values.

    Examples
    --------
    >>> answered_name("mood")
    'answered:mood'
    """
    return f"answered:{item}"


@dataclass(frozen=True)
class Dimension:
    """A subgroup dimension (school, grade, year, ...) and its categories.

    ``combined`` lists ``(name, members)`` pairs: groups of two or more
    categories published together as a category of their own, each category
    in one group at most. Their cells are given like any other (the caller
    adds up the members), and the structure checks that they add up.

    Examples
    --------
    >>> Dimension("sex", ("F", "M")).categories
    ('F', 'M')
    >>> Dimension("grade", ("10", "11", "12"), combined=(("11+12", ("11", "12")),)).groups
    ('10', '11', '12', '11+12')
    """

    name: str
    categories: tuple[str, ...]
    combined: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("Dimension name must not be empty")
        if not self.categories:
            raise ValueError(f"Dimension {self.name!r} has no categories")
        if len(set(self.categories)) != len(self.categories):
            raise ValueError(f"Dimension {self.name!r} has repeated categories")
        check_combined(self.name, self.categories, self.combined)

    @property
    def groups(self) -> tuple[str, ...]:
        """Every category a cell key may name: the categories, then the combined groups."""
        return (*self.categories, *(name for name, _ in self.combined))


@dataclass(frozen=True)
class Item:
    """A survey item whose answer counts are published as percentages.

    ``options`` are the answer options counted (``("",)`` for a yes/no count);
    ``sensitive`` lists the options whose counts the audit protects.

    ``missing`` names the option that counts respondents who skipped the
    item. Its count is part of the cell and of the relations, but it is
    never published (its code is ``""``: not a statistic of the release,
    rather than a suppressed one), and the other options' percentages are
    of the students who answered: ``count / (n - missing)``, tier-coded by
    that denominator. A denominator of 1 to k-1 is hidden like a small group.

    Examples
    --------
    >>> Item("unsafe", sensitive=("",)).options
    ('',)
    >>> Item("mood", ("low", "ok", "skipped"), ("low",), missing="skipped").answered
    ('low', 'ok')
    """

    name: str
    options: tuple[str, ...] = ("",)
    sensitive: tuple[str, ...] = ()
    missing: str | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("Item name must not be empty")
        if not self.options or len(set(self.options)) != len(self.options):
            raise ValueError(f"Item {self.name!r} needs distinct options")
        unknown = set(self.sensitive) - set(self.options)
        if unknown:
            raise ValueError(f"Item {self.name!r}: sensitive options {sorted(unknown)} unknown")
        if self.missing is not None:
            if self.missing not in self.options:
                raise ValueError(f"Item {self.name!r}: missing option {self.missing!r} unknown")
            if self.missing in self.sensitive:
                raise ValueError(
                    f"Item {self.name!r}: missing option {self.missing!r} cannot be sensitive"
                )
            if len(self.options) < 2:
                raise ValueError(f"Item {self.name!r}: needs an option besides the missing one")

    @property
    def answered(self) -> tuple[str, ...]:
        """The options whose percentages are published (all but the missing one)."""
        return tuple(o for o in self.options if o != self.missing)


@dataclass(frozen=True)
class Scale:
    """A scale score whose mean is published, with the ends of its range.

    When ``item`` names an item of the release, the mean is over the
    respondents scored: ``sum / (n - missing count of that item)``. With a
    ``cut`` as well, that item's first answered option counts the scores at
    or above the cut and its second the scores below it, so the audit can
    tie the mean to those counts.

    Examples
    --------
    >>> Scale("wellbeing", 0, 25).high
    25
    >>> Scale("conn", 1, 4, item="conn:flag", cut=3.0).item
    'conn:flag'
    """

    name: str
    low: float
    high: float
    item: str | None = None
    cut: float | None = None

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"Scale {self.name!r}: low must be below high")
        if self.cut is not None:
            if self.item is None:
                raise ValueError(f"Scale {self.name!r}: a cut needs the item that counts it")
            if not self.low <= self.cut <= self.high:
                raise ValueError(f"Scale {self.name!r}: cut must lie in the scale's range")


@dataclass(frozen=True)
class Cell:
    """Sufficient statistics of one group of respondents.

    ``counts`` maps an item name to the counts per option (in the item's
    option order); ``sums`` maps a scale name to ``(sum, sum of squares)``.

    Examples
    --------
    >>> Cell((("school", "A"),), 12, {"unsafe": (3,)}).n
    12
    """

    key: CellKey
    n: int
    counts: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    sums: Mapping[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Table:
    """A published table: the lattice of its dimensions with all margins.

    Examples
    --------
    >>> Table("by grade", ("school", "grade")).dimensions
    ('school', 'grade')
    """

    name: str
    dimensions: tuple[str, ...]


@dataclass(frozen=True)
class Release:
    """Everything published together: the tables and the cells behind them.

    Cells of a table's lattice that are not given are empty (``n = 0``).

    Examples
    --------
    >>> rel = Release(
    ...     dimensions=(Dimension("sex", ("F", "M")),),
    ...     tables=(Table("t", ("sex",)),),
    ...     cells=(Cell((), 30), Cell((("sex", "F"),), 12), Cell((("sex", "M"),), 18)),
    ... )
    >>> rel.structure().size
    3
    """

    dimensions: tuple[Dimension, ...]
    tables: tuple[Table, ...]
    cells: tuple[Cell, ...]
    items: tuple[Item, ...] = ()
    scales: tuple[Scale, ...] = ()

    def __post_init__(self) -> None:
        names = [d.name for d in self.dimensions]
        if len(set(names)) != len(names):
            raise ValueError("dimensions: repeated dimension names")
        if not self.tables:
            raise ValueError("tables: a release needs at least one table")
        for table in self.tables:
            unknown = set(table.dimensions) - set(names)
            if unknown:
                raise ValueError(f"Table {table.name!r}: unknown dimensions {sorted(unknown)}")
        item_names = [i.name for i in self.items]
        if len(set(item_names)) != len(item_names):
            raise ValueError("items: repeated item names")
        scale_names = [s.name for s in self.scales]
        if len(set(scale_names)) != len(scale_names):
            raise ValueError("scales: repeated scale names")
        by_name = {i.name: i for i in self.items}
        for scale in self.scales:
            if scale.item is not None and scale.item not in item_names:
                raise ValueError(f"Scale {scale.name!r}: unknown item {scale.item!r}")
            if scale.cut is not None and (
                by_name[str(scale.item)].missing is None
                or len(by_name[str(scale.item)].answered) != 2
            ):
                raise ValueError(
                    f"Scale {scale.name!r}: item {scale.item!r} must count scores at or "
                    "above the cut, below it, and the unscored"
                )

    def structure(self) -> Structure:
        """Index the cells and build the relation system."""
        return Structure.build(self)


@dataclass(frozen=True, eq=False)
class Structure:
    """Cells of a release in a fixed order, with the one global relation matrix.

    ``matrix`` has one row per relation ``total - sum(parts) = 0`` and one
    column per cell; ``members[r]`` lists the total first, then the parts. A
    combined group is the total of its own relation, its members the parts,
    and a part of the recoded margin ``total = combined + other categories``:
    implied by the others, but suppression reasons one relation at a time.
    """

    release: Release
    keys: tuple[CellKey, ...]
    index: Mapping[CellKey, int]
    matrix: sparse.csr_array
    members: tuple[IntArray, ...]
    cell_relations: tuple[tuple[int, ...], ...]
    is_total: npt.NDArray[np.bool_]
    n: IntArray
    counts: Mapping[str, IntArray]
    sensitive: tuple[str, ...]
    tables: Mapping[str, tuple[int, ...]]
    items: Mapping[str, Item] = field(default_factory=dict)
    item_of: Mapping[str, str] = field(default_factory=dict)
    exhaustive: Mapping[str, bool] = field(default_factory=dict)
    scales: Mapping[str, Scale] = field(default_factory=dict)
    sums: Mapping[str, FloatArray] = field(default_factory=dict)
    squares: Mapping[str, FloatArray] = field(default_factory=dict)

    def missing(self, item: str) -> str | None:
        """Quantity name of the missing option of ``item``, if it has one."""
        found = self.items[item]
        return None if found.missing is None else quantity_name(item, found.missing)

    def denominator(self, quantity: str) -> IntArray:
        """Per cell, the number of respondents a count's percentage is of."""
        item = self.item_of[quantity]
        missing = self.missing(item)
        if missing is None:
            return self.n
        return self.n - self.counts[missing]

    def published(self, quantity: str) -> bool:
        """Whether a count is published at all (the missing option's is not)."""
        return quantity != self.missing(self.item_of[quantity])

    @property
    def size(self) -> int:
        """Number of distinct cells."""
        return len(self.keys)

    @classmethod
    def build(cls, release: Release) -> Structure:
        """Build the relation system of ``release``; check that cells add up."""
        order = {d.name: i for i, d in enumerate(release.dimensions)}
        cats = {d.name: d.categories for d in release.dimensions}
        groups = {d.name: d.groups for d in release.dimensions}
        combined = {d.name: d.combined for d in release.dimensions}
        keyset: set[CellKey] = set()
        table_keys: dict[str, list[CellKey]] = {}
        for table in release.tables:
            dims = sorted(table.dimensions, key=order.__getitem__)
            choices = [(None, *groups[d]) for d in dims]
            lattice = []
            for combo in itertools.product(*choices):
                lattice.append(
                    tuple((d, c) for d, c in zip(dims, combo, strict=True) if c is not None)
                )
            table_keys[table.name] = lattice
            keyset.update(lattice)
        keys = tuple(sorted(keyset, key=lambda k: (len(k), [(order[d], c) for d, c in k])))
        index = {k: i for i, k in enumerate(keys)}
        size = len(keys)
        quantities = [
            (item, j, quantity_name(item.name, opt))
            for item in release.items
            for j, opt in enumerate(item.options)
        ]
        n = np.zeros(size, dtype=np.int64)
        counts = {q: np.zeros(size, dtype=np.int64) for _, _, q in quantities}
        sums = {scale.name: np.zeros(size) for scale in release.scales}
        squares = {scale.name: np.zeros(size) for scale in release.scales}
        seen: set[CellKey] = set()
        for cell in release.cells:
            key = _canonical(cell.key, order, groups)
            if key not in index:
                raise ValueError(f"Cell {_show(key)} is in no table of the release")
            if key in seen:
                raise ValueError(f"Cell {_show(key)} is given twice")
            seen.add(key)
            i = index[key]
            if cell.n < 0:
                raise ValueError(f"Cell {_show(key)}: n must not be negative")
            n[i] = cell.n
            for item, j, q in quantities:
                values = cell.counts.get(item.name)
                if values is None:
                    continue
                if len(values) != len(item.options):
                    raise ValueError(
                        f"Cell {_show(key)}: item {item.name!r} needs one count per option"
                    )
                value = int(values[j])
                if not 0 <= value <= cell.n:
                    raise ValueError(f"Cell {_show(key)}: count {q!r} must be in 0..n")
                counts[q][i] = value
            for item in release.items:
                values = cell.counts.get(item.name)
                if values is not None and sum(values) > cell.n:
                    raise ValueError(f"Cell {_show(key)}: counts of {item.name!r} exceed n")
            for scale in release.scales:
                pair = cell.sums.get(scale.name)
                if pair is None:
                    if cell.n:
                        raise ValueError(f"Cell {_show(key)}: no sums of scale {scale.name!r}")
                    continue
                sums[scale.name][i], squares[scale.name][i] = pair
        relation_set: dict[tuple[int, ...], None] = {}
        for table in release.tables:
            for key in table_keys[table.name]:
                fixed = {d for d, _ in key}
                for d in table.dimensions:
                    if d in fixed:
                        continue
                    at = {c: index[_canonical((*key, (d, c)), order, groups)] for c in groups[d]}
                    relation_set[(index[key], *(at[c] for c in cats[d]))] = None
                    for name, parts in combined[d]:
                        relation_set[(at[name], *(at[c] for c in parts))] = None
                    for recode in recoded_margins(cats[d], combined[d]):
                        relation_set[(index[key], *(at[c] for c in recode))] = None
        members = tuple(np.array(r, dtype=np.int64) for r in relation_set)
        rows, cols, vals = [], [], []
        for r, mem in enumerate(members):
            rows.extend([r] * len(mem))
            cols.extend(mem.tolist())
            vals.extend([1.0] + [-1.0] * (len(mem) - 1))
        matrix = sparse.csr_array(
            (np.array(vals), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
            shape=(len(members), size),
        )
        by_cell: list[list[int]] = [[] for _ in range(size)]
        is_total = np.zeros(size, dtype=bool)
        for r, mem in enumerate(members):
            is_total[mem[0]] = True
            for c in mem.tolist():
                by_cell[c].append(r)
        for name, vector in [("n", n), *counts.items()]:
            residual = matrix @ vector.astype(np.float64)
            bad = np.flatnonzero(residual != 0)
            if bad.size:
                total = keys[int(members[int(bad[0])][0])]
                raise ValueError(f"Cell {_show(total)}: {name} is not the sum of its parts")
        for name, score_sum in sums.items():
            # Sums of scores are floating point: added in another order they differ
            # in the last digits.
            residual = np.abs(matrix @ score_sum)
            bad = np.flatnonzero(residual > 1e-9 * (1.0 + np.abs(matrix) @ np.abs(score_sum)))
            if bad.size:
                total = keys[int(members[int(bad[0])][0])]
                raise ValueError(
                    f"Cell {_show(total)}: the sum of {name!r} is not the sum of its parts"
                )
        sensitive = tuple(
            quantity_name(item.name, opt) for item in release.items for opt in item.sensitive
        )
        # Where every respondent of every cell gave one option (or skipped),
        # an attacker may take the options to add up to n exactly.
        exhaustive = {
            item.name: len(item.options) > 1
            and bool(
                np.array_equal(sum(counts[quantity_name(item.name, o)] for o in item.options), n)
            )
            for item in release.items
        }
        return cls(
            release=release,
            keys=keys,
            index=index,
            matrix=matrix,
            members=members,
            cell_relations=tuple(tuple(r) for r in by_cell),
            is_total=is_total,
            n=n,
            counts=counts,
            sensitive=sensitive,
            tables={t: tuple(index[k] for k in ks) for t, ks in table_keys.items()},
            items={item.name: item for item in release.items},
            item_of={q: item.name for item, _, q in quantities},
            exhaustive=exhaustive,
            scales={scale.name: scale for scale in release.scales},
            sums=sums,
            squares=squares,
        )


def _canonical(
    key: Sequence[tuple[str, str]], order: Mapping[str, int], cats: Mapping[str, Sequence[str]]
) -> CellKey:
    for d, c in key:
        if d not in order:
            raise ValueError(f"Cell key names unknown dimension {d!r}")
        if c not in cats[d]:
            raise ValueError(f"Cell key names unknown category {c!r} of {d!r}")
    if len({d for d, _ in key}) != len(key):
        raise ValueError(f"Cell key {list(key)} repeats a dimension")
    return tuple(sorted(key, key=lambda p: order[p[0]]))


def _show(key: CellKey) -> str:
    return "(" + ", ".join(f"{d}={c}" for d, c in key) + ")" if key else "(all)"
