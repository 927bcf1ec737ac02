"""Survey windows and their lifecycle: create, open, close; class codes and tickets.

``windows`` lists, shows, creates, opens and closes administrations; ``codes`` issues class
codes and tickets and shows them to print. Both record their changes in the audit log.
"""

from climate.administrations.codes import (
    KINDS,
    MAX_TICKETS,
    Code,
    CodeSheet,
    Issued,
    add_codes,
    code_sheet,
    issue_codes,
    issue_for_schools,
    visible_codes,
)
from climate.administrations.windows import (
    AdministrationError,
    Detail,
    NewAdministration,
    Overview,
    Summary,
    add_administration,
    all_schools,
    change_status,
    create_administration,
    detail,
    every_administration,
    instrument_names,
    overview,
    school_choices,
    set_status,
    visible_administration,
    visible_administrations,
    visible_schools,
)

__all__ = [
    "KINDS",
    "MAX_TICKETS",
    "AdministrationError",
    "Code",
    "CodeSheet",
    "Detail",
    "Issued",
    "NewAdministration",
    "Overview",
    "Summary",
    "add_administration",
    "add_codes",
    "all_schools",
    "change_status",
    "code_sheet",
    "create_administration",
    "detail",
    "every_administration",
    "instrument_names",
    "issue_codes",
    "issue_for_schools",
    "overview",
    "school_choices",
    "set_status",
    "visible_administration",
    "visible_administrations",
    "visible_codes",
    "visible_schools",
]
