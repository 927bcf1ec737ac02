"""The attacker's integer programs, built from everything published.

Variables come in layers of one value per cell: first every group's n
(``x``), then, in an item's program, the count of each of its options. In the
n program a group whose n is left with gaps by its percentages (see
:mod:`analysis.disclosure.domains`) gets one binary per interval of its
domain, so the program knows the gaps exactly:
``sum(low_i z_i) <= x <= sum(high_i z_i)``, ``sum(z_i) = 1``. The count
programs take every n within the bounds of its domain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from analysis.disclosure.cells import Scale, Structure, answered_name, mean_name, quantity_name
from analysis.disclosure.codes import Codes
from analysis.disclosure.denominators import answered_range
from analysis.disclosure.domains import Domain, n_domains
from analysis.disclosure.ledger import Ledger
from analysis.disclosure.policy import (
    HIDDEN,
    Policy,
    count_bounds,
    denominator_range,
    n_interval,
    percent_rows,
)

__all__ = ["Program", "View", "item_program", "n_program", "scale_program", "spans", "view"]

FloatArray = npt.NDArray[np.float64]


@dataclass
class Program:
    """``lo <= matrix @ v <= hi``, ``lb <= v <= ub``, integer ``v``; ``truth`` is feasible.

    ``integer`` marks the integer variables (all of them when None); the others
    (sums of scores) are continuous.
    """

    matrix: sparse.csr_array
    lo: FloatArray
    hi: FloatArray
    lb: FloatArray
    ub: FloatArray
    truth: FloatArray
    cap: float
    integer: npt.NDArray[np.bool_] | None = None

    def integrality(self) -> npt.NDArray[np.bool_]:
        """Which variables are integer."""
        if self.integer is None:
            return np.ones(len(self.lb), dtype=bool)
        return self.integer

    def bounded(self, lb: FloatArray, ub: FloatArray) -> Program:
        """The same program with other variable bounds."""
        return Program(self.matrix, self.lo, self.hi, lb, ub, self.truth, self.cap, self.integer)


@dataclass(frozen=True)
class View:
    """What the attacker knows of every n: bounds (capped) and domains."""

    structure: Structure
    codes: Codes
    policy: Policy
    ledger: Ledger | None
    lb: FloatArray
    ub: FloatArray
    domains: tuple[Domain, ...]
    cap: float


def view(structure: Structure, codes: Codes, policy: Policy, ledger: Ledger | None) -> View:
    """Bounds and domains of every n from the published codes and the ledger."""
    lb = np.zeros(structure.size)
    ub = np.zeros(structure.size)
    for c, code in enumerate(codes.n):
        lb[c], ub[c] = n_interval(code)
    if ledger is not None:
        for entry in ledger.entries:
            at = structure.index.get(entry.key)
            if at is None or entry.quantity != "n":
                continue
            low, high = n_interval(entry.code)
            lb[at], ub[at] = max(lb[at], low), min(ub[at], high)
            if lb[at] > ub[at]:
                raise ValueError(
                    f"ledger: release {entry.release!r} contradicts n of cell {entry.key}"
                )
    domains = tuple(n_domains(structure, codes, policy, lb, ub, ledger))
    # An unbounded n can be taken this large without loss: no relation
    # needs more than every published n added up.
    cap = float(4 * int(structure.n.max(initial=0)) + 1000)
    lb = np.array([d[0][0] for d in domains], dtype=np.float64)
    ub = np.minimum(np.array([d[-1][1] for d in domains], dtype=np.float64), cap)
    return View(structure, codes, policy, ledger, lb, ub, domains, cap)


def n_program(seen: View) -> Program:
    """The program over every group's n alone."""
    return _with_domains(_sizes(seen), seen)


def _sizes(seen: View) -> Program:
    rel = seen.structure.matrix
    return Program(
        matrix=sparse.csr_array(rel),
        lo=np.zeros(rel.shape[0]),
        hi=np.zeros(rel.shape[0]),
        lb=seen.lb.copy(),
        ub=seen.ub.copy(),
        truth=seen.structure.n.astype(np.float64),
        cap=seen.cap,
    )


