"""Beyond KNN: five models on the same digits, and ``python -m digits_knn compare``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digits_knn import compare
from digits_knn.cli import main
from digits_knn.cli_compare import table
from digits_knn.compare import (
    HELD_OUT_FOLD,
    IndexClassifier,
    choose_hog,
    comparison_tests,
    fit_contenders,
    hog_features,
    predict_drawing,
    score_contenders,
    training_rows,
)
from digits_knn.data import (
    DEFAULT_SOURCE,
    DRAWN_TEST,
    UCI_TEST,
    TrainingSet,
    load_training_set,
)
from digits_knn.model import fit_model

#: Small samples: the same code as the page's, in seconds.
SMALL = {
    "KNN": None,
    "KNN on HOG": 2000,
    "SVM (RBF)": 1500,
    "random forest": 2000,
    "logistic regression": 2000,
}
HOG = (9, 8, 2)


@pytest.fixture(scope="module")
def training() -> TrainingSet:
    return load_training_set(DEFAULT_SOURCE)


@pytest.fixture
def small_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare, "SAMPLES", SMALL)
    monkeypatch.setattr(compare, "HOG_CANDIDATES", (HOG, (9, 8, 1)))
    monkeypatch.setattr(compare, "HOG_CV_SAMPLE", 600)


def test_no_model_learns_from_the_writers_it_is_tested_on(
    training: TrainingSet,
) -> None:
    rows = training_rows(training)
    assert not (training.folds[rows] == HELD_OUT_FOLD).any()
    assert len(rows) == len(training.y_train) - (training.folds == HELD_OUT_FOLD).sum()
    tests = comparison_tests(training)
    assert set(tests) == {UCI_TEST, DRAWN_TEST}
    assert (tests[DRAWN_TEST].folds == HELD_OUT_FOLD).all()
    assert len(tests[UCI_TEST]) == 360


def test_the_knn_is_scikit_learns_knn(training: TrainingSet) -> None:
    """The project's index gives the probabilities of scikit-learn's KNN."""
    rows = training_rows(training)[:5000]
    X, y = training.X_train[rows], training.y_train[rows]
    ours = IndexClassifier(5, 2.0, "uniform").fit(X, y)
    theirs = fit_model(X, y, n_neighbors=5, algorithm="brute")
    queries = training.tests[UCI_TEST].X[:50]
    np.testing.assert_allclose(
        ours.predict_proba(queries), theirs.predict_proba(queries)
    )
    # one drawing at a time: the page's single query, the same answer
    one_by_one = np.vstack([ours.predict_proba(q[None, :]) for q in queries])
    np.testing.assert_allclose(one_by_one, theirs.predict_proba(queries))


def test_hog_features_and_their_choice(training: TrainingSet) -> None:
    bitmaps = training.bitmaps_train[:300]
    features = hog_features(bitmaps, HOG)
    assert features.shape == (300, 324)  # 3x3 blocks of 2x2 cells of 9 directions
    assert features.dtype == np.float32
    assert hog_features(bitmaps, (9, 8, 1)).shape == (300, 144)
    best, scores = choose_hog(
        bitmaps, training.y_train[:300], np.arange(300), candidates=[HOG, (6, 8, 1)]
    )
    assert best in scores
    assert scores[best] == max(scores.values())


@pytest.mark.usefixtures("small_samples")
def test_five_models_scored_on_the_same_digits(training: TrainingSet) -> None:
    contenders = fit_contenders(training, hog_params=HOG)
    assert [c.name for c in contenders] == list(SMALL)
    assert [c.n_train for c in contenders][1:] == [2000, 1500, 2000, 2000]
    scores = score_contenders(contenders, comparison_tests(training), timed=3)
    by = {s.name: s for s in scores}
    for s in scores:
        assert set(s.accuracy) == {UCI_TEST, DRAWN_TEST}
        assert all(0.75 < a <= 1 for a in s.accuracy.values()), s
        assert s.predict_ms > 0
        assert s.size_bytes > 0
    # A KNN only stores its digits: its "fit" is far quicker than an SVM's.
    assert by["KNN"].fit_seconds < by["SVM (RBF)"].fit_seconds
    # Each model's answer for one digit, with a probability.
    test = training.tests[UCI_TEST]
    guesses = predict_drawing(contenders, test.X[0], test.bitmap(0))
    assert [g.name for g in guesses] == list(SMALL)
    assert sum(g.label == test.y[0] for g in guesses) >= 4
    assert all(0 < g.confidence <= 1 + 1e-9 for g in guesses), guesses


@pytest.mark.usefixtures("small_samples")
def test_compare_prints_the_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--json", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    rows = json.loads(out)
    assert [r["model"] for r in rows] == list(SMALL)
    for row in rows:
        assert set(row) == {
            "model",
            "setup",
            "training_digits",
            "accuracy",
            "fit_seconds",
            "predict_ms",
            "size_bytes",
        }
        assert set(row["accuracy"]) == {UCI_TEST, DRAWN_TEST}
    text = table(rows)  # what compare prints without --json
    assert text.startswith("| model | training digits |")
    assert "| logistic regression | 2,000 |" in text
    assert len(text.splitlines()) == 2 + len(SMALL)
