import itertools

import numpy as np
import pytest

from analysis.disclosure import (
    Cell,
    Dimension,
    Policy,
    Release,
    Table,
    Tier,
    audit_pattern,
    count_interval,
    primary_suppression,
    protect,
    published_codes,
)

TINY = Policy(k=5, exact_n=True, tiers=(Tier(1, 0, 100),))


def test_known_non_empty_complements_disclose() -> None:
    # REFERENCES.md (tau-ARGUS issue 194): 15 = 10 + 3 + x + x with x >= 1 gives x = 1
    rel = Release(
        (Dimension("g", ("a", "b", "c", "d")),),
        (Table("t", ("g",)),),
        (Cell((), 15), Cell((("g", "a"),), 10), Cell((("g", "b"),), 3),
         Cell((("g", "c"),), 1), Cell((("g", "d"),), 1)),
    )
    policy = Policy(k=2, exact_n=True, tiers=(Tier(1, 0, 100),))
    s = rel.structure()
    pattern = primary_suppression(s, policy)
    result = audit_pattern(s, pattern, published_codes(s, pattern, policy), policy, exact=True)
    assert [(f.lower, f.upper, f.failure) for f in result.findings] == [
        (1, 1, "point"), (1, 1, "point"),
    ]


def test_exact_n_beside_percentage_discloses_count() -> None:
    # REFERENCES.md: n = 25 at 12 % gives exactly 3
    assert count_interval("25", "12%") == (3, 3)
    assert count_interval("20-39", "12%")[0] < count_interval("20-39", "12%")[1]


def _oracle(codes: list[str], grand: int) -> dict[int, tuple[int, int]]:
    # cells of a 2x2 table with margins, in structure order:
    # (), r0, r1, c0, c1, r0c0, r0c1, r1c0, r1c1
    hidden = [i for i in range(5, 9) if codes[i] == "*"]
    ranges = [range(1, grand + 1) if i in hidden else [int(codes[i])] for i in range(5, 9)]
    grid = np.array(list(itertools.product(*ranges)))
    a, b, c, d = grid.T
    derived = [a + b + c + d, a + b, c + d, a + c, b + d]
    ok = np.ones(len(grid), dtype=bool)
    for j, values in enumerate(derived):
        if codes[j] == "*":
            ok &= values >= 1
        else:
            ok &= values == int(codes[j])
    feasible = grid[ok]
    return {i: (int(feasible[:, i - 5].min()), int(feasible[:, i - 5].max())) for i in hidden}


def _tiny(seed: int) -> Release:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 9, size=(2, 2))
    values[rng.random((2, 2)) < 0.3] = rng.integers(1, 4)
    cells = [Cell((), int(values.sum()))]
    cells += [Cell((("r", str(i)),), int(values[i].sum())) for i in range(2)]
    cells += [Cell((("c", str(j)),), int(values[:, j].sum())) for j in range(2)]
    cells += [
        Cell((("r", str(i)), ("c", str(j))), int(values[i, j]))
        for i in range(2) for j in range(2)
    ]
    return Release(
        (Dimension("r", ("0", "1")), Dimension("c", ("0", "1"))),
        (Table("t", ("r", "c")),),
        tuple(cells),
    )


def _check_against_oracle(seeds: range) -> int:
    compared = 0
    for seed in seeds:
        rel = _tiny(seed)
        result = protect(rel, TINY, exact=True)
        codes = list(result.codes.n)
        if codes[0] == "*" or any(c == "*" for c in codes[1:5]):
            continue  # margins hidden: interval unbounded, nothing to enumerate
        oracle = _oracle(codes, int(codes[0]))
        for record in result.report.records:
            c = result.structure.index[record.key]
            if record.quantity == "n" and record.lower is not None and c in oracle:
                assert (record.lower, record.upper) == oracle[c], (seed, record)
                assert record.exact
                compared += 1
        assert result.report.ok
    return compared


def test_audit_matches_brute_force_oracle_sample() -> None:
    assert _check_against_oracle(range(150)) > 20


@pytest.mark.slow
def test_audit_matches_brute_force_oracle_thousand_tables() -> None:
    assert _check_against_oracle(range(1000, 2000)) > 200
