"""The audit of each item's sensitive counts, item by item, on every core of the machine.

Each item's counts are a program of their own: they share the groups' n with the other
items' programs, but the attacker's program of one item has no variable of another's, so
items are audited independently and their findings only added up. A large release audits
them in worker processes, one per core, each holding the release's published view once;
the findings are gathered in item order, so the verdicts, their order and the number of
programs are those of the serial audit. A small release is audited here: starting the
workers would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Collection, Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from analysis.disclosure.cells import quantity_name
from analysis.disclosure.primary import Pattern, Reason
from analysis.disclosure.programs import View, item_program
from analysis.disclosure.witnesses import (
    Finding,
    LayerAudit,
    Seen,
    Target,
    audit_program,
    with_held,
)

__all__ = ["PARALLEL_FROM", "VERTICES", "audit_item", "audit_items"]

PARALLEL_FROM = 2_000
"""Cells from which the items are audited in worker processes when more than one core is
free (a survey given in 90 schools has about 4,000; a test district's under 500)."""

VERTICES = True
"""Witnesses of the count restrictions are whole vertices of their relaxations, found
without branch and bound. Held at their true sizes, an item's counts add up over relations
that are nearly a network, so a vertex is whole wherever a point is easy to find; a branch
and bound that finds nothing proves nothing there, and in a district of 200 schools such
searches took seconds per value and found no point at all."""

Work = tuple[View, Pattern, bool, frozenset[tuple[int, str]]]
_work: Work | None = None


def audit_items(
    seen: View,
    pattern: Pattern,
    names: Sequence[str],
    exact: bool,
    done: Collection[tuple[int, str]],
    *,
    workers: int | None = None,
) -> tuple[LayerAudit, set[tuple[int, str]]]:
    """Audit the sensitive counts of the items ``names``; the findings, and what they cover.

    Parameters
    ----------
    seen : View
        The published view of the release (bounds and domains of every n).
    pattern : Pattern
        The suppression pattern being audited.
    names : sequence of str
        The items to audit, in the order their findings are reported.
    exact : bool
        Exact integer intervals, as :func:`analysis.disclosure.audit.audit_pattern`.
    done : collection of (cell, quantity)
        Values already shown protected, not audited again.
    workers : int, optional
        Worker processes; by default one per free core when the release has at least
        ``PARALLEL_FROM`` cells, else none (1 audits here).

    Returns
    -------
    (LayerAudit, set of (cell, quantity))
        The findings and programs solved, and every (cell, quantity) these programs are
        the audit of, whether audited now or settled before.
    """
    work: Work = (seen, pattern, exact, frozenset(done))
    if workers is None:
        workers = _cores() if seen.structure.size >= PARALLEL_FROM else 1
    workers = max(1, min(workers, len(names)))
    if workers == 1:
        parts = [audit_item(work, name) for name in names]
    else:
        # Spawned, not forked: the caller may be a server with threads of its own.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, context, initializer=_hold, initargs=(work,)) as pool:
            parts = list(pool.map(_audit_held, names))
    out = LayerAudit()
    proven: set[tuple[int, str]] = set()
    for found, covered in parts:
        out.findings.extend(found.findings)
        out.programs += found.programs
        proven |= covered
    return out, proven


def _cores() -> int:
    if multiprocessing.current_process().daemon:
        return 1  # a daemon process may start no processes of its own
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _hold(work: Work) -> None:
    global _work
    _work = work


def _audit_held(name: str) -> tuple[LayerAudit, set[tuple[int, str]]]:
    assert _work is not None
    return audit_item(_work, name)


def audit_item(work: Work, name: str) -> tuple[LayerAudit, set[tuple[int, str]]]:
    """Audit one item's hidden sensitive counts (see :func:`audit_items`)."""
    seen, pattern, exact, done = work
    structure, codes = seen.structure, seen.codes
    size = structure.size
    out = LayerAudit()
    proven: set[tuple[int, str]] = set()
    item = structure.items[name]
    quantities = [quantity_name(item.name, o) for o in item.options]
    missing = structure.missing(item.name)
    m_var = None if missing is None else (1 + quantities.index(missing)) * size
    # A group in which nobody answered the item holds no answer to protect: its counts are
    # 0 whatever the attacker proves, and no complement can make them anything else.
    answered = structure.n if missing is None else structure.n - structure.counts[missing]
    targets = []
    for j, q in enumerate(quantities):
        if q not in structure.sensitive:
            continue
        hidden_q = pattern.value_hidden(q)
        own = pattern.values.get(q)
        for c in range(size):
            if not hidden_q[c] or answered[c] == 0:
                continue
            if pattern.cells[c] == Reason.SMALL or (
                own is not None and Reason(int(own[c])).primary
            ):
                minus = None if m_var is None else m_var + c
                proven.add((c, q))
                if (c, q) not in done:
                    targets.append(Target(c, (1 + j) * size + c, c, minus, 1, q))
    if not targets:
        return out, proven
    program = item_program(seen, quantities, missing)
    if exact:
        audit_program(program, targets, exact, out)
        return out, proven
    # Witnesses come from the program with every n and every skipped count held at
    # its true value: each published percentage is then a plain bound on its count,
    # the layers couple only cell by cell, and the programs are small and easy.
    # Then with only the shown groups held, so hidden groups' sizes move too. Their
    # points are points of the full program, so whatever they settle is settled.
    state = {t: Seen() for t in targets}
    # Last, only the groups whose size is published exactly: banded sizes move too.
    pinned = np.array([code.isdigit() for code in codes.n], dtype=bool)
    restrictions = (
        np.arange(size),
        np.flatnonzero(~pattern.hidden()),
        np.flatnonzero(pinned & ~pattern.hidden()),
    )
    for cells in restrictions:
        if not targets:
            break
        held = with_held(program, cells, size, m_var)
        targets = audit_program(
            held, targets, False, out, state=state, conclude=False, vertices=VERTICES
        )
    # What no restriction settles counts as exposed ("unproven") and gets a
    # complement: the full program can take minutes to prove either way, and
    # erring towards hiding is safe.
    for t in targets:
        seen_t = state[t]
        out.findings.append(
            Finding(
                t.cell, t.quantity, seen_t.integer_low(), seen_t.integer_high(), False, "unproven"
            )
        )
    return out, proven
