"""What makes a large release's audit fast leaves its verdicts as they were, or hides more.

Bound propagation that revisits only the rows a moved bound touches reaches the bounds that
revisiting every row reaches; an audit that reuses the last round's bounds finds what it
would find afresh; a group in which nobody answered an item holds no answer to protect; and a
restriction too large to search leaves its values unproven, hidden, never passed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from analysis.disclosure import (
    Cell,
    Dimension,
    Item,
    Policy,
    Release,
    Table,
    propagation,
    protect,
    witnesses,
)
from analysis.disclosure.codes import published_codes
from analysis.disclosure.complementary import complementary_suppression
from analysis.disclosure.items import audit_item
from analysis.disclosure.primary import Pattern, primary_suppression
from analysis.disclosure.programs import Program, View, view
from tests.analysis.disclosure.test_items import district


def every_row(program: Program) -> tuple[np.ndarray, np.ndarray]:
    """Bounds propagated the plain way: every row bounds every variable, each round."""
    dense = program.matrix.toarray()
    lb, ub = program.lb.astype(float).copy(), program.ub.astype(float).copy()
    for _ in range(100):
        next_lb, next_ub = lb.copy(), ub.copy()
        for r, row in enumerate(dense):
            for j in np.flatnonzero(row):
                rest_low = rest_high = 0.0
                for k in np.flatnonzero(row):
                    if k != j:
                        a = row[k]
                        rest_low += a * lb[k] if a > 0 else a * ub[k]
                        rest_high += a * ub[k] if a > 0 else a * lb[k]
                a = row[j]
                top = (program.hi[r] - rest_low) / a
                bottom = (program.lo[r] - rest_high) / a
                low, high = (bottom, top) if a > 0 else (top, bottom)
                low = -math.inf if math.isnan(low) else low
                high = math.inf if math.isnan(high) else high
                if math.isfinite(low):
                    low = math.ceil(low - 1e-6)
                if math.isfinite(high):
                    high = math.floor(high + 1e-6)
                next_lb[j], next_ub[j] = max(next_lb[j], low), min(next_ub[j], high)
        if np.array_equal(next_lb, lb) and np.array_equal(next_ub, ub):
            break
        lb, ub = next_lb, next_ub
    return lb, ub


@st.composite
def programs(draw: st.DrawFn) -> Program:
    """Relations ``total = sum(parts)`` over a few integer variables, some bounds given."""
    width = draw(st.integers(3, 9))
    truth = np.array(draw(st.lists(st.integers(0, 30), min_size=width, max_size=width)), float)
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        members = draw(st.lists(st.integers(0, width - 1), min_size=2, max_size=5, unique=True))
        row = np.zeros(width)
        row[members] = draw(st.sampled_from([1.0, -1.0, 2.0]))
        rows.append(row)
    matrix = np.array(rows)
    activity = matrix @ truth
    slack = np.array(draw(st.lists(st.integers(0, 3), min_size=len(rows), max_size=len(rows))))
    lb = np.where(draw(st.lists(st.booleans(), min_size=width, max_size=width)), truth, 0.0)
    ub = np.where(draw(st.lists(st.booleans(), min_size=width, max_size=width)), truth, 40.0)
    return Program(
        sparse.csr_array(matrix), activity - slack, activity + slack, lb, ub, truth, 100.0
    )


@settings(max_examples=150, deadline=None)
@given(programs())
def test_propagation_over_moved_rows_reaches_what_every_row_reaches(program: Program) -> None:
    fast = propagation.propagated(program)
    plain = every_row(program)
    np.testing.assert_array_equal(fast[0], plain[0])
    np.testing.assert_array_equal(fast[1], plain[1])
    # The truth is a point of the program: no bound may cut it off.
    assert np.all(fast[0] <= program.truth)
    assert np.all(program.truth <= fast[1])


def audited(release: Release, policy: Policy) -> tuple[View, Pattern]:
    """The published view and pattern of a release's first audit."""
    structure = release.structure()
    pattern = primary_suppression(structure, policy)
    complementary_suppression(structure, pattern, policy)
    codes = published_codes(structure, pattern, policy)
    return view(structure, codes, policy, None), pattern


