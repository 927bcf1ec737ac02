import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from openpyxl import load_workbook

from analysis.staffing import (
    NeedEstimate,
    SchoolYear,
    StaffingPlan,
    allocate,
    board_plan,
    plan_staffing,
)
from climate.exports.staffing import (
    METHODS_COLUMNS,
    PLAN_COLUMNS,
    RANKING_COLUMNS,
    SCENARIO_COLUMNS,
    PlanDocument,
    write_csv,
    write_plan,
    write_xlsx,
)

WHEN = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)


@pytest.fixture
def plan() -> StaffingPlan:
    return plan_staffing(
        [
            SchoolYear(
                "A",
                2024,
                1000,
                {"counselor": 2.0},
                {"elevated_distress": NeedEstimate(0.3, 0.25, 0.35)},
                name="Adams",
            ),
            SchoolYear("B", 2024, 400, {}, {"elevated_distress": NeedEstimate(hidden=True)}),
            SchoolYear("C", 2024, 0, {"psychologist": 0.5}, name="Closed"),
        ],
        baseline={"elevated_distress": 0.2},
    )


def test_write_plan_writes_three_files_named_by_year(plan: StaffingPlan, tmp_path: Path) -> None:
    files = write_plan(plan, tmp_path / "out", generated_at=WHEN)
    assert [p.name for p in (files.csv, files.xlsx, files.json)] == [
        "staffing_plan_2024.csv",
        "staffing_plan_2024.xlsx",
        "staffing_plan_2024.json",
    ]
    assert all(p.stat().st_size > 0 for p in (files.csv, files.xlsx, files.json))


def test_csv_has_the_plan_columns_and_one_row_per_school_and_role(
    plan: StaffingPlan, tmp_path: Path
) -> None:
    path = write_csv(plan, tmp_path / "plan.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == PLAN_COLUMNS
    assert len(rows) == 3 * 3
    # Rows come most urgent first: the rank column counts up.
    assert [int(r["rank"]) for r in rows] == list(range(1, 10))
    adams = next(r for r in rows if r["school_id"] == "A" and r["role"] == "counselor")
    assert (adams["school_id"], adams["role"], adams["flag"]) == ("A", "counselor", "priority")
    # hand-worked: 1000 / 250 + (0.3 - 0.2) x 1000 / 600, rounded to six decimals
    assert adams["recommended_fte"] == "4.166667"
    assert adams["current_ratio"] == "500.0"
    no_staff = next(r for r in rows if r["school_id"] == "B" and r["role"] == "counselor")
    assert no_staff["current_ratio"] == ""
    assert no_staff["basis"] == "ratio only"
    assert "hidden to protect student privacy" in no_staff["notes"]
    assert sorted(int(r["rank"]) for r in rows) == list(range(1, 10))


def test_xlsx_has_the_expected_sheets_and_header_rows(plan: StaffingPlan, tmp_path: Path) -> None:
    scenario = allocate(plan, extra_fte={"counselor": 1.0})
    path = write_xlsx(plan, tmp_path / "plan.xlsx", scenario=scenario, generated_at=WHEN)
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["plan", "ranking", "totals", "standards", "scenario", "methods"]
    headers = {
        name: next(book[name].iter_rows(max_row=1, values_only=True)) for name in book.sheetnames
    }
    assert headers["plan"] == PLAN_COLUMNS
    assert headers["ranking"] == RANKING_COLUMNS
    assert headers["scenario"] == SCENARIO_COLUMNS
    assert headers["methods"] == METHODS_COLUMNS
    scenario_rows = list(book["scenario"].iter_rows(min_row=2, values_only=True))
    assert len(scenario_rows) == 9
    added = {(r[0], r[2]): r[6] for r in scenario_rows}
    assert sum(v for v in added.values() if isinstance(v, float | int)) == pytest.approx(1.0)
    book.close()


def test_xlsx_without_scenario_has_no_scenario_sheet(plan: StaffingPlan, tmp_path: Path) -> None:
    book = load_workbook(write_xlsx(plan, tmp_path / "plan.xlsx"), read_only=True)
    assert book.sheetnames == ["plan", "ranking", "totals", "standards", "methods"]
    book.close()


def test_methods_sheet_states_every_assumption_and_source(
    plan: StaffingPlan, tmp_path: Path
) -> None:
    scenario = allocate(plan, budget=50_000, salaries={"psychologist": 90_000})
    path = write_xlsx(plan, tmp_path / "plan.xlsx", scenario=scenario, generated_at=WHEN)
    book = load_workbook(path, read_only=True)
    rows = list(book["methods"].iter_rows(min_row=2, values_only=True))
    book.close()
    by_item = {(r[0], r[1]): r for r in rows}
    assert by_item[("plan", "generated_at")][2] == "2025-03-01T12:30:00+00:00"
    assert by_item[("plan", "year")][2] == 2024
    assumptions = [r[2] for r in rows if r[0] == "assumption"]
    assert assumptions == list(plan.assumptions)
    for value in plan.policy.values():
        row = by_item[("policy", value.key)]
        assert row[2] == pytest.approx(value.value)
        assert row[3] == value.source
        assert row[4] == ("yes" if value.unconfirmed else "no")
    # the intensive-need caseload is unconfirmed (REFERENCES.md) and must say so
    assert by_item[("policy", "intensive_caseload")][4] == "yes"
    assert by_item[("baseline", "elevated_distress")][2] == pytest.approx(0.2)
    assert by_item[("scenario", "mode")][2] == "budget"
    assert by_item[("scenario", "salary.psychologist")][2] == 90_000


def test_json_round_trips_the_plan_and_scenario(plan: StaffingPlan, tmp_path: Path) -> None:
    scenario = allocate(plan, extra_fte={"social_worker": 0.5})
    files = write_plan(plan, tmp_path, scenario=scenario, generated_at=WHEN)
    document = msgspec.json.decode(files.json.read_bytes(), type=PlanDocument)
    assert document.generated_at == "2025-03-01T12:30:00+00:00"
    assert document.year == 2024
    assert document.recommendations == plan.recommendations
    assert document.ranking == plan.ranking
    assert document.scenario == scenario
    assert document.policy == plan.policy.values()
    # The board's view (FTE steps, costs, totals) travels with the plan and decodes intact.
    assert document.board == board_plan(plan)
    raw = json.loads(files.json.read_text(encoding="utf-8"))
    assert raw["recommendations"][0]["flag"] == "priority"
    assert raw["baseline"]["low_wellbeing"] is None


def test_xlsx_holds_the_csv_values_under_a_bold_frozen_header(
    plan: StaffingPlan, tmp_path: Path
) -> None:
    files = write_plan(plan, tmp_path, generated_at=WHEN)
    with files.csv.open(encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    book = load_workbook(files.xlsx)
    sheet = book["plan"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    shown = list(sheet.iter_rows(values_only=True))
    book.close()
    assert len(shown) == len(written)
    for row, line in zip(shown, written, strict=True):
        for value, text in zip(row, line, strict=True):
            if isinstance(value, int | float):
                assert value == float(text)
            else:
                assert (value or "") == text