def item_program(seen: View, quantities: list[str], missing: str | None) -> Program:
    """The program over every group's n and the counts of every option of one item.

    Published percentages are rows ``lo <= 200 y + b (x - m) <= hi`` in the
    count ``y``, the group's ``x`` and the item's missing count ``m``; the
    tier of each code bounds its denominator ``x - m``.
    """
    structure, codes = seen.structure, seen.codes
    size = structure.size
    layers = 1 + len(quantities)
    rel = structure.matrix
    blocks = [sparse.kron(sparse.identity(layers, format="csr"), rel, format="csr")]
    lows = [np.zeros(rel.shape[0] * layers)]
    highs = [np.zeros(rel.shape[0] * layers)]
    eye = sparse.identity(size, format="csr")
    # The options of a respondent are exclusive: they add up to at most n
    # (exactly n when the data show every respondent counted once).
    blocks.append(sparse.hstack([-eye] + [eye] * len(quantities), format="csr"))
    exhaustive = structure.exhaustive[structure.item_of[quantities[0]]]
    lows.append(np.zeros(size) if exhaustive else np.full(size, -np.inf))
    highs.append(np.zeros(size))
    low_y = np.zeros(size * len(quantities))
    high_y = np.tile(np.where(seen.ub == 0, 0.0, seen.cap), len(quantities))
    m_col = None if missing is None else (1 + quantities.index(missing)) * size
    rows = _Rows()
    published: list[tuple[int, int, str]] = []
    for j, q in enumerate(quantities):
        if q == missing:
            continue
        for c, code in enumerate(codes.counts[q]):
            if code == "" and m_col is not None and seen.ub[c] > 0:
                # A shown group whose percentages are empty: nobody answered.
                rows.add([(c, 1.0), (m_col + c, -1.0)], 0.0, 0.0)
            elif code not in ("", HIDDEN):
                published.append((j, c, code))
        if seen.ledger is not None:
            for entry in seen.ledger.entries:
                at = structure.index.get(entry.key)
                if at is not None and entry.quantity == q and entry.code not in ("", HIDDEN):
                    published.append((j, at, entry.code))
    if m_col is not None:
        _percent_block(rows, published, size, m_col, seen.policy)
        published = []
    for j, c, code in published:
        y_col = (1 + j) * size + c
        if m_col is None:
            # The count's interval over every n the domain allows. Where n is
            # pinned (exact, or by its percentages) this is exact; beside a
            # domain of several sizes it drops the link between the two, which
            # keeps the program network-like: linking rows made the district
            # benchmark's integer programs take seconds each.
            low, high = _domain_count_bounds(seen.domains[c], code, seen.cap)
            at = j * size + c
            low_y[at] = max(low_y[at], low)
            high_y[at] = min(high_y[at], high)
            if seen.lb[c] != seen.ub[c]:
                continue
        for a, b, row_low, row_high in percent_rows(code):
            terms = [(y_col, float(a)), (c, float(b))]
            if m_col is not None:
                terms.append((m_col + c, float(-b)))
            rows.add(terms, row_low, row_high)
        if m_col is not None:
            low_d, high_d = denominator_range(code, seen.policy)
            rows.add([(c, 1.0), (m_col + c, -1.0)], low_d, high_d)
    if m_col is not None:
        # The band of those who answered, published beside the item's percentages; with
        # them it leaves only the sizes at which every percentage is a whole count and the
        # counts add up.
        item = structure.item_of[quantities[0]]
        answered = [q for q in quantities if q != missing]
        for c, code in enumerate(codes.answered.get(item, ())):
            if code not in ("", HIDDEN):
                shown = [codes.counts[q][c] for q in answered]
                low_d, high_d = answered_range(code, shown, seen.policy)
                rows.add([(c, 1.0), (m_col + c, -1.0)], low_d, high_d)
        if seen.ledger is not None:
            name = answered_name(item)
            for e in seen.ledger.entries:
                if e.quantity == name and e.key in structure.index and e.code not in ("", HIDDEN):
                    low_d, high_d = n_interval(e.code)
                    c = structure.index[e.key]
                    rows.add([(c, 1.0), (m_col + c, -1.0)], low_d, high_d)
    blocks.append(rows.matrix(size * layers))
    lows.append(np.array(rows.lo))
    highs.append(np.array(rows.hi))
    truth = np.concatenate([structure.n, *(structure.counts[q] for q in quantities)]).astype(
        np.float64
    )
    base = Program(
        sparse.csr_array(sparse.vstack(blocks, format="csr")),
        np.concatenate(lows),
        np.concatenate(highs),
        np.concatenate([seen.lb, low_y]),
        np.concatenate([seen.ub, high_y]),
        truth,
        seen.cap,
    )
    # The gaps of each n domain stay out of the count programs: they act on
    # the counts only through the bounds above, and their binaries would make
    # every count program a hard integer program.
    return base


