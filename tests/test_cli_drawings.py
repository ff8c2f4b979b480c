"""`python -m digits_knn drawings`: count, export, import, delete, on both back ends."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pytest

from digits_knn.commands.cli import main
from digits_knn.drawings.store import DrawingStore

ROOT = Path(__file__).resolve().parents[1]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def csv_of(n: int, first_label: int = 0) -> str:
    rng = np.random.default_rng(n)
    return "".join(
        ",".join(str(c) for c in rng.integers(0, 17, 64))
        + f",{(first_label + i) % 10}\n"
        for i in range(n)
    )


def test_count_import_export_delete(
    new_location: Callable[[], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = new_location()
    assert (
        run(["drawings", "count", "--json", "--db", db], capsys)[1] == '{"count": 0}\n'
    )
    source = tmp_path / "in.csv"
    source.write_text(csv_of(5))
    code, _, err = run(["drawings", "import", str(source), "--db", db], capsys)
    assert (code, err) == (0, "imported 5 drawings\n")
    assert json.loads(run(["drawings", "count", "--json", "--db", db], capsys)[1]) == {
        "count": 5
    }
    out = tmp_path / "out.csv"
    assert run(["drawings", "export", str(out), "--db", db], capsys)[0] == 0
    assert out.read_text() == source.read_text()  # the optdigits lines, no header
    archive = tmp_path / "out.zip"
    assert run(["drawings", "export", str(archive), "--db", db], capsys)[0] == 0
    with zipfile.ZipFile(archive) as pngs:
        assert len(pngs.namelist()) == 5
    ids = [str(d.id) for d in DrawingStore(db).drawings()[:2]]
    assert run(["drawings", "delete", *ids, "--db", db], capsys)[0] == 0
    assert run(["drawings", "count", "--db", db], capsys)[1] == "3\n"


def test_a_bad_line_imports_nothing_and_exits_1(
    new_location: Callable[[], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = new_location()
    source = tmp_path / "in.csv"
    source.write_text(csv_of(3) + ",".join(["1"] * 64) + ",²\n")
    code, _, err = run(["drawings", "import", str(source), "--db", db], capsys)
    assert code == 1
    assert err.startswith("error: line 4, column 65:")
    assert err.count("\n") == 1
    assert DrawingStore(db).count() == 0


def test_concurrent_imports_neither_lose_nor_double(
    new_location: Callable[[], str], tmp_path: Path
) -> None:
    """Four processes import the same 200 digits at once: 800 rows, 200 per import."""
    db = new_location()
    DrawingStore(db)
    source = tmp_path / "in.csv"
    source.write_text(csv_of(200))
    imports = [
        subprocess.Popen(
            [sys.executable, "-m", "digits_knn", "drawings", "import", str(source)],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DIGITS_KNN_DB": db},
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for process in imports:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    store = DrawingStore(db)
    assert store.count() == 800
    assert store.version() == 4  # one transaction per import
    labels = np.bincount(store.training_digits().y, minlength=10)
    assert labels.tolist() == [80] * 10


def test_an_unknown_role_is_refused_in_one_line(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Wrong credentials (a role the server does not know): exit 1, the URL shown
    without its password."""
    parts = urlsplit(postgres_url)
    wrong = urlunsplit(
        parts._replace(netloc=f"nobody:secret@{parts.hostname}:{parts.port}")
    )
    code, _, err = run(["drawings", "count", "--db", wrong], capsys)
    assert code == 1
    assert "cannot open the database postgresql://nobody@" in err
    assert "secret" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("db", "message"),
    [
        ("mysql://somewhere/digits", "neither a file path nor a postgresql:// URL"),
        ("postgresql://nobody@127.0.0.1:1/digits", "cannot open the database"),
    ],
    ids=["not a path or URL", "unreachable server"],
)
def test_bad_configuration_is_one_line_and_exit_1(
    db: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["drawings", "count", "--db", db], capsys)
    assert code == 1
    assert message in err
    assert err.count("\n") == 1
