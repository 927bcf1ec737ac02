"""The staffing plan as staff read it: the dashboard's totals, the staffing page and the board memo.

The plan itself is made by ``climate.staffing.plan_for``, the same for the page, the memo
and the files; this module only words and formats it. The staffing page and the memo are
laid out from one ``StaffingView``, so they show the same schools, roles, FTE, costs and
order as the CSV and XLSX written from the same plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.numbers import format_currency, format_decimal
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.staffing import (
    NATIONAL_STANDARDS,
    BoardPlan,
    BoardRow,
    RoleTotal,
    StaffingPlan,
    StandardCost,
)
from climate.i18n import Catalogs
from climate.reports import source
from climate.reports.formatting import Formatter
from climate.reports.labels import Translate
from climate.security import audit
from climate.security.principals import Principal
from climate.settings import Settings
from climate.staffing import YearPlan, district_policy, plan_for

# How many priorities the memo lists: more would not fit its two pages; the files have all.
MEMO_PRIORITIES = 15


@dataclass(frozen=True, slots=True)
class Amount:
    """A shown number and, only when the survey's uncertainty changes it, its range."""

    value: str
    low: str = ""
    high: str = ""

    @property
    def ranged(self) -> bool:
        """Whether a range is shown beside the value."""
        return bool(self.low)


@dataclass(frozen=True, slots=True)
class StaffingRow:
    """One school and role in FTE steps and money, as the page and the memo show it."""

    rank: int
    school: str
    role: str
    current: str
    recommended: Amount
    add: Amount
    cost: Amount | None  # None: the role's salary is not set in the policy
    flag: str
    priority: bool
    ratio_only: bool


@dataclass(frozen=True, slots=True)
class TotalRow:
    """A role's totals, or the district's (``role`` is "District total")."""

    role: str
    current: str
    recommended: str
    add: Amount
    cost_per_fte: str | None
    cost: Amount | None


@dataclass(frozen=True, slots=True)
class StandardRow:
    """The FTE and cost of reaching one ratio standard in every school."""

    role: str
    standard: str
    add: str
    cost: str | None


@dataclass(frozen=True, slots=True)
class StaffingView:
    """Everything the staffing page and the board memo show, already worded and formatted."""

    year: int
    step: str
    rows: tuple[StaffingRow, ...]
    priorities: tuple[StaffingRow, ...]
    more_priorities: int
    roles: tuple[TotalRow, ...]
    total: TotalRow
    standards: tuple[StandardRow, ...]
    costed: bool
    schools: str
    students: str
    below: str
    priority_count: str
    ratio_only: tuple[str, ...]
    method: tuple[str, ...]
    uncertainty: tuple[str, ...]


def role_names(_: Translate) -> dict[str, str]:
    """The roles' names in the page's language."""
    return {
        "counselor": _("Counselor"),
        "psychologist": _("Psychologist"),
        "social_worker": _("Social worker"),
    }


def flag_names(_: Translate) -> dict[str, str]:
    """The flags' names in the page's language."""
    return {
        "meets": _("Meets the standard"),
        "below standard": _("Below the standard"),
        "priority": _("Priority"),
    }


@dataclass(frozen=True, slots=True)
class Numbers:
    """FTE in the plan's step and money in the policy's currency, in one locale."""

    fmt: Formatter
    step: float
    currency: str

    def fte(self, value: float) -> str:
        """FTE with as many decimals as the step has (0.5 -> one, 0.25 -> two)."""
        pattern = "#,##0.00" if round(self.step * 10, 6) % 1 else "#,##0.0"
        # 0.0 + 0.0 keeps "-0.0" out: a negative zero never reaches the page.
        return format_decimal(value + 0.0, format=pattern, locale=self.fmt.locale)

    def money(self, value: float) -> str:
        """A whole amount of money with its currency sign."""
        return format_currency(
            round(value),
            self.currency,
            format="¤#,##0",
            locale=self.fmt.locale,
            currency_digits=False,
        )

    def ftes(self, value: float, low: float, high: float) -> Amount:
        """FTE, with its range only when the ends differ after rounding to the step."""
        if low == high:
            return Amount(self.fte(value))
        return Amount(self.fte(value), self.fte(low), self.fte(high))

    def costs(self, value: float | None, low: float | None, high: float | None) -> Amount | None:
        """Money, with its range only when the ends differ; None when there is no cost."""
        if value is None or low is None or high is None:
            return None
        if low == high:
            return Amount(self.money(value))
        return Amount(self.money(value), self.money(low), self.money(high))


