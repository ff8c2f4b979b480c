"""The page as a whole: the drawing on top of every view, one view below it, each
reachable, and a broken drawings store that does not take the page down."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from page.views import VIEWS
from tests.conftest import STROKE_DIGITS, draw_strokes
from tests.views.apptest import (
    ROOT,
    VIEW_FILES,
    FakeCanvas,
    metric,
    open_view,
    start,
    subheaders,
)


def view_text(at: AppTest) -> str:
    """The words a view shows: text, HTML, headings, notes and its controls' labels."""
    parts = [e.value for e in at.markdown] + [e.value for e in at.info]
    parts += [e.value for e in at.html]
    parts += subheaders(at) + [b.label for b in at.button]
    parts += [e.label for e in at.selectbox]
    return " ".join(str(part) for part in parts)


#: Something only each view shows.
MARKERS = {
    "model": "Confusion matrix",
    "tune": "Run the grid search",
    "dataset": "Show training digits",
    "my_drawings": "No drawings yet",
    "finish": "Finish my digit",
    "neighbourhood_map": "Where your drawing lands",
    "beyond": "Beyond KNN",
    "how_knn_works": "k-nearest neighbours",
}


def test_every_view_is_listed_once_with_its_own_address() -> None:
    assert [view.module for view in VIEWS] == [f"{name}.py" for name in VIEW_FILES]
    paths = [view.url_path for view in VIEWS]
    assert len(set(paths)) == len(paths)
    for view in VIEWS:
        assert (ROOT / "page" / "views" / view.module).is_file()


@pytest.mark.parametrize("view", VIEW_FILES)
def test_every_view_is_reachable_below_the_drawing(view: str) -> None:
    """Each view opens under the drawing, and the drawing's prediction stays."""
    at = start(draw_strokes(STROKE_DIGITS[4]), view=view)
    assert metric(at, "Prediction") == "4"
    assert "The 7 nearest training digits" in subheaders(at)
    assert MARKERS[view] in view_text(at)
    for other, marker in MARKERS.items():
        if other != view:
            assert marker not in view_text(at), f"{other} runs while {view} is open"


def test_only_the_open_view_computes(monkeypatch: pytest.MonkeyPatch) -> None:
    """With How KNN works open, moving k scores no test digits; the Model view does."""
    import page.cache

    calls: list[int] = []
    real = page.cache.scores_for

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(page.cache, "scores_for", counting)
    at = start(draw_strokes(STROKE_DIGITS[4]), view="how_knn_works")
    calls.clear()  # the first run opened the default view, Model
    for k in (5, 9, 13):
        at.slider(key="n_neighbors").set_value(k).run()
    assert calls == []
    open_view(at, "model")
    assert len(calls) == 1


def test_the_drawing_is_kept_across_views() -> None:
    """Switching views keeps the same canvas (same key): the drawing is still there."""
    at = start(draw_strokes(STROKE_DIGITS[7]))
    for view in (*VIEW_FILES, "model"):
        open_view(at, view)
        assert FakeCanvas.calls[-1]["key"] == "canvas-0"
        assert metric(at, "Prediction") == "7"


@pytest.fixture
def locked_db(tmp_path: Path) -> Iterator[Path]:
    """A drawings database another program holds an exclusive lock on."""
    path = tmp_path / "locked.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("CREATE TABLE x (a)")
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("INSERT INTO x VALUES (1)")
    yield path
    conn.execute("ROLLBACK")
    conn.close()


def broken_location(kind: str, tmp_path: Path, locked: Path) -> str:
    if kind == "unwritable folder":
        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder")
        return str(blocker / "drawings.sqlite3")
    if kind == "corrupt file":
        corrupt = tmp_path / "corrupt.sqlite3"
        corrupt.write_bytes(b"this is not a database" * 100)
        return str(corrupt)
    if kind == "not a path or a URL":
        return "mysql://teacher:secret@db.example.org/digits"
    if kind == "unreachable server":
        return "postgresql://teacher:secret@127.0.0.1:1/digits"
    return str(locked)


@pytest.mark.parametrize(
    "kind",
    [
        "unwritable folder",
        "corrupt file",
        "locked",
        "not a path or a URL",
        "unreachable server",
    ],
)
def test_a_broken_store_does_not_take_the_page_down(
    kind: str, tmp_path: Path, locked_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page draws and predicts from the shipped digits and says the drawings are
    unavailable; My drawings says so too, and adding is refused, not crashed."""
    monkeypatch.setenv("DIGITS_KNN_DB", broken_location(kind, tmp_path, locked_db))
    at = start(draw_strokes(STROKE_DIGITS[4]))
    assert metric(at, "Prediction") == "4"
    assert any("drawings are unavailable" in w.value for w in at.sidebar.warning)
    assert any("0 your drawings" in c.value for c in at.sidebar.caption)
    assert at.button(key="add_drawing").disabled
    open_view(at, "my_drawings")
    assert any("unavailable" in e.value for e in at.error)
    shown = " ".join(e.value for e in [*at.error, *at.sidebar.warning])
    assert "secret" not in shown  # never a password, and a visitor sees no location
