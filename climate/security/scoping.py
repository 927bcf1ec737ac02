"""School scoping: what a caller may see, applied inside SQL queries.

Every query over school data must be filtered here, not in templates. Use it like this::

    from climate.security.scoping import school_filter, require_school

    # A list or an aggregate: add the filter on the query's school column.
    query = select(response.c.school_id, func.count()).group_by(response.c.school_id)
    query = query.where(school_filter(principal, response.c.school_id))

    # One school named in the URL: refuse (404, so that a guessed id reveals nothing)
    # before running the query.
    require_school(principal, school_id)

``district_admin`` and ``district_viewer`` see every school; ``school_staff`` sees the
schools assigned to the account or token (possibly none). The principal is the
``principal`` dependency of every guarded route (see ``climate.security.guards``).
"""

from __future__ import annotations

from typing import Any

from litestar.exceptions import NotFoundException
from sqlalchemy import ColumnElement, false, true
from sqlalchemy.orm import QueryableAttribute

from climate.security.principals import Principal


def allowed_school_ids(principal: Principal) -> frozenset[str] | None:
    """The school ids ``principal`` may see, or None when it may see every school."""
    return None if principal.sees_district else principal.schools


def school_filter(
    principal: Principal, column: ColumnElement[Any] | QueryableAttribute[Any]
) -> ColumnElement[bool]:
    """A WHERE clause limiting ``column`` (a school id column) to what ``principal`` may see."""
    allowed = allowed_school_ids(principal)
    if allowed is None:
        return true()
    if not allowed:
        return false()
    return column.in_(sorted(allowed))


def may_see(principal: Principal, school_id: str) -> bool:
    """Whether ``principal`` may see the data of one school."""
    allowed = allowed_school_ids(principal)
    return allowed is None or school_id in allowed


def require_school(principal: Principal, school_id: str) -> None:
    """Raise 404 unless ``principal`` may see ``school_id`` (existence is not revealed)."""
    if not may_see(principal, school_id):
        raise NotFoundException()
