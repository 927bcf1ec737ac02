"""Survey windows for staff pages: list and show (scoped), create, open, close, issue codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Exists, Row, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from climate.instruments import InstrumentError, load_directory
from climate.instruments.registry import register as register_version
from climate.models import (
    ACCESS_MODES,
    CONSENT_MODES,
    AccessCode,
    Administration,
    AdministrationSchool,
    School,
)
from climate.security.principals import Principal
from climate.security.scoping import school_filter
from climate.settings import Settings
from climate.students import codes

MAX_TICKETS = 2000


class AdministrationError(ValueError):
    """An administration cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Summary:
    """An administration as listed."""

    id: int
    name: str
    school_year: int
    term: str
    status: str
    access_mode: str
    opens_on: dt.date
    closes_on: dt.date
    locales: tuple[str, ...]
    sensitive_module: bool
    consent_mode: str


@dataclass(frozen=True, slots=True)
class Code:
    """A class code or ticket of one school."""

    school_id: str
    school_name: str
    kind: str
    code: str
    used: bool


@dataclass(frozen=True, slots=True)
class NewAdministration:
    """What a district admin asks for when creating an administration."""

    instrument: str
    name: str
    school_year: int
    term: str
    grades: tuple[int, ...]
    locales: tuple[str, ...]
    opens_on: dt.date
    closes_on: dt.date
    access_mode: str
    sensitive_module: bool
    consent_mode: str
    schools: tuple[str, ...]


_COLUMNS = (
    Administration.id,
    Administration.name,
    Administration.school_year,
    Administration.term,
    Administration.status,
    Administration.access_mode,
    Administration.opens_on,
    Administration.closes_on,
    Administration.locales,
    Administration.sensitive_module,
    Administration.consent_mode,
)


def _visible(principal: Principal) -> Exists:
    return exists().where(
        AdministrationSchool.administration_id == Administration.id,
        school_filter(principal, AdministrationSchool.school_id),
    )


def _summary(r: Row[Any]) -> Summary:
    return Summary(
        r.id,
        r.name,
        r.school_year,
        r.term,
        r.status,
        r.access_mode,
        r.opens_on,
        r.closes_on,
        tuple(r.locales),
        bool(r.sensitive_module),
        r.consent_mode,
    )


async def visible_administrations(conn: AsyncConnection, principal: Principal) -> list[Summary]:
    """Administrations that include at least one school the caller may see, newest first."""
    query = (
        select(*_COLUMNS)
        .where(_visible(principal))
        .order_by(Administration.school_year.desc(), Administration.id.desc())
    )
    return [_summary(r) for r in (await conn.execute(query)).all()]


async def visible_administration(
    conn: AsyncConnection, principal: Principal, administration_id: int
) -> Summary | None:
    """One administration, or None when it does not exist or the caller may not see it."""
    query = select(*_COLUMNS).where(Administration.id == administration_id, _visible(principal))
    row = (await conn.execute(query)).one_or_none()
    return None if row is None else _summary(row)


async def visible_schools(
    conn: AsyncConnection, principal: Principal, administration_id: int
) -> list[tuple[str, str]]:
    """The (id, name) of the administration's schools that the caller may see."""
    query = (
        select(School.id, School.name)
        .join(AdministrationSchool, AdministrationSchool.school_id == School.id)
        .where(
            AdministrationSchool.administration_id == administration_id,
            school_filter(principal, School.id),
        )
        .order_by(School.id)
    )
    return [(r.id, r.name) for r in (await conn.execute(query)).all()]


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


async def all_schools(conn: AsyncConnection, principal: Principal) -> list[tuple[str, str]]:
    """Every school the caller may see, as (id, name)."""
    query = select(School.id, School.name).where(school_filter(principal, School.id))
    return [(r.id, r.name) for r in (await conn.execute(query.order_by(School.id))).all()]


def instrument_names(settings: Settings) -> list[str]:
    """The instrument ids that can be given (files in the surveys directory)."""
    try:
        return sorted(load_directory(settings.surveys_dir))
    except InstrumentError:
        return []


async def create_administration(
    session: AsyncSession, settings: Settings, new: NewAdministration
) -> int:
    """Create a draft administration; raise AdministrationError naming the bad field."""
    try:
        loaded = load_directory(settings.surveys_dir)
    except InstrumentError as exc:
        raise AdministrationError(f"the instruments cannot be read: {exc}") from None
    if new.instrument not in loaded:
        raise AdministrationError(f"instrument: no instrument {new.instrument!r}")
    instrument = loaded[new.instrument].instrument
    low, high = instrument.grade_band
    if not new.name.strip() or len(new.name) > 200:
        raise AdministrationError("name: give a name of 1 to 200 characters")
    if not 2000 <= new.school_year <= 2200:
        raise AdministrationError("school_year: give the spring year, such as 2027")
    if not new.grades or any(not low <= g <= high for g in new.grades):
        raise AdministrationError(f"grades: choose grades within {low}-{high}")
    refused = [c for c in new.locales if c not in settings.accepted_locales]
    if not new.locales or refused:
        raise AdministrationError("locales: choose languages the district has accepted")
    if new.opens_on > new.closes_on:
        raise AdministrationError("closes_on: the window must close on or after it opens")
    if new.access_mode not in ACCESS_MODES:
        raise AdministrationError(f"access_mode: one of {', '.join(ACCESS_MODES)}")
    if new.consent_mode not in CONSENT_MODES:
        raise AdministrationError(f"consent_mode: one of {', '.join(CONSENT_MODES)}")
    known = set(await session.scalars(select(School.id).where(School.id.in_(new.schools))))
    if not new.schools or known != set(new.schools):
        raise AdministrationError("schools: choose at least one known school")
    version = await register_version(session, loaded[new.instrument])
    await session.flush()
    row = Administration(
        instrument_version_id=version.id,
        name=new.name.strip(),
        school_year=new.school_year,
        term=new.term.strip()[:16] or "spring",
        grades=list(new.grades),
        locales=list(new.locales),
        opens_on=new.opens_on,
        closes_on=new.closes_on,
        access_mode=new.access_mode,
        sensitive_module=new.sensitive_module,
        consent_mode=new.consent_mode,
        status="draft",
    )
    session.add(row)
    await session.flush()
    session.add_all(
        AdministrationSchool(administration_id=row.id, school_id=s) for s in sorted(known)
    )
    await session.flush()
    return row.id


async def set_status(conn: AsyncConnection, administration_id: int, status: str) -> bool:
    """Open or close an administration; False when it does not exist."""
    if status not in ("open", "closed"):
        raise AdministrationError("status: open or closed")
    result = await conn.execute(
        update(Administration).where(Administration.id == administration_id).values(status=status)
    )
    return bool(result.rowcount)


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
    rows = [
        {
            "code": codes.new_code(),
            "administration_id": administration_id,
            "school_id": school_id,
            "kind": kind,
            "used": False,
        }
        for _ in range(count)
    ]
    await conn.execute(insert(AccessCode), rows)
    return count
