"""Broken instrument files, written from the table of edits of the valid one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.climate.instruments.broken import BROKEN, Broken, BrokenFile


@pytest.fixture(params=BROKEN, ids=[case.name for case in BROKEN])
def broken(request: pytest.FixtureRequest, tmp_path: Path) -> BrokenFile:
    """One broken instrument file in tmp_path, and the line the check prints for it."""
    case: Broken = request.param
    return case.write(tmp_path)


@pytest.fixture
def broken_directory(tmp_path: Path) -> Path:
    """A directory holding every broken instrument file."""
    directory = tmp_path / "broken"
    directory.mkdir()
    for case in BROKEN:
        case.write(directory)
    return directory
