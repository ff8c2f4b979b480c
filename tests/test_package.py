from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import digits_knn


def test_every_public_name_resolves() -> None:
    for name in digits_knn.__all__:
        assert getattr(digits_knn, name) is not None, name
        assert name in dir(digits_knn)
    with pytest.raises(AttributeError, match="no attribute 'fit_modle'"):
        digits_knn.fit_modle  # noqa: B018
    # What type checkers and editors see (the TYPE_CHECKING imports) is what the
    # package exports, name for name and module for module.
    tree = ast.parse(Path(digits_knn.__file__).read_text())
    typed = {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("digits_")
        for alias in node.names
    }
    exported = {
        (f"digits_knn.{module}", name)
        for module, names in digits_knn._EXPORTS.items()
        for name in names
    }
    assert typed == exported
    for module, name in exported:
        assert getattr(digits_knn, name) is getattr(
            importlib.import_module(module), name
        )


def loaded_by(modules: str, suspects: tuple[str, ...]) -> list[str]:
    """Which of ``suspects`` a fresh Python has loaded after importing ``modules``."""
    code = (
        f"import sys, {modules}; "
        f"print(','.join(m for m in {suspects!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return [name for name in out.strip().split(",") if name]


def test_importing_the_package_does_not_import_sklearn() -> None:
    """The app draws its canvas before scikit-learn is loaded (first-canvas time)."""
    modules = (
        "digits_knn, digits_knn.search.model, digits_knn.features.preprocessing, "
        "digits_knn.plotting, digits_knn.datasets.training, digits_knn.tuning.evaluation, "
        "digits_knn.beyond.novelty, "
        "digits_knn.search.persistence, digits_knn.drawings.store, digits_knn.tuning.selection"
    )
    assert loaded_by(modules, ("sklearn", "matplotlib", "skops")) == []


def test_the_library_never_imports_streamlit() -> None:
    """digits_knn is the library; only the page (page/, app.py) meets Streamlit."""
    for path in Path(digits_knn.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "streamlit" for n in names), path


def test_the_canvas_comes_before_the_slow_imports() -> None:
    """What app.py imports to put the canvas on screen leaves scikit-learn, SciPy's
    image code and matplotlib for later."""
    suspects = ("sklearn", "scipy.ndimage", "matplotlib", "skops", "joblib")
    assert loaded_by("page.sidebar, page.views, page.views.drawing", suspects) == []


def test_the_canvas_goes_out_before_numpy_and_the_library() -> None:
    """What app.py imports before the canvas, and what the canvas's view imports,
    load neither NumPy nor any module of the library but its canvas numbers (in a
    fresh server's first run those imports took 0.3-0.5 s before the canvas)."""
    suspects = ("numpy", "PIL", "pandas", "page.cache", "page.sidebar")
    before_canvas = "page, page.views, page.views.canvas, page.state, digits_knn"
    package = Path(digits_knn.__file__).parent
    assert loaded_by(before_canvas, suspects) == []
    library = loaded_by(
        before_canvas,
        tuple(
            "digits_knn." + ".".join(p.relative_to(package).with_suffix("").parts)
            for p in package.rglob("*.py")
            if p.stem != "__init__"
        ),
    )
    assert library == ["digits_knn.features.canvas"]
    app = (Path(__file__).parents[1] / "app.py").read_text()
    assert app.index("drawing_and_links(current_view)") < app.index(
        "from page import sidebar"
    )
