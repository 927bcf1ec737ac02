import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import (
    HIDDEN,
    Cell,
    Dimension,
    Item,
    Policy,
    Release,
    Scale,
    Table,
    protect,
)


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
        parts = [c for c in cells if len(c.key) == 2 and all(p in c.key for p in cell.key)]
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


def test_scale_mean_is_over_those_scored() -> None:
    # hand-worked: a has n = 30, 10 unscored; the 20 scored sum to 50 (squares
    # 140), so the mean is 50 / 20 = 2.5, not 50 / 30 = 1.7. b: 20 of 20 scored
    # sum to 60 (squares 200): 3.0. Total: 110 / 40 = 2.75 -> 2.8 (half up).
    flag = Item("conn:flag", ("flagged", "not_flagged", "unscored"), missing="unscored")
    rel = Release(
        (Dimension("g", ("a", "b")),),
        (Table("t", ("g",)),),
        (
            Cell((), 50, {"conn:flag": (12, 28, 10)}, {"conn": (110.0, 340.0)}),
            Cell((("g", "a"),), 30, {"conn:flag": (6, 14, 10)}, {"conn": (50.0, 140.0)}),
            Cell((("g", "b"),), 20, {"conn:flag": (6, 14, 0)}, {"conn": (60.0, 200.0)}),
        ),
        items=(flag,),
        scales=(Scale("conn", 1, 4, item="conn:flag"),),
    )
    rows = protect(rel).tables[0].rows
    assert [row.means["conn"] for row in rows] == ["2.8", "2.5", "3.0"]
    assert rows[1].counts["conn:flag=unscored"] == ""


def test_scale_needs_a_known_item() -> None:
    with pytest.raises(ValueError, match="unknown item 'flag'"):
        Release(
            (Dimension("g", ("a",)),),
            (Table("t", ("g",)),),
            (),
            scales=(Scale("conn", 1, 4, item="flag"),),
        )


def test_a_withheld_uniform_mean_hides_its_percentages_too() -> None:
    # hand-worked: all 20 scored in b score 1 (sum 20, squares 20), so b's mean is
    # withheld; shown beside it, b's "<=10%" at or above the cut of 3 would then be
    # known to be 0 %. Its percentages are hidden with it, and a's as the complement
    # (the total's are shown, so b's would follow from them otherwise). a's 20 scored
    # score 3 and 4, ten each (sum 70, squares 250); the total's mean is 90 / 40 = 2.25,
    # published 2.3 (half up).
    flag = Item("conn:flag", ("flagged", "not_flagged", "unscored"), missing="unscored")
    rel = Release(
        (Dimension("g", ("a", "b")),),
        (Table("t", ("g",)),),
        (
            Cell((), 60, {"conn:flag": (20, 20, 20)}, {"conn": (90.0, 270.0)}),
            Cell((("g", "a"),), 40, {"conn:flag": (20, 0, 20)}, {"conn": (70.0, 250.0)}),
            Cell((("g", "b"),), 20, {"conn:flag": (0, 20, 0)}, {"conn": (20.0, 20.0)}),
        ),
        items=(flag,),
        scales=(Scale("conn", 1, 4, item="conn:flag", cut=3.0),),
    )
    result = protect(rel)
    rows = result.tables[0].rows
    assert [row.n for row in rows] == ["40-99", "40-99", "20-39"]
    assert [row.means["conn"] for row in rows] == ["2.3", "*", "*"]
    assert [row.counts["conn:flag=flagged"] for row in rows] == ["50%", "*", "*"]
    assert result.report.ok
