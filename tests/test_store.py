"""The store of user drawings: contents, bad input, concurrency and durability."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digits_knn.datasets.training import USER_DIGITS, USER_SOURCE, load_training_set
from digits_knn.drawings import store as store_module
from digits_knn.drawings.admin import FREE_TRIES
from digits_knn.drawings.config import default_db_path
from digits_knn.drawings.database import StoreUnavailableError
from digits_knn.drawings.exchange import (
    MAX_IMPORT_BYTES,
    CsvImportError,
    parse_optdigits_csv,
)
from digits_knn.drawings.store import DrawingStore, StoreError, StoreLimitError
from digits_knn.features.preprocessing import bitmap_to_features, counts_to_bitmap

ROOT = Path(__file__).resolve().parents[1]


def a_bitmap(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((32, 32)) < 0.3


@pytest.fixture
def store(new_location: Callable[[], str]) -> DrawingStore:
    """An empty store, on each back end in turn."""
    return DrawingStore(new_location())


def stored_uids(store: DrawingStore) -> list[str]:
    with store._connect() as conn:
        return [row[0] for row in conn.execute("SELECT uid FROM drawings")]


def test_add_list_and_train(store: DrawingStore) -> None:
    bitmap = a_bitmap(0)
    first = store.add(7, bitmap, session_id="me", png=b"\x89PNG fake")
    second = store.add(3, a_bitmap(1), session_id="you")
    assert (first, second) == (1, 2)
    assert store.count() == 2
    newest = store.drawings()
    assert [d.id for d in newest] == [2, 1]
    assert newest[1].label == 7
    assert newest[1].session_id == "me"
    assert newest[1].origin == "drawn"
    np.testing.assert_array_equal(newest[1].bitmap, bitmap)
    np.testing.assert_array_equal(newest[1].features, bitmap_to_features(bitmap))
    with zipfile.ZipFile(io.BytesIO(store.export_zip())) as archive:
        assert archive.read("000001_label7.png") == b"\x89PNG fake"
    digits = store.training_digits()
    assert digits.y.tolist() == [7, 3]
    assert digits.X.shape == (2, 64)
    assert digits.X.dtype == np.uint8  # the smallest exact type, as the shipped digits
    for shared in (digits.X, digits.y, digits.bitmaps):  # every session reads them
        assert not shared.flags.writeable
    training = load_training_set(USER_SOURCE, digits)
    assert training.sizes[USER_DIGITS] == 2
    assert training.y_train[-2:].tolist() == [7, 3]
    pictures = training.pictures()
    np.testing.assert_array_equal(pictures.bitmap(len(training.y_train) - 2), bitmap)
    assert pictures.origin(len(training.y_train) - 1) == USER_DIGITS


def test_every_change_bumps_the_version(store: DrawingStore) -> None:
    versions = [store.version()]
    store.add(1, a_bitmap(0), session_id="me")
    versions.append(store.version())
    store.import_csv(",".join(["0"] * 64) + ",5\n", session_id="me")
    versions.append(store.version())
    store.delete([1], session_id="me")
    versions.append(store.version())
    assert versions == sorted(set(versions))
    assert store.delete([999], session_id="me") == 0
    assert store.version() == versions[-1]  # nothing changed, same version


def test_the_same_uid_is_stored_once(store: DrawingStore) -> None:
    """A retried request (same uid) cannot duplicate a drawing."""
    ids = {store.add(4, a_bitmap(0), session_id="me", uid="abc") for _ in range(3)}
    assert ids == {1}
    assert store.count() == 1


@pytest.mark.parametrize("label", [-1, 10, 3.0, "7", None, True])
def test_a_label_must_be_a_digit(store: DrawingStore, label: object) -> None:
    with pytest.raises(StoreError, match=r"digit 0\.\.9"):
        store.add(label, a_bitmap(0), session_id="me")  # type: ignore[arg-type]
    assert store.count() == 0


def test_a_bitmap_must_be_32x32(store: DrawingStore) -> None:
    with pytest.raises(StoreError, match="32x32"):
        store.add(1, np.zeros((8, 8), dtype=bool), session_id="me")


def test_only_your_own_rows_unless_admin(store: DrawingStore) -> None:
    mine = store.add(1, a_bitmap(0), session_id="me")
    theirs = store.add(2, a_bitmap(1), session_id="them")
    with pytest.raises(StoreError, match="added by someone else"):
        store.delete([mine, theirs], session_id="me")
    assert store.count() == 2  # all or nothing
    assert store.delete([mine], session_id="me") == 1
    assert store.delete([theirs], session_id="me", admin=True) == 1
    assert store.count() == 0


def test_export_csv_is_uci_format_and_imports_back(
    store: DrawingStore, new_location: Callable[[], str]
) -> None:
    store.add(7, a_bitmap(0), session_id="me")
    store.add(2, a_bitmap(1), session_id="me")
    text = store.export_csv()
    lines = text.splitlines()
    assert len(lines) == 2
    assert all(len(line.split(",")) == 65 for line in lines)
    assert [line.split(",")[-1] for line in lines] == ["7", "2"]
    other = DrawingStore(new_location())
    assert other.import_csv(text.encode(), session_id="you") == 2
    imported = other.training_digits()
    np.testing.assert_array_equal(imported.X, store.training_digits().X)
    assert {d.origin for d in other.drawings()} == {"imported"}


def test_export_zip_holds_a_png_per_drawing(store: DrawingStore) -> None:
    store.add(7, a_bitmap(0), session_id="me")
    store.import_csv(",".join(["8"] * 64) + ",1\n", session_id="me")
    with zipfile.ZipFile(io.BytesIO(store.export_zip())) as archive:
        names = archive.namelist()
        assert names == ["000001_label7.png", "000002_label1.png"]
        for name in names:
            with Image.open(io.BytesIO(archive.read(name))) as image:
                assert image.format == "PNG"


def test_uci_optdigits_files_import(store: DrawingStore) -> None:
    """Real optdigits rows (from load_digits) with a header and blank lines."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    rows = [
        ",".join(str(int(v)) for v in [*digits.data[i], digits.target[i]])
        for i in range(50)
    ]
    text = "\n".join([",".join(f"pixel{i}" for i in range(64)) + ",label", *rows, ""])
    assert store.import_csv(text, session_id="me") == 50
    np.testing.assert_array_equal(store.training_digits().X, digits.data[:50])


