"""The tree shows the architecture: sub-packages by concern that import only what
their ``__init__`` says they may, no import cycle, no module over 450 lines and no
class over 200."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "digits_knn"
MAX_MODULE_LINES = 450
MAX_CLASS_LINES = 200


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(LIBRARY.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The library's modules ``path`` imports, anywhere in it (a function's imports
    count: an import inside a function is still a dependency)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module in known:
                found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names} & known
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names} & known
    return found - {"digits_knn", module_name(path)}


def concern(module: str) -> str:
    """The sub-package a module belongs to (or the module itself, at the top)."""
    return ".".join(module.split(".")[:2])


def test_no_module_is_too_long_and_no_class_either() -> None:
    long_modules, long_classes = [], []
    for path in [*LIBRARY.rglob("*.py"), *(ROOT / "page").rglob("*.py")]:
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            long_modules.append((str(path.relative_to(ROOT)), len(text.splitlines())))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    long_classes.append((node.name, size))
    assert long_modules == []
    assert long_classes == []


def test_no_import_cycle() -> None:
    found = modules()
    graph = {m: imports_of(p, set(found)) for m, p in found.items()}
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dep in sorted(graph[module]):
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep] if dep in path else [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep, [*path, dep])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])


def allowed_imports(package: Path) -> set[str] | None:
    """What a sub-package's ``__init__`` says it may import (None: anything)."""
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""
    assert "May import:" in doc, f"{package.name}/__init__.py says nothing of imports"
    rule = doc.split("May import:", 1)[1]
    if "any of the library" in rule:
        return None
    return set(re.findall(r"``(digits_knn\.\w+)``", rule))


@pytest.mark.parametrize(
    "package",
    sorted(
        p
        for p in LIBRARY.iterdir()
        if (p / "__init__.py").is_file() and p.name != "_data"
    ),
    ids=lambda p: p.name,
)
def test_each_concern_imports_only_what_its_init_allows(package: Path) -> None:
    allowed = allowed_imports(package)
    if allowed is None:
        return
    known = set(modules())
    own = f"digits_knn.{package.name}"
    used = {
        concern(dep)
        for path in package.rglob("*.py")
        for dep in imports_of(path, known)
    } - {own}
    assert used <= allowed, f"{own} imports {sorted(used - allowed)}"
