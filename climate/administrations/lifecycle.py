"""The lifecycle of an administration: draft, open, closed, and the one step offered next.

The staff page and the CLI both ask ``step_for`` what may happen next and ``require`` whether
a request may go ahead, so the rules live here once: only the next valid step, a typed reason
to re-open a year whose figures are published, and an explicit acceptance before students
read wording that no qualified person has reviewed in a survey with the sensitive module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.administrations.windows import (
    COLUMNS,
    NO_LOCAL_CONTACTS,
    AdministrationError,
    Summary,
    set_status,
    summary,
    waits_for_contacts,
)
from climate.i18n import Catalogs, LocaleStatus
from climate.models import Administration as AdministrationRow
from climate.models import (
    AdministrationSchool,
    Enrollment,
    InstrumentVersion,
    PublishedRelease,
)
from climate.security import audit
from climate.security.principals import Principal
from climate.settings import Settings
from climate.students import sealing
from climate.students.sealing import Sealer

OPEN = "open"
CLOSE = "close"
REOPEN = "reopen"
# The status each step leads to.
TARGETS = {OPEN: "open", CLOSE: "closed", REOPEN: "open"}
_NEXT = {"draft": OPEN, "open": CLOSE, "closed": REOPEN}
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Step:
    """The one step an administration can take next, and what it touches."""

    action: str
    schools: int
    students: int
    published: bool
    unreviewed: tuple[str, ...]

    @property
    def needs_reason(self) -> bool:
        """Re-opening a published year may change figures already out: say why."""
        return self.action == REOPEN and self.published

    @property
    def needs_acceptance(self) -> bool:
        """Students are about to read sensitive items in unreviewed wording."""
        return self.action in (OPEN, REOPEN) and bool(self.unreviewed)


def next_action(status: str) -> str:
    """The only step offered from ``status``."""
    return _NEXT[status]


def unreviewed_locales(
    locales: tuple[str, ...], sensitive_module: bool, statuses: Mapping[str, LocaleStatus]
) -> tuple[str, ...]:
    """Languages whose wording is unreviewed, when it matters: with the sensitive module."""
    if not sensitive_module:
        return ()
    return tuple(c for c in locales if statuses.get(c, LocaleStatus()).unreviewed)


async def year_published(conn: AsyncConnection, administration_id: int) -> bool:
    """Whether a release of the administration's instrument and school year was published."""
    query = select(
        exists().where(
            AdministrationRow.id == administration_id,
            InstrumentVersion.id == AdministrationRow.instrument_version_id,
            PublishedRelease.instrument_id == InstrumentVersion.instrument_id,
            PublishedRelease.year == AdministrationRow.school_year,
        )
    )
    return bool(await conn.scalar(query))


async def step_for(
    conn: AsyncConnection, shown: Summary, statuses: Mapping[str, LocaleStatus]
) -> Step:
    """The next step of ``shown``, with its schools and enrolled students in its grades."""
    taking = select(AdministrationSchool.school_id).where(
        AdministrationSchool.administration_id == shown.id
    )
    schools = await conn.scalar(select(func.count()).select_from(taking.subquery()))
    grades = await conn.scalar(
        select(AdministrationRow.grades).where(AdministrationRow.id == shown.id)
    )
    students = await conn.scalar(
        select(func.coalesce(func.sum(Enrollment.students), 0)).where(
            Enrollment.school_id.in_(taking),
            Enrollment.year == shown.school_year,
            Enrollment.grade.in_(list(grades or [])),
        )
    )
    return Step(
        action=next_action(shown.status),
        schools=int(schools or 0),
        students=int(students or 0),
        published=await year_published(conn, shown.id),
        unreviewed=unreviewed_locales(shown.locales, shown.sensitive_module, statuses),
    )


def require(step: Step, action: str, reason: str, accept_unreviewed: bool) -> str:
    """The status ``action`` leads to, or AdministrationError naming the field to fix."""
    if action != step.action:
        raise AdministrationError(f"action: the next step is {step.action}, not {action}")
    if step.needs_reason and not reason.strip():
        raise AdministrationError(
            "reason: this school year's figures are published; say why it must re-open"
        )
    if len(reason) > MAX_REASON:
        raise AdministrationError(f"reason: at most {MAX_REASON} characters")
    if step.needs_acceptance and not accept_unreviewed:
        raise AdministrationError(
            "accept_unreviewed: the sensitive items would be shown in wording no qualified "
            f"translator has reviewed ({', '.join(step.unreviewed)}); accept this to go ahead"
        )
    return TARGETS[action]


async def change_status(
    engine: AsyncEngine,
    settings: Settings,
    actor: Principal | str,
    administration_id: int,
    status: str,
    *,
    reason: str = "",
    accept_unreviewed: bool = False,
) -> bool:
    """Take the next step towards ``status`` (open or closed) and record it.

    False when there is no such administration; AdministrationError when the step is not the
    next one, or needs a reason or an acceptance that was not given.
    """
    if status not in ("open", "closed"):
        raise AdministrationError("status: open or closed")
    sealer = Sealer.of(settings.effective_secret)
    statuses = Catalogs().status()
    async with engine.begin() as conn:
        query = select(*COLUMNS).where(AdministrationRow.id == administration_id)
        row = (await conn.execute(query)).one_or_none()
        if row is None:
            return False
        shown = summary(row)
        step = await step_for(conn, shown, statuses)
        action = step.action if TARGETS[step.action] == status else status
        contacts = settings.crisis_contacts
        if status == "open" and waits_for_contacts(shown.sensitive_module, contacts):
            # A setting the district must fix first, whatever else is asked.
            raise AdministrationError(NO_LOCAL_CONTACTS)
        require(step, action, reason, accept_unreviewed)
        if not await set_status(conn, sealer, administration_id, status, contacts=contacts):
            return False
        detail: dict[str, object] = {"schools": step.schools, "students": step.students}
        if step.action == REOPEN:
            detail.update(reopened=True, published=step.published, reason=reason.strip())
        if step.needs_acceptance:
            detail["accepted_unreviewed"] = list(step.unreviewed)
        done = audit.ADMINISTRATION_OPENED if status == "open" else audit.ADMINISTRATION_CLOSED
        await audit.record(conn, actor, done, f"administration {administration_id}", detail=detail)
    if status == "closed":
        await sealing.scrub(engine)
    return True
