from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.datasets.uci import Split
from digits_knn.search.model import HyperparameterError, fit_model
from digits_knn.search.neighbors import explain

ROOT = Path(__file__).resolve().parents[1]


def test_fit_model_defaults_are_the_tutorials(split: Split) -> None:
    model = fit_model(split.X_train, split.y_train)
    assert (model.n_neighbors, model.p, model.algorithm, model.weights) == (
        20,
        2,
        "kd_tree",
        "uniform",
    )
    direct = KNeighborsClassifier(n_neighbors=20, algorithm="kd_tree", p=2)
    direct.fit(split.X_train, split.y_train)
    assert_array_equal(model.predict(split.X_test), direct.predict(split.X_test))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_neighbors": 0}, "at least 1"),
        ({"n_neighbors": -3}, "at least 1"),
        ({"n_neighbors": 2.5}, "whole number"),
        ({"n_neighbors": 5000}, "larger than the training set"),
        ({"p": 0.5}, "p must be at least 1"),
        ({"p": float("inf")}, "p must be at least 1"),
        ({"p": "two"}, "p must be a number"),
        ({"algorithm": "octree"}, "unknown search algorithm 'octree'"),
        ({"weights": "loud"}, "unknown weights 'loud'"),
    ],
)
def test_fit_model_explains_bad_hyperparameters(
    split: Split, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(HyperparameterError, match=message):
        fit_model(split.X_train, split.y_train, **params)


@pytest.mark.parametrize("algorithm", ["auto", "ball_tree", "kd_tree", "brute"])
@pytest.mark.parametrize("p", [1, 2, 3, 1.5])
def test_algorithms_agree_on_predictions(
    split: Split, algorithm: str, p: float
) -> None:
    """The search algorithm changes speed, not answers."""
    model = fit_model(
        split.X_train, split.y_train, n_neighbors=5, p=p, algorithm=algorithm
    )
    brute = fit_model(
        split.X_train, split.y_train, n_neighbors=5, p=p, algorithm="brute"
    )
    assert_array_equal(model.predict(split.X_test), brute.predict(split.X_test))


@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_explain_agrees_with_the_model(split: Split, p: int, weights: str) -> None:
    model = fit_model(split.X_train, split.y_train, n_neighbors=7, p=p, weights=weights)
    for x in split.X_test[:25]:
        explanation = explain(model, x)
        assert explanation.label == model.predict(x.reshape(1, -1))[0]
        assert_allclose(
            explanation.probabilities, model.predict_proba(x.reshape(1, -1))[0]
        )
        distances = [n.distance for n in explanation.neighbors]
        assert len(distances) == 7
        assert distances == sorted(distances)
        for neighbor in explanation.neighbors:
            expected = np.sum(np.abs(split.X_train[neighbor.index] - x) ** p) ** (1 / p)
            assert neighbor.distance == pytest.approx(expected)
            assert neighbor.label == split.y_train[neighbor.index]
        assert sum(explanation.votes.values()) == 7
        assert max(explanation.weights, key=explanation.weights.__getitem__) == (
            explanation.label
        )


def test_explain_distance_weights_are_inverse_distances(split: Split) -> None:
    model = fit_model(split.X_train, split.y_train, n_neighbors=5, weights="distance")
    explanation = explain(model, split.X_test[3])
    for label, weight in explanation.weights.items():
        expected = sum(
            1 / n.distance for n in explanation.neighbors if n.label == label
        )
        assert weight == pytest.approx(expected)


def test_explain_exact_training_digit(split: Split) -> None:
    """A training digit is its own nearest neighbour at distance 0."""
    model = fit_model(split.X_train, split.y_train, n_neighbors=3, weights="distance")
    explanation = explain(model, split.X_train[10])
    assert explanation.neighbors[0].distance == 0
    assert explanation.label == split.y_train[10]
    assert explanation.confidence == 1.0


def test_explain_to_dict_is_json_ready(tutorial_model: KNeighborsClassifier) -> None:
    import json

    features = np.zeros(64)
    features[[3, 4, 11, 12, 19, 20, 27, 28, 35, 36, 43, 44, 51, 52, 59, 60]] = 16
    data = json.loads(json.dumps(explain(tutorial_model, features).to_dict()))
    assert set(data) >= {"label", "probabilities", "neighbors", "votes", "confidence"}
    assert set(data["probabilities"]) == {str(d) for d in range(10)}
    assert sum(data["probabilities"].values()) == pytest.approx(1)
    assert len(data["neighbors"]) == 20
    assert set(data["neighbors"][0]) == {"index", "label", "distance"}


@pytest.mark.parametrize(
    ("features", "message"),
    [(np.zeros(63), "shape"), (np.full(64, 17), "0..16"), (np.full(64, -1), "0..16")],
)
def test_explain_rejects_bad_features(
    tutorial_model: KNeighborsClassifier, features: np.ndarray, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        explain(tutorial_model, features)


def test_fitted_digits_reads_the_pinned_scikit_learn(split: Split) -> None:
    """``fitted_digits`` is the one reader of scikit-learn's private fitted attributes
    (``_fit_X``, ``_y``): pinned here for the scikit-learn that requirements.txt
    installs, so an upgrade that renames them fails this test, not the page."""
    import sklearn

    from digits_knn.search.model import fitted_digits

    pinned = next(
        line.split("==")[1].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.startswith("scikit-learn==")
    )
    assert sklearn.__version__ == pinned
    for algorithm in ("brute", "kd_tree", "ball_tree"):
        model = fit_model(split.X_train, split.y_train, algorithm=algorithm)
        X, y = fitted_digits(model)
        assert_array_equal(X, split.X_train)
        assert_array_equal(y, split.y_train)


PRIVATE_READS = re.compile(r"\._(fit_X|y|fit_method|tree)\b")


def test_no_module_but_fitted_digits_reads_private_fitted_attributes() -> None:
    """The security review found a loaded file's tree used through ``_tree`` and
    ``_fit_method``: the library and the page read none of them, but for
    ``fitted_digits``'s two lines."""
    readers = {
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("digits_knn", "page")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if PRIVATE_READS.search(line)
    }
    assert len(readers) == 2
    assert all(reader.startswith("digits_knn/search/model.py:") for reader in readers)
