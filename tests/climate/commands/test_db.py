"""``climate db upgrade`` and ``climate db current`` on the configured database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from climate.cli import main
from climate.db import alembic_config


def test_upgrade_then_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    monkeypatch.setenv("CLIMATE_DATABASE_URL", url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.strip() == "(no schema)"
    assert main(["db", "upgrade"]) == 0
    assert f"schema at {head}" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.strip() == head
