from __future__ import annotations

import subprocess
import sys

import digits_knn


def test_every_public_name_resolves() -> None:
    for name in digits_knn.__all__:
        assert getattr(digits_knn, name) is not None, name
    public = {n for n in vars(digits_knn) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(digits_knn, n)).__name__ == "module"}
    assert set(digits_knn.__all__) == public - modules - {"annotations"}


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
        "digits_knn, digits_knn.model, digits_knn.preprocessing, digits_knn.plotting, "
        "digits_knn.data, digits_knn.evaluation, digits_knn.novelty, "
        "digits_knn.persistence, digits_knn.store, digits_knn.selection"
    )
    assert loaded_by(modules, ("sklearn", "matplotlib", "skops")) == []


def test_the_library_never_imports_streamlit() -> None:
    """digits_knn is the library; only the page (page/, app.py) meets Streamlit."""
    import ast
    from pathlib import Path

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
