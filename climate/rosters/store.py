"""Rosters into the database: one transaction, updating rows whose keys already exist."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from climate.models import District, Enrollment, School, Staffing
from climate.rosters.parsing import Rosters


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """How many rows of each roster were written (inserted or updated)."""

    schools: int
    enrollment: int
    staffing: int


async def store_rosters(
    conn: AsyncConnection, rosters: Rosters, district_name: str
) -> ImportSummary:
    """Upsert parsed rosters inside the caller's transaction (all-or-nothing)."""
    district_id = await conn.scalar(select(District.id).order_by(District.id).limit(1))
    if district_id is None:
        result = await conn.execute(insert(District).values(name=district_name))
        district_id = result.inserted_primary_key[0]  # type: ignore[index]
    schools = [{**asdict(row), "district_id": district_id} for row in rosters.schools]
    for row in schools:
        row["id"] = row.pop("school_id")
    await _upsert(conn, School, schools, ("id",))
    await _upsert(
        conn, Enrollment, [asdict(r) for r in rosters.enrollment], ("school_id", "year", "grade")
    )
    await _upsert(
        conn, Staffing, [asdict(r) for r in rosters.staffing], ("school_id", "year", "role")
    )
    return ImportSummary(len(schools), len(rosters.enrollment), len(rosters.staffing))


async def _upsert(
    conn: AsyncConnection, model: type[Any], rows: list[dict[str, Any]], keys: tuple[str, ...]
) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model)
    changes = {c: statement.excluded[c] for c in rows[0] if c not in keys}
    await conn.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes), rows)
