"""The district's help file: who reads the queue, by when, who is told, how long it is kept.

Named by ``CLIMATE_HELP_REQUESTS`` (TOML); without it help requests are off::

    timezone = "America/Chicago"     # the district's clock, for school days and reading time
    reading_time = "15:00"           # requests are read on school days by this time
    retention_days = 90              # closed requests are deleted after this many days
    staff_url = "https://climate.district.example/staff/help"   # put in the e-mails

    [district]                       # for every school, unless the school names its own
    readers = ["lead@district.example"]       # staff accounts that read the queue
    notify = ["duty@district.example"]         # told a request is waiting
    escalate = ["director@district.example"]   # told a request was not read in time

    [schools.S01]                    # one school, by its roster id
    readers = ["counselor@maple.example"]
    notify = ["counselor@maple.example"]
    escalate = ["principal@maple.example"]
    reading_time = "14:00"

A school's readers are its own and the district's; it is told and escalated through its own
lists when it has them, else the district's. A school with no reader takes no requests. A
file that cannot be used stops the service at start-up with the file and the field.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# Monday to Friday: a request sent on a weekend is due on Monday.
SCHOOL_DAYS = frozenset(range(5))


class HelpConfigError(ValueError):
    """The help file cannot be used; the message names the file and the field."""


class _Contacts(msgspec.Struct, forbid_unknown_fields=True):
    readers: list[str] = msgspec.field(default_factory=list)
    notify: list[str] = msgspec.field(default_factory=list)
    escalate: list[str] = msgspec.field(default_factory=list)
    reading_time: str | None = None


class _File(msgspec.Struct, forbid_unknown_fields=True):
    district: _Contacts
    timezone: str = "UTC"
    reading_time: str = "15:00"
    retention_days: int = 90
    staff_url: str = ""
    # Checked one school at a time (``_school``), so that a fault names the school.
    schools: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Contacts:
    """Who reads, who is told and who is escalated to, for one school or the district."""

    readers: frozenset[str]
    notify: tuple[str, ...]
    escalate: tuple[str, ...]
    reading_time: dt.time | None


@dataclass(frozen=True, slots=True)
class HelpConfig:
    """The district's help file, checked."""

    timezone: zoneinfo.ZoneInfo
    reading_time: dt.time
    retention_days: int
    staff_url: str
    district: Contacts
    schools: dict[str, Contacts]

    def readers(self, school_id: str) -> frozenset[str]:
        """The accounts (e-mail addresses, lower case) that read ``school_id``'s requests."""
        own = self.schools.get(school_id)
        return self.district.readers | (own.readers if own else frozenset())

    def takes_requests(self, school_id: str) -> bool:
        """Whether someone reads ``school_id``'s requests."""
        return bool(self.readers(school_id))

    def notify(self, school_id: str) -> tuple[str, ...]:
        """Who is told that a request to ``school_id`` is waiting."""
        own = self.schools.get(school_id)
        return own.notify if own and own.notify else self.district.notify

    def escalate(self, school_id: str) -> tuple[str, ...]:
        """Who is told that a request to ``school_id`` was not read in time."""
        own = self.schools.get(school_id)
        return own.escalate if own and own.escalate else self.district.escalate

    def reading(self, school_id: str) -> dt.time:
        """The time of day by which ``school_id``'s requests are read on school days."""
        own = self.schools.get(school_id)
        if own is not None and own.reading_time is not None:
            return own.reading_time
        return self.reading_time

    def local(self, now: dt.datetime) -> dt.datetime:
        """``now`` (aware) on the district's clock."""
        return now.astimezone(self.timezone)

    def due_on(self, school_id: str, now: dt.datetime) -> dt.date:
        """The school day by whose reading time a request sent at ``now`` must be read.

        Today when it is a school day and before the reading time, else the next school day.
        Only this day is stored: whether a request came before or after the reading time is
        the one thing of its time of day a database reader can tell.
        """
        local = self.local(now)
        day = local.date()
        if day.weekday() in SCHOOL_DAYS and local.time() < self.reading(school_id):
            return day
        return next_school_day(day)

    def overdue(self, school_id: str, due_on: dt.date, now: dt.datetime) -> bool:
        """Whether a request due on ``due_on`` is past its reading time at ``now``."""
        local = self.local(now)
        if local.date() != due_on:
            return local.date() > due_on
        return local.time() >= self.reading(school_id)


def next_school_day(day: dt.date) -> dt.date:
    """The first school day after ``day``."""
    day += dt.timedelta(days=1)
    while day.weekday() not in SCHOOL_DAYS:
        day += dt.timedelta(days=1)
    return day


def load(path: Path) -> HelpConfig:
    """Read and check the help file; every fault names the file and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise HelpConfigError(f"{path}: cannot be read ({error})") from None
    return parse(text, str(path))


def parse(text: str, name: str = "help file") -> HelpConfig:
    """Check the help file's text; ``name`` is how faults name it."""
    try:
        raw = msgspec.toml.decode(text.encode(), type=_File)
    except msgspec.ValidationError as error:
        raise HelpConfigError(f"{name}: {error}") from None
    except msgspec.DecodeError as error:
        raise HelpConfigError(f"{name}: not valid TOML ({error})") from None
    try:
        timezone = zoneinfo.ZoneInfo(raw.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise HelpConfigError(
            f"{name}: unknown time zone {raw.timezone!r} at `$.timezone`"
        ) from None
    if raw.retention_days < 1:
        raise HelpConfigError(f"{name}: retention_days must be at least 1 at `$.retention_days`")
    if raw.staff_url and not raw.staff_url.startswith(("https://", "http://")):
        raise HelpConfigError(f"{name}: staff_url must be an http(s) address at `$.staff_url`")
    district = _contacts(raw.district, name, "$.district")
    schools = {
        school: _contacts(_school(contacts, name, school), name, f"$.schools.{school}")
        for school, contacts in raw.schools.items()
    }
    if not district.readers and not any(c.readers for c in schools.values()):
        raise HelpConfigError(
            f"{name}: no one reads the requests: name readers at `$.district.readers` "
            "or at a school's `readers`"
        )
    return HelpConfig(
        timezone=timezone,
        reading_time=_time(raw.reading_time, name, "$.reading_time"),
        retention_days=raw.retention_days,
        staff_url=raw.staff_url,
        district=district,
        schools=schools,
    )


def _school(raw: dict[str, Any], name: str, school: str) -> _Contacts:
    try:
        return msgspec.convert(raw, _Contacts)
    except msgspec.ValidationError as error:
        where = f"$.schools.{school}"
        fault, _, path = str(error).partition(" - at `$")
        raise HelpConfigError(f"{name}: {fault} - at `{where}{path.rstrip('`')}`") from None


def _contacts(raw: _Contacts, name: str, where: str) -> Contacts:
    for field in ("readers", "notify", "escalate"):
        for number, address in enumerate(getattr(raw, field)):
            if not ADDRESS.match(address):
                raise HelpConfigError(
                    f"{name}: {address!r} is not an e-mail address at `{where}.{field}[{number}]`"
                )
    return Contacts(
        readers=frozenset(a.lower() for a in raw.readers),
        notify=tuple(raw.notify),
        escalate=tuple(raw.escalate),
        reading_time=(
            None
            if raw.reading_time is None
            else _time(raw.reading_time, name, f"{where}.reading_time")
        ),
    )


def _time(text: str, name: str, where: str) -> dt.time:
    found = TIME.match(text)
    if found is None:
        raise HelpConfigError(f'{name}: {text!r} is not a time like "15:00" at `{where}`')
    return dt.time(int(found.group(1)), int(found.group(2)))
