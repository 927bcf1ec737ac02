from analysis.disclosure import (
    Cell,
    Dimension,
    Item,
    Loss,
    LossRow,
    Release,
    Table,
    measure_loss,
    protect,
)


def _school_by_grade() -> Release:
    # A's grade 9 has 4 students; the other groups 20 to 40
    inner = {("A", "9"): 4, ("A", "10"): 30, ("B", "9"): 20, ("B", "10"): 40}
    cells = [Cell((), 94)]
    cells += [Cell((("school", s),), sum(n for (t, _), n in inner.items() if t == s)) for s in "AB"]
    cells += [
        Cell((("grade", g),), sum(n for (_, h), n in inner.items() if h == g)) for g in ("9", "10")
    ]
    cells += [Cell((("school", s), ("grade", g)), n) for (s, g), n in inner.items()]
    return Release(
        (Dimension("school", ("A", "B")), Dimension("grade", ("9", "10"))),
        (Table("school x grade", ("school", "grade")),),
        tuple(cells),
    )


def test_rows_by_dimension_with_school_totals_and_grand_total() -> None:
    result = protect(_school_by_grade())
    # The 4 is hidden; each two-group split beside it then hides its other side, so
    # the four school x grade groups are hidden and every margin is shown.
    hidden = {key for key in result.structure.keys if result.status(key) == "hidden"}
    assert hidden == {(("school", s), ("grade", g)) for s in "AB" for g in ("9", "10")}
    loss = measure_loss(result)
    assert loss.rows == (
        LossRow("grand total", 1, 0, 94, 0, 1, 0),
        LossRow("school totals", 2, 0, 34 + 60, 0, 2, 0),
        # publishable: grade 9 (24), grade 10 (70), A-10 (30), B-9 (20), B-10 (40); the
        # last three hidden (90 of 184 respondents). Values: the n of all six groups,
        # four hidden (the 4 counts as a value, not as a publishable group).
        LossRow("grade", 5, 3, 184, 90, 6, 4),
    )
    assert loss.overall == LossRow("overall", 8, 3, 94 + 94 + 184, 90, 9, 4)
    assert loss.rows[2].group_share == 3 / 5
    assert loss.rows[2].respondent_share == 90 / 184


def test_values_count_percentages_and_skip_what_is_not_published() -> None:
    # One item with a skip option: the skip count is never published (code ""), so
    # each non-empty group has 1 n + 2 percentages; group c is empty and counts nothing.
    item = Item("mood", ("low", "ok", "skip"), ("low",), missing="skip")
    rel = Release(
        (Dimension("g", ("a", "b", "c")),),
        (Table("t", ("g",)),),
        (
            Cell((), 60, {"mood": (12, 45, 3)}),
            Cell((("g", "a"),), 30, {"mood": (6, 22, 2)}),
            Cell((("g", "b"),), 30, {"mood": (6, 23, 1)}),
        ),
        items=(item,),
    )
    result = protect(rel)
    assert all(result.status(key) == "shown" for key in result.structure.keys)
    assert measure_loss(result).overall == LossRow("overall", 3, 0, 120, 0, 9, 0)


def test_a_key_fixing_two_dimensions_is_their_own_row() -> None:
    inner = {(s, g, x): 12 for s in "AB" for g in ("9", "10") for x in "FM"}
    cells = []
    for mask in range(8):
        keep = [bool(mask & 1), bool(mask & 2), bool(mask & 4)]
        groups: dict[tuple[tuple[str, str], ...], int] = {}
        for (s, g, x), n in inner.items():
            key = tuple(
                p for p, k in zip((("school", s), ("grade", g), ("sex", x)), keep, strict=True) if k
            )
            groups[key] = groups.get(key, 0) + n
        cells += [Cell(key, n) for key, n in groups.items()]
    rel = Release(
        (
            Dimension("school", ("A", "B")),
            Dimension("grade", ("9", "10")),
            Dimension("sex", ("F", "M")),
        ),
        (Table("all", ("school", "grade", "sex")),),
        tuple(cells),
    )
    loss = measure_loss(protect(rel))
    # rows by how many non-school dimensions they fix, then in the release's order;
    # the grade x sex row holds 4 district groups and 8 school groups
    assert [row.dimension for row in loss.rows] == [
        "grand total",
        "school totals",
        "grade",
        "sex",
        "grade x sex",
    ]
    assert [row.values for row in loss.rows] == [1, 2, 2 + 4, 2 + 4, 4 + 8]


def test_without_a_school_dimension_there_is_no_school_totals_row() -> None:
    rel = Release(
        (Dimension("g", ("a", "b")),),
        (Table("t", ("g",)),),
        (Cell((), 40), Cell((("g", "a"),), 20), Cell((("g", "b"),), 20)),
    )
    assert [row.dimension for row in measure_loss(protect(rel)).rows] == ["grand total", "g"]


def test_table_lays_out_the_rows_and_the_overall_line() -> None:
    loss = Loss(
        (LossRow("grade", 4, 1, 100, 20, 12, 5), LossRow("school totals", 0, 0, 0, 0, 0, 0)),
        LossRow("overall", 4, 1, 100, 20, 12, 5),
    )
    lines = loss.table().splitlines()
    header = ["dimension", "groups", "n>=k", "hidden", "respondents", "hidden", "values"]
    assert lines[0].split() == [*header, "hidden"]
    # 1 of 4, 20 of 100, 5 of 12 = 41.7 %; nothing to hide reads 0.0 %
    assert lines[1].split() == ["grade", "4", "25.0%", "20.0%", "12", "41.7%"]
    assert lines[2].split() == ["school", "totals", "0", "0.0%", "0.0%", "0", "0.0%"]
    assert lines[3].startswith("overall")
    assert len({len(line) for line in lines}) == 1  # columns line up
