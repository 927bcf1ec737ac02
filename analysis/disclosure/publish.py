"""The one gate: protect a release, audit it, and cut the published tables.

Primary suppression, complementary suppression, then the audit; a value the
audit finds exposed gets another complement in one of its relations and the
audit runs again; when no complement is left, every value of its relations is
hidden (the block is hidden). The audit report is internal; the tables carry
only coded values and the one public symbol.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import scipy

from analysis.disclosure.audit import Finding, LayerAudit, audit_pattern
from analysis.disclosure.cells import CellKey, Release, Structure
from analysis.disclosure.codes import Codes, published_codes
from analysis.disclosure.complementary import (
    Complements,
    cheapest_complement,
    complementary_suppression,
    cost_of,
)
from analysis.disclosure.ledger import Ledger
from analysis.disclosure.policy import HIDDEN, Policy
from analysis.disclosure.primary import Pattern, Reason, primary_suppression
from analysis.disclosure.repair import repair_value

__all__ = ["AuditRecord", "AuditReport", "Protected", "PublishedRow", "PublishedTable", "protect"]


@dataclass(frozen=True)
class PublishedRow:
    """One published row: the cell key, its n code, count and mean codes."""

    key: CellKey
    n: str
    counts: Mapping[str, str]
    means: Mapping[str, str]


@dataclass(frozen=True)
class PublishedTable:
    """A published table: rows in lattice order, margins included."""

    name: str
    dimensions: tuple[str, ...]
    rows: tuple[PublishedRow, ...]


class AuditRecord(msgspec.Struct, frozen=True):
    """Internal status of one value: reason code and, if audited, its interval."""

    key: CellKey
    quantity: str
    status: str
    reason: str
    lower: int | None = None
    upper: int | None = None
    exact: bool = False
    failure: str = ""


class AuditReport(msgspec.Struct, frozen=True):
    """The internal audit report of a protected release.

    ``complement_cost`` is what the values hidden to protect others cost (each
    hidden cell or value its group's n, times ``total_cost`` for a margin), and
    ``complement_gap`` how far the complement programs' cost may lie above the
    cheapest, as a share of it (0 when every program was solved to optimality).
    """

    release: str
    ok: bool
    policy: dict[str, Any]
    policy_hash: str
    scipy_version: str
    rounds: int
    programs: int
    ledger_releases: tuple[str, ...]
    records: tuple[AuditRecord, ...]
    complement_cost: float = 0.0
    complement_gap: float = 0.0

    def to_json(self) -> bytes:
        """Serialise to JSON bytes."""
        return msgspec.json.encode(self)


@dataclass(frozen=True)
class Protected:
    """A protected release: published tables, internal report, updated ledger."""

    tables: tuple[PublishedTable, ...]
    report: AuditReport
    ledger: Ledger
    codes: Codes
    structure: Structure

    def status(self, key: CellKey) -> str:
        """Public status of a cell: ``"shown"`` or ``"hidden"``."""
        return "hidden" if self.codes.n[self.structure.index[key]] == HIDDEN else "shown"


def protect(
    release: Release,
    policy: Policy | None = None,
    *,
    release_id: str = "release",
    ledger: Ledger | None = None,
    exact: bool = False,
    primary: Callable[[Structure, Policy], Pattern] = primary_suppression,
    redirect: Callable[[Pattern, Finding], int] | None = None,
) -> Protected:
    """Protect every table of ``release`` jointly and audit the result.

    Parameters
    ----------
    release : Release
        Tables and cells to publish.
    policy : Policy, optional
        Settings; the defaults of REFERENCES.md when omitted.
    release_id : str
        Id under which the published values enter the ledger.
    ledger : Ledger, optional
        Values published before; audited together with this release.
    exact : bool
        Report exact integer intervals for every audited value.
    primary : callable, optional
        The pattern to start from (primary suppression by default). Only cells and
        values it leaves ``SHOWN`` can become complements; a cell it marks ``FIXED``
        keeps its status.
    redirect : callable, optional
        The cell in whose relations a complement is sought for a failed finding
        (the finding's own cell by default).

    Returns
    -------
    Protected

    Examples
    --------
    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> rel = Release((Dimension("g", ("a", "b", "c")),), (Table("t", ("g",)),),
    ...               (Cell((), 60), Cell((("g", "a"),), 4), Cell((("g", "b"),), 26),
    ...                Cell((("g", "c"),), 30)))
    >>> result = protect(rel)
    >>> [row.n for row in result.tables[0].rows]
    ['40-99', '*', '*', '20-39']
    >>> result.report.ok
    True
    """
    policy = policy or Policy()
    structure = release.structure()
    pattern = primary(structure, policy)
    rounds = 0
    programs = 0
    counts = False
    only: set[str] | None = None
    # The latest finding of every value audited so far. Every round hides more, so the
    # attacker of a later round can do whatever an earlier one could: what an earlier
    # round showed protected stays protected, and only the exact audit repeats it.
    known: dict[tuple[int, str], Finding] = {}
    complements = Complements()
    memo: dict[Hashable, Any] = {}
    while True:
        rounds += 1
        cells_before = pattern.cells.copy()
        complements += complementary_suppression(structure, pattern, policy)
        if only is not None and not np.array_equal(cells_before, pattern.cells):
            only = None
        codes = published_codes(structure, pattern, policy)
        result = audit_pattern(
            structure,
            pattern,
            codes,
            policy,
            ledger=ledger,
            exact=exact,
            counts=counts,
            only=only,
            settled=() if exact else [key for key, f in known.items() if not f.failure],
            memo=memo,
        )
        programs += result.programs
        latest: dict[tuple[int, str], Finding] = {}
        for f in result.findings:
            # A value audited in several programs fails if any of them fails it.
            if (f.cell, f.quantity) not in latest or f.failure:
                latest[(f.cell, f.quantity)] = f
        known.update(latest)
        for key in result.cleared - latest.keys():
            # Failed in an earlier round, passed now: nothing holds it exposed any more.
            if key in known and known[key].failure:
                del known[key]
        result.findings[:] = known.values()
        failures = sorted(result.failures, key=lambda f: (f.quantity != "n", f.quantity, f.cell))
        if not failures and not counts:
            # The n of hidden groups hold; only now pay for the count programs,
            # so repairs of n do not repeat them. Nothing changed, so the n
            # findings stand: audit the counts alone.
            counts = True
            only = {structure.item_of[q] for q in structure.sensitive}
            continue
        if not failures or rounds > policy.max_rounds:
            break
        block = rounds == policy.max_rounds
        if redirect is not None:
            failures = [replace(f, cell=redirect(pattern, f)) for f in failures]
        cells_before = pattern.cells.copy()
        if _repair(structure, pattern, failures, policy, block=block):
            only = (
                {structure.item_of[f.quantity] for f in failures if f.quantity != "n"}
                if np.array_equal(cells_before, pattern.cells) and counts
                else None
            )
            continue
        if block or not _repair(structure, pattern, failures, policy, block=True):
            break
        only = None
    report = _report(
        structure, pattern, result, policy, release_id, ledger, rounds, programs, complements
    )
    new_ledger = (ledger or Ledger()).record(release_id, structure, codes)
    tables = _tables(structure, codes)
    return Protected(tables, report, new_ledger, codes, structure)


def _repair(
    structure: Structure, pattern: Pattern, failures: list[Finding], policy: Policy, *, block: bool
) -> bool:
    changed = False
    for f in failures:
        # An exposed count: one more hidden value where it helps, never a whole group.
        if f.quantity != "n" and repair_value(structure, pattern, f, policy, block=block):
            changed = True
            continue
        if f.quantity != "n" and changed and not block:
            # What this pass hid already may have mended this count too (its own
            # complements are taken by now): the next audit says, before a block is hidden.
            continue
        if f.quantity == "n" and not block and _coarsen(structure, pattern, f, policy):
            changed = True
            continue
        if f.quantity == "n":
            hidden = pattern.hidden()
            eligible = pattern.cells == Reason.SHOWN
            target = pattern.cells
        else:
            hidden = pattern.value_hidden(f.quantity)
            own = pattern.values[f.quantity]
            eligible = (pattern.cells == Reason.SHOWN) & (own == Reason.SHOWN)
            target = own
        relations = sorted(
            structure.cell_relations[f.cell],
            key=lambda r: (int(hidden[structure.members[r]].sum()), r),
        )
        picked = None if block else _first(structure, relations, hidden, eligible, policy)
        if picked is not None:
            target[picked] = Reason.AUDIT
            changed = True
            continue
        # No single complement left (or rounds exhausted): hide the block.
        for r in relations:
            for c in structure.members[r].tolist():
                if eligible[c] and not hidden[c]:
                    target[c] = Reason.BLOCK
                    changed = True
        if f.quantity == "n":
            continue
        for r in relations:
            for c in structure.members[r].tolist():
                if pattern.cells[c] == Reason.SHOWN:
                    pattern.cells[c] = Reason.BLOCK
                    changed = True
    return changed


def _coarsen(structure: Structure, pattern: Pattern, f: Finding, policy: Policy) -> bool:
    """Publish in bands the exact n beside an exposed group, before hiding anything.

    A whole school's exact number is an equation on its groups; in its band it still
    says how many answered, to within the band, and nothing is hidden.
    """
    changed = False
    for r in structure.cell_relations[f.cell]:
        for c in structure.members[r].tolist():
            shown = pattern.cells[c] == Reason.SHOWN
            if shown and c not in pattern.banded and policy.exact_for(structure.keys[c]):
                pattern.banded.add(c)
                changed = True
    return changed


def _first(
    structure: Structure,
    relations: list[int],
    hidden: npt.NDArray[np.bool_],
    eligible: npt.NDArray[np.bool_],
    policy: Policy,
) -> int | None:
    """The cheapest of the complements each relation would take.

    The exposed value may be pinned through any of its relations; hiding a small group in
    one of them is better than a school's total in another (which its own relations then
    need a partner for, often another total).
    """
    cost = cost_of(structure, policy)
    found = [
        c
        for r in relations
        if (c := cheapest_complement(structure, r, hidden, eligible, policy)) is not None
    ]
    return min(found, key=lambda c: (float(cost[c]), c)) if found else None


def _bound(value: float) -> int | None:
    return None if math.isinf(value) else int(value)


def _report(
    structure: Structure,
    pattern: Pattern,
    result: LayerAudit,
    policy: Policy,
    release_id: str,
    ledger: Ledger | None,
    rounds: int,
    programs: int,
    complements: Complements,
) -> AuditReport:
    found = {(f.cell, f.quantity): f for f in result.findings}
    records: list[AuditRecord] = []

    def record(c: int, quantity: str, reason: int) -> None:
        status = "empty" if structure.n[c] == 0 else "hidden" if reason >= Reason.SMALL else "shown"
        f = found.get((c, quantity))
        if f is None:
            records.append(AuditRecord(structure.keys[c], quantity, status, Reason(reason).name))
            return
        records.append(
            AuditRecord(
                structure.keys[c],
                quantity,
                status,
                Reason(reason).name,
                _bound(f.lower),
                _bound(f.upper),
                f.exact,
                f.failure,
            )
        )

    for c in range(structure.size):
        record(c, "n", int(pattern.cells[c]))
    for q, own in pattern.values.items():
        for c in range(structure.size):
            reason = int(own[c])
            if reason >= Reason.SMALL or (c, q) in found:
                record(c, q, max(reason, int(pattern.cells[c])))
    return AuditReport(
        release=release_id,
        ok=not result.failures,
        policy=policy.settings(),
        policy_hash=policy.digest(),
        scipy_version=scipy.__version__,
        rounds=rounds,
        programs=programs,
        ledger_releases=() if ledger is None else ledger.releases(),
        records=tuple(records),
        complement_cost=_spent(structure, pattern, policy),
        complement_gap=complements.gap,
    )


def _spent(structure: Structure, pattern: Pattern, policy: Policy) -> float:
    """Cost of every cell and value hidden to protect others (not for its own sake)."""
    cost = cost_of(structure, policy)
    added = (Reason.COMPLEMENT, Reason.AUDIT, Reason.BLOCK)
    total = float(cost[np.isin(pattern.cells, added)].sum())
    shown = ~pattern.hidden()
    for own in pattern.values.values():
        total += float(cost[shown & np.isin(own, added)].sum())
    return total


def _tables(structure: Structure, codes: Codes) -> tuple[PublishedTable, ...]:
    tables = []
    for table in structure.release.tables:
        rows = []
        for c in structure.tables[table.name]:
            counts = {q: values[c] for q, values in codes.counts.items()}
            means = {name: values[c] for name, values in codes.means.items()}
            rows.append(PublishedRow(structure.keys[c], codes.n[c], counts, means))
        tables.append(PublishedTable(table.name, table.dimensions, tuple(rows)))
    return tuple(tables)
