"""Write a staffing plan as CSV, XLSX and JSON files (the XLSX by the exports' one writer).

Rows are in the plan's ranking order, most urgent first, and carry the board's view of each
school and role (``analysis.staffing.board_plan``): FTE in the policy's steps and their cost.
A cost is empty when the district has not set the role's salary in its policy.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from analysis.staffing import (
    Allocation,
    AllocationRow,
    BoardPlan,
    BoardRow,
    PolicyValue,
    RankedEntry,
    RoleRecommendation,
    RoleTotal,
    StaffingPlan,
    StandardCost,
    board_plan,
)
from climate.exports.spreadsheet import Cell, Spreadsheet

__all__ = [
    "METHODS_COLUMNS",
    "PLAN_COLUMNS",
    "RANKING_COLUMNS",
    "SCENARIO_COLUMNS",
    "STANDARD_COLUMNS",
    "TOTAL_COLUMNS",
    "PlanDocument",
    "PlanFiles",
    "methods_rows",
    "write_csv",
    "write_json",
    "write_plan",
    "write_xlsx",
]

PLAN_COLUMNS = (
    "year",
    "school_id",
    "school_name",
    "role",
    "enrollment",
    "current_fte",
    "current_ratio",
    "standard_ratio",
    "standard_fte",
    "basis",
    "need_measure",
    "need_share",
    "need_low",
    "need_high",
    "district_baseline",
    "elevated_students",
    "extra_fte",
    "extra_fte_low",
    "extra_fte_high",
    "recommended_fte",
    "recommended_low",
    "recommended_high",
    "gap",
    "gap_low",
    "gap_high",
    "flag",
    "need_weight",
    "rank",
    "notes",
    "fte_step",
    "recommended_fte_step",
    "recommended_step_low",
    "recommended_step_high",
    "add_fte",
    "add_fte_low",
    "add_fte_high",
    "cost_per_fte",
    "cost",
    "cost_low",
    "cost_high",
    "currency",
)
TOTAL_COLUMNS = (
    "role",
    "current_fte",
    "recommended_fte_step",
    "add_fte",
    "add_fte_low",
    "add_fte_high",
    "cost_per_fte",
    "cost",
    "cost_low",
    "cost_high",
    "currency",
)
STANDARD_COLUMNS = ("role", "standard", "ratio", "add_fte", "cost", "currency", "source")
RANKING_COLUMNS = (
    "rank",
    "school_id",
    "school_name",
    "role",
    "gap",
    "need_weight",
    "score",
    "flag",
)
SCENARIO_COLUMNS = (
    "school_id",
    "school_name",
    "role",
    "enrollment",
    "need_weight",
    "fte_before",
    "fte_added",
    "fte_after",
    "ratio_before",
    "ratio_after",
    "unmet_before",
    "unmet_after",
)
METHODS_COLUMNS = ("section", "item", "value", "source", "unconfirmed")

# Six decimals hide binary noise such as 0.30000000000000004 without losing meaning.
_DECIMALS = 6


class PlanDocument(msgspec.Struct, frozen=True, kw_only=True):
    """The JSON export: the plan, its ranking, the scenario and every assumption."""

    generated_at: str
    year: int
    assumptions: tuple[str, ...]
    policy: tuple[PolicyValue, ...]
    baseline: dict[str, float | None]
    baseline_source: dict[str, str]
    recommendations: tuple[RoleRecommendation, ...]
    ranking: tuple[RankedEntry, ...]
    scenario: Allocation | None = None
    # The plan in the policy's FTE steps, costed, with totals and the standards' costs.
    board: BoardPlan | None = None


@dataclass(frozen=True)
class PlanFiles:
    """Paths of the three files `write_plan` wrote."""

    csv: Path
    xlsx: Path
    json: Path


def _cell(value: object) -> Cell:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return round(value, _DECIMALS)
    if value is None or isinstance(value, str | int):
        return value
    return str(value)


def _board_cells(row: BoardRow, board: BoardPlan, per_fte: float | None) -> list[Cell]:
    return [
        _cell(v)
        for v in (
            board.step,
            row.recommended_fte,
            row.recommended_low,
            row.recommended_high,
            row.add_fte,
            row.add_low,
            row.add_high,
            per_fte,
            row.cost,
            row.cost_low,
            row.cost_high,
            board.currency,
        )
    ]


def _plan_rows(plan: StaffingPlan, board: BoardPlan) -> list[list[Cell]]:
    """One row per school and role, in the board plan's (the ranking's) order."""
    found = {(r.school_id, r.role): r for r in plan.recommendations}
    per_fte = {t.role: t.cost_per_fte for t in board.roles}
    return [
        _recommendation_cells(found[(b.school_id, b.role)], b.rank)
        + _board_cells(b, board, per_fte[b.role])
        for b in board.rows
    ]


def _total_rows(board: BoardPlan) -> list[list[Cell]]:
    totals: list[RoleTotal] = [*board.roles, board.total]
    return [
        [
            _cell(v)
            for v in (
                t.role,
                t.current_fte,
                t.recommended_fte,
                t.add_fte,
                t.add_low,
                t.add_high,
                t.cost_per_fte,
                t.cost,
                t.cost_low,
                t.cost_high,
                board.currency,
            )
        ]
        for t in totals
    ]


def _standard_rows(board: BoardPlan) -> list[list[Cell]]:
    def name(s: StandardCost) -> str:
        return f"district {s.ratio:g}:1" if s.district else f"{s.body} {s.ratio:g}:1"

    return [
        [_cell(v) for v in (s.role, name(s), s.ratio, s.add_fte, s.cost, board.currency, s.source)]
        for s in board.standards
    ]


def _recommendation_cells(r: RoleRecommendation, rank: int) -> list[Cell]:
    return [
        _cell(v)
        for v in (
            r.year,
            r.school_id,
            r.name,
            r.role,
            r.enrollment,
            r.current_fte,
            r.current_ratio,
            r.standard_ratio,
            r.standard_fte,
            r.basis,
            r.need_measure,
            r.need_share,
            r.need_low,
            r.need_high,
            r.baseline,
            r.elevated_students,
            r.extra_fte,
            r.extra_fte_low,
            r.extra_fte_high,
            r.recommended_fte,
            r.recommended_low,
            r.recommended_high,
            r.gap,
            r.gap_low,
            r.gap_high,
            r.flag,
            r.need_weight,
            rank,
            " ".join(r.notes),
        )
    ]


def _ranking_rows(plan: StaffingPlan) -> list[list[Cell]]:
    return [
        [
            _cell(v)
            for v in (e.rank, e.school_id, e.name, e.role, e.gap, e.need_weight, e.score, e.flag)
        ]
        for e in plan.ranking
    ]


def _scenario_rows(rows: Sequence[AllocationRow]) -> list[list[Cell]]:
    return [
        [
            _cell(v)
            for v in (
                r.school_id,
                r.name,
                r.role,
                r.enrollment,
                r.need_weight,
                r.fte_before,
                r.fte_added,
                r.fte_after,
                r.ratio_before,
                r.ratio_after,
                r.unmet_before,
                r.unmet_after,
            )
        ]
        for r in rows
    ]


def methods_rows(
    plan: StaffingPlan, generated_at: datetime, scenario: Allocation | None = None
) -> list[list[Cell]]:
    """Every assumption, policy value, baseline and scenario setting with its source."""
    rows: list[list[Cell]] = [
        ["plan", "generated_at", generated_at.isoformat(timespec="seconds"), "", ""],
        ["plan", "year", plan.year, "", ""],
    ]
    rows += [["assumption", str(i), text, "", ""] for i, text in enumerate(plan.assumptions, 1)]
    rows += [
        ["policy", v.key, _cell(v.value), v.source, _cell(v.unconfirmed)]
        for v in plan.policy.values()
    ]
    rows += [
        ["baseline", measure, _cell(value), plan.baseline_source[measure], ""]
        for measure, value in plan.baseline.items()
    ]
    if scenario is not None:
        rows.append(["scenario", "mode", scenario.mode, "", ""])
        rows.append(["scenario", "step_fte", _cell(scenario.step), "", ""])
        for role, fte in scenario.requested_fte.items():
            rows.append(["scenario", f"requested_fte.{role}", _cell(fte), "", ""])
        if scenario.budget is not None:
            rows.append(["scenario", "budget", _cell(scenario.budget), "", ""])
            rows.append(["scenario", "spent", _cell(scenario.spent), "", ""])
        for role, salary in scenario.salaries.items():
            rows.append(["scenario", f"salary.{role}", _cell(salary), "", ""])
        for role, fte in scenario.added_fte.items():
            rows.append(["scenario", f"added_fte.{role}", _cell(fte), "", ""])
        rows.append(["scenario", "need_before", _cell(scenario.need_before), "", ""])
        rows.append(["scenario", "need_closed", _cell(scenario.need_closed), "", ""])
    return rows


def write_csv(plan: StaffingPlan, path: Path, *, board: BoardPlan | None = None) -> Path:
    """Write the plan's school-role rows, most urgent first, as a tidy CSV file."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PLAN_COLUMNS)
        writer.writerows(_plan_rows(plan, board or board_plan(plan)))
    return path


