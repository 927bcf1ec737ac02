"""The layout holds: imports point down the layers, nothing imports in a circle, and the
README's layout map names every top-level module and package."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIMATE = ROOT / "climate"
README = (ROOT / "README.md").read_text(encoding="utf-8")

# climate/'s top-level modules and packages, top layer first (DESIGN.md, "Layout"). A module
# may import from its own package and from any layer below its own, never from one above
# or beside it. Commands sit above the app because `climate serve` builds it; the app
# composes the controllers. The two edges never import each other (BESIDE).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli",),
    ("commands",),
    ("app",),
    ("controllers",),
    ("pages",),
    ("demo",),
    ("reports",),
    ("staffing",),
    ("exports",),
    ("release",),
    ("administrations",),
    ("students", "help"),
    ("responses",),
    ("rosters",),
    ("security",),
    ("instruments",),
    ("models",),
    ("db", "errors", "i18n"),
    ("settings",),
)
BESIDE = {("commands", "controllers")}
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
NOT_CODE = {"migrations", "templates", "static"}


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(CLIMATE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[1] == "migrations":
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _imports(name: str, path: Path) -> set[str]:
    """Every ``climate`` module a file imports, anywhere in it (functions included)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "climate"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if base.split(".")[0] != "climate":
                continue
            # ``from climate.x import y`` may name a submodule y or a name in x.
            found |= {f"{base}.{a.name}" for a in node.names} | {base}
    return found


MODULES = dict(_modules())
GRAPH = {
    name: {i for i in _imports(name, path) if i in MODULES and i != name}
    for name, path in MODULES.items()
}


def _top(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_every_top_level_module_has_a_layer() -> None:
    tops = {p.stem for p in CLIMATE.iterdir() if p.suffix == ".py" and p.stem != "__init__"}
    tops |= {p.name for p in CLIMATE.iterdir() if (p / "__init__.py").exists()}
    assert sorted(tops - set(RANK) - NOT_CODE) == []
    assert sorted(set(RANK) - tops) == []


def test_imports_point_down() -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _top(module)
        and _top(target)
        and _top(target) != _top(module)
        and (RANK[_top(target)] <= RANK[_top(module)] or (_top(module), _top(target)) in BESIDE)
    )
    assert upward == []


def test_no_import_cycles() -> None:
    # Tarjan's strongly connected components over the module graph.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_checks_see_imports() -> None:
    # The graph is not empty by accident: a known import is in it.
    assert "climate.settings" in GRAPH["climate.app"]
    assert "climate.models.base" in GRAPH["climate.models.surveys"]


def _layout_map() -> str:
    return README.split("## Layout", 1)[1].split("\n## ", 1)[0]


def test_readme_layout_map_names_every_top_level_module_and_package() -> None:
    named = set(re.findall(r"`([\w./]+?)/?`", _layout_map()))
    wanted = {f"climate/{p.name}/" for p in CLIMATE.iterdir() if p.is_dir() and p.name[0] != "_"}
    wanted |= {f"climate/{p.name}" for p in CLIMATE.glob("*.py") if p.name != "__init__.py"}
    wanted |= {f"analysis/{p.name}/" for p in (ROOT / "analysis").iterdir() if p.is_dir()}
    wanted |= {f"analysis/{p.name}" for p in (ROOT / "analysis").glob("*.py")}
    wanted = {w for w in wanted if "__pycache__" not in w and not w.endswith("__init__.py")}
    missing = sorted(w for w in wanted if w.rstrip("/") not in {n.rstrip("/") for n in named})
    assert missing == []
