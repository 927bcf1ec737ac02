"""Settings: one frozen object, read from ``CLIMATE_*`` environment variables.

Every field is documented in README.md (a test checks it). Nothing here is read at import
time: ``Settings.from_env()`` is called by the command line, and tests build their own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
Mode = Literal["production", "demo", "debug"]
MODES: tuple[Mode, ...] = ("production", "demo", "debug")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SMTP_SECURITY = ("starttls", "tls", "none")


class SettingsError(ValueError):
    """A ``CLIMATE_*`` variable is missing or malformed."""


@dataclass(frozen=True, slots=True)
class CrisisContact:
    """A district contact shown to every student on every page."""

    label: str
    contact: str


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service needs to know about where it runs."""

    database_url: str = "sqlite+aiosqlite:///var/climate.db"
    mode: Mode = "production"
    secret_key: str = ""
    district_name: str = "Demo Unified School District"
    default_locale: str = "en"
    accepted_locales: tuple[str, ...] = ("en", "es", "ar", "zh_Hans", "vi", "pt", "ru", "ht", "so")
    crisis_contacts: tuple[CrisisContact, ...] = field(default_factory=tuple)
    suppression_k: int = 10
    surveys_dir: Path = PROJECT_ROOT / "surveys"
    log_level: str = "INFO"
    # None is the shipped default policy (analysis/staffing/default_policy.toml).
    staffing_policy: Path | None = None
    # None is the shipped "What to do next" text (climate/reports/next_steps.py).
    next_steps: Path | None = None
    # Addresses of proxies whose X-Forwarded-Proto is believed (they end TLS for us).
    trusted_proxies: tuple[str, ...] = ()
    # The district's help file (climate/help/config.py); None: help requests are off.
    help_requests: Path | None = None
    # The district's SMTP server for help-request notices; no host: nothing is sent.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "climate@localhost"
    # A streaming replica of the PostgreSQL database that releases are read from, and how
    # long a release waits for it to catch up before it reads the primary instead.
    replica_url: str | None = None
    replica_wait: float = 5.0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise SettingsError(
                f"CLIMATE_MODE must be one of {', '.join(MODES)}, not {self.mode!r}"
            )
        if self.mode == "production" and len(self.secret_key) < 32:
            raise SettingsError(
                "CLIMATE_SECRET_KEY must be set to at least 32 characters "
                "(it may be omitted only when CLIMATE_MODE is demo or debug)"
            )
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(
                f"CLIMATE_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}"
            )
        if self.suppression_k < 3:
            raise SettingsError("CLIMATE_SUPPRESSION_K must be an integer of at least 3")
        if self.default_locale not in self.accepted_locales:
            raise SettingsError(
                f"CLIMATE_DEFAULT_LOCALE {self.default_locale!r} is not among "
                "CLIMATE_ACCEPTED_LOCALES"
            )
        # Checked here so that a mistyped path stops the service at start-up, not the
        # dashboard later; the file's contents are checked when a plan is made.
        if self.smtp_security not in SMTP_SECURITY:
            raise SettingsError(
                f"CLIMATE_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, "
                f"not {self.smtp_security!r}"
            )
        if self.replica_url is not None:
            _check_replica(self.database_url, self.replica_url)
        if not 0 <= self.replica_wait <= 300:
            raise SettingsError("CLIMATE_REPLICA_WAIT must be a number of seconds from 0 to 300")
        if self.help_requests is not None and not self.help_requests.is_file():
            raise SettingsError(f"CLIMATE_HELP_REQUESTS {str(self.help_requests)!r} is not a file")
        if self.staffing_policy is not None and not self.staffing_policy.is_file():
            raise SettingsError(
                f"CLIMATE_STAFFING_POLICY {str(self.staffing_policy)!r} is not a file"
            )

    @property
    def debug(self) -> bool:
        """Whether tracebacks may be shown (never in production)."""
        return self.mode == "debug"

    @property
    def effective_secret(self) -> str:
        """The key used to sign cookies; demo and debug get a fixed, public one."""
        return self.secret_key or "insecure-demo-key-not-for-production-use!"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read settings from ``CLIMATE_*`` variables; keyword overrides win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if "CLIMATE_DATABASE_URL" in env:
            values["database_url"] = env["CLIMATE_DATABASE_URL"]
        if "CLIMATE_MODE" in env:
            values["mode"] = env["CLIMATE_MODE"]
        if "CLIMATE_SECRET_KEY" in env:
            values["secret_key"] = env["CLIMATE_SECRET_KEY"]
        if "CLIMATE_DISTRICT_NAME" in env:
            values["district_name"] = env["CLIMATE_DISTRICT_NAME"]
        if "CLIMATE_DEFAULT_LOCALE" in env:
            values["default_locale"] = env["CLIMATE_DEFAULT_LOCALE"]
        if "CLIMATE_ACCEPTED_LOCALES" in env:
            values["accepted_locales"] = tuple(
                part.strip() for part in env["CLIMATE_ACCEPTED_LOCALES"].split(",") if part.strip()
            )
        if "CLIMATE_CRISIS_CONTACTS" in env:
            values["crisis_contacts"] = parse_contacts(env["CLIMATE_CRISIS_CONTACTS"])
        if "CLIMATE_SUPPRESSION_K" in env:
            values["suppression_k"] = _parse_int(
                "CLIMATE_SUPPRESSION_K", env["CLIMATE_SUPPRESSION_K"]
            )
        if "CLIMATE_SURVEYS_DIR" in env:
            values["surveys_dir"] = Path(env["CLIMATE_SURVEYS_DIR"])
        if "CLIMATE_LOG_LEVEL" in env:
            values["log_level"] = env["CLIMATE_LOG_LEVEL"].upper()
        if "CLIMATE_TRUSTED_PROXIES" in env:
            values["trusted_proxies"] = tuple(
                part.strip() for part in env["CLIMATE_TRUSTED_PROXIES"].split(",") if part.strip()
            )
        if env.get("CLIMATE_STAFFING_POLICY"):
            values["staffing_policy"] = Path(env["CLIMATE_STAFFING_POLICY"])
        if env.get("CLIMATE_NEXT_STEPS"):
            values["next_steps"] = Path(env["CLIMATE_NEXT_STEPS"])
        if env.get("CLIMATE_HELP_REQUESTS"):
            values["help_requests"] = Path(env["CLIMATE_HELP_REQUESTS"])
        if env.get("CLIMATE_SMTP_HOST"):
            values["smtp_host"] = env["CLIMATE_SMTP_HOST"]
        if "CLIMATE_SMTP_PORT" in env:
            values["smtp_port"] = _parse_int("CLIMATE_SMTP_PORT", env["CLIMATE_SMTP_PORT"])
        if "CLIMATE_SMTP_SECURITY" in env:
            values["smtp_security"] = env["CLIMATE_SMTP_SECURITY"].lower()
        if "CLIMATE_SMTP_USERNAME" in env:
            values["smtp_username"] = env["CLIMATE_SMTP_USERNAME"]
        if "CLIMATE_SMTP_PASSWORD" in env:
            values["smtp_password"] = env["CLIMATE_SMTP_PASSWORD"]
        if "CLIMATE_SMTP_FROM" in env:
            values["smtp_from"] = env["CLIMATE_SMTP_FROM"]
        if env.get("CLIMATE_REPLICA_URL"):
            values["replica_url"] = env["CLIMATE_REPLICA_URL"]
        if "CLIMATE_REPLICA_WAIT" in env:
            wait = env["CLIMATE_REPLICA_WAIT"]
            values["replica_wait"] = _parse_float("CLIMATE_REPLICA_WAIT", wait)
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def parse_contacts(text: str) -> tuple[CrisisContact, ...]:
    """Parse ``Label: contact; Label: contact`` into crisis contacts."""
    contacts = []
    for number, part in enumerate(filter(None, (p.strip() for p in text.split(";"))), start=1):
        label, sep, contact = part.partition(":")
        if not sep or not label.strip() or not contact.strip():
            raise SettingsError(
                f"CLIMATE_CRISIS_CONTACTS entry {number} ({part!r}) must look like 'Label: contact'"
            )
        contacts.append(CrisisContact(label.strip(), contact.strip()))
    return tuple(contacts)


def _check_replica(primary: str, replica: str) -> None:
    try:
        names = {make_url(primary).get_backend_name(), make_url(replica).get_backend_name()}
    except ArgumentError:
        raise SettingsError(f"CLIMATE_REPLICA_URL {replica!r} is not a database URL") from None
    if names != {"postgresql"}:
        raise SettingsError(
            "CLIMATE_REPLICA_URL needs PostgreSQL, as a streaming replica of "
            "CLIMATE_DATABASE_URL's PostgreSQL database"
        )


def _parse_float(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {text!r}") from None


def _parse_int(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, not {text!r}") from None