def _row(row: BoardRow, n: Numbers, roles: dict[str, str], flags: dict[str, str]) -> StaffingRow:
    return StaffingRow(
        rank=row.rank,
        school=row.name,
        role=roles.get(row.role, row.role),
        current=n.fte(row.current_fte),
        recommended=n.ftes(row.recommended_fte, row.recommended_low, row.recommended_high),
        add=n.ftes(row.add_fte, row.add_low, row.add_high),
        cost=n.costs(row.cost, row.cost_low, row.cost_high),
        flag=flags.get(row.flag, row.flag),
        priority=row.flag == "priority",
        ratio_only=row.basis == "ratio only",
    )


def _total(total: RoleTotal, label: str, n: Numbers) -> TotalRow:
    return TotalRow(
        role=label,
        current=n.fte(total.current_fte),
        recommended=n.fte(total.recommended_fte),
        add=n.ftes(total.add_fte, total.add_low, total.add_high),
        cost_per_fte=n.money(total.cost_per_fte) if total.cost_per_fte is not None else None,
        cost=n.costs(total.cost, total.cost_low, total.cost_high),
    )


def _standards(
    board: BoardPlan, n: Numbers, roles: dict[str, str], _: Translate
) -> tuple[StandardRow, ...]:
    """The standards' costs; a district ratio equal to the national one is said once."""
    own = {s.role: s.ratio for s in board.standards if s.district}
    national = {s.role: s.ratio for s in board.standards if not s.district}
    return tuple(
        _standard(s, n, roles, _, same=not s.district and s.ratio == own[s.role])
        for s in board.standards
        if not (s.district and s.ratio == national[s.role])
    )


def _standard(
    s: StandardCost, n: Numbers, roles: dict[str, str], _: Translate, *, same: bool
) -> StandardRow:
    ratio = f"{n.fmt.integer(round(s.ratio))}:1"
    if s.district:
        name = _("District policy, %(ratio)s") % {"ratio": ratio}
    elif same:
        name = _("%(standard)s, also the district's policy") % {"standard": f"{s.body} {ratio}"}
    else:
        name = f"{s.body} {ratio}"
    return StandardRow(
        roles.get(s.role, s.role),
        name,
        n.fte(s.add_fte),
        n.money(s.cost) if s.cost is not None else None,
    )


def _method(plan: StaffingPlan, board: BoardPlan, n: Numbers, _: Translate) -> tuple[str, ...]:
    policy = plan.policy
    roles = role_names(_)
    standards = "; ".join(
        f"{roles[s.role]} {s.body} {n.fmt.integer(round(s.ratio))}:1" for s in NATIONAL_STANDARDS
    )
    own = "; ".join(
        f"{roles[r.role]} {n.fmt.integer(round(r.ratio.value))}:1" for r in policy.roles
    )
    return (
        _(
            "Each school starts from a ratio standard: one full-time post for every so many "
            "students enrolled. National standards: %(standards)s. This district's policy: "
            "%(own)s."
        )
        % {"standards": standards, "own": own},
        _(
            "Where the survey shows more students in distress than is usual for the district, "
            "the school gets extra time for the students likely to need intensive support: "
            "each such student counts as 1/%(caseload)s of a full-time post, shared by the "
            "three roles."
        )
        % {"caseload": n.fmt.integer(round(policy.intensive_caseload.value))},
        _(
            "Recommended FTE is rounded up to whole steps of %(step)s FTE, because positions "
            "are approved in those steps. FTE to add is the shortfall from the current staff, "
            "also rounded up to the step; a school at or above its recommendation adds none."
        )
        % {"step": n.fte(board.step)},
        _(
            "Cost = FTE to add x (salary + benefits) of the role, from the district's "
            "staffing policy. A role whose salary is not set there has no cost yet."
        ),
        _(
            "Order: the largest shortfall first, weighted by how far the school's need is "
            "above the district's usual level; schools with no shortfall come last."
        ),
    )