def write_xlsx(
    plan: StaffingPlan,
    path: Path,
    *,
    scenario: Allocation | None = None,
    generated_at: datetime | None = None,
    board: BoardPlan | None = None,
) -> Path:
    """Write the plan, ranking, totals, standards, scenario and methods sheets to XLSX."""
    generated_at = generated_at or datetime.now(UTC)
    board = board or board_plan(plan)
    sheets: list[tuple[str, Sequence[str], list[list[Cell]]]] = [
        ("plan", PLAN_COLUMNS, _plan_rows(plan, board)),
        ("ranking", RANKING_COLUMNS, _ranking_rows(plan)),
        ("totals", TOTAL_COLUMNS, _total_rows(board)),
        ("standards", STANDARD_COLUMNS, _standard_rows(board)),
    ]
    if scenario is not None:
        sheets.append(("scenario", SCENARIO_COLUMNS, _scenario_rows(scenario.rows)))
    sheets.append(("methods", METHODS_COLUMNS, methods_rows(plan, generated_at, scenario)))
    with Spreadsheet(path) as book:
        for title, columns, rows in sheets:
            book.add_sheet(title, columns, rows)
    return path


def write_json(
    plan: StaffingPlan,
    path: Path,
    *,
    scenario: Allocation | None = None,
    generated_at: datetime | None = None,
    board: BoardPlan | None = None,
) -> Path:
    """Write the plan with its ranking, board view, scenario and assumptions as JSON."""
    generated_at = generated_at or datetime.now(UTC)
    document = PlanDocument(
        generated_at=generated_at.isoformat(timespec="seconds"),
        year=plan.year,
        assumptions=plan.assumptions,
        policy=plan.policy.values(),
        baseline=dict(plan.baseline),
        baseline_source=dict(plan.baseline_source),
        recommendations=plan.recommendations,
        ranking=plan.ranking,
        scenario=scenario,
        board=board or board_plan(plan),
    )
    path.write_bytes(msgspec.json.format(msgspec.json.encode(document), indent=2))
    return path


def write_plan(
    plan: StaffingPlan,
    out_dir: Path,
    *,
    scenario: Allocation | None = None,
    generated_at: datetime | None = None,
    board: BoardPlan | None = None,
) -> PlanFiles:
    """Write staffing_plan_<year>.csv, .xlsx and .json into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    generated_at = generated_at or datetime.now(UTC)
    board = board or board_plan(plan)
    stem = out_dir / f"staffing_plan_{plan.year}"
    return PlanFiles(
        csv=write_csv(plan, stem.with_suffix(".csv"), board=board),
        xlsx=write_xlsx(
            plan,
            stem.with_suffix(".xlsx"),
            scenario=scenario,
            generated_at=generated_at,
            board=board,
        ),
        json=write_json(
            plan,
            stem.with_suffix(".json"),
            scenario=scenario,
            generated_at=generated_at,
            board=board,
        ),
    )
