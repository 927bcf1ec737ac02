from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import HIDDEN, Cell, Dimension, Item, Policy, Release, Table, protect


def _release(values: list[list[int]]) -> Release:
    rows, cols = len(values), len(values[0])
    cells = [Cell((), sum(map(sum, values)), {"u": (sum(map(sum, values)) // 3,)})]
    for i in range(rows):
        total = sum(values[i])
        cells.append(Cell((("r", str(i)),), total, {"u": (sum(v // 3 for v in values[i]),)}))
    for j in range(cols):
        col = [values[i][j] for i in range(rows)]
        cells.append(Cell((("c", str(j)),), sum(col), {"u": (sum(v // 3 for v in col),)}))
    for i in range(rows):
        for j in range(cols):
            v = values[i][j]
            cells.append(Cell((("r", str(i)), ("c", str(j))), v, {"u": (v // 3,)}))
    # keep every relation of the count consistent by deriving margins from parts
    fixed = []
    for cell in cells:
        parts = [
            c for c in cells
            if len(c.key) == 2 and all(p in c.key for p in cell.key)
        ]
        fixed.append(Cell(cell.key, cell.n, {"u": (sum(p.counts["u"][0] for p in parts),)}))
    return Release(
        (
            Dimension("r", tuple(map(str, range(rows)))),
            Dimension("c", tuple(map(str, range(cols)))),
        ),
        (Table("t", ("r", "c")),),
        tuple(fixed),
        items=(Item("u", sensitive=("",)),),
    )


tables = st.integers(2, 3).flatmap(
    lambda r: st.integers(2, 3).flatmap(
        lambda c: st.lists(
            st.lists(st.integers(0, 60), min_size=c, max_size=c), min_size=r, max_size=r
        )
    )
)


@settings(max_examples=40, deadline=None)
@given(tables)
def test_small_groups_never_published_and_audit_passes(values: list[list[int]]) -> None:
    result = protect(_release(values))
    s = result.structure
    for c in range(s.size):
        if 1 <= s.n[c] < 10:
            assert result.codes.n[c] == HIDDEN
            assert result.codes.counts["u"][c] == HIDDEN
    assert result.report.ok
    # one status per cell: the single table row and the code agree
    for row in result.tables[0].rows:
        assert (row.n == HIDDEN) == (result.status(row.key) == "hidden")


@settings(max_examples=20, deadline=None)
@given(tables)
def test_same_input_same_output(values: list[list[int]]) -> None:
    first, second = protect(_release(values)), protect(_release(values))
    assert first.report.to_json() == second.report.to_json()
    assert first.ledger.to_json() == second.ledger.to_json()


@settings(max_examples=20, deadline=None)
@given(tables)
def test_no_small_groups_no_cell_suppression(values: list[list[int]]) -> None:
    values = [[0 if x < 10 else x for x in row] for row in values]
    result = protect(_release(values), Policy(sensitive_count_k=0))
    assert HIDDEN not in result.codes.n
