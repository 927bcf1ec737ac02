"""``climate staffing plan`` on a seeded district: three files, the XLSX opens as expected."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from climate.cli import main
from climate.exports.staffing import (
    METHODS_COLUMNS,
    PLAN_COLUMNS,
    RANKING_COLUMNS,
    SCENARIO_COLUMNS,
)
from climate.settings import Settings
from tests.climate.release.seeded import Planted, seed


@pytest.fixture
def planted(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Planted:
    monkeypatch.setenv("CLIMATE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    return seed(settings)


def test_plan_writes_three_files_with_expected_sheets(planted: Planted, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    args = ["staffing", "plan", "--year", str(planted.year), "--out", str(out)]
    assert main([*args, "--extra-fte", "counselor=1.5"]) == 0
    stem = out / f"staffing_plan_{planted.year}"
    book = load_workbook(stem.with_suffix(".xlsx"), read_only=True)
    assert book.sheetnames == ["plan", "ranking", "totals", "standards", "scenario", "methods"]
    for name, columns in (
        ("plan", PLAN_COLUMNS),
        ("ranking", RANKING_COLUMNS),
        ("scenario", SCENARIO_COLUMNS),
        ("methods", METHODS_COLUMNS),
    ):
        assert next(book[name].iter_rows(values_only=True)) == columns
    with stem.with_suffix(".csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Every school with a roster gets one row per role.
    assert len(rows) == 3 * len({r["school_id"] for r in rows})
    surveyed = [r for r in rows if r["need_share"] not in ("", None)]
    assert surveyed, "need from the protected release reached the plan"
    document = json.loads(stem.with_suffix(".json").read_bytes())
    scenario = document["scenario"]
    assert scenario["requested_fte"]["counselor"] == pytest.approx(1.5)
    # Steps go only where they close unmet need, so no more than requested is placed.
    assert 0 < scenario["added_fte"]["counselor"] <= 1.5


def test_bad_scenario_arguments_are_refused(planted: Planted, tmp_path: Path) -> None:
    base = ["staffing", "plan", "--year", str(planted.year), "--out", str(tmp_path / "p")]
    assert main([*base, "--salary", "counselor=60000"]) == 2
    assert main([*base, "--budget", "100000", "--extra-fte", "counselor=1"]) == 2
    with pytest.raises(SystemExit):
        main([*base, "--extra-fte", "janitor=1"])
    assert not (tmp_path / "p").exists()


def test_a_malformed_policy_file_is_refused_with_its_name(
    planted: Planted, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[roles.counselor]\nratio = 'many'\n", encoding="utf-8")
    out = tmp_path / "p"
    args = ["staffing", "plan", "--year", str(planted.year), "--out", str(out)]
    assert main([*args, "--policy", str(policy)]) == 2
    assert f"{policy}: roles.counselor" in capsys.readouterr().err
    assert not out.exists()