BAD_CSVS = {
    "wrong number of columns": (",".join(["1"] * 10) + "\n", "10 columns"),
    "count above 16": (",".join(["0"] * 63 + ["17", "3"]) + "\n", r"outside 0\.\.16"),
    "negative count": (
        ",".join(["-1"] + ["0"] * 63 + ["3"]) + "\n",
        r"line 2, column 1: block count -1 is below 0",
    ),
    "label 12": (",".join(["0"] * 64 + ["12"]) + "\n", "not a digit"),
    "text": (
        ",".join(["0"] * 64 + ["3"]) + "\n" + ",".join(["x"] * 65),
        "line 3, column 1: 'x' is not",
    ),
    "decimal": (",".join(["0.5"] * 64 + ["3"]) + "\n", "not a whole number"),
    "empty": ("", "holds no digits"),
    "blank lines only": ("\n\n\n", "holds no digits"),
    "binary": (b"\xff\xfe\x00garbage", "not a text CSV"),
}


@pytest.mark.parametrize("name", list(BAD_CSVS))
def test_bad_csv_imports_nothing(store: DrawingStore, name: str) -> None:
    data, message = BAD_CSVS[name]
    good = ",".join(["0"] * 64) + ",1\n"  # good rows before the bad one: still nothing
    payload = good.encode() + data if isinstance(data, bytes) else good + data
    if name in ("empty", "blank lines only"):
        payload = data
    with pytest.raises(CsvImportError, match=message):
        store.import_csv(payload, session_id="me")
    assert store.count() == 0
    assert store.version() == 0


def _line(cell: str, column: int) -> str:
    """A good optdigits line (label 1) with ``cell`` in ``column`` (1..65)."""
    cells = ["0"] * 64 + ["1"]
    cells[column - 1] = cell
    return ",".join(cells)


#: Cells Python might read as a number although they are not one written with 0-9.
NASTY_CELLS = [
    "²",  # passes str.isdigit, not int: once a StopIteration
    "٣",  # an Arabic-Indic three: int() reads it
    "１",  # a full-width one
    "1_0",  # int() reads 10
    "+1",
    "-0",
    "1e1",
    "0x1",
    "1.0",
    "\x00",
    "1\x00",
    "nan",
    "inf",
    "١٢",
    "99999999999999999999999",
    "1 1",
    "",
]


@pytest.mark.parametrize("column", [1, 40, 65])
@pytest.mark.parametrize("cell", NASTY_CELLS, ids=repr)
def test_nasty_cells_are_refused_naming_the_line(
    store: DrawingStore, cell: str, column: int
) -> None:
    """Each cell on the 3rd line of a file: CsvImportError naming line 3, nothing in."""
    text = "\n".join([_line("0", 1), _line("2", 2), _line(cell, column)]) + "\n"
    with pytest.raises(CsvImportError, match="line 3"):
        store.import_csv(text.encode(), session_id="me")
    assert store.count() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1;" * 64 + "1\n", "separated by semicolons"),
        (_line("0", 1) + "," + "1" * 200_000 + "\n", "line 1"),  # over csv's cell limit
        (_line("0", 1) + ',"unclosed\n', "line 1"),
        ("\n".join([_line("0", 1)] * 3) + "\n" + ",".join(["1"] * 10_000), "line 4"),
    ],
    ids=["semicolons", "very long cell", "bad quoting", "very long line"],
)
def test_malformed_files_are_refused(
    store: DrawingStore, text: str, message: str
) -> None:
    with pytest.raises(CsvImportError, match=message):
        store.import_csv(text.encode(), session_id="me")
    assert store.count() == 0


