"""An attacker who reads only a release's published rows and the documented methods.

Unknowns, per group (cell): its n; per item, those who answered and the count of each
answered option; per scale, those scored, those flagged and the sum of their scores. What
the attacker knows:

- the relations: a school's groups of one dimension add up to the school, the schools'
  groups to the district's group (from the catalogue, which is public), and a group that
  is not published is empty;
- every published n (exact, a band, ``*`` for at least one, ``<10``);
- every published percentage, as the rounding interval of a count over those who
  answered (top and bottom codes too), and the tier its code names;
- every published mean, as an interval on the sum of scores, and the scale's range;
- every published interval, as an equation: the answered counts its documented formula
  maps onto the published limits (school groups: Wilson, or the bounded ``t`` of a mean;
  district groups: Korn-Graubard at the design effect of the school totals).

Bounds are propagated over every linear constraint until nothing moves. A hidden group's
quantity is disclosed when it is pinned to one value in a group of 1 to k-1 students, or
when an option's count of any hidden group is proved 0 or all of those who answered, where
anyone may have answered.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis import bounded_mean_limits, korn_graubard_limits, wilson_limits
from analysis.disclosure import CellKey, Policy, Release, Structure, Table, n_interval
from analysis.disclosure.policy import denominator_range
from climate.instruments import Instrument, scale_range
from climate.release.catalogue import SCHOOL, CellData, dimensions, flag_item, item_options
from climate.release.result import ALL, DISTRICT, Statistic

INF = math.inf
Var = int


@dataclass
class _System:
    """Linear constraints ``lo <= sum(a x) <= hi`` over bounded variables."""

    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    rows: list[tuple[list[tuple[Var, float]], float, float]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def var(self, name: str, low: float = 0.0, high: float = INF, integer: bool = True) -> Var:
        self.low.append(low)
        self.high.append(high)
        self.integer.append(integer)
        self.names.append(name)
        return len(self.low) - 1

    def bound(self, v: Var, low: float, high: float) -> None:
        self.low[v] = max(self.low[v], low)
        self.high[v] = min(self.high[v], high)

    def add(self, terms: list[tuple[Var, float]], low: float, high: float) -> None:
        self.rows.append(([(v, a) for v, a in terms if a != 0], low, high))

    def propagate(self, rounds: int = 200) -> None:
        touching: dict[Var, list[int]] = defaultdict(list)
        for r, (terms, _, _) in enumerate(self.rows):
            for v, _ in terms:
                touching[v].append(r)
        queue = list(range(len(self.rows)))
        queued = set(queue)
        steps = 0
        limit = rounds * max(len(self.rows), 1)
        while queue and steps < limit:
            r = queue.pop()
            queued.discard(r)
            steps += 1
            for v in self._tighten(r):
                for other in touching[v]:
                    if other not in queued:
                        queued.add(other)
                        queue.append(other)

    def _tighten(self, r: int) -> list[Var]:
        terms, lo, hi = self.rows[r]
        mins = [a * (self.low[v] if a > 0 else self.high[v]) for v, a in terms]
        maxs = [a * (self.high[v] if a > 0 else self.low[v]) for v, a in terms]
        inf_min = sum(1 for m in mins if m == -INF)
        inf_max = sum(1 for m in maxs if m == INF)
        fin_min = sum(m for m in mins if m != -INF)
        fin_max = sum(m for m in maxs if m != INF)
        changed = []
        for k, (v, a) in enumerate(terms):
            # Rest of the row without term k.
            rest_min = (
                -INF
                if inf_min - (mins[k] == -INF) > 0
                else fin_min - (mins[k] if mins[k] != -INF else 0)
            )
            rest_max = (
                INF
                if inf_max - (maxs[k] == INF) > 0
                else fin_max - (maxs[k] if maxs[k] != INF else 0)
            )
            # lo - rest_max <= a x <= hi - rest_min
            upper_ax = hi - rest_min
            lower_ax = lo - rest_max
            if a > 0:
                new_low, new_high = lower_ax / a, upper_ax / a
            else:
                new_low, new_high = upper_ax / a, lower_ax / a
            if self.integer[v]:
                if new_low != -INF and not math.isnan(new_low):
                    new_low = math.ceil(new_low - 1e-9)
                if new_high != INF and not math.isnan(new_high):
                    new_high = math.floor(new_high + 1e-9)
            moved = False
            if not math.isnan(new_low) and new_low > self.low[v] + 1e-9:
                self.low[v] = new_low
                moved = True
            if not math.isnan(new_high) and new_high < self.high[v] - 1e-9:
                self.high[v] = new_high
                moved = True
            slack = 1e-6 * (1 + abs(self.low[v]) + abs(self.high[v]))
            if self.low[v] > self.high[v] + slack:
                raise AssertionError(f"published values contradict: {self.names[v]}")
            if self.low[v] > self.high[v]:
                # Rounding in the last digits of a sum of scores.
                self.low[v] = self.high[v] = (self.low[v] + self.high[v]) / 2
            if moved:
                changed.append(v)
        return changed


def _percent_rows(code: str) -> list[tuple[int, int, float, float]]:
    """``lo <= 200 y + b a <= hi`` from a published percentage (value without ``%``)."""
    if code.startswith("<="):
        p = int(code[2:])
        return [(200, -(2 * p + 1), -INF, -1)]
    if code.startswith(">="):
        p = int(code[2:])
        return [(200, -(2 * p - 1), 0, INF)]
    p = int(code)
    return [(200, -(2 * p - 1), 0, INF), (200, -(2 * p + 1), -INF, -1)]


def _label(limit: float, mean: bool) -> str:
    if math.isnan(limit):
        return ""
    step = math.floor((10 if mean else 100) * limit + 0.5)
    return f"{step / 10:.1f}" if mean else str(step)


@dataclass(frozen=True)
class Verdict:
    """How many hidden quantities the attacker pinned, of how many, and which."""

    hidden: int
    disclosed: tuple[str, ...]


def attack(
    rows: Sequence[Statistic],
    instrument: Instrument,
    policy: Policy,
    truth: Mapping[CellKey, CellData],
) -> Verdict:
    """Propagate everything published in ``rows`` and count the hidden quantities exposed.

    ``truth`` is the data behind the rows. The attacker never reads it: it only says which
    groups have 1 to k-1 students (whose pinned counts are disclosures), and checks that
    every bound the attacker proves holds the true value, so that a mistaken model of
    the methods cannot pass for a disclosure, or hide one.
    """
    small = {key for key, cell in truth.items() if 0 < cell.n < policy.k}
    schools = tuple(sorted({r.org_id for r in rows if r.org_type == SCHOOL}))
    structure = Release(
        dimensions(instrument, schools),
        tuple(Table(d.id, (SCHOOL, d.id)) for d in instrument.demographics),
        (),
    ).structure()
    published: dict[CellKey, list[Statistic]] = defaultdict(list)
    for row in rows:
        published[_key(row)].append(row)
    system = _System()
    size = structure.size
    n_var = [system.var(f"n{structure.keys[c]}") for c in range(size)]
    hidden = [False] * size
    for c, key in enumerate(structure.keys):
        found = published.get(key)
        if not found:
            system.bound(n_var[c], 0, 0)
            continue
        band = found[0].n_band
        if band == "*":
            system.bound(n_var[c], 1, INF)
            hidden[c] = True
        elif band.startswith("<"):
            system.bound(n_var[c], 1, int(band[1:]) - 1)
            hidden[c] = True
        else:
            low, high = n_interval(band)
            system.bound(n_var[c], low, high)
    _relations(system, structure.members, n_var)
    watched: list[tuple[int, str, Var, Var | None, list[Var]]] = []
    by_cell = {
        key: {(r.indicator, r.statistic): r for r in found} for key, found in published.items()
    }
    # Items: answered, and each answered option.
    answered_vars: dict[tuple[str, int], Var] = {}
    count_vars: dict[tuple[str, int, int], Var] = {}
    for item in instrument.items:
        options = item_options(instrument, item.id)
        a = [system.var(f"a:{item.id}{structure.keys[c]}") for c in range(size)]
        y = {
            o: [system.var(f"{item.id}={o}{structure.keys[c]}") for c in range(size)]
            for o in options
        }
        _relations(system, structure.members, a)
        for o in options:
            _relations(system, structure.members, y[o])
        for c in range(size):
            answered_vars[(item.id, c)] = a[c]
            for j, o in enumerate(options):
                count_vars[(item.id, j, c)] = y[o][c]
            system.add([(a[c], 1.0), (n_var[c], -1.0)], -INF, 0)
            system.add([(y[o][c], 1.0) for o in options] + [(a[c], -1.0)], 0, 0)
            cell = by_cell.get(structure.keys[c], {})
            for o in options:
                share = cell.get((f"{item.id}:{o}", "percent"))
                if share is None or share.value in ("*", ""):
                    continue
                _percent(system, y[o][c], a[c], share.value, policy)
            if hidden[c]:
                watched.append((c, item.id, a[c], None, [y[o][c] for o in options]))
    # Scales: scored, flagged, sum of scores.
    for scale in instrument.scales:
        bottom, top = scale_range(instrument, scale)
        d = [system.var(f"d:{scale.id}{structure.keys[c]}") for c in range(size)]
        f = [system.var(f"f:{scale.id}{structure.keys[c]}") for c in range(size)]
        s = [
            system.var(f"s:{scale.id}{structure.keys[c]}", -INF, INF, integer=False)
            for c in range(size)
        ]
        for family in (d, f, s):
            _relations(system, structure.members, family)
        statistic = "percent_favorable" if scale.favorable_at is not None else "percent_elevated"
        for c in range(size):
            answered_vars[(f"{scale.id}:flag", c)] = d[c]
            system.add([(d[c], 1.0), (n_var[c], -1.0)], -INF, 0)
            system.add([(f[c], 1.0), (d[c], -1.0)], -INF, 0)
            system.add([(s[c], 1.0), (d[c], -bottom)], 0, INF)
            system.add([(s[c], 1.0), (d[c], -top)], -INF, 0)
            cell = by_cell.get(structure.keys[c], {})
            share = cell.get((scale.id, statistic))
            if share is not None and share.value not in ("*", ""):
                _percent(system, f[c], d[c], share.value, policy)
            mean = cell.get((scale.id, "mean"))
            if mean is not None and mean.value not in ("*", ""):
                m = float(mean.value)
                system.add([(s[c], 1.0), (d[c], -(m - 0.05))], 0, INF)
                system.add([(s[c], 1.0), (d[c], -(m + 0.05))], -INF, 0)
            if hidden[c]:
                watched.append((c, scale.id, d[c], None, [f[c]]))
    system.propagate()
    _intervals(system, structure, published, instrument, answered_vars)
    system.propagate()
    _check_truth(system, structure, truth, instrument, n_var, answered_vars, count_vars)
    return _verdict(small, system, structure, n_var, hidden, watched)


def _check_truth(
    system: _System,
    structure: Structure,
    truth: Mapping[CellKey, CellData],
    instrument: Instrument,
    n_var: list[Var],
    answered: dict[tuple[str, int], Var],
    counts: dict[tuple[str, int, int], Var],
) -> None:
    """Every proved bound holds the true value (the attacker's model is sound)."""

    def holds(v: Var, value: float) -> None:
        slack = 1e-6 * (1 + abs(value))
        assert system.low[v] - slack <= value <= system.high[v] + slack, (
            f"{system.names[v]}: true {value} outside [{system.low[v]}, {system.high[v]}]"
        )

    empty = CellData(0, {}, {})
    for c, key in enumerate(structure.keys):
        cell = truth.get(key, empty)
        holds(n_var[c], cell.n)
        for item in instrument.items:
            if cell.n:
                holds(answered[(item.id, c)], cell.n - cell.counts[item.id][-1])
                for j, value in enumerate(cell.counts[item.id][:-1]):
                    holds(counts[(item.id, j, c)], value)
        for scale in instrument.scales:
            if cell.n:
                flagged, not_flagged, _ = cell.counts[flag_item(scale.id)]
                holds(answered[(f"{scale.id}:flag", c)], flagged + not_flagged)


def _key(row: Statistic) -> CellKey:
    group = () if row.dimension == ALL else ((row.dimension, row.group),)
    if row.org_type == DISTRICT:
        return group
    return ((SCHOOL, row.org_id), *group)


def _relations(system: _System, members: Iterable[np.ndarray], family: list[Var]) -> None:
    for mem in members:
        total, *parts = mem.tolist()
        system.add([(family[total], 1.0)] + [(family[p], -1.0) for p in parts], 0, 0)


def _percent(system: _System, y: Var, a: Var, value: str, policy: Policy) -> None:
    for coef_y, coef_a, lo, hi in _percent_rows(value):
        system.add([(y, float(coef_y)), (a, float(coef_a))], lo, hi)
    tier_low, tier_high = denominator_range(value + "%", policy)
    system.bound(a, tier_low, tier_high)


def _candidates(system: _System, v: Var, reach: int = 400) -> np.ndarray:
    low = max(int(system.low[v]), 1)
    high = system.high[v]
    top = int(min(high, low + reach))
    return np.arange(low, top + 1, dtype=float)


def _intervals(
    system: _System,
    structure: Structure,
    published: dict[CellKey, list[Statistic]],
    instrument: Instrument,
    answered: dict[tuple[str, int], Var],
) -> None:
    """Each published interval as an equation on the answered count of its own group.

    The documented formulas take the fewest respondents the group's published values
    allow, which is the answered count itself where n is published exactly (whole
    schools and district groups) and at most it elsewhere.
    """
    index = structure.index
    school_sizes: dict[tuple[str, str, str], float] = {}
    for key, found in published.items():
        c = index[key]
        exact = found[0].n_band.isdigit()
        for row in found:
            if row.ci_low in ("", "*") or row.org_type != SCHOOL:
                continue
            item, mean, low, high = _row_item(row, instrument)
            v = answered[(item, c)]
            d = _candidates(system, v)
            if mean:
                limits = bounded_mean_limits(np.full(d.shape, float(row.value)), d - 1, low, high)
            else:
                p = float(row.value) / 100
                limits = wilson_limits(p * d, d)
            fits = [
                size
                for size, lo, hi in zip(d.tolist(), limits.lower, limits.upper, strict=True)
                if (_label(lo, mean), _label(hi, mean)) == (row.ci_low, row.ci_high)
            ]
            if not fits:
                continue
            # The formula's size is the answered count where n is exact, at most it elsewhere.
            system.bound(v, min(fits), max(fits) if exact else INF)
            if exact and len(fits) == 1 and len(key) == 1:
                school_sizes[(key[0][1], row.indicator, row.statistic)] = fits[0]
    # District groups: Korn-Graubard at the design effect of the school totals.
    for key, found in published.items():
        if key and key[0][0] == SCHOOL:
            continue
        c = index[key]
        reach = {k[0][1] for k in published if k and k[0][0] == SCHOOL and tuple(k[1:]) == key}
        for row in found:
            if row.ci_low in ("", "*") or row.statistic == "mean" or len(reach) < 2:
                continue
            totals = [
                (float(r.value) / 100, school_sizes.get((r.org_id, r.indicator, r.statistic)))
                for k, rs in published.items()
                if len(k) == 1 and k[0][0] == SCHOOL
                for r in rs
                if (r.indicator, r.statistic) == (row.indicator, row.statistic) and r.exact()
            ]
            if any(size is None for _, size in totals) or len(totals) < 2:
                continue
            p_s = np.array([p for p, _ in totals])
            d_s = np.array([float(size or 0) for _, size in totals])
            ratio = float((p_s * d_s).sum() / d_s.sum())
            m = len(totals)
            clustered = m / (m - 1) * float(((p_s * d_s - ratio * d_s) ** 2).sum()) / d_s.sum() ** 2
            simple = ratio * (1 - ratio) / d_s.sum()
            deff = max(1.0, clustered / simple) if simple > 0 else 1.0
            item, _, _, _ = _row_item(row, instrument)
            v = answered[(item, c)]
            d = _candidates(system, v)
            p = float(row.value) / 100
            df = np.full(d.shape, len(reach) - 1)
            limits = korn_graubard_limits(
                np.full(d.shape, p), np.sqrt(deff * p * (1 - p) / d), d, df
            )
            fits = [
                size
                for size, lo, hi in zip(d.tolist(), limits.lower, limits.upper, strict=True)
                if (_label(lo, False), _label(hi, False)) == (row.ci_low, row.ci_high)
            ]
            if fits:
                exact = found[0].n_band.isdigit()
                system.bound(v, min(fits), max(fits) if exact else INF)


def _row_item(row: Statistic, instrument: Instrument) -> tuple[str, bool, float, float]:
    if row.statistic == "percent":
        return row.indicator.rsplit(":", 1)[0], False, 0.0, 100.0
    scale = next(s for s in instrument.scales if s.id == row.indicator)
    low, high = scale_range(instrument, scale)
    return f"{row.indicator}:flag", row.statistic == "mean", low, high


def _verdict(
    small: Collection[CellKey],
    system: _System,
    structure: Structure,
    n_var: list[Var],
    hidden: list[bool],
    watched: list[tuple[int, str, Var, Var | None, list[Var]]],
) -> Verdict:
    keys = structure.keys
    count = 0
    found: list[str] = []

    def pinned(v: Var) -> bool:
        return system.low[v] == system.high[v]

    for c, is_hidden in enumerate(hidden):
        if is_hidden:
            count += 1
            if keys[c] in small and pinned(n_var[c]):
                found.append(f"n of {keys[c]} is {system.low[n_var[c]]:g}")
    for c, name, a, _, counts in watched:
        count += 1 + len(counts)
        # A small group's counts may not be pinned (a larger group's are, by its rounded
        # percentages, shown or hidden). Any hidden group's count proved 0 or all of
        # those who answered (where anyone may have) tells what a shown group's codes never
        # do.
        is_small = keys[c] in small
        if is_small and pinned(a):
            found.append(f"answered {name} of {keys[c]} is {system.low[a]:g}")
        someone = system.high[a] >= 1
        for v in counts:
            if is_small and pinned(v):
                found.append(f"{system.names[v]} is {system.low[v]:g}")
            elif someone and system.high[v] == 0:
                found.append(f"{system.names[v]} is provably 0")
            elif someone and system.low[v] >= system.high[a]:
                found.append(f"{system.names[v]} is provably everyone")
    return Verdict(count, tuple(found))
