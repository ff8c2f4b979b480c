from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.commands.cli import build_parser, main
from digits_knn.datasets.uci import Split
from digits_knn.features.images import load_image
from digits_knn.features.preprocessing import canvas_to_features
from digits_knn.features.strokes import non_digit_strokes, render_strokes
from digits_knn.search.model import DRAWING_N_NEIGHBORS
from digits_knn.search.neighbors import explain
from tests.conftest import STROKE_DIGITS, draw_strokes, drawing_model

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    "evaluate",
    "grid-search",
    "predict",
    "save",
    "load",
    "show-digits",
    "complete",
    "compare",
    "admin-hash",
    "drawings",
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def digit_files(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("digits")
    files = {}
    for digit, strokes in STROKE_DIGITS.items():
        path = folder / f"digit{digit}.png"
        Image.fromarray(draw_strokes(strokes)).save(path)
        files[digit] = path
    return files


@pytest.fixture(scope="module")
def tutorial_evaluation() -> str:
    """What ``evaluate`` prints with the tutorial's defaults (run once: it scores
    every collection too, a few seconds)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["evaluate"]) == 0
    return out.getvalue()


def test_evaluate_prints_the_tutorials_accuracy(
    tutorial_evaluation: str, split: Split
) -> None:
    direct = KNeighborsClassifier(n_neighbors=20, algorithm="kd_tree", p=2)
    direct.fit(split.X_train, split.y_train)
    expected = direct.score(split.X_test, split.y_test)
    assert f"test accuracy: {expected:.4f}" in tutorial_evaluation
    assert "confusion matrix" in tutorial_evaluation


def test_evaluate_with_other_hyperparameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        [
            "evaluate",
            "--k",
            "3",
            "--p",
            "1",
            "--algorithm",
            "brute",
            "--weights",
            "distance",
        ],
        capsys,
    )
    assert code == 0
    assert "k=3 p=1 algorithm=brute weights=distance" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["evaluate", "--k", "0"], "at least 1"),
        (["evaluate", "--k", "2000"], "larger than the training set"),
        (["evaluate", "--p", "0.5"], "p must be at least 1"),
        (["grid-search", "--k-range", "5:5", "--quiet"], "empty"),
        (["grid-search", "--cv", "1", "--quiet"], "at least 2 folds"),
        (["load", "missing.skops"], "no such file"),
        (["show-digits", "/nonexistent-folder/x.png"], "does not exist"),
    ],
)
def test_bad_input_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("count", "message"),
    [("0", "must be 1..100, got 0"), ("x", "expected a whole number 1..100")],
)
def test_show_digits_count_is_checked_in_one_short_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, count: str, message: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["show-digits", "--count", count, str(tmp_path / "x.png")])
    assert info.value.code == 2
    (line,) = [x for x in capsys.readouterr().err.splitlines() if "error" in x]
    assert f"argument --count: {message}" in line
    assert len(line) < 120  # not the list of all 100 choices
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("argv", [["evaluate", "--algorithm", "octree"], ["nope"]])
def test_argparse_rejects_unknown_choices(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "usage: python -m digits_knn " + command in capsys.readouterr().out


def test_predict_plain_and_json(
    capsys: pytest.CaptureFixture[str], digit_files: dict[int, Path]
) -> None:
    paths = [str(digit_files[d]) for d in sorted(digit_files)]
    code, out, _ = run(["predict", *paths], capsys)
    assert code == 0
    lines = out.splitlines()
    assert [line.split(": ")[1].split()[0] for line in lines] == [
        str(d) for d in sorted(digit_files)
    ]

    code, out, _ = run(["predict", "--json", *paths], capsys)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["path"] for r in records] == paths
    assert [r["label"] for r in records] == sorted(digit_files)
    for record in records:
        assert sum(record["probabilities"].values()) == pytest.approx(1)
        assert len(record["neighbors"]) == DRAWING_N_NEIGHBORS
        assert {"label", "distance"} <= set(record["neighbors"][0])
        assert record["is_digit"] is True
        assert record["digit_score"] <= record["digit_threshold"]


def test_predict_flags_what_is_not_a_digit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A star still gets the nearest digit's label, with "is_digit": false."""
    path = tmp_path / "star.png"
    strokes = non_digit_strokes("star", np.random.default_rng(0))
    Image.fromarray(render_strokes(strokes)).save(path)
    code, out, _ = run(["predict", "--json", str(path)], capsys)
    assert code == 0
    record = json.loads(out)
    assert record["is_digit"] is False
    assert record["digit_score"] > record["digit_threshold"]
    assert record["label"] in range(10)
    code, out, _ = run(["predict", str(path)], capsys)
    assert out.strip().endswith("does not look like a digit)")


def test_predict_uses_the_drawing_views_model(
    capsys: pytest.CaptureFixture[str], digit_files: dict[int, Path]
) -> None:
    """Same data (UCI + drawn + MNIST), k, votes and search as the app's page."""
    model = drawing_model()
    path = digit_files[4]
    expected = explain(model, canvas_to_features(load_image(path)))
    _code, out, _ = run(["predict", "--json", str(path)], capsys)
    record = json.loads(out)
    assert [n["index"] for n in record["neighbors"]] == [
        n.index for n in expected.neighbors
    ]


def test_predict_reports_bad_files_and_goes_on(
    capsys: pytest.CaptureFixture[str], digit_files: dict[int, Path], tmp_path: Path
) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    blank = tmp_path / "blank.png"
    Image.new("RGB", (100, 100), "white").save(blank)
    good = str(digit_files[7])
    code, out, err = run(
        ["predict", str(tmp_path / "missing.png"), str(text), good, str(blank)], capsys
    )
    assert code == 1
    assert out.splitlines() == [f"{good}: 7 ({out.split('(')[1].split(')')[0]})"]
    # one line per bad file, each naming it once
    assert err.splitlines() == [
        f"error: {tmp_path / 'missing.png'}: no such file",
        f"error: {text} is not an image this app reads (PNG, JPEG, BMP or GIF)",
        f"error: {blank}: There is no ink: draw a digit first.",
    ]


@pytest.mark.parametrize("fmt", ["skops", "pickle"])
def test_save_then_load(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fmt: str,
    digit_files: dict[int, Path],
) -> None:
    path = tmp_path / f"model.{fmt}"
    code, out, _ = run(
        ["save", str(path), "--format", fmt, "--k", "5", "--p", "1"], capsys
    )
    assert code == 0
    assert path.is_file()
    code, out, _ = run(["load", str(path), "--format", fmt], capsys)
    assert code == 0
    assert "k=5 p=1 algorithm=kd_tree" in out
    code, out, _ = run(
        ["predict", "--model", str(path), "--format", fmt, str(digit_files[0])], capsys
    )
    assert code == 0
    assert out.startswith(f"{digit_files[0]}: 0")


def test_load_refuses_a_pickle_as_skops(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "model.pkl"
    assert main(["save", str(path), "--format", "pickle"]) == 0
    code, _, err = run(["load", str(path)], capsys)
    assert code == 2
    assert "not a skops model file" in err


def test_show_digits_writes_the_figure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_path = tmp_path / "first10.png"
    code, _, _ = run(["show-digits", str(out_path)], capsys)
    assert code == 0
    with Image.open(out_path) as image:
        assert image.width > image.height > 50
        assert np.asarray(image.convert("L")).std() > 10  # not a blank image


def test_grid_search_small_grid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["grid-search", "--k-range", "1:4", "--p", "1", "2", "--cv", "3", "--quiet"],
        capsys,
    )
    assert code == 0
    assert out.count("\n") >= 6 + 3
    assert "best parameters: n_neighbors=" in out
    assert "best cross-validated accuracy: 0.9" in out
    assert "best model's test accuracy: 0.9" in out


def test_grid_search_shows_progress_on_stderr() -> None:
    """As a real process: progress goes to stderr, the results to stdout."""
    result = subprocess.run(
        [sys.executable, "-m", "digits_knn", "grid-search", "--k-range", "2:6:2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "candidates" in result.stderr
    assert "grid search: 15/15 pieces of work done" in result.stderr
    assert "best parameters" in result.stdout
    assert "pieces" not in result.stdout


def test_both_engines_print_the_same_table(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "grid-search",
        "--k-range",
        "1:8:3",
        "--p",
        "1",
        "2",
        "--cv",
        "3",
        "--quiet",
    ]
    argv += ["--weights", "uniform", "distance"]
    code, fast, _ = run([*argv, "--engine", "fast"], capsys)
    assert code == 0
    code, ref, _ = run([*argv, "--engine", "sklearn"], capsys)
    assert code == 0
    fast_lines, ref_lines = fast.splitlines(), ref.splitlines()
    assert len(fast_lines) == len(ref_lines) == 1 + 3 * 2 * 2 + 3
    assert fast_lines[0] == ref_lines[0]  # the header
    assert fast_lines[-3:-1] == ref_lines[-3:-1]  # best parameters and CV accuracy
    for mine, theirs in zip(fast_lines[1:-3], ref_lines[1:-3], strict=True):
        assert mine.split()[:3] == theirs.split()[:3]  # k, p, weights
        # Mean CV accuracy: equal up to neighbours at exactly equal distance.
        assert float(mine.split()[3]) == pytest.approx(
            float(theirs.split()[3]), abs=0.002
        )


def test_parser_lists_all_commands() -> None:
    help_text = build_parser().format_help()
    for command in COMMANDS:
        assert command in help_text


def test_evaluate_reports_drawn_digits_per_source(
    capsys: pytest.CaptureFixture[str], tutorial_evaluation: str
) -> None:
    """Drawn pen digits in the training data: unseen writers' digits recognised better,
    each writer scored with its own fold left out."""
    code, drawn, _ = run(["evaluate", "--source", "uci+drawn"], capsys)
    assert code == 0
    scores = {}
    for source, out in (("uci", tutorial_evaluation), ("uci+drawn", drawn)):
        line = next(x for x in out.splitlines() if "drawn digits, unseen writers" in x)
        scores[source] = float(line.split(": ")[1].split()[0])
        assert "MNIST test writers" in out
        assert "UJI digits" in out
    assert scores["uci+drawn"] >= 0.95
    assert scores["uci"] + 0.05 < scores["uci+drawn"]


def test_predict_learns_from_the_apps_drawings(
    capsys: pytest.CaptureFixture[str],
    digit_files: dict[int, Path],
    private_drawings_db: Path,
) -> None:
    """A drawing added in the app (here: the 4 taught as a 9) is in predict's model."""
    from digits_knn.drawings.store import DrawingStore
    from digits_knn.features.preprocessing import canvas_to_bitmap

    path = digit_files[4]
    DrawingStore(private_drawings_db).add(
        9, canvas_to_bitmap(load_image(path)), session_id="app"
    )
    _, out, _ = run(["predict", "--json", "--k", "1", str(path)], capsys)
    assert json.loads(out)["label"] == 9
    _, out, _ = run(
        ["predict", "--json", "--k", "1", "--source", "uci+drawn", str(path)], capsys
    )
    assert json.loads(out)["label"] == 4
    code, _, err = run(["predict", "--db", "/nonexistent/x.sqlite3", str(path)], capsys)
    assert code != 0
    assert "no such database" in err
