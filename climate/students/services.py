"""What the student routes share within one process: open a code, show its survey, store answers.

One ``Services`` is made per app and handed to the student pages and the student API alike, so
a survey is localized once per version and language, and every submission goes through the
same writer and the same rate limits whether it came from a script or a plain form.

A school reaches the service from one address, so a look-up that opens a survey counts
against the code the student holds, never against the address; only a guess that opens
nothing counts against the address (limits shared by all workers). Each worker admits as
many students at once as it can serve and sheds the rest with a quick 503 that the page
retries. A used ticket answers exactly as a code that was never issued, so that nobody can
learn which tickets were used (a retry with the key that used it still gets its receipt).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import msgspec

from climate.errors import AccessError, ClosedWindow, UnknownCode, UsedTicket
from climate.i18n import Catalogs, language_name
from climate.security.capacity import Capacity
from climate.security.ratelimit import Limits, Store
from climate.settings import Settings
from climate.students import codes
from climate.students.access import Access, Directory
from climate.students.submissions import (
    Submission,
    Writer,
    find_receipt,
    key_hash,
    shown_items,
    validate,
)
from climate.students.views import Language, SurveyView, localize


@dataclass(frozen=True, slots=True)
class Outcome:
    """A stored (or replayed) submission."""

    receipt: str
    created: bool


@dataclass(slots=True)
class Services:
    """The student routes' per-process parts: catalogs, code look-ups, the writer, limits."""

    settings: Settings
    catalogs: Catalogs
    directory: Directory
    writer: Writer
    counters: Store
    limits: Limits = field(init=False)
    capacity: Capacity = field(default_factory=Capacity)
    _views: dict[tuple[int, str, bool, tuple[int, ...]], SurveyView] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.limits = Limits.of(self.counters)

    async def open(self, code: str, address: str | None) -> Access:
        """Look up a code for a student: counted against the code, or as the address's miss."""
        self.limits.admit(address)
        async with self.capacity.admit():
            access = await self._found(code, address)
            try:
                access.check(dt.date.today())
            except UsedTicket:
                # Counted exactly as a code that was never issued, and answered as one.
                await self.limits.miss(address)
                raise UnknownCode() from None
            await self.limits.opened(access.code, ticket=access.is_ticket)
        return access

    async def _found(self, code: str, address: str | None) -> Access:
        """The code's access; a well-formed code that opens nothing is the address's miss.

        Text that cannot be a code is not a guess (no code could match it): not counted.
        """
        try:
            return await self.directory.lookup(code)
        except UnknownCode:
            if codes.canonical(code) is not None:
                await self.limits.miss(address)
            raise

    def locales(self, access: Access) -> tuple[str, ...]:
        """Locales a code's survey can be taken in."""
        return access.enabled_locales(self.settings.accepted_locales)

    def view(self, access: Access, locale: str) -> SurveyView:
        """The survey a student sees in ``locale`` (built once per version, language and grades)."""
        key = (access.form.version_id, locale, access.sensitive_module, access.offered_grades)
        found = self._views.get(key)
        if found is None:
            found = localize(
                access.form, self.catalogs, locale, access.sensitive_module, access.offered_grades
            )
            self._views[key] = found
        return found

    def survey(self, access: Access, locale: str) -> SurveyView:
        """The survey in ``locale`` with the languages this code offers, each named in itself."""
        languages = [Language(code, language_name(code)) for code in self.locales(access)]
        return msgspec.structs.replace(self.view(access, locale), languages=languages)

    async def store(
        self, data: Submission, address: str | None = None, *, prune: bool = False
    ) -> Outcome:
        """Check and store one submission; a replayed key returns its first receipt.

        ``address`` is where a submission with its code came from (the API); without one,
        the caller has opened the code already (a form posted to the code's own page).
        """
        self.limits.admit(address)
        async with self.capacity.admit():
            return await self._store(data, address, prune=prune)

    async def _store(self, data: Submission, address: str | None, *, prune: bool) -> Outcome:
        try:
            access = await self.directory.lookup(data.code)
            access.check(dt.date.today())
        except AccessError as error:
            return await self._replay(data, address, error)
        if address is not None:
            await self.limits.opened(access.code, ticket=access.is_ticket)
        if not access.is_ticket:
            # A ticket submits once; its look-ups are its limit (counted in memory).
            await self.limits.submissions.hit(access.code)
        if prune:
            data = pruned(access, data)
        clean = validate(access, data, self.locales(access))
        try:
            stored = await self.writer.submit(access, clean, data.idempotency_key)
        except UsedTicket as error:  # another submission used the ticket a moment ago
            return await self._replay(data, address, error)
        for ticket in self.writer.used_tickets():
            self.directory.forget(ticket)
        return Outcome(stored.receipt, stored.created)

    async def _replay(self, data: Submission, address: str | None, error: AccessError) -> Outcome:
        """A retry after the ticket was used or the window closed still gets its receipt."""
        async with self.directory.engine.connect() as conn:
            earlier = await find_receipt(conn, key_hash(data.idempotency_key))
        if earlier is not None:
            return Outcome(earlier, created=False)
        guess = address is not None and codes.canonical(data.code) is not None
        if guess and not isinstance(error, ClosedWindow):
            await self.limits.miss(address)
        raise masked(error) from None

    async def decline(self, access: Access) -> None:
        """Count one decline for the code's administration; nothing else is stored."""
        await self.writer.decline(access.administration_id)


def masked(error: AccessError) -> AccessError:
    """The error a student is shown: a used ticket looks like one that was never issued."""
    return UnknownCode() if isinstance(error, UsedTicket) else error


def pruned(access: Access, data: Submission) -> Submission:
    """Drop answers to questions a page without script could not hide (skip rules)."""
    shown = shown_items(access.form, data.answers, access.sensitive_module)
    answers = {k: v for k, v in data.answers.items() if k in shown or k not in access.form.options}
    return msgspec.structs.replace(data, answers=answers)
