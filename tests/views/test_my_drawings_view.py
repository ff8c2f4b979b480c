"""My drawings: the drawings users added; list, delete your own, export, import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from digits_knn.store import DrawingStore
from tests.conftest import STROKE_DIGITS, draw_strokes
from tests.views.apptest import open_view, start


def test_my_drawings_lists_deletes_and_exports(private_drawings_db: Path) -> None:
    store = DrawingStore(private_drawings_db)
    theirs = store.add(3, np.eye(32, dtype=bool), session_id="someone else")
    at = start(draw_strokes(STROKE_DIGITS[7]))
    at.button(key="add_drawing").click().run()
    open_view(at, "my_drawings")
    captions = at.get("image")[-1].proto.imgs
    assert [c.caption for c in captions] == ["#2: 7 · yours", f"#{theirs}: 3"]
    delete = at.multiselect(key="delete_ids")
    assert delete.options == ["#2: 7"]  # only your own rows
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("CSV" in label for label in labels)
    assert any("ZIP" in label for label in labels)
    delete.set_value([2]).run()
    at.button(key="delete_drawings").click().run()
    assert not at.exception
    assert [d.id for d in store.drawings()] == [theirs]
    assert any("Deleted 1" in s.value for s in at.success)


def test_admin_may_delete_anyones_drawings(
    private_drawings_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGITS_KNN_ADMIN", "1")
    store = DrawingStore(private_drawings_db)
    theirs = store.add(3, np.eye(32, dtype=bool), session_id="someone else")
    at = start(None, view="my_drawings")
    at.multiselect(key="delete_ids").set_value([theirs]).run()
    at.button(key="delete_drawings").click().run()
    assert store.count() == 0


def upload_csv(at: Any, data: bytes, name: str = "digits.csv") -> Any:
    at.file_uploader(key="import_csv").set_value((name, data, "text/csv"))
    at.button(key="FormSubmitter:import_form-Import").click().run()
    assert not at.exception
    return at


def test_import_a_csv_of_digits(private_drawings_db: Path) -> None:
    rows = "\n".join(",".join(["4"] * 64 + [str(d)]) for d in range(10))
    at = upload_csv(start(None, view="my_drawings"), rows.encode())
    assert any("Imported 10 digits" in s.value for s in at.success)
    assert DrawingStore(private_drawings_db).count() == 10
    assert any("10 your drawings" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"1,2,3\n", "3 columns"),
        ((",".join(["20"] * 64) + ",1").encode(), "outside 0..16"),
        ((",".join(["0"] * 64) + ",x").encode(), "not a whole number"),
        (b"", "holds no digits"),
        (b"0" * (50 * 2**20), "at most 10 MB"),
    ],
)
def test_bad_csv_is_refused_with_a_message(
    private_drawings_db: Path, data: bytes, message: str
) -> None:
    at = upload_csv(start(None, view="my_drawings"), data)
    assert any(
        message in e.value and "Nothing was imported" in e.value for e in at.error
    )
    assert DrawingStore(private_drawings_db).count() == 0
