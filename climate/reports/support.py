"""Support staff beside sworn officers, per school, as the CRDC reported them.

The dashboard shows the newest Civil Rights Data Collection import of the year or before it
(``climate roster import-crdc``): counselors, psychologists and social workers beside sworn
law enforcement officers, in FTE. A figure the collection did not publish (a reserved code)
is a dash, never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from climate.models import CrdcStaffing
from climate.reports.formatting import Formatter
from climate.rosters.store import SchoolSupport, school_support

NOT_PUBLISHED = "–"


@dataclass(frozen=True, slots=True)
class SupportRow:
    """One school's support staff and sworn officers, formatted."""

    school: str
    counselors: str
    psychologists: str
    social_workers: str
    sworn_officers: str


@dataclass(frozen=True, slots=True)
class Support:
    """The table and where its figures come from ("CRDC 2020-21")."""

    rows: tuple[SupportRow, ...]
    source: str


async def newest_support(conn: AsyncConnection, year: int) -> dict[str, SchoolSupport]:
    """Every school's CRDC figures from the newest collection of ``year`` or before."""
    newest = await conn.scalar(select(func.max(CrdcStaffing.year)).where(CrdcStaffing.year <= year))
    return {} if newest is None else await school_support(conn, int(newest))


def support_table(
    found: Mapping[str, SchoolSupport], names: Mapping[str, str], fmt: Formatter
) -> Support | None:
    """The dashboard's table, schools by name; None without figures."""
    if not found:
        return None

    def fte(value: float | None) -> str:
        return NOT_PUBLISHED if value is None else fmt.fte(value)

    rows = tuple(
        SupportRow(
            names.get(school, school),
            fte(s.counselor),
            fte(s.psychologist),
            fte(s.social_worker),
            fte(s.sworn_officers),
        )
        for school, s in sorted(found.items(), key=lambda item: names.get(item[0], item[0]))
    )
    sources = sorted({s.source for s in found.values()})
    return Support(rows, ", ".join(sources))
