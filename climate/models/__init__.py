"""Database schema: SQLAlchemy 2 models, one module per concept. Alembic migrations make it.

``base`` holds the metadata and naming convention; ``districts`` the district, schools and
rosters; ``surveys`` instruments, administrations, access codes, receipts and the response
table; ``staff`` accounts, sessions, tokens and the audit log; ``releases`` the ledger of
published releases; ``help`` students' help requests, apart from everything else.
Importing this package loads every table into ``metadata``.
"""

from climate.models.base import Base, metadata
from climate.models.districts import (
    CRDC_COLUMNS,
    LEVELS,
    ROLES,
    CrdcStaffing,
    District,
    Enrollment,
    School,
    Staffing,
)
from climate.models.help import (
    HELP_AUTHORS,
    HELP_KINDS,
    HELP_STATUSES,
    HELP_URGENCIES,
    MAX_HELP_CONTACT,
    MAX_HELP_TEXT,
    HelpMessage,
    HelpRequest,
)
from climate.models.limits import RateCount
from climate.models.releases import PublishedRelease
from climate.models.staff import (
    ACCOUNT_ROLES,
    Account,
    AccountSchool,
    ApiToken,
    ApiTokenSchool,
    AuditEvent,
    StaffSession,
)
from climate.models.surveys import (
    ACCESS_MODES,
    CONSENT_MODES,
    MAX_DEMOGRAPHICS,
    MAX_ITEMS,
    MAX_SCALES,
    RESPONSE_COLUMNS,
    STATUSES,
    AccessCode,
    Administration,
    AdministrationSchool,
    InstrumentVersion,
    Receipt,
    answer_column,
    demographic_column,
    response,
    score_column,
    sealed_response,
)

__all__ = [
    "ACCESS_MODES",
    "ACCOUNT_ROLES",
    "CONSENT_MODES",
    "CRDC_COLUMNS",
    "HELP_AUTHORS",
    "HELP_KINDS",
    "HELP_STATUSES",
    "HELP_URGENCIES",
    "LEVELS",
    "MAX_DEMOGRAPHICS",
    "MAX_HELP_CONTACT",
    "MAX_HELP_TEXT",
    "MAX_ITEMS",
    "MAX_SCALES",
    "RESPONSE_COLUMNS",
    "ROLES",
    "STATUSES",
    "AccessCode",
    "Account",
    "AccountSchool",
    "Administration",
    "AdministrationSchool",
    "ApiToken",
    "ApiTokenSchool",
    "AuditEvent",
    "Base",
    "CrdcStaffing",
    "District",
    "Enrollment",
    "HelpMessage",
    "HelpRequest",
    "InstrumentVersion",
    "PublishedRelease",
    "RateCount",
    "Receipt",
    "School",
    "StaffSession",
    "Staffing",
    "answer_column",
    "demographic_column",
    "metadata",
    "response",
    "score_column",
    "sealed_response",
]
