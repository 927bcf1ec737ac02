"""E-mail to the people on duty: a request is waiting, or was not read in time. Never its words.

Sent through the district's SMTP server (``CLIMATE_SMTP_*``) with the standard library's
``smtplib`` in a worker thread. A message names the district and the school and links to the
queue; it never holds a request's kind, text, contact or code, so a mailbox or a mail server's
log learns only that a request exists. Without ``CLIMATE_SMTP_HOST`` nothing is sent (and the
staff page says so).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncEngine

from climate.help.requests import Desk
from climate.help.rounds import claim_overdue, escalated, unclaim
from climate.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT = 20


@dataclass(frozen=True, slots=True)
class Mailer:
    """The district's SMTP server, or None: nothing is sent."""

    host: str | None
    port: int
    security: str
    username: str
    password: str
    sender: str
    district: str

    @classmethod
    def of(cls, settings: Settings) -> Mailer:
        """The mailer ``settings`` describe."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
            sender=settings.smtp_from,
            district=settings.district_name,
        )

    @property
    def configured(self) -> bool:
        """Whether there is a server to send through."""
        return bool(self.host)

    async def send(self, to: Sequence[str], subject: str, body: str) -> bool:
        """Send one message to ``to``; False (logged) when it could not be sent."""
        if not self.host or not to:
            return False
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message.set_content(body)
        try:
            await asyncio.to_thread(self._send, message)
        except (OSError, smtplib.SMTPException) as error:
            # The type only: a server's answer may quote addresses.
            log.warning("Help-request e-mail not sent (%s)", type(error).__name__)
            return False
        return True

    def _send(self, message: EmailMessage) -> None:
        assert self.host is not None
        context = ssl.create_default_context()
        if self.security == "tls":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=TIMEOUT, context=context
            )
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        with server:
            if self.security == "starttls":
                server.starttls(context=context)
            if self.username:
                server.login(self.username, self.password)
            server.send_message(message)

    async def notice(self, to: Sequence[str], school_name: str, staff_url: str) -> bool:
        """Tell the people on duty that a request to ``school_name`` is waiting."""
        return await self.send(
            to,
            f"A help request is waiting: {school_name}",
            _body(
                f"A student has sent a help request to {school_name}.",
                "Sign in to read it and answer.",
                staff_url,
            ),
        )

    async def escalation(self, to: Sequence[str], school_name: str, staff_url: str) -> bool:
        """Tell the next contact that a request to ``school_name`` was not read in time."""
        return await self.send(
            to,
            f"Not read in time: a help request to {school_name}",
            _body(
                f"A help request to {school_name} has not been read by the time the district "
                "promised students.",
                "Please make sure someone reads it today.",
                staff_url,
            ),
        )


def _body(first: str, second: str, staff_url: str) -> str:
    lines = [first, second]
    if staff_url:
        lines.append(staff_url)
    lines += [
        "",
        "This message does not contain the request. Read it in the help-request queue.",
        "Help requests are not an emergency service: students are told to call or text 988 "
        "or to call 911 in an emergency.",
    ]
    return "\n".join(lines) + "\n"


async def escalate(engine: AsyncEngine, desk: Desk, mailer: Mailer, now: dt.datetime) -> int:
    """Escalate every request past its reading time; the number of people-messages sent."""
    if desk.config is None or not mailer.configured:
        # No one can be told: nothing is marked escalated, so the queue keeps showing the
        # request past its time, and once e-mail is set up the next round tells them.
        return 0
    sent = 0
    for overdue in await claim_overdue(engine, desk, now):
        if await mailer.escalation(overdue.to, overdue.school_name, desk.config.staff_url):
            await escalated(engine, overdue, now)
            sent += 1
        else:
            # Not sent: hand it back so the next round tries again.
            await unclaim(engine, overdue.request_id)
    return sent