def scale_program(seen: View, scale: Scale) -> Program:
    """The program of one scale's means over every group's n, its scored count and score sum.

    A mean ``M`` published to one decimal bounds the sum of scores ``s`` of
    the ``d`` scored respondents: ``(M - h) d <= s <= (M + h) d`` with ``h``
    half the last digit. Sums add up over the relations like counts, and
    every score lies in the scale's range, ``low d <= s <= high d``, so the
    means of the shown groups bound the sizes of the hidden ones. With the
    scale's item, ``d`` is ``n`` less the unscored, and the counts at or
    above the cut (``a``) and below it (``b``) tie the sum further:
    ``cut a + low b <= s <= high a + cut b``. The sums are continuous.
    """
    structure = seen.structure
    size = structure.size
    base = _sizes(seen)
    d_col: int | None = None
    above = below = None
    if scale.item is not None:
        item = structure.items[scale.item]
        quantities = [quantity_name(item.name, o) for o in item.options]
        missing = structure.missing(item.name)
        base = item_program(seen, quantities, missing)
        if missing is not None:
            d_col = (1 + quantities.index(missing)) * size
        if scale.cut is not None:
            above = (1 + quantities.index(quantity_name(item.name, item.answered[0]))) * size
            below = (1 + quantities.index(quantity_name(item.name, item.answered[1]))) * size
    width = base.matrix.shape[1]
    rows = _Rows()

    def between(c: int, low: float, high: float) -> None:
        # low * d <= s <= high * d, with d = n - unscored
        for factor, lo, hi in ((low, 0.0, np.inf), (high, -np.inf, 0.0)):
            terms = [(width + c, 1.0), (c, -factor)]
            if d_col is not None:
                terms.append((d_col + c, factor))
            rows.add(terms, lo, hi)

    for c in range(size):
        between(c, scale.low, scale.high)
        if above is not None and below is not None and scale.cut is not None:
            a, b = above + c, below + c
            rows.add([(width + c, 1.0), (a, -scale.cut), (b, -scale.low)], 0.0, np.inf)
            rows.add([(width + c, 1.0), (a, -scale.high), (b, -scale.cut)], -np.inf, 0.0)
    published = list(enumerate(seen.codes.means.get(scale.name, ())))
    if seen.ledger is not None:
        name = mean_name(scale.name)
        for entry in seen.ledger.entries:
            at_cell = structure.index.get(entry.key)
            if at_cell is not None and entry.quantity == name:
                published.append((at_cell, entry.code))
    half = 0.5 * 10.0**-seen.policy.mean_decimals
    for c, code in published:
        if code not in ("", HIDDEN):
            between(c, float(code) - half, float(code) + half)
    total = width + size
    relations = sparse.hstack(
        [sparse.csr_array((structure.matrix.shape[0], width)), structure.matrix], format="csr"
    )
    matrix = sparse.vstack(
        [
            sparse.hstack([base.matrix, sparse.csr_array((base.matrix.shape[0], size))]),
            relations,
            rows.matrix(total),
        ],
        format="csr",
    )
    reach = seen.cap * max(abs(scale.low), abs(scale.high))
    integer = np.concatenate([base.integrality(), np.zeros(size, dtype=bool)])
    return Program(
        sparse.csr_array(matrix),
        np.concatenate([base.lo, np.zeros(structure.matrix.shape[0]), np.array(rows.lo)]),
        np.concatenate([base.hi, np.zeros(structure.matrix.shape[0]), np.array(rows.hi)]),
        np.concatenate([base.lb, np.full(size, -reach if scale.low < 0 else 0.0)]),
        np.concatenate([base.ub, np.full(size, reach if scale.high > 0 else 0.0)]),
        np.concatenate([base.truth, structure.sums[scale.name]]),
        base.cap,
        integer,
    )


def _domain_count_bounds(domain: Domain, code: str, cap: float) -> tuple[float, float]:
    lows: list[float] = []
    highs: list[float] = []
    for low, high in domain:
        a, b = count_bounds(low, min(high, cap), code)
        lows.append(a)
        highs.append(b)
    return min(lows), max(highs)


