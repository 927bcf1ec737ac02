"""analysis/ is a pure library: it never imports the service, Litestar or SQLAlchemy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ANALYSIS = Path(__file__).resolve().parents[2] / "analysis"
FORBIDDEN = ("climate", "litestar", "sqlalchemy", "advanced_alchemy")


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_imports_the_service_or_its_frameworks() -> None:
    offenders = {
        str(path.relative_to(ANALYSIS)): sorted(_imported_roots(path) & set(FORBIDDEN))
        for path in ANALYSIS.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_analysis_loads_none_of_them() -> None:
    code = (
        "import sys, analysis, pkgutil, importlib\n"
        "for m in pkgutil.walk_packages(analysis.__path__, 'analysis.'):\n"
        "    importlib.import_module(m.name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
