"""Repairs of exposed counts: hide one more value where it breaks the attacker's proof.

A hidden group's count is exposed when the published values of its relations pin it,
or prove it 0 or all of those who answered. Hiding the same count in one more group of
those relations widens what the attacker can prove, but only if that group holds what
the exposed one is proved to lack: beside a count proved 0 the new complement must have a
count above 0 (else the hidden counts still add up to 0), and beside a count proved to be
everyone, another option must have answers. The repair therefore hides one value, the
cheapest (fewest respondents) that can help, first in the exposed group's relations, then
in the relations of their members; it hides values, never a whole group, so one item's
rare answer does not take every other number of a school with it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from analysis.disclosure.cells import Structure, quantity_name
from analysis.disclosure.policy import Policy
from analysis.disclosure.primary import Pattern, Reason
from analysis.disclosure.witnesses import Finding

__all__ = ["repair_value"]


def repair_value(
    structure: Structure, pattern: Pattern, finding: Finding, policy: Policy, *, block: bool
) -> bool:
    """Hide one more value to break an exposed count; ``block`` hides the relations' values.

    Returns whether anything was hidden. With ``block``, every shown value of the exposed
    count's relations is hidden (values only, not the groups).
    """
    c = finding.cell
    quantity = finding.quantity
    if finding.failure == "all":
        # Everyone gave this answer because every other answer is proved 0 here: those
        # other answers need a complement that holds some of them.
        item = structure.items[structure.item_of[quantity]]
        others = [
            quantity_name(item.name, o)
            for o in item.answered
            if quantity_name(item.name, o) != quantity
        ]
        return any(
            _repair_one(structure, pattern, c, other, "zero", policy, block=block)
            for other in others
        )
    if pattern.cells[c] == Reason.SHOWN and _beside(structure, pattern, c, quantity):
        return True
    if _repair_one(structure, pattern, c, quantity, finding.failure, policy, block=block):
        return True
    # Every value of this count near the group is hidden already: the count is pinned
    # through the item's other answers, which add up with it to those who answered.
    item = structure.items[structure.item_of[quantity]]
    return any(
        _repair_one(structure, pattern, c, quantity_name(item.name, o), "", policy, block=block)
        for o in item.answered
        if quantity_name(item.name, o) != quantity
    )


def _beside(structure: Structure, pattern: Pattern, cell: int, quantity: str) -> bool:
    """Hide another answer of a shown group whose hidden count its other answers pin.

    Those who answered less the shown answers leave the hidden count: hiding the answer
    with the most respondents beside it leaves the two a shared, wider range.
    """
    item = structure.items[structure.item_of[quantity]]
    best: tuple[int, str] | None = None
    for option in item.answered:
        other = quantity_name(item.name, option)
        own = pattern.values.get(other)
        if other == quantity or own is None or own[cell] != Reason.SHOWN:
            continue
        count = int(structure.counts[other][cell])
        if count > 0 and (best is None or count > best[0]):
            best = (count, other)
    if best is None:
        return False
    pattern.values[best[1]][cell] = Reason.AUDIT
    return True


def _repair_one(
    structure: Structure,
    pattern: Pattern,
    cell: int,
    quantity: str,
    failure: str,
    policy: Policy,
    *,
    block: bool,
) -> bool:
    own = pattern.values.get(quantity)
    if own is None:
        own = pattern.values[quantity] = np.zeros(structure.size, dtype=np.int8)
    hidden = pattern.value_hidden(quantity)
    eligible = (pattern.cells == Reason.SHOWN) & (own == Reason.SHOWN) & ~hidden
    relations = list(structure.cell_relations[cell])
    near = np.unique(np.concatenate([structure.members[r] for r in relations]))
    # One relation further out, for when the exposed group's own relations have nothing.
    outer = {r for m in near.tolist() for r in structure.cell_relations[m]} - set(relations)
    far = (
        np.unique(np.concatenate([structure.members[r] for r in sorted(outer)]))
        if outer
        else near[:0]
    )
    if block:
        # Rounds are running out: hide the count in every group of the relations around.
        for members in (near, far):
            chosen = members[eligible[members]]
            if chosen.size:
                own[chosen] = Reason.BLOCK
                return True
        return False
    counts = structure.counts[quantity]
    helps: npt.NDArray[np.bool_] = counts > 0 if failure == "zero" else np.ones_like(eligible)
    cost = structure.n.astype(np.float64) * np.where(structure.is_total, policy.total_cost, 1.0)
    # The count may be pinned through each of its relations: one helpful complement in
    # every relation of the group that still has one, the cheapest first.
    changed = False
    for r in relations:
        members = structure.members[r]
        candidates = members[(eligible & helps)[members]]
        if candidates.size:
            best = int(candidates[np.lexsort((candidates, cost[candidates]))[0]])
            own[best] = Reason.AUDIT
            eligible[best] = False
            changed = True
    if changed:
        return True
    for wanted in (eligible & helps, eligible):
        for members in (near, far):
            candidates = members[wanted[members]]
            if candidates.size:
                best = int(candidates[np.lexsort((candidates, cost[candidates]))[0]])
                own[best] = Reason.AUDIT
                return True
    return False
