"""Looking up an access code: its administration, school, window, instrument and ticket state."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.errors import ClosedWindow, UnknownCode, UsedTicket
from climate.instruments import Instrument, parse_instrument
from climate.models import AccessCode, Administration, InstrumentVersion, School
from climate.responses.layout import Layout
from climate.students import codes

# A closed window or a used ticket shows within this many seconds in every worker.
TTL_SECONDS = 5.0
MAX_CACHED = 50_000


@dataclass(frozen=True, slots=True)
class Form:
    """An instrument version prepared once for validation and rendering."""

    version_id: int
    instrument: Instrument
    layout: Layout
    options: dict[str, frozenset[int]]
    demographic_options: dict[str, frozenset[int]]
    sensitive_items: frozenset[str]

    @classmethod
    def of(cls, version_id: int, instrument: Instrument) -> Form:
        """Index an instrument's items, options and sensitive module."""
        options = {
            item.id: frozenset(o.value for o in instrument.response_sets[item.response_set].options)
            for item in instrument.items
        }
        demographics = {
            d.id: frozenset(o.value for o in d.options) for d in instrument.demographics
        }
        sensitive = frozenset(
            item_id for s in instrument.sections if s.module == "sensitive" for item_id in s.items
        )
        return cls(version_id, instrument, Layout.of(instrument), options, demographics, sensitive)


@dataclass(frozen=True, slots=True)
class Access:
    """What a code opens: one administration at one school, with its form and rules."""

    code: str
    kind: str
    used: bool
    school_id: str
    administration_id: int
    administration_name: str
    status: str
    opens_on: dt.date
    closes_on: dt.date
    grades: tuple[int, ...]
    offered_grades: tuple[int, ...]
    locales: tuple[str, ...]
    sensitive_module: bool
    consent_mode: str
    form: Form

    @property
    def is_ticket(self) -> bool:
        """Whether the code is a single-use ticket."""
        return self.kind == "ticket"

    def check(self, today: dt.date) -> None:
        """Raise unless the survey can be taken with this code today."""
        if self.status != "open" or not self.opens_on <= today <= self.closes_on:
            raise ClosedWindow()
        if self.is_ticket and self.used:
            raise UsedTicket()

    def enabled_locales(self, accepted: tuple[str, ...]) -> tuple[str, ...]:
        """The administration's locales that the district accepts (English at least)."""
        chosen = tuple(code for code in self.locales if code in accepted)
        return chosen or (accepted[:1] if accepted else ("en",))


@dataclass(slots=True)
class Directory:
    """Per-process look-ups: forms parsed once per version, codes cached for a few seconds."""

    engine: AsyncEngine
    ttl: float = TTL_SECONDS
    _forms: dict[int, Form] = field(default_factory=dict)
    _codes: dict[str, tuple[float, Access]] = field(default_factory=dict)

    async def lookup(self, typed: str) -> Access:
        """The access a typed code gives, or UnknownCode."""
        code = codes.canonical(typed)
        if code is None:
            raise UnknownCode()
        now = time.monotonic()
        cached = self._codes.get(code)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        access = await self._load(code)
        if len(self._codes) >= MAX_CACHED:
            self._codes.clear()
        self._codes[code] = (now, access)
        return access

    def forget(self, code: str) -> None:
        """Drop a code from the cache (after this process used a ticket)."""
        self._codes.pop(code, None)

    async def _load(self, code: str) -> Access:
        query = (
            select(
                AccessCode.kind,
                AccessCode.used,
                AccessCode.school_id,
                Administration.id,
                Administration.name,
                Administration.status,
                Administration.opens_on,
                Administration.closes_on,
                Administration.grades,
                Administration.locales,
                Administration.sensitive_module,
                Administration.consent_mode,
                Administration.instrument_version_id,
                School.grade_low,
                School.grade_high,
            )
            .join(Administration, Administration.id == AccessCode.administration_id)
            .join(School, School.id == AccessCode.school_id)
            .where(AccessCode.code == code)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
            if row is None:
                raise UnknownCode()
            form = self._forms.get(row.instrument_version_id)
            if form is None:
                version = (
                    await conn.execute(
                        select(
                            InstrumentVersion.instrument_id,
                            InstrumentVersion.version,
                            InstrumentVersion.source,
                        ).where(InstrumentVersion.id == row.instrument_version_id)
                    )
                ).one()
                instrument = parse_instrument(
                    version.source, file=f"{version.instrument_id}@{version.version}"
                )
                form = Form.of(row.instrument_version_id, instrument)
                self._forms[row.instrument_version_id] = form
        return Access(
            code=code,
            kind=row.kind,
            used=bool(row.used),
            school_id=row.school_id,
            administration_id=row.id,
            administration_name=row.name,
            status=row.status,
            opens_on=row.opens_on,
            closes_on=row.closes_on,
            grades=tuple(int(g) for g in row.grades),
            offered_grades=offered(row.grades, row.grade_low, row.grade_high),
            locales=tuple(str(loc) for loc in row.locales),
            sensitive_module=bool(row.sensitive_module),
            consent_mode=row.consent_mode,
            form=form,
        )


def offered(grades: list[int], low: int, high: int) -> tuple[int, ...]:
    """Grades both in the administration and in the school's span, in order."""
    return tuple(sorted({int(g) for g in grades if low <= int(g) <= high}))
