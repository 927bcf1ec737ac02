"""The `climate surveys check` command, called through its parser as the CLI does."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from climate.commands import surveys
from climate.instruments import SHIPPED_DIRECTORY, check_files
from tests.climate.instruments.test_loading import BROKEN, FIXTURES, VALID


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="climate")
    surveys.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    result: int = args.func(args)
    return result


def test_no_paths_checks_the_shipped_instruments(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("surveys", "check") == 0
    out = capsys.readouterr().out
    assert out == (
        f"ok: {SHIPPED_DIRECTORY / 'elementary.toml'} (elementary 1.0, 25 items, 8 scales)\n"
        f"ok: {SHIPPED_DIRECTORY / 'secondary.toml'} (secondary 1.0, 51 items, 8 scales)\n"
    )


def test_a_good_file_prints_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("surveys", "check", str(VALID)) == 0
    assert capsys.readouterr().out == f"ok: {VALID} (tiny 1.0, 7 items, 2 scales)\n"


@pytest.mark.parametrize("name", [name for name, *_ in BROKEN])
def test_each_broken_file_prints_its_problem_and_fails(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    file = FIXTURES / f"{name}.toml"
    expected = next((path, message) for stem, path, message, _ in BROKEN if stem == name)
    assert _run("surveys", "check", str(file)) == 1
    out = capsys.readouterr().out
    (problem,) = check_files([file])
    where = str(file) if problem.line is None else f"{file}:{problem.line}"
    path, message = expected
    assert out == (f"{where}: {path}: {message}\n" if path else f"{where}: {message}\n")


def test_good_and_bad_files_together(capsys: pytest.CaptureFixture[str]) -> None:
    bad = FIXTURES / "bad_version.toml"
    assert _run("surveys", "check", str(VALID), str(bad)) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"ok: {VALID} (tiny 1.0, 7 items, 2 scales)"
    assert lines[1].startswith(f"{bad}:3: version: ")
    assert len(lines) == 2


def test_a_directory_with_no_instruments_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("surveys", "check", str(tmp_path)) == 1
    assert capsys.readouterr().out == f"no instrument files in {tmp_path}\n"


def test_surveys_without_an_action_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("surveys") == 2
    assert "check" in capsys.readouterr().out
