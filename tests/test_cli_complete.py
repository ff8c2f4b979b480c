"""``python -m digits_knn complete``: finish half-hidden digits from a CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digits_knn.beyond.completion import fit_completer, hidden_features
from digits_knn.commands.cli import main
from digits_knn.datasets.training import DEFAULT_SOURCE, DRAWN_TEST, load_tests
from digits_knn.datasets.uci import Split

#: The tutorial's scans train fast; the page's data is the default (tested once).
UCI = ["--source", "uci"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["complete", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_rows(path: Path, rows: list[list[object]], header: str | None = None) -> Path:
    lines = [header] if header else []
    lines += [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("half", ["lower", "left"])
def test_it_replaces_the_hidden_half_by_the_prediction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], split: Split, half: str
) -> None:
    digits = split.X_test[:4].astype(int)
    garbled = digits.copy()
    hidden = hidden_features(half)
    garbled[:, hidden] = 16  # the hidden half's values are ignored
    source = write_rows(tmp_path / "in.csv", garbled.tolist())
    out = tmp_path / "out.csv"
    code, stdout, err = run(
        [
            "--csv",
            str(source),
            "--out",
            str(out),
            "--half",
            half,
            "--k",
            "10",
            "--weights",
            "distance",
            *UCI,
        ],
        capsys,
    )
    assert code == 0, err
    assert stdout == ""
    lines = out.read_text().splitlines()
    assert len(lines) == 4
    values = np.array([[float(c) for c in line.split(",")] for line in lines])
    expected = fit_completer(split.X_train, half, n_neighbors=10).predict(digits)
    np.testing.assert_allclose(values, expected, atol=5e-4)
    visible = np.setdiff1d(np.arange(64), hidden)
    cells = lines[0].split(",")
    assert all("." not in cells[j] for j in visible)  # as given
    assert all(len(cells[j].split(".")[1]) == 3 for j in hidden)  # 3 decimals


def test_a_header_is_kept_and_stdout_is_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], split: Split
) -> None:
    header = ",".join(f"pixel{i}" for i in range(64))
    source = write_rows(
        tmp_path / "in.csv", split.X_test[:2].astype(int).tolist(), header
    )
    code, stdout, err = run(["--csv", str(source), *UCI], capsys)
    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[0] == header
    assert len(lines) == 3
    assert "chosen by leave-writer-out validation" in err


def test_the_default_finishes_each_kind_from_its_own_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], split: Split
) -> None:
    """Scans from the tutorial's scans; pen digits from the page's data; k by CV."""
    scans = write_rows(tmp_path / "scans.csv", split.X_test[:40].astype(int).tolist())
    code, stdout, err = run(["--csv", str(scans)], capsys)
    assert code == 0, err
    assert "from uci (" in err
    assert "of 40 rows look like scans" in err
    assert "1,437 training digits" in err
    assert len(stdout.splitlines()) == 40
    pen = load_tests()[DRAWN_TEST].X[:40].astype(int).tolist()
    drawn = write_rows(tmp_path / "pen.csv", pen)
    code, stdout, err = run(["--csv", str(drawn)], capsys)
    assert code == 0, err
    assert f"from {DEFAULT_SOURCE} (" in err
    assert "91,413 training digits" in err
    assert len(stdout.splitlines()[0].split(",")) == 64


BAD_INPUTS = {
    "too few columns": ([[0] * 63], "line 2 has 63 columns"),
    "a label column": ([[0] * 65], "line 2 has 65 columns"),
    "a count of 17": (
        [[0] * 10 + [17] + [0] * 53],
        "line 2, column 11: block count 17",
    ),
    "a negative count": (
        [[0] * 5 + [-1] + [0] * 58],
        "line 2, column 6: block count -1",
    ),
    "text": (
        [[0] * 63 + ["seven"]],
        "line 2, column 64: 'seven' is not a whole number",
    ),
    "a decimal": ([[0] * 63 + ["1.5"]], "line 2, column 64: '1.5'"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_rows_fail_in_one_line_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], split: Split, case: str
) -> None:
    rows, message = BAD_INPUTS[case]
    good = split.X_test[:1].astype(int).tolist()
    source = write_rows(tmp_path / "in.csv", good + rows)
    out = tmp_path / "out.csv"
    code, stdout, err = run(["--csv", str(source), "--out", str(out), *UCI], capsys)
    assert code == 1
    assert stdout == ""
    assert err.startswith("error: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]  # no temporary file left either


def test_an_existing_output_is_left_alone_on_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_rows(tmp_path / "in.csv", [[0] * 64, [99] * 64])
    out = tmp_path / "out.csv"
    out.write_text("keep me\n")
    code, _, err = run(["--csv", str(source), "--out", str(out), *UCI], capsys)
    assert code == 1
    assert "line 2" in err
    assert out.read_text() == "keep me\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "holds no digits"),
        (b"\n\n", "holds no digits"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_an_empty_or_binary_file_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    code, stdout, err = run(["--csv", str(source), *UCI], capsys)
    assert code == 1
    assert stdout == ""
    assert message in err


def test_a_missing_file_or_folder_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["--csv", str(tmp_path / "nope.csv"), *UCI], capsys)
    assert code == 1
    assert "cannot read" in err
    source = write_rows(tmp_path / "in.csv", [[0] * 64])
    code, _, err = run(
        ["--csv", str(source), "--out", str(tmp_path / "no" / "out.csv"), *UCI], capsys
    )
    assert code == 1
    assert "no folder" in err
