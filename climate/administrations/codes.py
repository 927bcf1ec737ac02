"""Class codes and tickets of an administration: issue them, and show them to print.

Issuing and showing codes are recorded in the audit log, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.administrations.windows import (
    AdministrationError,
    Summary,
    visible_administration,
    visible_schools,
)
from climate.models import AccessCode, Administration, AdministrationSchool, School
from climate.security import audit
from climate.security.principals import Principal
from climate.security.scoping import school_filter
from climate.students import codes

MAX_TICKETS = 2000
KINDS = {"class": "class-code", "ticket": "tickets"}  # code kind -> the access mode using it


@dataclass(frozen=True, slots=True)
class Code:
    """A class code or ticket of one school."""

    school_id: str
    school_name: str
    kind: str
    code: str
    used: bool


@dataclass(frozen=True, slots=True)
class Issued:
    """A code just issued, with its school's name (for lists and ticket sheets)."""

    school_id: str
    school_name: str
    code: str


@dataclass(frozen=True, slots=True)
class CodeSheet:
    """Class codes and tickets to print, of the schools the caller may see."""

    administration: Summary
    codes: tuple[Code, ...]
    schools: tuple[tuple[str, str], ...]

    @property
    def printed(self) -> tuple[tuple[Code, str], ...]:
        """Each code beside the grouped form a student types."""
        return tuple((c, codes.display(c.code)) for c in self.codes)


async def visible_codes(
    conn: AsyncConnection, principal: Principal, administration_id: int, school_id: str | None
) -> list[Code]:
    """Class codes and tickets of an administration, only for schools the caller may see."""
    query = (
        select(AccessCode.school_id, School.name, AccessCode.kind, AccessCode.code, AccessCode.used)
        .join(School, School.id == AccessCode.school_id)
        .where(
            AccessCode.administration_id == administration_id,
            school_filter(principal, AccessCode.school_id),
        )
        .order_by(AccessCode.school_id, AccessCode.kind, AccessCode.code)
    )
    if school_id is not None:
        query = query.where(AccessCode.school_id == school_id)
    return [
        Code(r.school_id, r.name, r.kind, r.code, bool(r.used))
        for r in (await conn.execute(query)).all()
    ]


async def add_codes(
    conn: AsyncConnection, administration_id: int, school_id: str, kind: str, count: int
) -> int:
    """Issue ``count`` class codes or tickets for one school of an administration."""
    if kind not in ("class", "ticket"):
        raise AdministrationError("kind: class or ticket")
    if not 1 <= count <= MAX_TICKETS:
        raise AdministrationError(f"count: between 1 and {MAX_TICKETS}")
    member = await conn.scalar(
        select(AdministrationSchool.school_id).where(
            AdministrationSchool.administration_id == administration_id,
            AdministrationSchool.school_id == school_id,
        )
    )
    if member is None:
        raise AdministrationError("school: the school does not take part in this administration")
    await _insert_codes(
        conn, administration_id, school_id, kind, [codes.new_code() for _ in range(count)]
    )
    return count


async def _insert_codes(
    conn: AsyncConnection, administration_id: int, school_id: str, kind: str, made: list[str]
) -> None:
    rows = [
        {
            "code": code,
            "administration_id": administration_id,
            "school_id": school_id,
            "kind": kind,
            "used": False,
        }
        for code in made
    ]
    await conn.execute(insert(AccessCode), rows)


async def code_sheet(
    engine: AsyncEngine, principal: Principal, administration_id: int, school_id: str | None
) -> CodeSheet | None:
    """Codes of the schools the caller may see (or of one), recorded as viewed; None if hidden."""
    async with engine.begin() as conn:
        found = await visible_administration(conn, principal, administration_id)
        if found is None:
            return None
        listed = await visible_codes(conn, principal, administration_id, school_id)
        schools = await visible_schools(conn, principal, administration_id)
        if school_id is not None and school_id not in {s for s, _ in schools}:
            return None
        await audit.record(
            conn,
            principal,
            audit.CODES_VIEWED,
            f"administration {administration_id}",
            school_id=school_id,
            detail={"codes": len(listed)},
        )
    return CodeSheet(found, tuple(listed), tuple(schools))


async def issue_codes(
    engine: AsyncEngine,
    principal: Principal,
    administration_id: int,
    school_id: str,
    kind: str,
    count: int,
) -> int:
    """Issue codes for one school of an administration the caller may see, and record it."""
    async with engine.begin() as conn:
        found = await visible_administration(conn, principal, administration_id)
        if found is None:
            raise AdministrationError(f"no administration {administration_id}")
        _require_kind(administration_id, found.access_mode, kind)
        _require_not_closed(administration_id, found.status)
        made = await add_codes(conn, administration_id, school_id, kind, count)
        await _record_issued(conn, principal, administration_id, school_id, kind, made)
    return made


async def issue_for_schools(
    engine: AsyncEngine,
    actor: Principal | str,
    administration_id: int,
    kind: str,
    count: int,
    school_id: str | None = None,
) -> list[Issued]:
    """Issue ``count`` codes per school of an administration (or for one), and record it.

    The administration must use that kind of code: class codes for ``class-code``, tickets
    for ``tickets``.
    """
    if kind not in KINDS:
        raise AdministrationError("kind: class or ticket")
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                select(Administration.access_mode, Administration.status).where(
                    Administration.id == administration_id
                )
            )
        ).one_or_none()
        if row is None:
            raise AdministrationError(f"no administration {administration_id}")
        _require_kind(administration_id, row.access_mode, kind)
        _require_not_closed(administration_id, row.status)
        members = await conn.execute(
            select(AdministrationSchool.school_id, School.name)
            .join(School, School.id == AdministrationSchool.school_id)
            .where(AdministrationSchool.administration_id == administration_id)
            .order_by(AdministrationSchool.school_id)
        )
        names = dict(members.tuples().all())
        if school_id is not None and school_id not in names:
            raise AdministrationError(
                f"school {school_id} does not take part in this administration"
            )
        issued: list[Issued] = []
        for school in [school_id] if school_id is not None else list(names):
            rows = [codes.new_code() for _ in range(count)]
            await _insert_codes(conn, administration_id, school, kind, rows)
            await _record_issued(conn, actor, administration_id, school, kind, count)
            issued.extend(Issued(school, names[school], code) for code in rows)
    return issued


def kind_for(access_mode: str) -> str:
    """The one kind of code an administration with ``access_mode`` hands out."""
    return next(kind for kind, mode in KINDS.items() if mode == access_mode)


def _require_kind(administration_id: int, mode: str, kind: str) -> None:
    # A ticket in a class-code survey (or a class code in a ticket survey) would let a student
    # in by a door the district did not choose: single use, or shared, where it is not meant.
    if kind not in KINDS:
        raise AdministrationError("kind: class or ticket")
    if mode != KINDS[kind]:
        raise AdministrationError(
            f"administration {administration_id} uses {mode}, not {KINDS[kind]}"
        )


def _require_not_closed(administration_id: int, status: str) -> None:
    # A closed window lets no one in, so a new code would only be a secret that opens nothing
    # (and, were the window opened again, one nobody planned to hand out).
    if status == "closed":
        raise AdministrationError(
            f"administration {administration_id} is closed: a new code would open nothing"
        )


async def _record_issued(
    conn: AsyncConnection,
    actor: Principal | str,
    administration_id: int,
    school_id: str,
    kind: str,
    count: int,
) -> None:
    await audit.record(
        conn,
        actor,
        audit.CODES_CREATED,
        f"administration {administration_id}",
        school_id=school_id,
        detail={"kind": kind, "count": count},
    )
