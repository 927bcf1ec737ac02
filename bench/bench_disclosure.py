"""Benchmark: protect and audit one district-year.

200 schools x 6 subgroup dimensions (15 categories in all) x 40 sensitive
items, each dimension crossed with school, with district totals. Target:
under 30 s on a 2-core machine. The baseline measured in the same run is the
cost of building the relation system alone, so the ratio says how many
"structure builds" the whole protect-and-audit costs.

Run: .venv/bin/python bench/bench_disclosure.py
"""

from __future__ import annotations

import time

import numpy as np

from analysis.disclosure import Cell, Dimension, Item, Policy, Release, Table, protect

SCHOOLS = 200
ITEMS = 40
DIMENSIONS = {
    "grade": (("9", "10", "11", "12"), (0.26, 0.25, 0.25, 0.24)),
    "sex": (("F", "M"), (0.5, 0.5)),
    "race": (("A", "B", "C"), (0.75, 0.2, 0.05)),
    "ell": (("yes", "no"), (0.08, 0.92)),
    "iep": (("yes", "no"), (0.12, 0.88)),
    "frl": (("yes", "no"), (0.45, 0.55)),
}


def district(seed: int = 20240901) -> Release:
    """Simulate student answers and reduce them to cells, as the database would."""
    rng = np.random.default_rng(seed)
    schools = tuple(f"S{i:03d}" for i in range(SCHOOLS))
    dims = (
        Dimension("school", schools),
        *(Dimension(name, cats) for name, (cats, _) in DIMENSIONS.items()),
    )
    rates = rng.uniform(0.03, 0.4, size=ITEMS)
    acc: dict[tuple[tuple[str, str], ...], list[np.ndarray]] = {}

    def add(key: tuple[tuple[str, str], ...], answers: np.ndarray) -> None:
        entry = acc.setdefault(key, [np.zeros(1, dtype=np.int64), np.zeros(ITEMS, np.int64)])
        entry[0] += answers.shape[0]
        entry[1] += answers.sum(axis=0)

    for school in schools:
        size = int(rng.integers(60, 900))
        answers = (rng.random((size, ITEMS)) < rates).astype(np.int64)
        add((), answers)
        add((("school", school),), answers)
        for name, (cats, probs) in DIMENSIONS.items():
            labels = rng.choice(len(cats), size=size, p=probs)
            for j, cat in enumerate(cats):
                part = answers[labels == j]
                add(((name, cat),), part)
                add((("school", school), (name, cat)), part)
    cells = tuple(
        Cell(key, int(n[0]), {f"q{i:02d}": (int(v),) for i, v in enumerate(counts)})
        for key, (n, counts) in acc.items()
    )
    tables = tuple(Table(f"school x {name}", ("school", name)) for name in DIMENSIONS)
    items = tuple(Item(f"q{i:02d}", sensitive=("",)) for i in range(ITEMS))
    return Release(dims, tables, cells, items=items)


def main() -> None:
    release = district()
    start = time.perf_counter()
    structure = release.structure()
    baseline = time.perf_counter() - start
    # Exact n (--exact-n) pins every small count beside it and hides far
    # more values; it is not the target configuration and takes minutes.
    for exact_n in (False,):
        start = time.perf_counter()
        result = protect(release, Policy(exact_n=exact_n), release_id="2024")
        elapsed = time.perf_counter() - start
        hidden = sum(1 for code in result.codes.n if code == "*")
        values = sum(code == "*" for codes in result.codes.counts.values() for code in codes)
        print(
            f"exact_n={exact_n}: {structure.size} cells, {len(structure.members)} relations, "
            f"{hidden} cells hidden, {values} values hidden, "
            f"{result.report.programs} LPs solved in {result.report.rounds} rounds, "
            f"audit ok={result.report.ok}, {elapsed:.2f} s "
            f"(structure build {baseline:.2f} s, ratio {elapsed / baseline:.1f}x)"
        )


if __name__ == "__main__":
    main()
