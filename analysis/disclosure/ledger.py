"""The ledger: every value ever published, with the release that published it.

A new release is audited together with the ledger, so an attacker who
subtracts last year's tables from this release learns nothing the audit has not
allowed. An entry constrains the data it was published of: a release of other
respondents (another year) may share its cells, but a release of the same
respondents and more (a year published again after responses were added) must
not, since the earlier values describe fewer respondents. Such a release places
the earlier entries on cells of their own (:meth:`Ledger.placed`, and
:mod:`analysis.disclosure.editions`).
"""

from __future__ import annotations

import msgspec

from analysis.disclosure.cells import CellKey, Structure, answered_name, mean_name
from analysis.disclosure.codes import Codes

__all__ = ["Ledger", "LedgerEntry"]


class LedgerEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One published value: its release, cell key, quantity (``"n"``, a count or a mean), code."""

    release: str
    key: CellKey
    quantity: str
    code: str


class Ledger(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Published values of earlier releases.

    Examples
    --------
    >>> ledger = Ledger((LedgerEntry("2024", (("school", "A"),), "n", "20-39"),))
    >>> Ledger.from_json(ledger.to_json()) == ledger
    True
    >>> ledger.releases()
    ('2024',)
    """

    entries: tuple[LedgerEntry, ...] = ()

    def releases(self) -> tuple[str, ...]:
        """Release ids in the order they were recorded."""
        return tuple(dict.fromkeys(e.release for e in self.entries))

    def record(self, release: str, structure: Structure, codes: Codes) -> Ledger:
        """A new ledger with every value of one release appended."""
        if not release:
            raise ValueError("release id must not be empty")
        if release in self.releases():
            raise ValueError(f"release {release!r} is already in the ledger")
        fresh = [LedgerEntry(release, key, "n", codes.n[c]) for c, key in enumerate(structure.keys)]
        named = [
            *codes.counts.items(),
            *((mean_name(s), v) for s, v in codes.means.items()),
            *((answered_name(i), v) for i, v in codes.answered.items()),
        ]
        for q, values in named:
            fresh.extend(
                LedgerEntry(release, key, q, values[c])
                for c, key in enumerate(structure.keys)
                if values[c]
            )
        return Ledger((*self.entries, *fresh))

    def placed(self, prefix: CellKey) -> Ledger:
        """The same entries with ``prefix`` put before every key.

        Examples
        --------
        >>> ledger = Ledger((LedgerEntry("2024", (("school", "A"),), "n", "20-39"),))
        >>> ledger.placed((("edition", "before"),)).entries[0].key
        (('edition', 'before'), ('school', 'A'))
        """
        return Ledger(
            tuple(
                LedgerEntry(e.release, (*prefix, *e.key), e.quantity, e.code) for e in self.entries
            )
        )

    def to_json(self) -> bytes:
        """Serialise to JSON bytes."""
        return msgspec.json.encode(self)

    @classmethod
    def from_json(cls, data: bytes) -> Ledger:
        """Read a ledger from JSON bytes; ValueError if they are not one."""
        try:
            return msgspec.json.decode(data, type=cls)
        except msgspec.DecodeError as exc:
            raise ValueError(f"ledger: not a valid ledger ({exc})") from exc
