import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from analysis.disclosure import (
    HIDDEN,
    Cell,
    Dimension,
    Item,
    Policy,
    Reason,
    Release,
    Table,
    code_percent,
    primary_suppression,
    published_codes,
)
from analysis.disclosure.codes import _percent_codes

MOOD = Item("mood", ("low", "ok", "skipped"), ("low",), missing="skipped")


def _codes(counts: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]]) -> list[str]:
    # two groups a, b and their total; counts per group: (low, ok, skipped)
    (a_n, a), (b_n, b) = ((sum(v), v) for v in counts["ab"])
    total = tuple(x + y for x, y in zip(a, b, strict=True))
    rel = Release(
        (Dimension("g", ("a", "b")),),
        (Table("t", ("g",)),),
        (
            Cell((), a_n + b_n, {"mood": total}),
            Cell((("g", "a"),), a_n, {"mood": a}),
            Cell((("g", "b"),), b_n, {"mood": b}),
        ),
        items=(MOOD,),
    )
    s = rel.structure()
    codes = published_codes(s, primary_suppression(s, Policy()), Policy())
    return [
        f"{codes.n[c]}|{codes.counts['mood=low'][c]}|{codes.counts['mood=ok'][c]}|"
        f"{codes.counts['mood=skipped'][c]}"
        for c in range(s.size)
    ]


def test_percentages_are_of_those_who_answered() -> None:
    # hand-worked: a has n = 30 of whom 10 skipped, so 6 of 20 = 30 % and 14 of
    # 20 = 70 % (tier of 20: <=10/>=90, so both plain); b: 6 of 30 = 20 %,
    # 24 of 30 = 80 %; total 12 of 50 = 24 %, 38 of 50 = 76 %. Skips unpublished.
    assert _codes({"ab": ((6, 14, 10), (6, 24, 0))}) == [
        "40-99|24%|76%|",
        "20-39|30%|70%|",
        "20-39|20%|80%|",
    ]


def test_small_denominator_is_hidden_like_a_small_group() -> None:
    # hand-worked: a has n = 30 but only 5 answered (25 skipped): 1..k-1 answered,
    # so a's percentages are hidden although its n is shown
    codes = _codes({"ab": ((2, 3, 25), (6, 24, 0))})
    assert codes[1] == f"20-39|{HIDDEN}|{HIDDEN}|"
    # total: n = 60, 35 answered: 8/35 = 22.9 % -> 23 %, 27/35 = 77.1 % -> 77 %
    assert codes[0] == "40-99|23%|77%|"


def test_nobody_answered_is_shown_empty() -> None:
    # hand-worked: a's 30 respondents all skipped: no percentage exists
    codes = _codes({"ab": ((0, 0, 30), (6, 24, 0))})
    assert codes[1] == "20-39|||"


def test_the_answered_band_stands_beside_any_shown_option() -> None:
    # hand-worked: a's 20 answered (10 skipped): "low" hidden on its own as the
    # pattern below says, "ok" shown; the band of those who answered (20-39) is
    # published beside "ok", and nowhere without a shown option
    rel = Release(
        (Dimension("g", ("a", "b")),),
        (Table("t", ("g",)),),
        (
            Cell((), 60, {"mood": (12, 38, 10)}),
            Cell((("g", "a"),), 30, {"mood": (6, 14, 10)}),
            Cell((("g", "b"),), 30, {"mood": (6, 24, 0)}),
        ),
        items=(MOOD,),
    )
    s = rel.structure()
    policy = Policy(answered_bands=True)
    pattern = primary_suppression(s, policy)
    pattern.values["mood=low"][1] = Reason.COMPLEMENT
    codes = published_codes(s, pattern, policy)
    assert codes.counts["mood=low"][1] == HIDDEN
    assert codes.counts["mood=ok"][1] == "70%"
    assert codes.answered["mood"] == ("40-99", "20-39", "20-39")
    pattern.values["mood=ok"][1] = Reason.COMPLEMENT
    assert published_codes(s, pattern, policy).answered["mood"][1] == ""
    assert published_codes(s, pattern, Policy()).answered == {}


@given(st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 2000)), min_size=1, max_size=40))
def test_codes_of_whole_columns_equal_code_percent(pairs: list[tuple[int, int]]) -> None:
    # the column-at-once coding against the one-value definition
    policy = Policy()
    d = np.array([max(a, b) for a, b in pairs], dtype=np.int64)
    y = np.array([min(a, b) for a, b in pairs], dtype=np.int64)
    wanted = d >= policy.k
    coded = _percent_codes(y, d, wanted, policy)
    expected = [
        code_percent(int(a), int(b), policy) if w else ""
        for a, b, w in zip(y, d, wanted, strict=True)
    ]
    assert coded == expected
