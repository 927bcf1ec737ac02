"""Disclosure control: primary and complementary suppression, audit, ledger.

Every published number passes through :func:`protect`, run jointly over all
tables of a release; :func:`protect_tidy` is the front end for tidy tables, and
:func:`protect_edition` publishes data again after respondents were added.
"""

from analysis.disclosure.audit import Finding, LayerAudit, audit_pattern
from analysis.disclosure.cells import (
    Cell,
    CellKey,
    Dimension,
    Item,
    Release,
    Scale,
    Structure,
    Table,
    quantity_name,
)
from analysis.disclosure.codes import Codes, published_codes
from analysis.disclosure.complementary import Complements, complementary_suppression
from analysis.disclosure.denominators import fewest_answered
from analysis.disclosure.editions import Edition, NestingError, primary_values, protect_edition
from analysis.disclosure.ledger import Ledger, LedgerEntry
from analysis.disclosure.loss import Loss, LossRow, measure_loss
from analysis.disclosure.policy import (
    HIDDEN,
    Policy,
    Tier,
    code_mean,
    code_n,
    code_percent,
    count_interval,
    n_interval,
)
from analysis.disclosure.primary import Pattern, Reason, primary_suppression
from analysis.disclosure.publish import (
    AuditRecord,
    AuditReport,
    Protected,
    PublishedRow,
    PublishedTable,
    protect,
)
from analysis.disclosure.reasons import provably_small
from analysis.disclosure.tables import TidyResult, protect_tidy

__all__ = [
    "HIDDEN",
    "AuditRecord",
    "AuditReport",
    "Cell",
    "CellKey",
    "Codes",
    "Complements",
    "Dimension",
    "Edition",
    "Finding",
    "Item",
    "LayerAudit",
    "Ledger",
    "LedgerEntry",
    "Loss",
    "LossRow",
    "NestingError",
    "Pattern",
    "Policy",
    "Protected",
    "PublishedRow",
    "PublishedTable",
    "Reason",
    "Release",
    "Scale",
    "Structure",
    "Table",
    "TidyResult",
    "Tier",
    "audit_pattern",
    "code_mean",
    "code_n",
    "code_percent",
    "complementary_suppression",
    "count_interval",
    "fewest_answered",
    "measure_loss",
    "n_interval",
    "primary_suppression",
    "primary_values",
    "protect",
    "protect_edition",
    "protect_tidy",
    "provably_small",
    "published_codes",
    "quantity_name",
]
