"""Staff pages under ``/staff``: sign-in, the reports index, administrations and codes, rosters,
accounts, API tokens, audit, and the help-request queue.

``staff_router()`` carries what only the staff pages need (their error pages and the sign-in
limits, counted in the database); the app adds it to its route handlers and provides the rest
(``principal``, ``pages``, ``engine``, ``settings``). Access is decided by the app-wide guard from
``climate.security.permissions``.
"""

from __future__ import annotations

from litestar import Router
from litestar.di import NamedDependency, Provide

from climate.controllers.staff import (
    accounts,
    administrations,
    auditlog,
    codes,
    help,
    reports_index,
    rosters,
    signin,
    tokens,
)
from climate.controllers.staff.errors import EXCEPTION_HANDLERS
from climate.security.ratelimit import SignInLimits
from climate.students.services import Services


def sign_in_limits(services: NamedDependency[Services]) -> SignInLimits:
    """The sign-in limits, counted in the app's database and so shared by every worker."""
    return SignInLimits.of(services.counters)


def staff_router() -> Router:
    """A fresh router of the staff pages."""
    return Router(
        path="/staff",
        route_handlers=[
            signin.sign_in_page,
            signin.sign_in,
            signin.sign_out,
            signin.home,
            signin.password_page,
            signin.password_change,
            reports_index.reports_page,
            administrations.administrations_page,
            administrations.create_administration,
            administrations.administration_page,
            administrations.change_status,
            codes.codes_page,
            codes.issue_codes,
            rosters.rosters_page,
            rosters.upload_rosters,
            rosters.roster_template,
            accounts.accounts_page,
            accounts.add_account,
            accounts.confirm_disable,
            accounts.disable_account,
            accounts.enable_account,
            tokens.tokens_page,
            tokens.create_token,
            tokens.confirm_revoke,
            tokens.revoke_token,
            auditlog.audit_page,
            auditlog.audit_export,
            help.help_page,
            help.help_request_page,
            help.reply,
            help.note,
            help.status,
        ],
        # The navigation counts the open help requests of those who read them.
        before_request=help.help_nav,
        dependencies={"sign_in_limits": Provide(sign_in_limits, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
