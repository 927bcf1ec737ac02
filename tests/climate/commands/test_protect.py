import argparse
import json
from pathlib import Path

import pytest

from climate.commands import protect


def _run(tmp_path: Path, text: str, *extra: str) -> tuple[int, Path, Path]:
    source = tmp_path / "in.csv"
    source.write_text(text)
    out, audit = tmp_path / "out.csv", tmp_path / "audit.json"
    parser = argparse.ArgumentParser()
    protect.register(parser.add_subparsers())
    args = parser.parse_args(
        [
            "protect",
            str(source),
            "--dims",
            "grade",
            "--total-label",
            "Total",
            "-o",
            str(out),
            "--audit",
            str(audit),
            *extra,
        ]
    )
    return int(args.func(args)), out, audit


GOOD = "grade,n,unsafe\n9,4,1\n10,26,5\n11,30,6\nTotal,60,12\n"


def test_protect_writes_coded_output_and_audit(tmp_path: Path) -> None:
    code, out, audit = _run(tmp_path, GOOD)
    assert code == 0
    assert out.read_text().splitlines() == [
        "grade,n,unsafe",
        "9,*,*",
        "10,*,*",
        "11,20-39,20%",
        "Total,40-99,20%",
    ]
    assert json.loads(audit.read_bytes())["ok"] is True


def test_protect_exact_n(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, GOOD, "--exact-n")
    assert code == 0
    # REFERENCES.md: exact n <= 100 beside a whole percentage pins the count
    # (6 of 30), which is below the sensitive count threshold, so it is hidden
    assert out.read_text().splitlines()[3:] == ["11,30,*", "Total,60,20%"]


def test_inconsistent_margin_names_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, audit = _run(tmp_path, GOOD.replace("Total,60", "Total,61"))
    assert code == 2
    assert "line 5" in capsys.readouterr().err
    assert not out.exists()
    assert not audit.exists()


def test_count_above_n_and_unknown_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(tmp_path, GOOD.replace("9,4,1", "9,4,7"))
    assert code == 2
    assert "line 2" in capsys.readouterr().err
    code, out, _ = _run(tmp_path, GOOD.replace("grade,", "year,"))
    assert code == 2
    assert "'grade'" in capsys.readouterr().err
    assert not out.exists()


def test_protect_prints_the_loss_after_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(tmp_path, GOOD)
    assert code == 0
    assert out.exists()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["dimension", "groups", "n>=k"]
    # hand-worked from GOOD: the 4 and its partner 26 are hidden. Publishable groups:
    # total 60, grades 26 and 30; values: an n and a percentage per group.
    assert lines[1].split() == ["grand", "total", "1", "0.0%", "0.0%", "2", "0.0%"]
    # grades: 1 of 2 publishable hidden, 26 of 56 respondents (46.4 %), 4 of 6 values
    assert lines[2].split() == ["grade", "2", "50.0%", "46.4%", "6", "66.7%"]
    # overall: 1 of 3, 26 of 116 (22.4 %), 4 of 8
    assert lines[3].split() == ["overall", "3", "33.3%", "22.4%", "8", "50.0%"]


def test_bad_input_prints_no_loss(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = _run(tmp_path, GOOD.replace("Total,60", "Total,61"))
    assert code == 2
    assert capsys.readouterr().out == ""
