import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.disclosure import Cell, Dimension, Item, Policy, Release, Table, Tier
from analysis.disclosure.codes import published_codes
from analysis.disclosure.domains import Domain, n_domains, plain_sizes
from analysis.disclosure.policy import code_percent
from analysis.disclosure.primary import primary_suppression


def test_plain_percentage_rules_out_sizes() -> None:
    # hand-worked: 50 % needs y / n in [0.495, 0.505): odd n below 101 cannot
    assert all(n % 2 == 0 for n in plain_sizes(50))
    assert 2 in plain_sizes(50)
    assert 100 in plain_sizes(50)
    with pytest.raises(ValueError, match="percent"):
        plain_sizes(101)


@given(st.integers(1, 100), st.data())
def test_plain_sizes_are_exactly_the_sizes_that_code_to_it(n: int, data: st.DataObject) -> None:
    y = data.draw(st.integers(0, n))
    policy = Policy(tiers=(Tier(1, 0, 100),), k=1)
    code = code_percent(y, n, policy)
    if code[0].isdigit():
        assert n in plain_sizes(int(code[:-1]))


def _one_cell(
    n: int, counts: dict[str, int], items: tuple[Item, ...], policy: Policy
) -> list[Domain]:
    rel = Release(
        (Dimension("g", ("a",)),),
        (Table("t", ("g",)),),
        (
            Cell((), n, {k: (v,) for k, v in counts.items()}),
            Cell((("g", "a"),), n, {k: (v,) for k, v in counts.items()}),
        ),
        items=items,
    )
    s = rel.structure()
    codes = published_codes(s, primary_suppression(s, policy), policy)
    lb = np.array([10.0, 10.0])
    ub = np.array([19.0, 19.0])
    return n_domains(s, codes, policy, lb, ub)


def test_domain_keeps_gaps() -> None:
    # hand-worked: 33 % in the band 10-19 fits 4 of 12, 5 of 15 and 6 of 18 only
    policy = Policy(tiers=(Tier(1, 0, 100),), k=1)
    domains = _one_cell(15, {"u": 5}, (Item("u"),), policy)
    assert domains[0] == ((12, 12.0), (15, 15.0), (18, 18.0))


def test_tier_of_a_code_bounds_the_size() -> None:
    # REFERENCES.md tiers: a plain 25 % in the band 10-19 fits 3 of 12 and 4 of
    # 16; "<=20%" is the bottom code of the 10-19 tier and rules out nothing in it
    domains = _one_cell(12, {"u": 3}, (Item("u"),), Policy())
    assert domains[0] == ((12, 12.0), (16, 16.0))
    domains = _one_cell(12, {"u": 1}, (Item("u"),), Policy())
    assert domains[0] == ((10, 19.0),)
