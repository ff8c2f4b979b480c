"""My drawings: the drawings users added; list, delete your own, export, import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from digits_knn.drawings.admin import FREE_TRIES, hash_password
from digits_knn.drawings.store import DrawingStore
from page import cache_drawings
from tests.conftest import STROKE_DIGITS, draw_strokes
from tests.views.apptest import captions_of_figures, open_view, start


def test_my_drawings_lists_deletes_and_exports(private_drawings_db: Path) -> None:
    store = DrawingStore(private_drawings_db)
    theirs = store.add(3, np.eye(32, dtype=bool), session_id="someone else")
    at = start(draw_strokes(STROKE_DIGITS[7]))
    at.button(key="add_drawing").click().run()
    open_view(at, "my_drawings")
    listed = [c for c in captions_of_figures(at) if c.startswith("#")]
    assert listed == ["#2: 7 · yours", f"#{theirs}: 3"]
    delete = at.multiselect(key="delete_ids")
    assert delete.options == ["#2: 7"]  # only your own rows
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("CSV" in label for label in labels)
    # The ZIP holds every drawing's canvas: a signed-in admin's only.
    assert not any("ZIP" in label for label in labels)
    delete.set_value([2]).run()
    at.button(key="delete_drawings").click().run()
    assert not at.exception
    assert [d.id for d in store.drawings()] == [theirs]
    assert any("Deleted 1" in s.value for s in at.success)


PASSWORD = "the teacher's password"


def sign_in(at: Any, password: str) -> Any:
    at.text_input(key="admin_pw").input(password)
    at.button(key="FormSubmitter:admin_form-Sign in").click().run()
    assert not at.exception
    return at


@pytest.fixture
def admin_hash(monkeypatch: pytest.MonkeyPatch) -> str:
    """An admin configured by the hash of PASSWORD; the server's tries counted anew."""
    encoded = hash_password(PASSWORD, iterations=1000)
    monkeypatch.setenv("DIGITS_KNN_ADMIN_HASH", encoded)
    cache_drawings.sign_in_limiter.clear()
    return encoded


def test_the_old_server_switch_makes_nobody_admin(
    private_drawings_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$DIGITS_KNN_ADMIN=1 once let every visitor delete every drawing."""
    monkeypatch.setenv("DIGITS_KNN_ADMIN", "1")
    store = DrawingStore(private_drawings_db)
    store.add(3, np.eye(32, dtype=bool), session_id="someone else")
    at = start(None, view="my_drawings")
    assert at.multiselect(key="delete_ids").options == []
    assert str(private_drawings_db) not in " ".join(c.value for c in at.caption)


def test_an_admin_signs_in_and_only_that_session_may_delete_anything(
    private_drawings_db: Path, admin_hash: str
) -> None:
    store = DrawingStore(private_drawings_db)
    theirs = store.add(3, np.eye(32, dtype=bool), session_id="someone else")
    at = start(None, view="my_drawings")
    assert not any(str(private_drawings_db) in c.value for c in at.caption)
    sign_in(at, "not the password")
    assert any("Wrong password" in e.value for e in at.error)
    assert at.multiselect(key="delete_ids").options == []
    sign_in(at, PASSWORD)
    assert any("Signed in as admin" in s.value for s in at.success)
    assert any(str(private_drawings_db) in c.value for c in at.caption)
    visitor = start(None, view="my_drawings")  # another browser session
    assert visitor.multiselect(key="delete_ids").options == []
    at.multiselect(key="delete_ids").set_value([theirs]).run()
    at.button(key="delete_drawings").click().run()
    assert store.count() == 0
    at.button(key="sign_out").click().run()
    assert not any(str(private_drawings_db) in c.value for c in at.caption)


def test_wrong_passwords_lock_the_sign_in_for_a_while(
    private_drawings_db: Path, admin_hash: str
) -> None:
    at = start(None, view="my_drawings")
    for _ in range(FREE_TRIES):
        sign_in(at, "guess")
    sign_in(at, PASSWORD)  # even the right one waits now
    assert any("Too many sign-in tries" in e.value for e in at.error)
    assert not any("Signed in" in s.value for s in at.success)
    assert "sign_out" not in [b.key for b in at.button]
    # The tries are counted in the database: another server (its caches empty, a
    # new store) makes the next visitor wait too.
    cache_drawings.drawing_store.clear()
    cache_drawings.sign_in_limiter.clear()
    other = sign_in(start(None, view="my_drawings"), PASSWORD)
    assert any("Too many sign-in tries" in e.value for e in other.error)


def test_the_admin_signs_in_and_exports_the_zip(
    private_drawings_db: Path, admin_hash: str
) -> None:
    DrawingStore(private_drawings_db).add(3, np.eye(32, dtype=bool), session_id="x")
    at = sign_in(start(None, view="my_drawings"), PASSWORD)
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("ZIP" in label for label in labels)


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


def test_a_database_that_fails_mid_way_falls_back_without_a_traceback(
    private_drawings_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A locked, read-only or full database: import_ui and training_data caught only
    some store errors and showed a traceback; now the import says nothing was
    imported and the page predicts from the shipped digits."""
    from digits_knn.datasets.training import USER_SOURCE
    from digits_knn.drawings.database import StoreUnavailableError

    DrawingStore(private_drawings_db).add(3, np.eye(32, dtype=bool), session_id="x")

    def fail(*_: Any, **__: Any) -> Any:
        raise StoreUnavailableError("the database /secret/path failed: disk I/O error")

    monkeypatch.setattr(DrawingStore, "training_digits", fail)
    monkeypatch.setattr(DrawingStore, "import_csv", fail)
    at = start(draw_strokes(STROKE_DIGITS[7]), view="my_drawings")
    at.radio(key="source").set_value(USER_SOURCE).run()
    assert not at.exception
    assert at.metric[0].value == "7"
    rows = "\n".join(",".join(["4"] * 64 + [str(d)]) for d in range(10))
    upload_csv(at, rows.encode())
    assert any("Nothing was imported" in e.value for e in at.error)
    shown = " ".join(e.value for e in at.error)
    assert "/secret/path" not in shown
