"""Survey windows: list and show them (scoped), create, open and close them.

The functions that take an engine are what the staff pages and the CLI call: each runs one
transaction, and those that change something write their audit record in it. The ones that
take a connection or a session are their parts, for callers that already hold a transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Exists, Row, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from climate.instruments import InstrumentError, load_directory
from climate.instruments.registry import register as register_version
from climate.models import (
    ACCESS_MODES,
    CONSENT_MODES,
    Administration,
    AdministrationSchool,
    School,
)
from climate.security import audit
from climate.security.principals import Principal
from climate.security.scoping import school_filter
from climate.settings import CrisisContact, Settings
from climate.students import sealing
from climate.students.sealing import Sealer


class AdministrationError(ValueError):
    """An administration cannot be created or changed as asked; the message says why."""


# Said by the CLI and the staff page alike: a student who answers "Yes" to a self-harm item
# must find a counselor, a room and hours, not only 988 and 911.
NO_LOCAL_CONTACTS = (
    "sensitive_module: a survey with the sensitive module cannot open until the district has "
    "local crisis contacts (name, place, hours): set CLIMATE_CRISIS_CONTACTS, such as "
    "'Counseling office, room 12, 8:00-15:30: 555-0100', and restart the service"
)


def waits_for_contacts(sensitive_module: bool, contacts: tuple[CrisisContact, ...]) -> bool:
    """Whether opening must wait until the district has local crisis contacts."""
    return sensitive_module and not contacts


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
class NewAdministration:
    """What a district admin asks for when creating an administration.

    None asks for the default: the instrument's title and year as the name, its whole grade
    band, every language the district accepts, every school.
    """

    instrument: str
    name: str | None
    school_year: int
    term: str
    grades: tuple[int, ...] | None
    locales: tuple[str, ...] | None
    opens_on: dt.date
    closes_on: dt.date
    access_mode: str
    sensitive_module: bool
    consent_mode: str
    schools: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class InstrumentChoice:
    """An instrument as offered on the form: its id, title and grade band."""

    id: str
    title: str
    low: int
    high: int

    @property
    def grades(self) -> tuple[int, ...]:
        """Every grade the instrument was written for."""
        return tuple(range(self.low, self.high + 1))


@dataclass(frozen=True, slots=True)
class Overview:
    """The administrations page: what the caller may see, and what a new one can be made of."""

    administrations: tuple[Summary, ...]
    schools: tuple[tuple[str, str], ...]
    instruments: tuple[InstrumentChoice, ...]


@dataclass(frozen=True, slots=True)
class Detail:
    """One administration and the (id, name) of its schools the caller may see."""

    administration: Summary
    schools: tuple[tuple[str, str], ...]


COLUMNS = (
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


def summary(r: Row[Any]) -> Summary:
    """A row of ``COLUMNS`` as a Summary."""
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
        select(*COLUMNS)
        .where(_visible(principal))
        .order_by(Administration.school_year.desc(), Administration.id.desc())
    )
    return [summary(r) for r in (await conn.execute(query)).all()]


async def visible_administration(
    conn: AsyncConnection, principal: Principal, administration_id: int
) -> Summary | None:
    """One administration, or None when it does not exist or the caller may not see it."""
    query = select(*COLUMNS).where(Administration.id == administration_id, _visible(principal))
    row = (await conn.execute(query)).one_or_none()
    return None if row is None else summary(row)


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


def instrument_choices(settings: Settings) -> list[InstrumentChoice]:
    """Every instrument that can be given, by id, with its title and grade band."""
    try:
        loaded = load_directory(settings.surveys_dir)
    except InstrumentError:
        return []
    choices = []
    for key in sorted(loaded):
        instrument = loaded[key].instrument
        low, high = instrument.grade_band
        choices.append(InstrumentChoice(key, instrument.title, low, high))
    return choices


async def create_administration(
    session: AsyncSession, settings: Settings, new: NewAdministration
) -> int:
    """Create a draft administration; raise AdministrationError naming the bad field."""
    try:
        loaded = load_directory(settings.surveys_dir)
    except InstrumentError as exc:
        raise AdministrationError(f"the instruments cannot be read: {exc}") from None
    if new.instrument not in loaded:
        have = ", ".join(sorted(loaded))
        raise AdministrationError(f"instrument: no instrument {new.instrument!r}; have {have}")
    instrument = loaded[new.instrument].instrument
    low, high = instrument.grade_band
    year = new.school_year
    name = f"{instrument.title} {year - 1}-{str(year)[-2:]}" if new.name is None else new.name
    grades = tuple(range(low, high + 1)) if new.grades is None else new.grades
    locales = tuple(settings.accepted_locales) if new.locales is None else new.locales
    if not name.strip() or len(name) > 200:
        raise AdministrationError("name: give a name of 1 to 200 characters")
    if not 2000 <= year <= 2200:
        raise AdministrationError("school_year: give the spring year, such as 2027")
    if not grades or any(not low <= g <= high for g in grades):
        raise AdministrationError(f"grades: choose grades within {low}-{high}")
    refused = [c for c in locales if c not in settings.accepted_locales]
    if not locales or refused:
        raise AdministrationError("locales: choose languages the district has accepted")
    if new.opens_on > new.closes_on:
        raise AdministrationError("closes_on: the window must close on or after it opens")
    if new.access_mode not in ACCESS_MODES:
        raise AdministrationError(f"access_mode: one of {', '.join(ACCESS_MODES)}")
    if new.consent_mode not in CONSENT_MODES:
        raise AdministrationError(f"consent_mode: one of {', '.join(CONSENT_MODES)}")
    schools = new.schools
    if schools is None:
        schools = tuple(await session.scalars(select(School.id).order_by(School.id)))
        if not schools:
            raise AdministrationError("schools: the database has no schools yet")
    known = set(await session.scalars(select(School.id).where(School.id.in_(schools))))
    if not schools or known != set(schools):
        unknown = ", ".join(s for s in schools if s not in known)
        tail = f" (unknown: {unknown})" if unknown else ""
        raise AdministrationError(f"schools: choose at least one known school{tail}")
    version = await register_version(session, loaded[new.instrument])
    await session.flush()
    row = Administration(
        instrument_version_id=version.id,
        name=name.strip(),
        school_year=year,
        term=new.term.strip()[:16] or "spring",
        grades=list(grades),
        locales=list(locales),
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


async def set_status(
    conn: AsyncConnection,
    sealer: Sealer,
    administration_id: int,
    status: str,
    *,
    contacts: tuple[CrisisContact, ...],
) -> bool:
    """Open or close an administration; False when it does not exist.

    Opening a sensitive one is refused while ``contacts`` (the district's) is empty. Closing
    moves its sealed submissions into the responses, shuffled, and deletes its receipts and
    tickets, in the same transaction (see ``climate.students.sealing``).
    """
    if status not in ("open", "closed"):
        raise AdministrationError("status: open or closed")
    if status == "open":
        sensitive = await conn.scalar(
            select(Administration.sensitive_module).where(Administration.id == administration_id)
        )
        if sensitive is None:
            return False
        if waits_for_contacts(bool(sensitive), contacts):
            raise AdministrationError(NO_LOCAL_CONTACTS)
    result = await conn.execute(
        update(Administration).where(Administration.id == administration_id).values(status=status)
    )
    if not result.rowcount:
        return False
    if status == "closed":
        try:
            await sealing.unseal(conn, administration_id, sealer)
        except sealing.Unreadable as error:
            raise AdministrationError(
                "the survey's answers are sealed with another secret key: start the service "
                "with the CLIMATE_SECRET_KEY it had while the survey was open, then close it"
            ) from error
    return True


async def overview(engine: AsyncEngine, settings: Settings, principal: Principal) -> Overview:
    """The administrations ``principal`` may see, its schools, and the instruments on offer."""
    async with engine.connect() as conn:
        rows = await visible_administrations(conn, principal)
        schools = await all_schools(conn, principal)
    return Overview(tuple(rows), tuple(schools), tuple(instrument_choices(settings)))


async def every_administration(engine: AsyncEngine) -> list[Summary]:
    """Every administration, oldest first (for the district's own command line)."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(*COLUMNS).order_by(Administration.id))).all()
    return [summary(r) for r in rows]


async def school_choices(engine: AsyncEngine, principal: Principal) -> list[tuple[str, str]]:
    """Every school ``principal`` may see, as (id, name)."""
    async with engine.connect() as conn:
        return await all_schools(conn, principal)


async def detail(
    engine: AsyncEngine, principal: Principal, administration_id: int
) -> Detail | None:
    """One administration with its visible schools, or None when the caller may not see it."""
    async with engine.connect() as conn:
        found = await visible_administration(conn, principal, administration_id)
        if found is None:
            return None
        schools = await visible_schools(conn, principal, administration_id)
    return Detail(found, tuple(schools))


async def add_administration(
    engine: AsyncEngine, settings: Settings, actor: Principal | str, new: NewAdministration
) -> Summary:
    """Create a draft administration and record it; raise AdministrationError when refused."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        administration_id = await create_administration(session, settings, new)
        conn = await session.connection()
        query = select(*COLUMNS).where(Administration.id == administration_id)
        created = summary((await conn.execute(query)).one())
        taking = await conn.scalar(
            select(func.count()).where(AdministrationSchool.administration_id == administration_id)
        )
        await audit.record(
            conn,
            actor,
            audit.ADMINISTRATION_CREATED,
            f"administration {administration_id}",
            # The name as asked for (the stored one is stripped), or the default made.
            detail={"name": created.name if new.name is None else new.name, "schools": taking},
        )
        await session.commit()
    return created
