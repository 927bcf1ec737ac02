import pytest

from analysis.disclosure import Cell, Dimension, Item, Release, Table


def test_missing_option_must_be_an_unpublished_option() -> None:
    with pytest.raises(ValueError, match="missing option 'na' unknown"):
        Item("q", ("yes", "no"), missing="na")
    with pytest.raises(ValueError, match="cannot be sensitive"):
        Item("q", ("yes", "skip"), ("skip",), missing="skip")
    with pytest.raises(ValueError, match="besides the missing one"):
        Item("q", ("skip",), missing="skip")


def test_denominator_subtracts_the_missing_count() -> None:
    # hand-worked: 30 respondents, 10 skipped: the percentages are of 20
    item = Item("q", ("yes", "no", "skip"), ("yes",), missing="skip")
    rel = Release(
        (Dimension("g", ("a",)),),
        (Table("t", ("g",)),),
        (Cell((), 30, {"q": (5, 15, 10)}), Cell((("g", "a"),), 30, {"q": (5, 15, 10)})),
        items=(item,),
    )
    s = rel.structure()
    assert s.denominator("q=yes").tolist() == [20, 20]
    assert s.missing("q") == "q=skip"
    assert not s.published("q=skip")
    assert s.exhaustive["q"]


def test_counts_with_missing_may_not_exceed_n() -> None:
    item = Item("q", ("yes", "skip"), missing="skip")
    with pytest.raises(ValueError, match="counts of 'q' exceed n"):
        Release(
            (Dimension("g", ("a",)),),
            (Table("t", ("g",)),),
            (Cell((), 10, {"q": (5, 6)}), Cell((("g", "a"),), 10, {"q": (5, 6)})),
            items=(item,),
        ).structure()
