"""The one table of who may use which route: every (path, method) the app serves.

A route missing from this table is refused to everyone (403) by the app-wide guard, and a
test walks every registered route for every role and for anonymous callers, so a new route
cannot ship without a rule. Paths are Litestar path templates (``{name}`` parameters,
without their types). ``HEAD`` follows ``GET``; ``OPTIONS`` is open to all because it only
lists methods.
"""

from __future__ import annotations

from climate.security.principals import DISTRICT_ADMIN, DISTRICT_VIEWER, SCHOOL_STAFF

ANONYMOUS = "anonymous"
EVERYONE = frozenset({ANONYMOUS, DISTRICT_ADMIN, DISTRICT_VIEWER, SCHOOL_STAFF})
STAFF = frozenset({DISTRICT_ADMIN, DISTRICT_VIEWER, SCHOOL_STAFF})
DISTRICT = frozenset({DISTRICT_ADMIN, DISTRICT_VIEWER})
ADMIN = frozenset({DISTRICT_ADMIN})
# Class codes and tickets let anyone answer as a student: admins, and staff of their own school.
CODE_HOLDERS = frozenset({DISTRICT_ADMIN, SCHOOL_STAFF})
PRINCIPALS = (ANONYMOUS, DISTRICT_ADMIN, DISTRICT_VIEWER, SCHOOL_STAFF)

RULES: dict[tuple[str, str], frozenset[str]] = {
    # Service
    ("/healthz", "GET"): EVERYONE,
    # Students: anonymous by design, no accounts.
    ("/", "GET"): EVERYONE,
    ("/enter", "GET"): EVERYONE,
    ("/enter", "POST"): EVERYONE,
    ("/s/{code}", "GET"): EVERYONE,
    ("/survey/start", "GET"): EVERYONE,
    ("/survey", "GET"): EVERYONE,
    ("/survey", "POST"): EVERYONE,
    ("/survey/decline", "POST"): EVERYONE,
    ("/survey/declined", "GET"): EVERYONE,
    ("/survey/thanks", "GET"): EVERYONE,
    ("/help", "GET"): EVERYONE,
    ("/help/new", "GET"): EVERYONE,
    ("/help/new", "POST"): EVERYONE,
    ("/help/follow", "GET"): EVERYONE,
    ("/help/follow", "POST"): EVERYONE,
    ("/help/reply", "POST"): EVERYONE,
    ("/api/v1/surveys/{code}", "GET"): EVERYONE,
    ("/api/v1/responses", "POST"): EVERYONE,
    ("/static/{file_path}", "GET"): EVERYONE,
    # Staff sign-in and self-service
    ("/staff/sign-in", "GET"): EVERYONE,
    ("/staff/sign-in", "POST"): EVERYONE,
    ("/staff/sign-out", "POST"): STAFF,
    ("/staff", "GET"): STAFF,
    ("/staff/password", "GET"): STAFF,
    ("/staff/password", "POST"): STAFF,
    # Administrations, codes and tickets (school staff see only their own schools')
    ("/staff/administrations", "GET"): STAFF,
    ("/staff/administrations", "POST"): ADMIN,
    ("/staff/administrations/{administration_id}", "GET"): STAFF,
    ("/staff/administrations/{administration_id}/status", "POST"): ADMIN,
    ("/staff/administrations/{administration_id}/codes", "GET"): CODE_HOLDERS,
    ("/staff/administrations/{administration_id}/codes", "POST"): ADMIN,
    # Rosters, accounts, audit log
    ("/staff/rosters", "GET"): ADMIN,
    ("/staff/rosters", "POST"): ADMIN,
    ("/staff/rosters/{name}", "GET"): ADMIN,
    ("/staff/accounts", "GET"): ADMIN,
    ("/staff/accounts", "POST"): ADMIN,
    ("/staff/accounts/{account_id}/disable", "GET"): ADMIN,
    ("/staff/accounts/{account_id}/disable", "POST"): ADMIN,
    ("/staff/accounts/{account_id}/enable", "POST"): ADMIN,
    ("/staff/tokens", "GET"): ADMIN,
    ("/staff/tokens", "POST"): ADMIN,
    ("/staff/tokens/{token_id}/revoke", "GET"): ADMIN,
    ("/staff/tokens/{token_id}/revoke", "POST"): ADMIN,
    ("/staff/audit", "GET"): ADMIN,
    ("/staff/audit.csv", "GET"): ADMIN,
    # Help requests: every staff role may ask; the domain answers only for the schools one is
    # named to read (others see an explanation, and a request they do not read is a 404).
    ("/staff/help", "GET"): STAFF,
    ("/staff/help/{request_id}", "GET"): STAFF,
    ("/staff/help/{request_id}/reply", "POST"): STAFF,
    ("/staff/help/{request_id}/note", "POST"): STAFF,
    ("/staff/help/{request_id}/status", "POST"): STAFF,
    # Reports (school staff see only their own schools' report); the index lists what one may open
    ("/staff/reports", "GET"): STAFF,
    ("/staff/reports/schools/{school_id}", "GET"): STAFF,
    ("/staff/reports/district", "GET"): DISTRICT,
    ("/staff/reports/staffing", "GET"): DISTRICT,
    ("/staff/reports/staffing/memo", "GET"): DISTRICT,
    ("/staff/reports/staffing/download", "GET"): DISTRICT,
    ("/staff/reports/participation", "GET"): STAFF,
    # Staff JSON API (bearer tokens)
    ("/api/v1/schools", "GET"): STAFF,
    ("/api/v1/admin/rosters", "POST"): ADMIN,
    # Exports of the protected release (school staff: their own schools only, in the query)
    ("/staff/exports", "GET"): STAFF,
    ("/api/v1/exports", "GET"): STAFF,
}

# The OpenAPI document and its viewer hold no data; every path under them is public.
OPEN_PREFIXES = ("/schema",)


def rule_for(path: str, method: str) -> frozenset[str] | None:
    """The roles (and ``anonymous``) allowed on a route, or None when it has no rule."""
    method = method.upper()
    if method == "OPTIONS":
        return EVERYONE
    if method == "HEAD":
        method = "GET"
    found = RULES.get((path, method))
    if found is None and any(path == p or path.startswith(p + "/") for p in OPEN_PREFIXES):
        return EVERYONE
    return found


def allowed(path: str, method: str, role: str) -> bool:
    """Whether ``role`` (or ``anonymous``) may use a route."""
    roles = rule_for(path, method)
    return roles is not None and role in roles