def test_bom_crlf_spaces_and_a_header_are_read() -> None:
    """What spreadsheets write: a byte-order mark, CRLF, spaces after commas, a header."""
    header = ",".join([f"pixel{i}" for i in range(64)] + ["label"])
    rows = [", ".join([" 16"] * 64 + ["7 "]), ",".join(["0"] * 64 + ["0"])]
    data = ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode()
    X, y = parse_optdigits_csv(data)
    assert y.tolist() == [7, 0]
    assert X.tolist() == [[16] * 64, [0] * 64]


def test_a_50_mb_file_is_refused_before_parsing(store: DrawingStore) -> None:
    data = (",".join(["0"] * 64) + ",1\n").encode() * (50 * 2**20 // 130)
    assert len(data) > MAX_IMPORT_BYTES
    with pytest.raises(CsvImportError, match="at most 10 MB"):
        store.import_csv(data, session_id="me")
    assert store.count() == 0


def test_counts_to_bitmap_round_trips() -> None:
    X, _ = parse_optdigits_csv(",".join(str(i % 17) for i in range(64)) + ",0")
    np.testing.assert_array_equal(bitmap_to_features(counts_to_bitmap(X[0])), X[0])


def test_the_path_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DIGITS_KNN_DB", str(tmp_path / "x.sqlite3"))
    assert default_db_path() == tmp_path / "x.sqlite3"
    monkeypatch.delenv("DIGITS_KNN_DB")
    assert default_db_path() == ROOT / "data" / "drawings.sqlite3"


def test_an_installed_package_keeps_drawings_out_of_site_packages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Installed, the package's parent is site-packages: the drawings go to the
    user's data folder instead (XDG), never next to the installed code."""
    monkeypatch.delenv("DIGITS_KNN_DB")
    site_packages = tmp_path / "lib" / "python3.11" / "site-packages"
    site_packages.mkdir(parents=True)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    path = default_db_path(site_packages)
    assert path == tmp_path / "share" / "digits-knn" / "drawings.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = default_db_path(site_packages)
    assert (
        path
        == tmp_path / "home" / ".local" / "share" / "digits-knn" / "drawings.sqlite3"
    )


def test_wal_mode_and_a_clear_error_for_an_unusable_path(tmp_path: Path) -> None:
    store = DrawingStore(tmp_path / "db.sqlite3")
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailableError, match="unavailable") as info:
        DrawingStore(blocker / "db.sqlite3")
    assert "cannot create the folder" in info.value.detail


# --- concurrency and durability ------------------------------------------------------

WRITERS = 20
TOTAL = 1000


def _write(path: str, writer: int, n: int, errors: list[str]) -> None:
    store = DrawingStore(path)
    for i in range(n):
        try:
            store.add(
                (writer + i) % 10,
                a_bitmap(writer * 1000 + i),
                session_id=f"writer-{writer}",
                uid=f"{writer}-{i}",
            )
        except Exception as exc:
            errors.append(f"{writer}-{i}: {exc!r}")


def _process_writer(path: str, writer: int, n: int) -> None:
    errors: list[str] = []
    _write(path, writer, n, errors)
    if errors:
        raise SystemExit("; ".join(errors[:3]))


