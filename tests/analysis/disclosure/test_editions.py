"""Re-releases: the earlier data keep their codes, what was added is never pinned.

The attacker here is written from the published codes alone, independently of the
engine's own programs: two releases' n and percentage codes, the relations of the table,
and that what was added is a group of respondents (never negative). Small integer programs
(scipy's milp) give the least and greatest value of every quantity of the change that the
two releases together allow.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.disclosure import (
    HIDDEN,
    Cell,
    CellKey,
    Dimension,
    Item,
    Ledger,
    Policy,
    Release,
    Table,
)
from analysis.disclosure.codes import published_codes
from analysis.disclosure.editions import Edition, NestingError, primary_values, protect_edition
from analysis.disclosure.policy import denominator_range, n_interval, percent_rows
from analysis.disclosure.primary import Pattern, Reason
from analysis.disclosure.publish import Protected, PublishedRow, PublishedTable, protect

SCHOOLS = ("A", "B", "C")
GRADES = ("3", "4", "5")
# Respondents and "yes" answers per school and grade: groups of 20 to 40, below the size
# (101) from which whole percentages stop pinning a group's size.
SIZES = {"A": (24, 31, 27), "B": (35, 22, 29), "C": (26, 33, 21)}
YES = {"A": (5, 7, 3), "B": (8, 2, 6), "C": (4, 9, 5)}
ITEM = Item("bully", ("no", "yes"), sensitive=("yes",))
# Three paper surveys from school A, grade 4, every one answering "yes".
ADDED = (("A", "4"), 3, 3)


def _cells(
    sizes: Mapping[str, Sequence[int]], yes: Mapping[str, Sequence[int]]
) -> tuple[Cell, ...]:
    groups: dict[CellKey, list[int]] = {}
    for s, g in itertools.product(SCHOOLS, range(len(GRADES))):
        n, y = sizes[s][g], yes[s][g]
        for key in _lattice_of(s, GRADES[g]):
            total = groups.setdefault(key, [0, 0])
            total[0] += n
            total[1] += y
    return tuple(Cell(k, n, {"bully": (n - y, y)}) for k, (n, y) in groups.items())


def _lattice_of(school: str, grade: str) -> list[CellKey]:
    s, g = ("school", school), ("grade", grade)
    return [(), (s,), (g,), (s, g)]


def _release(cells: tuple[Cell, ...]) -> Release:
    return Release(
        (Dimension("school", SCHOOLS), Dimension("grade", GRADES)),
        (Table("t", ("school", "grade")),),
        cells,
        items=(ITEM,),
    )


def _added(extra: int = ADDED[1], yes: int = ADDED[2]) -> tuple[Cell, ...]:
    sizes = {s: list(v) for s, v in SIZES.items()}
    answered = {s: list(v) for s, v in YES.items()}
    (school, grade), _, _ = ADDED
    sizes[school][GRADES.index(grade)] += extra
    answered[school][GRADES.index(grade)] += yes
    return _cells(sizes, answered)


def _two(policy: Policy) -> tuple[Protected, Protected]:
    before = _cells(SIZES, YES)
    first = protect(_release(before), policy, release_id="one")
    edition = Edition("one", before, first.ledger, primary_values(first.report))
    second = protect_edition(_release(_added()), [edition], policy, release_id="two")
    return first, second


class Attacker:
    """Integer programs over the earlier data (``b``) and what was added (``c``)."""

    def __init__(self, policy: Policy) -> None:
        keys: list[CellKey] = [()]
        keys += [(("school", s),) for s in SCHOOLS] + [(("grade", g),) for g in GRADES]
        keys += [(("school", s), ("grade", g)) for s in SCHOOLS for g in GRADES]
        self.keys = keys
        self.at = {k: i for i, k in enumerate(keys)}
        self.policy = policy
        # Four layers: before n, before yes, change n, change yes.
        self.width = 4 * len(keys)
        self.rows: list[np.ndarray] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        for layer in range(4):
            for total, parts in self._relations():
                self._row(
                    {
                        layer * len(keys) + total: 1.0,
                        **{layer * len(keys) + p: -1.0 for p in parts},
                    },
                    0,
                    0,
                )
        for k in range(len(keys)):
            for n, y in ((0, 1), (2, 3)):
                # A count of "yes" is at most its group's n.
                self._row({n * len(keys) + k: 1.0, y * len(keys) + k: -1.0}, 0, np.inf)

    def _relations(self) -> list[tuple[int, list[int]]]:
        found = [(self.at[()], [self.at[(("school", s),)] for s in SCHOOLS])]
        found.append((self.at[()], [self.at[(("grade", g),)] for g in GRADES]))
        for s in SCHOOLS:
            parts = [self.at[(("school", s), ("grade", g))] for g in GRADES]
            found.append((self.at[(("school", s),)], parts))
        for g in GRADES:
            parts = [self.at[(("school", s), ("grade", g))] for s in SCHOOLS]
            found.append((self.at[(("grade", g),)], parts))
        return found

    def _row(self, terms: Mapping[int, float], lo: float, hi: float) -> None:
        row = np.zeros(self.width)
        for col, value in terms.items():
            row[col] += value
        self.rows.append(row)
        self.lo.append(lo)
        self.hi.append(hi)

    def read(self, published: PublishedTable, *, new: bool) -> None:
        """Add what one release published: of the earlier data, or of the new (b + c)."""
        size = len(self.keys)
        for row in published.rows:
            k = self.at[row.key]
            n_cols = {k: 1.0, 2 * size + k: 1.0} if new else {k: 1.0}
            yes_cols = {size + k: 1.0, 3 * size + k: 1.0} if new else {size + k: 1.0}
            if row.n == HIDDEN:
                # Empty groups publish 0: a hidden one holds someone.
                self._row(n_cols, 1, np.inf)
                continue
            low, high = n_interval(row.n)
            self._row(n_cols, low, high)
            for option, code in row.counts.items():
                if code in ("", HIDDEN):
                    continue
                d_low, d_high = denominator_range(code, self.policy)
                self._row(n_cols, d_low, d_high)
                # The count of "no" is n less the count of "yes".
                if option.endswith("=yes"):
                    count = yes_cols
                else:
                    count = {**n_cols, **{c: -v for c, v in yes_cols.items()}}
                for a, b, lo, hi in percent_rows(code):
                    terms: dict[int, float] = {}
                    for col, v in count.items():
                        terms[col] = terms.get(col, 0.0) + a * v
                    for col, v in n_cols.items():
                        terms[col] = terms.get(col, 0.0) + b * v
                    self._row(terms, lo, hi)

    def bounds(self, layer: int, key: CellKey) -> tuple[int, int]:
        """Least and greatest value of one quantity that every published code allows."""
        col = layer * len(self.keys) + self.at[key]
        constraint = LinearConstraint(np.array(self.rows), self.lo, self.hi)
        found = []
        for sign in (1.0, -1.0):
            cost = np.zeros(self.width)
            cost[col] = sign
            result = milp(
                cost,
                constraints=constraint,
                integrality=np.ones(self.width),
                bounds=Bounds(np.zeros(self.width), np.full(self.width, 5000.0)),
            )
            assert result.success, result.message
            found.append(round(float(result.x[col])))
        return found[0], found[1]


CHANGE_N, CHANGE_YES = 2, 3
# What was added, as the attacker would want it: its n and its count of "yes" (3 and 3),
# in its own group, its school, its grade and the district.
WANTED = [
    (layer, key)
    for layer in (CHANGE_N, CHANGE_YES)
    for key in ((("school", "A"), ("grade", "4")), (("school", "A"),), (("grade", "4"),), ())
]


@pytest.mark.parametrize("policy", [Policy(), Policy(exact_n=True)], ids=["bands", "exact"])
def test_differencing_two_releases_pins_nothing_added(policy: Policy) -> None:
    first, second = _two(policy)
    assert second.report.ok
    attacker = Attacker(policy)
    attacker.read(first.tables[0], new=False)
    attacker.read(second.tables[0], new=True)
    for layer, key in WANTED:
        low, high = attacker.bounds(layer, key)
        # The truth (3 respondents, 3 of them "yes") is among the points the codes allow,
        # and so is another value: the codes do not pin it.
        assert low <= 3 <= high, (layer, key)
        assert low < high, (layer, key)


def test_the_attacker_pins_what_two_unprotected_releases_show() -> None:
    # Control: the same attacker, given both releases with nothing hidden and n exact (as
    # whole schools publish it), pins the 3 who were added and their 3 answers: its
    # programs find what the codes tell. (With bands and one yes/no item, even unprotected
    # releases leave the change's size open, so that case shows less.)
    policy = Policy(exact_n=True)
    attacker = Attacker(policy)
    attacker.read(_unprotected(_release(_cells(SIZES, YES)), policy), new=False)
    attacker.read(_unprotected(_release(_added()), policy), new=True)
    for layer, key in WANTED:
        assert attacker.bounds(layer, key) == (3, 3), (layer, key)


def test_the_earlier_codes_constrain_the_earlier_data_only() -> None:
    # The bug this replaces: the first release's codes were applied to the new data, and
    # a band that moved (here the district's exact n) contradicted it.
    policy = Policy(exact_n=True)
    before = _cells(SIZES, YES)
    first = protect(_release(before), policy, release_id="one")
    with pytest.raises(ValueError, match="contradict"):
        protect(_release(_added()), policy, release_id="two", ledger=first.ledger)
    second = protect_edition(
        _release(_added()), [Edition("one", before, first.ledger)], policy, release_id="two"
    )
    assert second.report.ok
    assert second.ledger.releases() == ("one", "two")
    # Only the new data's cells are published, keyed as the release's own.
    assert {row.key for row in second.tables[0].rows} == set(Attacker(policy).keys)


@pytest.mark.parametrize("policy", [Policy(), Policy(exact_n=True)], ids=["bands", "exact"])
def test_cells_that_did_not_change_keep_their_codes(policy: Policy) -> None:
    # Their data are known to be the same: hiding a value shown before protects nothing,
    # and showing one hidden before would undo its protection.
    first, second = _two(policy)
    grew = {(), (("school", "A"),), (("grade", "4"),), (("school", "A"), ("grade", "4"))}
    was = {row.key: row for row in first.tables[0].rows}
    now = {row.key: row for row in second.tables[0].rows}
    assert set(was) - grew
    for key in set(was) - grew:
        assert now[key] == was[key], key
    # A group that grew by 3 is hidden now if it was shown then: its two sizes would tell
    # the 3 apart.
    grown = (("school", "A"), ("grade", "4"))
    assert was[grown].n == HIDDEN or now[grown].n == HIDDEN


def test_a_release_of_the_same_data_applies_its_codes_to_the_new_cells() -> None:
    # Another policy over the same data: no edition dimension, the codes apply directly.
    before = _cells(SIZES, YES)
    first = protect(_release(before), Policy(), release_id="one")
    again = protect_edition(
        _release(before), [Edition("one", before, first.ledger)], Policy(k=11), release_id="two"
    )
    assert again.report.ok
    assert not any(d.startswith("edition") for r in again.report.records for d, _ in r.key)
    assert again.report.ledger_releases == ("one",)


def test_removed_responses_are_refused_naming_the_release_and_cell() -> None:
    before = _cells(SIZES, YES)
    first = protect(_release(before), Policy(), release_id="one")
    fewer = {s: list(v) for s, v in SIZES.items()}
    fewer["B"][0] -= 1
    with pytest.raises(
        NestingError, match=r"release 'one'.*school=B, grade=3.*n went from 35 to 34"
    ):
        protect_edition(
            _release(_cells(fewer, YES)), [Edition("one", before, first.ledger)], release_id="two"
        )


def test_several_earlier_releases_are_modelled_together() -> None:
    policy = Policy()
    before = _cells(SIZES, YES)
    first = protect(_release(before), policy, release_id="one")
    one = Edition("one", before, first.ledger, primary_values(first.report))
    middle = _added(extra=2, yes=2)
    second = protect_edition(_release(middle), [one], policy, release_id="two")
    two = Edition("two", middle, _own(second, "two"), primary_values(second.report))
    third = protect_edition(_release(_added()), [one, two], policy, release_id="three")
    assert third.report.ok
    dimensions = {d for r in third.report.records for d, _ in r.key}
    assert {"edition1", "edition2"} <= dimensions
    # Each release's values constrain its own data: the first's sit on edition1's cells.
    assert third.report.ledger_releases == ("one", "two")
    attacker = Attacker(policy)
    attacker.read(first.tables[0], new=False)
    attacker.read(third.tables[0], new=True)
    low, high = attacker.bounds(CHANGE_N, (("school", "A"), ("grade", "4")))
    assert low < high


def _unprotected(release: Release, policy: Policy) -> PublishedTable:
    """Every value of ``release`` coded as if nothing were hidden."""
    structure = release.structure()
    shown = np.where(structure.n == 0, Reason.EMPTY, Reason.SHOWN).astype(np.int8)
    codes = published_codes(structure, Pattern(shown, {}), policy)
    rows = tuple(
        PublishedRow(
            structure.keys[c],
            codes.n[c],
            {q: v[c] for q, v in codes.counts.items()},
            {},
        )
        for c in structure.tables["t"]
    )
    return PublishedTable("t", ("school", "grade"), rows)


def _own(protected: Protected, release: str) -> Ledger:
    return Ledger(tuple(e for e in protected.ledger.entries if e.release == release))
