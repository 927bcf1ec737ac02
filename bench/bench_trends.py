"""Trend and subgroup models for 1,000,000 responses: from cells versus student rows.

Simulates 200 schools x 5 years (1,000 respondents per school and year) with
school clustering, then fits in the same run

* the trend model (orthogonal year polynomial + grade + gender + race/ethnicity) and
* a subgroup model (home language + grade + gender + year as categories)

twice: by ``analysis`` on grouped binomial cells with the school-clustered sandwich,
and by statsmodels on student rows with ``cov_type="cluster"`` (no small-sample
correction, times G/(G-1)). Prints the times, their ratio and the largest differences
in coefficients and standard errors.

Run: ``.venv/bin/python bench/bench_trends.py``
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import statsmodels.api as sm

from analysis.logistic import categorical_design, fit_grouped_logit
from analysis.trends import fit_trend, orthogonal_polynomials

T = TypeVar("T")

SCHOOLS, YEARS, PER_SCHOOL_YEAR = 200, 5, 1_000


def simulate(seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    school = np.repeat(np.arange(SCHOOLS), YEARS * PER_SCHOOL_YEAR)
    year = np.tile(np.repeat(np.arange(YEARS), PER_SCHOOL_YEAR), SCHOOLS)
    n = school.size
    grade = rng.integers(0, 4, size=n)
    gender = rng.integers(0, 2, size=n)
    race = rng.choice(5, size=n, p=[0.45, 0.2, 0.2, 0.1, 0.05])
    language = rng.choice(4, size=n, p=[0.7, 0.15, 0.1, 0.05])
    u = rng.normal(0, 0.4, SCHOOLS)
    eta = (
        -1.2
        + 0.05 * year
        + 0.1 * grade
        - 0.25 * gender
        + 0.05 * race
        + 0.15 * (language > 0)
        + u[school]
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return {
        "school": school,
        "year": year,
        "grade": grade,
        "gender": gender,
        "race": race,
        "language": language,
        "y": y,
    }


def to_cells(d: dict[str, np.ndarray], keys: list[str]) -> dict[str, np.ndarray]:
    """What the database's GROUP BY returns: one row per school x covariate pattern."""
    dims = tuple(int(d[k].max()) + 1 for k in keys)
    code = np.ravel_multi_index(tuple(d[k] for k in keys), dims)
    trials = np.bincount(code, minlength=int(np.prod(dims)))
    events = np.bincount(code, weights=d["y"], minlength=trials.size)
    used = np.flatnonzero(trials)
    out = dict(zip(keys, np.unravel_index(used, dims), strict=True))
    out["events"] = events[used]
    out["trials"] = trials[used].astype(float)
    return out


def dummies(d: dict[str, np.ndarray], factors: list[str]) -> np.ndarray:
    """Intercept and treatment-coded columns, built with numpy for the student rows."""
    cols = [np.ones(d["y"].size)]
    for k in factors:
        cols.extend((d[k] == level).astype(float) for level in range(1, int(d[k].max()) + 1))
    return np.column_stack(cols)


def student_fit(x: np.ndarray, d: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    fit = sm.GLM(d["y"], x, family=sm.families.Binomial()).fit(
        tol=1e-12, cov_type="cluster", cov_kwds={"groups": d["school"], "use_correction": False}
    )
    return np.asarray(fit.params), np.sqrt(np.diag(fit.cov_params()) * SCHOOLS / (SCHOOLS - 1))


def timed(label: str, fn: Callable[..., T], *args: object) -> tuple[T, float]:
    start = time.perf_counter()
    out = fn(*args)
    seconds = time.perf_counter() - start
    print(f"  {label:<34} {seconds:8.3f} s")
    return out, seconds


def trend(d: dict[str, np.ndarray]) -> None:
    print("trend model: year (orthogonal linear) + grade + gender + race/ethnicity")
    poly = orthogonal_polynomials(list(range(YEARS)), 1)[:, 0]

    def students() -> tuple[np.ndarray, np.ndarray]:
        x = dummies(d, ["grade", "gender", "race"])
        x = np.hstack([x[:, :1], poly[d["year"]][:, None], x[:, 1:]])
        return student_fit(x, d)

    keys = ["school", "year", "grade", "gender", "race"]
    cells, t_agg = timed("aggregate to cells (SQL's job)", to_cells, d, keys)

    def from_cells() -> tuple[np.ndarray, np.ndarray]:
        t = fit_trend(
            cells["year"].tolist(),
            cells["events"],
            cells["trials"],
            {
                "grade": cells["grade"].tolist(),
                "gender": cells["gender"].tolist(),
                "race": cells["race"].tolist(),
            },
            psu=cells["school"].tolist(),
        )
        return t.fit.params, t.fit.se

    (pc, sc), t_cells = timed(f"from {cells['events'].size:,} cells", from_cells)
    (ps, ss), t_rows = timed(f"statsmodels on {d['y'].size:,} rows", students)
    report(pc, sc, ps, ss, t_cells, t_rows, t_agg)


def subgroup(d: dict[str, np.ndarray]) -> None:
    print("subgroup model: home language + grade + gender + year (categorical)")
    factors = ["language", "grade", "gender", "year"]

    def students() -> tuple[np.ndarray, np.ndarray]:
        return student_fit(dummies(d, factors), d)

    cells, t_agg = timed("aggregate to cells (SQL's job)", to_cells, d, ["school", *factors])

    def from_cells() -> tuple[np.ndarray, np.ndarray]:
        x, terms = categorical_design({k: cells[k].tolist() for k in factors}, cells["events"].size)
        fit = fit_grouped_logit(
            x, cells["events"], cells["trials"], psu=cells["school"].tolist(), terms=terms
        )
        return fit.params, fit.se

    (pc, sc), t_cells = timed(f"from {cells['events'].size:,} cells", from_cells)
    (ps, ss), t_rows = timed(f"statsmodels on {d['y'].size:,} rows", students)
    report(pc, sc, ps, ss, t_cells, t_rows, t_agg)


def report(
    pc: np.ndarray,
    sc: np.ndarray,
    ps: np.ndarray,
    ss: np.ndarray,
    t_cells: float,
    t_rows: float,
    t_agg: float,
) -> None:
    print(f"  max |coefficient difference|       {np.max(np.abs(pc - ps)):.2e}")
    print(f"  max relative clustered SE diff     {np.max(np.abs(sc / ss - 1)):.2e}")
    print(f"  speed-up, fit only                 {t_rows / t_cells:8.1f}x")
    print(f"  speed-up, with numpy aggregation   {t_rows / (t_cells + t_agg):8.1f}x")


def main() -> None:
    start = time.perf_counter()
    d = simulate()
    print(
        f"simulated {d['y'].size:,} responses in {SCHOOLS} schools x {YEARS} years "
        f"({time.perf_counter() - start:.1f} s)"
    )
    trend(d)
    subgroup(d)


if __name__ == "__main__":
    main()
