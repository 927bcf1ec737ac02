"""Items audited in worker processes publish exactly what the serial audit publishes."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.disclosure import Cell, Dimension, Item, Policy, Release, Table, items, protect

SCHOOLS = 12
ITEMS = 6


def district(seed: int) -> Release:
    """Schools of 30 to 200 students in two crossed dimensions, every item sensitive."""
    rng = np.random.default_rng(seed)
    schools = tuple(f"S{i:02d}" for i in range(SCHOOLS))
    dims = {"grade": ("9", "10", "11"), "ell": ("yes", "no")}
    acc: dict[tuple[tuple[str, str], ...], list[np.ndarray]] = {}

    def add(key: tuple[tuple[str, str], ...], rows: np.ndarray) -> None:
        entry = acc.setdefault(key, [np.zeros(1), np.zeros(ITEMS)])
        entry[0] += rows.shape[0]
        entry[1] += rows.sum(axis=0)

    rates = rng.uniform(0.02, 0.3, size=ITEMS)
    for school in schools:
        size = int(rng.integers(30, 200))
        answers = (rng.random((size, ITEMS)) < rates).astype(np.float64)
        add((), answers)
        add((("school", school),), answers)
        for name, cats in dims.items():
            labels = rng.choice(len(cats), size=size, p=(0.9, 0.1) if name == "ell" else None)
            for j, cat in enumerate(cats):
                add(((name, cat),), answers[labels == j])
                add((("school", school), (name, cat)), answers[labels == j])
    cells = tuple(
        Cell(key, int(n[0]), {f"q{i}": (int(v[i]),) for i in range(ITEMS)})
        for key, (n, v) in acc.items()
    )
    return Release(
        (Dimension("school", schools), *(Dimension(n, c) for n, c in dims.items())),
        tuple(Table(f"school x {n}", ("school", n)) for n in dims),
        cells,
        items=tuple(Item(f"q{i}", sensitive=("",)) for i in range(ITEMS)),
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_workers_publish_what_the_serial_audit_publishes(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = district(seed)
    assert release.structure().size < items.PARALLEL_FROM  # audited here by default
    serial = protect(release, Policy(), release_id="r")
    # Every release now goes to two worker processes, whatever its size.
    monkeypatch.setattr(items, "_cores", lambda: 2)
    monkeypatch.setattr(items, "PARALLEL_FROM", 0)
    parallel = protect(release, Policy(), release_id="r")
    assert parallel.codes == serial.codes
    assert parallel.report.programs == serial.report.programs
    assert parallel.report.rounds == serial.report.rounds
    # The audit hid something to protect: the comparison is of real work.
    assert any("*" in codes for codes in serial.codes.counts.values())
