"""Report pages under ``/staff/reports``: the counselor's school report and the district dashboard.

Every number on them comes from the protected release (``climate.release``); charts are drawn
from published strings by ``analysis.plots``. ``reports_router()`` carries the staff pages'
``principal`` dependency and error pages; access rules live in ``climate.security.permissions``.
"""

from __future__ import annotations

from litestar import Router

from climate.controllers.reports.pages import district_page, school_page
from climate.controllers.staff.pages import EXCEPTION_HANDLERS
from climate.security.guards import DEPENDENCIES


def reports_router() -> Router:
    """A fresh router of the report pages (each app gets its own)."""
    return Router(
        path="/staff/reports",
        route_handlers=[school_page, district_page],
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
