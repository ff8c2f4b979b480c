from __future__ import annotations

import numpy as np
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.datasets.uci import Split
from digits_knn.tuning.evaluation import evaluate


def test_tutorial_test_accuracy(
    split: Split, tutorial_model: KNeighborsClassifier
) -> None:
    """The tutorial's number, computed directly with scikit-learn in the same test."""
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=0.2, random_state=1337
    )
    direct = KNeighborsClassifier(n_neighbors=20, algorithm="kd_tree", p=2)
    direct.fit(X_train, y_train)
    result = evaluate(tutorial_model, split.X_test, split.y_test)
    assert result.accuracy == direct.score(X_test, y_test)


def test_confusion_and_misclassified_agree(
    split: Split, tutorial_model: KNeighborsClassifier
) -> None:
    result = evaluate(tutorial_model, split.X_test, split.y_test)
    assert result.confusion.shape == (10, 10)
    assert result.confusion.sum() == len(split.y_test)
    assert np.trace(result.confusion) == len(split.y_test) - len(result.misclassified)
    assert_array_equal(result.y_pred, tutorial_model.predict(split.X_test))
    wrong = result.misclassified
    assert (result.y_pred[wrong] != split.y_test[wrong]).all()
    assert result.accuracy == 1 - len(wrong) / len(split.y_test)


def test_precision_recall_per_digit(
    split: Split, tutorial_model: KNeighborsClassifier
) -> None:
    result = evaluate(tutorial_model, split.X_test, split.y_test)
    for digit in range(10):
        predicted = result.y_pred == digit
        actual = split.y_test == digit
        assert result.precision[digit] == (predicted & actual).sum() / predicted.sum()
        assert result.recall[digit] == (predicted & actual).sum() / actual.sum()


def test_score_counts_as_scikit_learn_does() -> None:
    """Accuracy, confusion, precision and recall equal scikit-learn's, missing
    digits and never-predicted digits included (zero_division=0)."""
    from numpy.testing import assert_allclose
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        precision_recall_fscore_support,
    )

    from digits_knn.tuning.evaluation import score

    rng = np.random.default_rng(3)
    for _ in range(20):
        y_true = rng.integers(0, 9, 200)  # no 9s
        y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(1, 10, 200))
        result = score(y_true, y_pred)
        precision, recall, _, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=np.arange(10), zero_division=0
        )
        assert result.accuracy == accuracy_score(y_true, y_pred)
        assert_array_equal(
            result.confusion, confusion_matrix(y_true, y_pred, labels=np.arange(10))
        )
        assert_allclose(result.precision, precision)
        assert_allclose(result.recall, recall)
