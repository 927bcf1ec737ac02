"""Combined categories, a recode before suppression: their checks and recoded margins.

A dimension may publish groups of its categories as categories of their own (grades 11
and 12 together, say), so that a category too small to show alone is still seen with its
neighbours. Each combined group is the total of the relation ``combined = sum(members)``,
and with the dimension's other categories it is a recoded margin of the same total.

References
----------
.. [1] Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley (table
   redesign: collapsing categories before cell suppression).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["check_combined", "recoded_margins"]

Combined = Sequence[tuple[str, Sequence[str]]]


def check_combined(dimension: str, categories: Sequence[str], combined: Combined) -> None:
    """Refuse combined groups that are not distinct groups of two or more categories.

    Parameters
    ----------
    dimension : str
        The dimension's name, for the message.
    categories : sequence of str
        The dimension's categories.
    combined : sequence of (name, members)
        The combined groups.

    Raises
    ------
    ValueError
        When a group's name is empty, a category's or another group's; when it names an
        unknown category, fewer than two or the same one twice; or when a category is in
        two groups (their difference would publish it).

    Examples
    --------
    >>> check_combined("grade", ("10", "11", "12"), [("11+12", ("11", "12"))])
    >>> check_combined("grade", ("10", "11", "12"), [("12", ("11", "12"))])
    Traceback (most recent call last):
    ...
    ValueError: Dimension 'grade': combined group '12' needs a name of its own
    """
    owner: dict[str, str] = {}
    names: set[str] = set()
    for name, members in combined:
        where = f"Dimension {dimension!r}: combined group {name!r}"
        if not name or name in categories or name in names:
            raise ValueError(f"{where} needs a name of its own")
        names.add(name)
        unknown = [m for m in members if m not in categories]
        if unknown:
            raise ValueError(f"{where}: unknown categories {unknown}")
        if len(members) < 2 or len(set(members)) != len(members):
            raise ValueError(f"{where} needs at least two distinct categories")
        for m in members:
            if m in owner:
                raise ValueError(
                    f"{where}: category {m!r} is already in combined group {owner[m]!r} "
                    "(a category may be in one combined group at most)"
                )
            owner[m] = name


def recoded_margins(categories: Sequence[str], combined: Combined) -> list[tuple[str, ...]]:
    """The parts of each recoded margin: one combined group, then all, with the rest.

    Each is implied by the relations of the categories and the groups, but complementary
    suppression reasons one relation at a time: without ``total = 11+12 + the other
    grades`` a hidden value of ``11+12`` beside shown values of every other grade would
    follow by subtraction unnoticed.

    Parameters
    ----------
    categories : sequence of str
        The dimension's categories.
    combined : sequence of (name, members)
        The combined groups, checked by :func:`check_combined`.

    Returns
    -------
    list of tuple of str
        Per recoded margin, the names of its parts.

    Examples
    --------
    >>> recoded_margins(("a", "b", "c", "d"), [("a+b", ("a", "b")), ("c+d", ("c", "d"))])
    [('a+b', 'c', 'd'), ('c+d', 'a', 'b'), ('a+b', 'c+d')]
    """
    margins = [(n, *(c for c in categories if c not in parts)) for n, parts in combined]
    if len(combined) > 1:
        grouped = {c for _, parts in combined for c in parts}
        margins.append((*(n for n, _ in combined), *(c for c in categories if c not in grouped)))
    return margins