def _percent_block(
    rows: _Rows, published: list[tuple[int, int, str]], size: int, m_col: int, policy: Policy
) -> None:
    """The rows of every published percentage of an item with a missing option, in order.

    For each percentage, its rows ``lo <= 200 y + b (x - m) <= hi``, then the range of its
    tier's denominator ``x - m``: the rows the one-by-one loop would add, built at once.
    """
    if not published:
        return
    names = sorted({code for _, _, code in published})
    index = {code: k for k, code in enumerate(names)}
    # Every distinct code's percent rows, one after another.
    table = [percent_rows(code) for code in names]
    count = np.array([len(t) for t in table], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    flat = np.array([row for t in table for row in t], dtype=np.float64).reshape(-1, 4)
    tiers = np.array([denominator_range(code, policy) for code in names], dtype=np.float64)
    j = np.fromiter((e[0] for e in published), np.int64, len(published))
    c = np.fromiter((e[1] for e in published), np.int64, len(published))
    u = np.fromiter((index[e[2]] for e in published), np.int64, len(published))
    # Each percentage takes its percent rows and one denominator row.
    per = count[u] + 1
    first = np.concatenate([[0], np.cumsum(per)[:-1]])
    which = np.repeat(np.arange(len(published)), count[u])
    at = spans(start[u], count[u])
    offset = np.arange(len(at)) - np.repeat(np.cumsum(count[u]) - count[u], count[u])
    local = first[which] + offset
    a, b, lo, hi = flat[at, 0], flat[at, 1], flat[at, 2], flat[at, 3]
    y_col = (1 + j[which]) * size + c[which]
    x_col, m = c[which], m_col + c[which]
    den = first + count[u]
    rows.bulk(
        np.concatenate([local, local, local, den, den]),
        np.concatenate([y_col, x_col, m, c, m_col + c]),
        np.concatenate([a, b, -b, np.ones(len(den)), -np.ones(len(den))]),
        np.concatenate([lo, tiers[u, 0]]),
        np.concatenate([hi, tiers[u, 1]]),
        np.concatenate([local, den]),
        int(per.sum()),
    )


def spans(starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Every index of ``starts[i] : starts[i] + lengths[i]`` for every ``i``, in order."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    base = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return base + np.arange(total)


class _Rows:
    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, terms: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(self.lo)
        for col, value in terms:
            self.rows.append(r)
            self.cols.append(col)
            self.vals.append(value)
        self.lo.append(low)
        self.hi.append(high)

    def bulk(
        self,
        rows: npt.NDArray[np.int64],
        cols: npt.NDArray[np.int64],
        vals: FloatArray,
        lo: FloatArray,
        hi: FloatArray,
        bounded: npt.NDArray[np.int64],
        height: int,
    ) -> None:
        """Add ``height`` rows at once: entries ``(rows, cols, vals)`` with rows counted
        from 0 here, and the bounds ``lo``, ``hi`` of the rows ``bounded``."""
        base = len(self.lo)
        self.rows.extend((rows + base).tolist())
        self.cols.extend(cols.tolist())
        self.vals.extend(vals.tolist())
        low = np.empty(height)
        high = np.empty(height)
        low[bounded] = lo
        high[bounded] = hi
        self.lo.extend(low.tolist())
        self.hi.extend(high.tolist())

    def matrix(self, width: int) -> sparse.csr_array:
        return sparse.csr_array(
            (
                np.array(self.vals, dtype=np.float64),
                (np.array(self.rows, dtype=np.int64), np.array(self.cols, dtype=np.int64)),
            ),
            shape=(len(self.lo), width),
        )


def _with_domains(base: Program, seen: View) -> Program:
    """Append one binary per interval of every n domain with gaps."""
    gapped = [c for c, d in enumerate(seen.domains) if len(d) > 1]
    if not gapped:
        return base
    width = base.matrix.shape[1]
    rows = _Rows()
    truth: list[float] = []
    col = width
    for c in gapped:
        domain = seen.domains[c]
        cols = list(range(col, col + len(domain)))
        col += len(domain)
        highs = [min(high, seen.cap) for _, high in domain]
        rows.add(
            [(c, 1.0)] + [(k, -float(low)) for k, (low, _) in zip(cols, domain, strict=True)],
            0.0,
            np.inf,
        )
        rows.add([(c, 1.0)] + [(k, -h) for k, h in zip(cols, highs, strict=True)], -np.inf, 0.0)
        rows.add([(k, 1.0) for k in cols], 1.0, 1.0)
        n = float(seen.structure.n[c])
        truth.extend(1.0 if low <= n <= high else 0.0 for low, high in domain)
    extra = col - width
    matrix = sparse.vstack(
        [
            sparse.hstack([base.matrix, sparse.csr_array((base.matrix.shape[0], extra))]),
            rows.matrix(col),
        ],
        format="csr",
    )
    return Program(
        sparse.csr_array(matrix),
        np.concatenate([base.lo, np.array(rows.lo)]),
        np.concatenate([base.hi, np.array(rows.hi)]),
        np.concatenate([base.lb, np.zeros(extra)]),
        np.concatenate([base.ub, np.ones(extra)]),
        np.concatenate([base.truth, np.array(truth)]),
        base.cap,
        None if base.integer is None else np.concatenate([base.integer, np.ones(extra, bool)]),
    )