def test_twenty_concurrent_writers_lose_and_duplicate_nothing(
    new_location: Callable[[], str],
) -> None:
    """10 threads and 10 processes add 1,000 drawings at once into one database."""
    path = new_location()
    DrawingStore(path)
    per_writer = TOTAL // WRITERS
    errors: list[str] = []
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_process_writer, args=(path, w, per_writer))
        for w in range(WRITERS // 2)
    ]
    threads = [
        threading.Thread(target=_write, args=(path, w, per_writer, errors))
        for w in range(WRITERS // 2, WRITERS)
    ]
    for worker in [*processes, *threads]:
        worker.start()
    for thread in threads:
        thread.join()
    for process in processes:
        process.join(timeout=300)
    assert errors == []
    assert [p.exitcode for p in processes] == [0] * len(processes)
    store = DrawingStore(path)
    assert store.count() == TOTAL
    uids = stored_uids(store)
    assert len(uids) == TOTAL
    assert set(uids) == {f"{w}-{i}" for w in range(WRITERS) for i in range(per_writer)}
    assert store.version() == TOTAL
    if store.path is not None:
        with sqlite3.connect(store.path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


BURST = """
import sys
import numpy as np
from digits_knn.drawings.store import DrawingStore

store = DrawingStore(sys.argv[1])
rng = np.random.default_rng(0)
i = 0
while True:
    store.add(i % 10, rng.random((32, 32)) < 0.3, session_id="burst", uid=f"b{i}")
    print(i, flush=True)  # acknowledged: the transaction has committed
    i += 1
"""


def test_every_connection_commits_durably(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Durability is a setting, not luck: every connection the store opens runs in WAL
    mode with ``synchronous=FULL`` (2), so a commit waits for the disk. (A killed
    process keeps its committed rows at any level; only this setting covers a power
    cut, and only this test would notice it lowered.)"""
    seen: list[tuple[int, str, int]] = []

    class Recorded(sqlite3.Connection):
        def close(self) -> None:
            seen.append(
                (
                    self.execute("PRAGMA synchronous").fetchone()[0],
                    self.execute("PRAGMA journal_mode").fetchone()[0],
                    self.execute("PRAGMA busy_timeout").fetchone()[0],
                )
            )
            super().close()

    connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *a, **k: connect(*a, factory=Recorded, **k)
    )
    store = DrawingStore(tmp_path / "durable.sqlite3")
    first = store.add(3, a_bitmap(0), session_id="me")
    store.version()
    store.import_csv(",".join(["0"] * 64) + ",1\n", session_id="me")
    store.delete([first], session_id="me")
    store.drawings()
    store.export_zip()
    store.close()  # the connection kept for version()
    assert len(seen) >= 7
    assert {level for level, _, _ in seen} == {2}  # FULL
    assert {mode for _, mode, _ in seen} == {"wal"}
    assert min(timeout for _, _, timeout in seen) > 0


def test_every_acknowledged_insert_survives_sigkill(
    new_location: Callable[[], str],
) -> None:
    """Kill a process in the middle of a burst of inserts; reopen; count them."""
    path = new_location()
    process = subprocess.Popen(
        [sys.executable, "-c", BURST, path],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    acknowledged = []
    for line in process.stdout:
        acknowledged.append(int(line))
        if len(acknowledged) >= 300:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    acknowledged.extend(int(line) for line in process.stdout.read().split())
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    store = DrawingStore(path)  # SQLite recovers its write-ahead log
    stored = set(stored_uids(store))
    if store.path is not None:
        with sqlite3.connect(store.path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert {f"b{i}" for i in acknowledged} <= stored
    assert store.count() == len(stored) >= 300


# --- limits --------------------------------------------------------------------------


def _csv(n: int) -> bytes:
    return "\n".join(",".join(["4"] * 64 + [str(i % 10)]) for i in range(n)).encode()


def test_imports_are_bounded_per_visit_and_in_all(
    store: DrawingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing bounded the rows a visitor could import, again and again, while every
    import makes every app server read all rows again."""
    monkeypatch.setattr(store_module, "MAX_SESSION_IMPORTS", 30)
    monkeypatch.setattr(store_module, "MAX_STORED_DRAWINGS", 50)
    assert store.import_csv(_csv(20), session_id="a") == 20
    with pytest.raises(StoreLimitError, match="at most 30 digits"):
        store.import_csv(_csv(11), session_id="a")
    assert store.import_csv(_csv(10), session_id="a") == 10
    assert store.import_csv(_csv(15), session_id="b") == 15
    with pytest.raises(StoreLimitError, match="at most 50 drawings"):
        store.import_csv(_csv(6), session_id="c")
    store.add(3, np.eye(32, dtype=bool), session_id="d")
    assert store.count() == 46
    store.import_csv(_csv(4), session_id="c")
    with pytest.raises(StoreLimitError, match="at most 50 drawings"):
        store.add(3, np.eye(32, dtype=bool), session_id="d")
    assert store.count() == 50


def test_sign_in_tries_are_shared_by_every_server_and_counted_before_the_check(
    new_location: Callable[[], str],
) -> None:
    """Two app servers on one database: the tries of one count for the other, and
    eight sessions trying at once get only the free tries between them."""
    location = new_location()
    one, other = DrawingStore(location), DrawingStore(location)
    now = 1_000_000.0
    claims: list[float] = []
    lock = threading.Lock()

    def claim(store: DrawingStore) -> None:
        wait = store.claim_sign_in(now=now)
        with lock:
            claims.append(wait)

    threads = [threading.Thread(target=claim, args=(s,)) for s in [one, other] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claims) == [0.0] * FREE_TRIES + [1.0] * (8 - FREE_TRIES)
    assert other.claim_sign_in(now=now + 0.5) == pytest.approx(0.5)
    assert one.claim_sign_in(now=now + 1) == 0.0
    one.sign_in_succeeded()
    assert other.claim_sign_in(now=now + 1) == 0.0