def test_an_audit_that_reuses_the_last_bounds_finds_what_it_finds_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen, pattern = audited(district(1), Policy())
    afresh = propagation.propagation_findings(seen, pattern)
    memo: dict[object, object] = {}
    first = propagation.propagation_findings(seen, pattern, memo=memo)  # type: ignore[arg-type]
    assert memo
    assert first == afresh
    calls: list[Program] = []
    real = propagation.propagated

    def counted(program: Program) -> tuple[np.ndarray, np.ndarray]:
        calls.append(program)
        return real(program)

    monkeypatch.setattr(propagation, "propagated", counted)
    again = propagation.propagation_findings(seen, pattern, memo=memo)  # type: ignore[arg-type]
    assert again == afresh
    assert calls == []  # nothing changed, so nothing was propagated again
    # Another pattern publishes other values: its items are propagated again.
    pattern.values["q0"][np.flatnonzero(pattern.cells == 0)[:3]] = 3
    codes = published_codes(seen.structure, pattern, seen.policy)
    changed = view(seen.structure, codes, seen.policy, None)
    assert propagation.propagation_findings(changed, pattern, memo=memo) == (  # type: ignore[arg-type]
        propagation.propagation_findings(changed, pattern)
    )
    assert calls


def skipped_release() -> Release:
    """Two schools by grade; in S1's grade 11 (3 students) nobody answered the item."""
    cells = []
    sizes = {("S1", "9"): 40, ("S1", "10"): 35, ("S1", "11"): 3, ("S2", "9"): 38}
    sizes |= {("S2", "10"): 30, ("S2", "11"): 4}
    answers = {("S1", "11"): (0, 0, 3), ("S2", "11"): (1, 2, 1)}
    for (school, grade), n in sizes.items():
        yes, no, skip = answers.get((school, grade), (n // 5, n - n // 5 - 2, 2))
        counts = {"q": (yes, no, skip)}
        cells.append(Cell((("school", school), ("grade", grade)), n, counts))
    total: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for cell in cells:
        by_school, by_grade = cell.key[:1], cell.key[1:]
        for key in ((), by_school, by_grade):
            entry = total.setdefault(key, [0, 0, 0, 0])
            entry[0] += cell.n
            for i, v in enumerate(cell.counts["q"]):
                entry[1 + i] += v
    cells += [Cell(k, v[0], {"q": tuple(v[1:])}) for k, v in total.items()]
    return Release(
        (Dimension("school", ("S1", "S2")), Dimension("grade", ("9", "10", "11"))),
        (Table("school x grade", ("school", "grade")),),
        tuple(cells),
        items=(Item("q", ("yes", "no", "skip"), ("yes", "no"), missing="skip"),),
    )


def test_a_group_where_nobody_answered_has_no_answer_to_protect() -> None:
    release = skipped_release()
    seen, pattern = audited(release, Policy())
    structure = seen.structure
    nobody = structure.index[(("school", "S1"), ("grade", "11"))]
    some = structure.index[(("school", "S2"), ("grade", "11"))]
    assert pattern.hidden()[nobody]
    assert pattern.hidden()[some]
    found, _covered = audit_item((seen, pattern, False, frozenset()), "q")
    audited_cells = {f.cell for f in found.findings}
    # The grade 11 group where some answered is audited; the one where nobody did is not.
    assert some in audited_cells
    assert nobody not in audited_cells
    protected = protect(release, Policy(), release_id="r")
    assert protected.report.ok
    assert not [r for r in protected.report.records if r.failure]


def test_a_block_too_large_to_search_is_hidden_not_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen, pattern = audited(district(1), Policy())
    name = next(iter(seen.structure.items))
    found, _ = audit_item((seen, pattern, False, frozenset()), name)
    assert any(not f.failure for f in found.findings)
    monkeypatch.setattr(witnesses, "RESTRICTED_BLOCK", 0)
    capped, _ = audit_item((seen, pattern, False, frozenset()), name)
    assert capped.findings
    for f in capped.findings:
        # Held at its true value, a count is the one point seen: nothing was searched.
        assert f.failure in ("unproven", "point"), f