def _uncertainty(board: BoardPlan, ratio_only: int, n: Numbers, _: Translate) -> tuple[str, ...]:
    ranged = sum(
        r.add_low != r.add_high or r.recommended_low != r.recommended_high for r in board.rows
    )
    lines = [
        _(
            "The survey measures need with a margin of error. A range is shown only where the "
            "low and high ends of the 95%% interval lead to different steps: %(count)s "
            "school-role rows of %(total)s."
        )
        % {"count": n.fmt.integer(ranged), "total": n.fmt.integer(len(board.rows))},
        _(
            "Priority means the school is below the ratio standard and its need is above the "
            "district's usual level even at the low end of the interval."
        ),
    ]
    if ratio_only:
        lines.append(
            _(
                "Schools planned by the ratio standard only, because their survey result is "
                "hidden to protect students' privacy or they have none: %(count)s."
            )
            % {"count": n.fmt.integer(ratio_only)}
        )
    return tuple(lines)


def staffing_view(
    plan: StaffingPlan, board: BoardPlan, fmt: Formatter, _: Translate
) -> StaffingView:
    """The staffing page's and the memo's content, from one plan and its board view."""
    n = Numbers(fmt, board.step, board.currency)
    roles, flags = role_names(_), flag_names(_)
    rows = tuple(_row(r, n, roles, flags) for r in board.rows)
    priorities = tuple(r for r, b in zip(rows, board.rows, strict=True) if b.add_fte > 0)
    enrolled = {r.school_id: r.enrollment for r in plan.recommendations}
    names = {r.school_id: r.name or r.school_id for r in plan.recommendations}
    ratio_only = sorted(
        {names[r.school_id] for r in plan.recommendations if r.basis == "ratio only"}
    )
    return StaffingView(
        year=board.year,
        step=n.fte(board.step),
        rows=rows,
        priorities=priorities[:MEMO_PRIORITIES],
        more_priorities=max(0, len(priorities) - MEMO_PRIORITIES),
        roles=tuple(_total(t, roles.get(t.role, t.role), n) for t in board.roles),
        total=_total(board.total, _("District total"), n),
        standards=_standards(board, n, roles, _),
        costed=board.costed,
        schools=fmt.integer(len(enrolled)),
        students=fmt.integer(sum(enrolled.values())),
        below=fmt.integer(sum(r.flag != "meets" for r in plan.recommendations)),
        priority_count=fmt.integer(sum(r.flag == "priority" for r in plan.recommendations)),
        ratio_only=tuple(ratio_only),
        method=_method(plan, board, n, _),
        uncertainty=_uncertainty(board, len(ratio_only), n, _),
    )


class PolicyProblem(Exception):
    """The district's staffing policy file cannot be read; the message names file and field."""


@dataclass(frozen=True, slots=True)
class StaffingPage:
    """The staffing page (and memo) of one closed year, with the plan it was made from."""

    year: int
    years: tuple[int, ...]
    found: YearPlan
    view: StaffingView
    printed_on: str


async def staffing_page_for(
    engine: AsyncEngine,
    settings: Settings,
    catalogs: Catalogs,
    principal: Principal,
    *,
    year: int | None,
    lang: str,
    action: str = audit.VIEWED_REPORT,
    target: str = "staffing plan",
) -> StaffingPage | None:
    """The district's plan of a closed year, recorded in the audit log; None when there is none.

    ``action`` and ``target`` say what was done with it (viewed, the memo, a download).
    Raises PolicyProblem when ``CLIMATE_STAFFING_POLICY`` is not a valid policy.
    """
    try:
        policy = district_policy(settings)
    except (OSError, ValueError, TypeError) as error:
        raise PolicyProblem(str(error)) from error
    async with engine.connect() as conn:
        closed = await source.closed_years(conn)
    chosen = source.chosen_year(closed, year)
    if chosen is None:
        return None
    found = await plan_for(engine, settings, chosen, policy=policy)
    if found is None:
        return None
    async with engine.begin() as conn:
        await audit.record(conn, principal, action, f"{target} {chosen}")
    fmt = Formatter.for_language(lang)
    gettext = catalogs.translations(lang).gettext
    return StaffingPage(
        year=chosen,
        years=closed,
        found=found,
        view=staffing_view(found.plan, found.board, fmt, gettext),
        printed_on=fmt.date(dt.datetime.now(dt.UTC).date()),
    )
