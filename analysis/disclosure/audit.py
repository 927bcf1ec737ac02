"""The audit: an attacker who solves integer programs over everything published.

Variables are the groups' n (``x``) and, layer by layer, one sensitive count
(``y``). Constraints are every published code of this release and of the
ledger (exact n or band; coded percentage as a linear inequality in ``y`` and
``x``), every relation ``total = sum(parts)``, ``0 <= y <= x``, integrality,
and ``x >= 1`` for hidden groups (empty groups are shown as empty, so a hidden
group is known to be non-empty).

For every hidden primary group the feasible integer interval of its n must be
at least ``min_width`` wide; for every hidden sensitive count (of a hidden
primary group, or hidden on its own) the interval must not be a point, and the
count must be neither provably 0 nor provably all of n.

Speed comes from these facts. Rows with one free variable are bounds, and
relations split into connected blocks once fixed values are taken out; blocks
without a target need no program. The true data are a feasible point. Every
optimum of an aggregate objective (push all unresolved targets up, then down)
is another feasible point, and two feasible points that differ in a target
prove its interval is not a point, so most targets are settled by a handful
of programs per block. Only the targets still unsettled get their own probes.

The count programs are the hard ones: a percentage of those who answered
couples each count with its group's n and skipped count. Without ``exact``
the count audit therefore looks for its witnesses in restrictions of the
attacker's program: first with every n and every skipped count held at its
true value (each percentage is then a plain bound on its count), then with
only the shown groups held. A point of a restriction is a point of the full
program, so what they settle is settled; what they leave is reported as
``"unproven"`` and treated as exposed, so the gate hides more rather than
waiting minutes for a proof. ``exact=True`` solves the full program.

References
----------
.. [1] Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley,
   section 4.4 (audit by linear programming).
.. [2] de Wolf, P.-P. et al. *tau-ARGUS user's manual*, "Audit".
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import Any

from analysis.disclosure.cells import Structure
from analysis.disclosure.codes import Codes
from analysis.disclosure.items import audit_items
from analysis.disclosure.ledger import Ledger
from analysis.disclosure.means import audit_means
from analysis.disclosure.policy import Policy
from analysis.disclosure.primary import Pattern, Reason
from analysis.disclosure.programs import n_program, view
from analysis.disclosure.propagation import propagation_findings
from analysis.disclosure.witnesses import (
    Finding,
    LayerAudit,
    Target,
    audit_program,
)

__all__ = ["Finding", "LayerAudit", "audit_pattern"]


def audit_pattern(
    structure: Structure,
    pattern: Pattern,
    codes: Codes,
    policy: Policy,
    *,
    ledger: Ledger | None = None,
    exact: bool = False,
    counts: bool = True,
    only: Collection[str] | None = None,
    settled: Collection[tuple[int, str]] = (),
    workers: int | None = None,
    memo: dict[Hashable, Any] | None = None,
) -> LayerAudit:
    """Audit a pattern: the n of each hidden primary group, and each hidden sensitive count.

    Parameters
    ----------
    structure, pattern, codes, policy
        The release, its suppression pattern, its published codes and policy.
    ledger : Ledger, optional
        Values published by earlier releases; they constrain the attacker too.
    exact : bool
        Compute the exact integer interval of every target (slower), instead
        of stopping once the verdict is proven.
    counts : bool
        Audit the sensitive counts too; with False only the n of hidden
        groups (a cheap first pass before the count programs).
    only : collection of str, optional
        Audit only the counts of these items, and not the n: for a pattern
        whose cells are unchanged since an audit of everything.
    settled : collection of (cell, quantity)
        Values shown protected by an audit of an earlier pattern that this
        one only hides more of: every point of that attacker's program is a
        point of this one's, so they stay protected and are not audited.
    workers : int, optional
        Processes that audit items' counts side by side (see
        :func:`analysis.disclosure.items.audit_items`); by default one per core for a
        large release, none for a small one.
    memo : dict, optional
        Kept by the caller between audits of one release (same structure, policy and
        ledger): what an audit found that the next one would find again unchanged.

    Returns
    -------
    LayerAudit

    Examples
    --------
    The handbook's 15 = 10 + 3 + x1 + x2 with both hidden: each is forced to 1.

    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> from analysis.disclosure.primary import primary_suppression
    >>> from analysis.disclosure.codes import published_codes
    >>> from analysis.disclosure.policy import Tier
    >>> rel = Release((Dimension("g", ("a", "b", "c", "d")),), (Table("t", ("g",)),),
    ...               (Cell((), 15), Cell((("g", "a"),), 10), Cell((("g", "b"),), 3),
    ...                Cell((("g", "c"),), 1), Cell((("g", "d"),), 1)))
    >>> s = rel.structure()
    >>> policy = Policy(k=2, exact_n=True, tiers=(Tier(1, 0, 100),))
    >>> p = primary_suppression(s, policy)
    >>> result = audit_pattern(s, p, published_codes(s, p, policy), policy, exact=True)
    >>> [(f.lower, f.upper, f.failure) for f in result.findings]
    [(1, 1, 'point'), (1, 1, 'point')]
    """
    out = LayerAudit()
    seen = view(structure, codes, policy, ledger)
    primary_cells = [c for c in range(structure.size) if pattern.cells[c] == Reason.SMALL]
    done = set(settled)
    n_targets = [
        Target(c, c, None, None, policy.min_width, "n")
        for c in primary_cells
        if (c, "n") not in done
    ]
    if only is None:
        audit_program(n_program(seen), n_targets, exact, out)
    scales = [s for s in structure.scales.values() if only is None or s.item in only]
    if scales and n_targets:
        audit_means(seen, pattern, scales, n_targets, exact, out)
    # Values the integer programs audit: the propagating attacker leaves them to them.
    names = [
        item.name
        for item in structure.items.values()
        if counts and (only is None or item.name in only)
    ]
    found, proven = audit_items(seen, pattern, names, exact, done, workers=workers)
    out.findings.extend(found.findings)
    out.programs += found.programs
    if counts:
        # Every item's counts, sensitive or not, against the attacker who propagates bounds.
        for f in propagation_findings(seen, pattern, memo=memo):
            if (f.cell, f.quantity) in proven:
                continue
            if f.failure:
                out.findings.append(f)
            else:
                out.cleared.add((f.cell, f.quantity))
    return out
