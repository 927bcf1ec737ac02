"""Information loss of a protected release: what suppression keeps out of sight.

Every hidden value is a group of students whose needs go unseen, so the loss is
measured in the units a reader feels, per dimension of the release and overall:

- the share of *publishable* groups (``n >= k``) that are hidden: these are the
  groups hidden only to protect others (complements, audit repairs, blocks) or
  because a value of theirs gave a small count away;
- the share of respondents of publishable groups who sit in a hidden one (a group
  of 300 hidden weighs thirty times a group of 10);
- the share of all published values (n, percentages, means of every non-empty
  group, small ones included) shown as the hidden symbol.

A group's dimension is the set of non-school dimensions its key fixes, so
``school=A, grade=9`` and ``grade=9`` both count under ``grade``; a key that fixes
only ``school`` is the "school totals" row and the empty key the grand total.

References
----------
.. [1] Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley,
   chapter 4 (information loss of suppression: cells and respondents hidden).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.disclosure.policy import HIDDEN
from analysis.disclosure.publish import Protected

__all__ = ["Loss", "LossRow", "measure_loss"]

GRAND_TOTAL = "grand total"
SCHOOL_TOTALS = "school totals"


@dataclass(frozen=True)
class LossRow:
    """Loss in one dimension: groups, respondents and values, all and hidden.

    ``respondents`` adds the n of every publishable group, so a student counts once
    per group they belong to.

    Examples
    --------
    >>> row = LossRow("grade", 4, 1, 100, 20, 12, 5)
    >>> row.group_share, row.respondent_share
    (0.25, 0.2)
    """

    dimension: str
    groups: int
    groups_hidden: int
    respondents: int
    respondents_hidden: int
    values: int
    values_hidden: int

    @property
    def group_share(self) -> float:
        """Share of publishable groups (n >= k) hidden; 0 when there are none."""
        return _share(self.groups_hidden, self.groups)

    @property
    def respondent_share(self) -> float:
        """Share of the respondents of publishable groups in hidden ones."""
        return _share(self.respondents_hidden, self.respondents)

    @property
    def value_share(self) -> float:
        """Share of published values shown as the hidden symbol."""
        return _share(self.values_hidden, self.values)


@dataclass(frozen=True)
class Loss:
    """Loss per dimension (in the release's order) and overall.

    Examples
    --------
    >>> loss = Loss((LossRow("grade", 4, 1, 100, 20, 12, 5),),
    ...             LossRow("overall", 4, 1, 100, 20, 12, 5))
    >>> print(loss.table())
    dimension  groups n>=k  hidden  respondents hidden  values  hidden
    grade                4   25.0%               20.0%      12   41.7%
    overall              4   25.0%               20.0%      12   41.7%
    """

    rows: tuple[LossRow, ...]
    overall: LossRow

    def table(self) -> str:
        """The rows and the overall line as a plain-text table."""
        header = ("dimension", "groups n>=k", "hidden", "respondents hidden", "values", "hidden")
        lines = [
            (
                row.dimension,
                str(row.groups),
                _percent(row.group_share),
                _percent(row.respondent_share),
                str(row.values),
                _percent(row.value_share),
            )
            for row in (*self.rows, self.overall)
        ]
        widths = [max(len(line[j]) for line in (header, *lines)) for j in range(len(header))]
        out = []
        for line in (header, *lines):
            cells = [line[0].ljust(widths[0])]
            cells.extend(
                text.rjust(width) for text, width in zip(line[1:], widths[1:], strict=True)
            )
            out.append("  ".join(cells).rstrip())
        return "\n".join(out)


def measure_loss(result: Protected, *, school: str = "school") -> Loss:
    """Measure what the protection of ``result`` hides, per dimension and overall.

    Parameters
    ----------
    result : Protected
        A protected release (from :func:`protect`).
    school : str
        Name of the dimension whose groups are schools; a key fixing only it is
        the "school totals" row.

    Returns
    -------
    Loss

    Examples
    --------
    >>> from analysis.disclosure import Cell, Dimension, Release, Table, protect
    >>> rel = Release((Dimension("g", ("a", "b", "c")),), (Table("t", ("g",)),),
    ...               (Cell((), 60), Cell((("g", "a"),), 4), Cell((("g", "b"),), 26),
    ...                Cell((("g", "c"),), 30)))
    >>> loss = measure_loss(protect(rel))
    >>> [(r.dimension, r.groups, r.groups_hidden) for r in loss.rows]
    [('grand total', 1, 0), ('g', 2, 1)]
    >>> round(loss.overall.respondent_share, 3)
    0.224
    """
    structure = result.structure
    k = int(result.report.policy["k"])
    rank = {d.name: i for i, d in enumerate(structure.release.dimensions)}
    # A row is keyed by (0, ()) for the grand total, (1, ()) for the school totals
    # and (2, dimensions) otherwise.
    tallies: dict[tuple[int, tuple[int, ...]], list[int]] = {}
    for c, key in enumerate(structure.keys):
        n = int(structure.n[c])
        if n == 0:
            continue
        dims = tuple(rank[d] for d, _ in key if d != school)
        row = (2, dims) if dims else (1 if key else 0, ())
        tally = tallies.setdefault(row, [0] * 6)
        hidden = result.codes.n[c] == HIDDEN
        if n >= k:
            tally[0] += 1
            tally[1] += hidden
            tally[2] += n
            tally[3] += n * hidden
        codes = [result.codes.n[c]]
        codes.extend(values[c] for values in result.codes.counts.values())
        codes.extend(values[c] for values in result.codes.means.values())
        shown = [code for code in codes if code != ""]
        tally[4] += len(shown)
        tally[5] += sum(code == HIDDEN for code in shown)
    names = [d.name for d in structure.release.dimensions]

    def label(row: tuple[int, tuple[int, ...]]) -> str:
        if row[0] < 2:
            return (GRAND_TOTAL, SCHOOL_TOTALS)[row[0]]
        return " x ".join(names[i] for i in row[1])

    rows = tuple(LossRow(label(row), *tallies[row]) for row in sorted(tallies, key=_order))
    overall = LossRow("overall", *(sum(t[j] for t in tallies.values()) for j in range(6)))
    return Loss(rows, overall)


def _order(row: tuple[int, tuple[int, ...]]) -> tuple[int, int, tuple[int, ...]]:
    return row[0], len(row[1]), row[1]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"
