"""How good a fitted model is on held-out digits."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from digits_knn.datasets.uci import N_CLASSES
from digits_knn.search.model import ALGORITHMS, fit_model
from digits_knn.search.parts import resolve_algorithm

if TYPE_CHECKING:
    from sklearn.neighbors import KNeighborsClassifier

    from digits_knn.datasets.training import Collection
    from digits_knn.search.neighbors import NeighborIndex

LABELS = np.arange(N_CLASSES)


@dataclass(frozen=True)
class Evaluation:
    """Scores of a model on a test set.

    Attributes
    ----------
    accuracy : float in 0..1
        ``sklearn.metrics.accuracy_score``, what the tutorial's ``model.score`` gives.
    confusion : ndarray of shape (10, 10), int
        ``confusion[i, j]``: digits of true label i predicted as j.
    precision, recall : ndarray of shape (10,), floats in 0..1
        Per digit 0..9 (0 where a digit was never predicted / never present).
    y_pred : ndarray of shape (n_test,), ints in 0..9
    misclassified : ndarray of shape (n_wrong,), int
        Rows of the test set whose prediction is wrong, in test-set order.
    """

    accuracy: float
    confusion: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    y_pred: np.ndarray
    misclassified: np.ndarray

    @property
    def n_test(self) -> int:
        """Number of test digits."""
        return len(self.y_pred)


def evaluate(
    model: KNeighborsClassifier, X_test: np.ndarray, y_test: np.ndarray
) -> Evaluation:
    """Score a fitted model on ``X_test, y_test``.

    Parameters
    ----------
    model : fitted classifier of digits 0..9
    X_test : ndarray of shape (n_test, 64), integers in 0..16
    y_test : ndarray of shape (n_test,), integers in 0..9

    Returns
    -------
    Evaluation
    """
    return score(y_test, np.asarray(model.predict(X_test)))


def score(y_test: np.ndarray, y_pred: np.ndarray) -> Evaluation:
    """Score predictions against the true labels.

    The same numbers as scikit-learn's ``accuracy_score``, ``confusion_matrix`` and
    ``precision_recall_fscore_support(zero_division=0)`` (``tests/test_evaluation.py``
    checks), counted directly: the page rescores on every move of the k slider, and
    scikit-learn's checks of its inputs take longer than the counting.

    Parameters
    ----------
    y_test : ndarray of shape (n_test,), integers in 0..9
    y_pred : ndarray of shape (n_test,), integers in 0..9

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> score(np.array([1, 2, 2]), np.array([1, 2, 3])).accuracy
    0.6666666666666666
    """
    y_test = np.asarray(y_test, dtype=np.intp)
    y_pred = np.asarray(y_pred)
    n = N_CLASSES
    confusion = np.bincount(
        y_test * n + y_pred.astype(np.intp), minlength=n * n
    ).reshape(n, n)
    hits = np.diag(confusion).astype(np.float64)
    predicted, present = confusion.sum(axis=0), confusion.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, hits / predicted, 0.0)
        recall = np.where(present > 0, hits / present, 0.0)
    return Evaluation(
        accuracy=float(hits.sum() / max(len(y_test), 1)),
        confusion=confusion,
        precision=precision,
        recall=recall,
        y_pred=y_pred,
        misclassified=np.flatnonzero(y_pred != y_test),
    )


def format_confusion(confusion: np.ndarray) -> str:
    """The confusion matrix as a text table (rows: true digit, columns: predicted).

    Examples
    --------
    >>> print(format_confusion(np.eye(2, dtype=int) * 3))
     true\\pred    0    1
             0    3    0
             1    0    3
    """
    n = confusion.shape[0]
    lines = ["true\\pred".rjust(10) + "".join(f"{j:5d}" for j in range(n))]
    for i in range(n):
        lines.append(f"{i:10d}" + "".join(f"{v:5d}" for v in confusion[i]))
    return "\n".join(lines)


@dataclass(frozen=True)
class AlgorithmTiming:
    """Measured cost of one neighbour-search algorithm.

    Attributes
    ----------
    algorithm : {"auto", "ball_tree", "kd_tree", "brute"}
    method : str
        What scikit-learn actually ran ("auto" picks one of the other three).
    fit_seconds : float
        Median time to fit (build the tree, or just store the data for brute force).
    query_seconds : float
        Median time to predict every test digit.
    """

    algorithm: str
    method: str
    fit_seconds: float
    query_seconds: float


def time_algorithms(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    *,
    n_neighbors: int,
    p: float,
    weights: str = "uniform",
    repeats: int = 3,
) -> list[AlgorithmTiming]:
    """Time fitting and querying with each of the four search algorithms.

    Parameters
    ----------
    X_train : ndarray of shape (n_train, 64)
    y_train : ndarray of shape (n_train,)
    X_test : ndarray of shape (n_test, 64)
    n_neighbors, p, weights
        As for :func:`digits_knn.search.model.fit_model`.
    repeats : int >= 1, default 3
        Each time is the median of this many runs (the machine may be busy).

    Returns
    -------
    list of AlgorithmTiming
        One per algorithm, in the order of :data:`digits_knn.search.model.ALGORITHMS`.
    """
    timings = []
    for algorithm in ALGORITHMS:
        fits, queries = [], []
        model = None
        for _ in range(max(1, repeats)):
            start = time.perf_counter()
            model = fit_model(
                X_train,
                y_train,
                n_neighbors=n_neighbors,
                p=p,
                algorithm=algorithm,
                weights=weights,
            )
            fitted = time.perf_counter()
            model.predict(X_test)
            fits.append(fitted - start)
            queries.append(time.perf_counter() - fitted)
        timings.append(
            AlgorithmTiming(
                algorithm=algorithm,
                method=resolve_algorithm(algorithm, X_train.shape[1]),
                fit_seconds=statistics.median(fits),
                query_seconds=statistics.median(queries),
            )
        )
    return timings


Neighbors = dict[str, tuple[np.ndarray, np.ndarray]]


def held_out_neighbors(
    index: NeighborIndex,
    tests: Mapping[str, Collection],
    n_neighbors: int,
    *,
    progress: Callable[[str], None] | None = None,
) -> Neighbors:
    """The ``n_neighbors`` nearest training digits of every test digit, once for all k.

    A test digit whose writer fold is known (pen digits) is searched without the
    training digits of its fold: every writer is tested as one the model never saw.

    Parameters
    ----------
    index : the model's neighbour search
    tests : test sets by name (:attr:`digits_knn.datasets.training.TrainingSet.tests`)
    n_neighbors : int
        The largest k to score (at most the training digits).
    progress : callable, optional
        Called with each test set's name before it is searched.

    Returns
    -------
    dict of name to (neigh_dist, neigh_ind), each of shape (n_test, n_neighbors)
    """
    k = min(n_neighbors, index.n_samples)
    found = {}
    for name, test in tests.items():
        if progress is not None:
            progress(name)
        folds = test.folds if (test.folds >= 0).any() else None
        found[name] = index.kneighbors(test.X, k, query_folds=folds)
    return found


def held_out_scores(
    index: NeighborIndex,
    tests: Mapping[str, Collection],
    neighbors: Neighbors,
    *,
    n_neighbors: int,
    weights: str,
) -> dict[str, Evaluation]:
    """Every test set's scores at one k and weighting, from :func:`held_out_neighbors`.

    The k nearest are the first k of the lists (ties kept in training-row order).
    """
    scores = {}
    for name, test in tests.items():
        neigh_dist, neigh_ind = neighbors[name]
        y_pred = index.predict_from(
            neigh_dist[:, :n_neighbors], neigh_ind[:, :n_neighbors], weights=weights
        )
        scores[name] = score(test.y, y_pred)
    return scores
