"""Publish a release again after respondents were added to the data it was made from.

An earlier release published codes of its data; a new release of the same
respondents and more publishes codes of the new data. The earlier codes say
nothing exact about the new data (they describe fewer respondents), so they
cannot be audited as constraints on it. The attacker of a re-release knows
both sets of codes, that the new data are the earlier data plus what was added
since, and that what was added is not negative.

:func:`protect_edition` audits exactly that attacker. It builds one combined
release with an edition dimension, categories ``before`` and ``change``,
crossed with every table (:mod:`analysis.disclosure.states`):
``(edition=before, key)`` holds the earlier data, ``(edition=change, key)``
what was added since, and the margin over the edition (the cell ``key``
itself) the new data. Only the margin is published now; primary suppression,
complements and the audit run as :func:`~analysis.disclosure.publish.protect`
runs them, with these cells fixed:

- a ``before`` cell and each of its values keep the status they had: shown
  (``KEPT``) or hidden (``FIXED``), never complements; their earlier codes
  enter the ledger, and the values the earlier release hid for their own sake
  stay audited;
- a ``change`` cell is never published (``FIXED``); one of 1 to k-1 respondents
  is a primary group, its n and sensitive counts audited like any small
  group's, and so is a sensitive count of 1 to ``sensitive_count_k - 1`` in a
  larger one. A change that is empty is taken to be known as empty (a hidden
  group is taken to be non-empty, and someone who knows where the added
  responses came from knows where nothing was added).

Complements are chosen among the margin cells only: a failure of an
unpublished cell is repaired in its edition relation (by hiding its margin),
or, once the margin is hidden, in the margin's relations. Where a changed
cell's earlier value was shown, hiding the value that changed is what keeps
the change from following by subtraction.

Several earlier releases of different data are modelled together, not chained:
one edition dimension per earlier state and one table per pair of them, so
every earlier state, every difference of two states and every difference from
the new data is a cell. A chain (each release against the one before only)
would drop what the older codes say about the data they share, and so audit a
weaker attacker than the real one. Earlier releases of the same data (made
under another policy, say) form one state, and an earlier release of exactly
the new data puts its codes on the new cells.

Responses removed or changed since an earlier release cannot be modelled (the
attacker's "what was added is not negative" would be false): such data are
refused with a ValueError that names the release and the cell.

References
----------
.. [1] Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley,
   section 5.6 (linked tables, and tables published again).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis.disclosure.audit import Finding
from analysis.disclosure.cells import Cell, CellKey, Dimension, Release, Structure
from analysis.disclosure.codes import Codes
from analysis.disclosure.ledger import Ledger
from analysis.disclosure.policy import HIDDEN, Policy
from analysis.disclosure.primary import Pattern, Reason, primary_suppression
from analysis.disclosure.publish import AuditReport, Protected, _tables, protect
from analysis.disclosure.states import (
    BEFORE,
    CHANGE,
    CHANGED,
    MARGIN,
    STATE,
    ZERO,
    NestingError,
    Role,
    Shape,
    combined_release,
    edition_names,
    is_edition,
    nested_states,
)

__all__ = ["Edition", "NestingError", "primary_values", "protect_edition"]

# Reasons for which an earlier release hid a value for its own sake.
_PRIMARY = frozenset(r.name for r in Reason if r.primary)


@dataclass(frozen=True)
class Edition:
    """An earlier release of some of the respondents of a new one.

    ``cells`` are its data (keyed like the new release's cells); ``ledger``
    the values it published; ``primary`` the ``(key, quantity)`` of every value
    it hid for its own sake, ``"n"`` for a group (see :func:`primary_values`);
    ``dimensions`` the categories it had, when fewer than the new release's (a
    cell naming another category was empty, and known to be).

    Examples
    --------
    >>> Edition("2024-a", (Cell((), 12),)).release
    '2024-a'
    """

    release: str
    cells: tuple[Cell, ...]
    ledger: Ledger = field(default_factory=Ledger)
    primary: frozenset[tuple[CellKey, str]] = frozenset()
    dimensions: tuple[Dimension, ...] = ()

    def __post_init__(self) -> None:
        if not self.release:
            raise ValueError("Edition: release id must not be empty")


def primary_values(report: AuditReport) -> frozenset[tuple[CellKey, str]]:
    """The values a release hid for their own sake, read from its audit report.

    Only published cells count (a re-release's report also holds the cells of
    its editions, which carry an edition dimension).

    Examples
    --------
    >>> from analysis.disclosure.publish import AuditRecord
    >>> report = AuditReport("r", True, {}, "", "", 1, 0, (), (
    ...     AuditRecord((("g", "a"),), "n", "hidden", "SMALL"),
    ...     AuditRecord((("g", "b"),), "n", "hidden", "COMPLEMENT"),
    ...     AuditRecord((("edition", "change"), ("g", "a")), "n", "hidden", "SMALL")))
    >>> sorted(primary_values(report))
    [((('g', 'a'),), 'n')]
    """
    return frozenset(
        (r.key, r.quantity)
        for r in report.records
        if r.reason in _PRIMARY and not any(is_edition(d) for d, _ in r.key)
    )


def protect_edition(
    release: Release,
    earlier: Sequence[Edition],
    policy: Policy | None = None,
    *,
    release_id: str = "release",
    exact: bool = False,
) -> Protected:
    """Protect ``release`` against itself and every earlier edition of its data.

    Parameters
    ----------
    release : Release
        The new data, as a release of its own tables.
    earlier : sequence of Edition
        Earlier releases of some of its respondents, oldest first. Each one's
        data must be part of the next one's and of the new data.
    policy : Policy, optional
        Settings; the defaults of REFERENCES.md when omitted.
    release_id : str
        Id under which the published values enter the ledger.
    exact : bool
        Report exact integer intervals for every audited value.

    Returns
    -------
    Protected
        The tables, codes and structure of ``release`` alone; the report of the
        combined audit; the earlier ledgers with this release's values added.

    Raises
    ------
    NestingError
        When an earlier edition's data are not part of the new data (responses
        were removed or changed).
    ValueError
        When an edition's cells do not fit the release.

    Examples
    --------
    Four respondents join group ``a`` (30 of them, published as 20-39). The
    group of 4 must not follow from the two releases, so the cells that grew
    (``a`` and the total) are hidden now; ``b`` and ``c`` are as they were.

    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> from analysis.disclosure.publish import protect
    >>> def data(a, b, c):
    ...     return (Cell((), a + b + c), Cell((("g", "a"),), a), Cell((("g", "b"),), b),
    ...             Cell((("g", "c"),), c))
    >>> def release(a, b, c):
    ...     return Release((Dimension("g", ("a", "b", "c")),), (Table("t", ("g",)),),
    ...                    data(a, b, c))
    >>> first = protect(release(30, 40, 50), release_id="one")
    >>> [row.n for row in first.tables[0].rows[1:]]
    ['20-39', '40-99', '40-99']
    >>> then = Edition("one", data(30, 40, 50), first.ledger)
    >>> again = protect_edition(release(34, 40, 50), [then], release_id="two")
    >>> [row.n for row in again.tables[0].rows], again.report.ok
    (['*', '*', '40-99', '40-99'], True)
    >>> again.ledger.releases()
    ('one', 'two')
    """
    policy = policy or Policy()
    if not earlier:
        return protect(release, policy, release_id=release_id, exact=exact)
    base = release.structure()
    shape = Shape(release)
    new = shape.data(release.cells, "the new release")
    states, same = nested_states(shape, [(e.release, e.cells, e.dimensions) for e in earlier], new)
    combined, roles = combined_release(shape, base, states, new) if states else (release, {})
    names = edition_names(len(states))
    placed = Ledger(
        tuple(
            itertools.chain(
                (e for at in same for e in earlier[at].ledger.entries),
                *(
                    earlier[at].ledger.placed(((names[t], BEFORE),)).entries
                    for t, state in enumerate(states)
                    for at in state.members
                ),
            )
        )
    )
    start = _Start(
        roles,
        [_Earlier([earlier[at] for at in state.members]) for state in states],
        _Earlier([earlier[at] for at in same]),
        names,
    )
    protected = protect(
        combined,
        policy,
        release_id=release_id,
        ledger=placed if placed.entries else None,
        exact=exact,
        primary=start,
        redirect=start.redirect,
    )
    codes = _cut(protected.codes, protected.structure, base)
    history = Ledger(tuple(e for edition in earlier for e in edition.ledger.entries))
    return Protected(
        _tables(base, codes), protected.report, history.record(release_id, base, codes), codes, base
    )


class _Earlier:
    """What the releases of one state published and hid for its own sake, by cell."""

    def __init__(self, editions: Iterable[Edition]) -> None:
        self.primary: dict[CellKey, set[str]] = {}
        # Per cell and quantity, whether any of them showed it (False: all hid it).
        self.shown: dict[CellKey, dict[str, bool]] = {}
        for edition in editions:
            for key, quantity in edition.primary:
                self.primary.setdefault(_key(key), set()).add(quantity)
            for entry in edition.ledger.entries:
                seen = self.shown.setdefault(_key(entry.key), {})
                seen[entry.quantity] = seen.get(entry.quantity, False) or entry.code != HIDDEN


def _key(key: Iterable[Iterable[str]]) -> CellKey:
    return tuple((d, c) for d, c in key)


class _Start:
    """The starting pattern of a combined release, and where its failures are repaired.

    Margin cells start from primary suppression; every other cell is fixed as
    the module docstring says. A margin cell whose data are those of the newest
    earlier release (nothing was added to it) keeps that release's pattern: what
    it hid stays hidden, and what it showed is known already, so it is shown
    again (``KEPT``) and never a complement, unless primary suppression hides it
    now. Hiding it would protect nothing, and a pattern that differs from the
    earlier one would let the two together expose what each protects.
    ``margin[c]`` is the margin cell of cell ``c``, set when the pattern is made.
    """

    def __init__(
        self,
        roles: Mapping[CellKey, Role],
        states: Sequence[_Earlier],
        same: _Earlier,
        names: Sequence[str],
    ) -> None:
        self.roles = roles
        self.states = states
        self.same = same
        self.names = names
        self.margin = np.zeros(0, dtype=np.int64)

    def __call__(self, structure: Structure, policy: Policy) -> Pattern:
        pattern = primary_suppression(structure, policy)
        self.margin = np.arange(structure.size, dtype=np.int64)
        for c, key in enumerate(structure.keys):
            role = self.roles.get(key, Role(MARGIN, key))
            if role.kind == MARGIN:
                _mark(structure, pattern, c, self.same.primary.get(key, ()))
                self._unchanged(structure, pattern, c, key)
                continue
            self.margin[c] = structure.index[role.base]
            for own in pattern.values.values():
                own[c] = Reason.SHOWN
            if role.kind == ZERO or structure.n[c] == 0:
                pattern.cells[c] = Reason.EMPTY
            elif role.kind == STATE:
                self._state(structure, pattern, c, role)
            else:
                small = role.kind == CHANGED and role.canonical and structure.n[c] < policy.k
                pattern.cells[c] = Reason.SMALL if small else Reason.FIXED
                if role.kind == CHANGED and role.canonical and not small:
                    for q in structure.sensitive:
                        if 1 <= structure.counts[q][c] < policy.sensitive_count_k:
                            _own(structure, pattern, q)[c] = Reason.SMALL_COUNT
        return pattern

    def _unchanged(self, structure: Structure, pattern: Pattern, c: int, key: CellKey) -> None:
        """Keep the pattern of the newest earlier release of this cell's data."""
        earlier = self.same
        if not self.same.shown and self.names:
            added = structure.index.get(((self.names[-1], CHANGE), *key))
            if added is not None and structure.n[added] > 0:
                return
            earlier = self.states[-1]
        shown = earlier.shown.get(key, {})
        if "n" in shown and pattern.cells[c] == Reason.SHOWN:
            pattern.cells[c] = Reason.KEPT if shown["n"] else Reason.COMPLEMENT
        for q, was in shown.items():
            if not was and q in structure.item_of:
                own = _own(structure, pattern, q)
                if own[c] < Reason.SMALL:
                    own[c] = Reason.COMPLEMENT

    def _state(self, structure: Structure, pattern: Pattern, c: int, role: Role) -> None:
        earlier = self.states[role.state]
        shown = earlier.shown.get(role.base, {})
        pattern.cells[c] = Reason.KEPT if shown.get("n", False) else Reason.FIXED
        for q, was in shown.items():
            if not was and q in structure.item_of:
                _own(structure, pattern, q)[c] = Reason.FIXED
        if role.canonical:
            _mark(structure, pattern, c, earlier.primary.get(role.base, ()))

    def redirect(self, pattern: Pattern, finding: Finding) -> int:
        """An unpublished cell's complement is its margin while that is shown, else one
        in the margin's relations."""
        c = finding.cell
        at = int(self.margin[c]) if c < len(self.margin) else c
        if at == c:
            return c
        hidden = (
            pattern.hidden() if finding.quantity == "n" else pattern.value_hidden(finding.quantity)
        )
        return at if hidden[at] else c


def _own(structure: Structure, pattern: Pattern, quantity: str) -> npt.NDArray[np.int8]:
    return pattern.values.setdefault(quantity, np.zeros(structure.size, dtype=np.int8))


def _mark(structure: Structure, pattern: Pattern, c: int, quantities: Collection[str]) -> None:
    """Mark the values an earlier release hid for their own sake as primary again."""
    for q in quantities:
        if q == "n":
            if structure.n[c] > 0:
                pattern.cells[c] = Reason.SMALL
        elif q in structure.item_of:
            own = _own(structure, pattern, q)
            if not Reason(int(own[c])).primary:
                own[c] = Reason.SMALL_COUNT


def _cut(codes: Codes, combined: Structure, base: Structure) -> Codes:
    """The codes of the margin cells, in the order of the new release's own cells."""
    at = [combined.index[k] for k in base.keys]

    def take(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(values[c] for c in at)

    changes: dict[str, Any] = {}
    for f in fields(codes):
        value = getattr(codes, f.name)
        changes[f.name] = (
            {q: take(v) for q, v in value.items()} if isinstance(value, dict) else take(value)
        )
    return replace(codes, **changes)
