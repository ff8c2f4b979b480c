"""Beyond KNN: the tutorial's next steps, measured beside the KNN on the same digits.

The tutorial ends by pointing onward: HOG features, "more complex classifiers like the
SVM or Random Forest", and models that fit parameters instead of storing their data.
:func:`fit_contenders` fits five models on the page's training data and
:func:`score_contenders` measures each on the same test digits:

- the KNN (k, p and votes as given: the page's sidebar, or its defaults);
- a KNN on HOG features of the 32x32 bitmap (:func:`digits_knn.hog.hog_features`, its
  parameters chosen by cross-validation grouped by writer, :func:`choose_hog`);
- an SVM with an RBF kernel, its probabilities calibrated by cross-validation;
- a random forest;
- a logistic regression, the linear baseline.

Every model learns without the pen digits of one writer fold (:data:`HELD_OUT_FOLD`)
and is tested on that fold's drawn digits (writers it never saw) and on the tutorial's
UCI test split. The models that would take minutes on 90,000 digits learn from a
stated random sample of them (:data:`SAMPLES`).
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from digits_knn.data import (
    DRAWN_TEST,
    UCI_TEST,
    Collection,
    TrainingSet,
    sample_rows,
    writer_groups,
)
from digits_knn.hog import hog_features
from digits_knn.preprocessing import MAX_COUNT, unpack_bitmaps

#: The pen writers' fold every model learns without, and is tested on.
HELD_OUT_FOLD = 0
#: Training digits each model learns from (None: all of them). An RBF SVM's fit grows
#: with the square of the digits and a forest's size with their number.
SAMPLES: dict[str, int | None] = {
    "KNN": None,
    "KNN on HOG": 20_000,
    "SVM (RBF)": 15_000,
    "random forest": 10_000,
    "logistic regression": 20_000,
}
#: HOG parameters :func:`choose_hog` tries: (orientations, pixels per cell, cells per
#: block) on the 32x32 bitmap. Cells of 8x8 pixels only: 4x4-pixel cells make 1,764
#: features, and a KNN on them 7 times the memory and query time of 9-orientation
#: 8x8 cells (measured: 135 ms per drawing on 20,000 digits).
HOG_CANDIDATES = ((9, 8, 2), (9, 8, 1), (12, 8, 2), (6, 8, 2))
HOG_CV_SAMPLE = 3000
#: The test sets of the comparison.
TESTS = (UCI_TEST, DRAWN_TEST)


def choose_hog(
    bitmaps: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    *,
    candidates: Sequence[tuple[int, int, int]] = HOG_CANDIDATES,
    folds: int = 3,
) -> tuple[tuple[int, int, int], dict[tuple[int, int, int], float]]:
    """The HOG parameters with the best KNN accuracy (k=7, distance votes) in
    ``folds`` folds grouped by writer.

    Returns
    -------
    best : (orientations, pixels per cell, cells per block)
    scores : mean validation accuracy of every candidate
    """
    from sklearn.model_selection import GroupKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    splits = list(GroupKFold(n_splits=folds).split(bitmaps, y, groups))
    scores = {}
    for params in candidates:
        knn = KNeighborsClassifier(n_neighbors=7, weights="distance")
        features = hog_features(bitmaps, params)
        scores[params] = float(cross_val_score(knn, features, y, cv=splits).mean())
    best = max(scores, key=lambda p: scores[p])
    return best, scores


@dataclass(frozen=True)
class Contender:
    """A fitted model of the comparison.

    Attributes
    ----------
    name : its name in the table
    model : a fitted classifier with ``classes_`` and ``predict_proba``
    uses_hog : whether it reads HOG features of the bitmap (else the 64 block counts:
        as they are for the KNN, scaled to 0..1 for the others)
    hog_params : the HOG parameters, if it does
    n_train : how many training digits it learnt from
    fit_seconds : how long its fit took (HOG features included)
    note : how it was set up, in a few words
    """

    name: str
    model: Any
    uses_hog: bool
    hog_params: tuple[int, int, int] | None
    n_train: int
    fit_seconds: float
    note: str

    def features(self, X: np.ndarray, bitmaps: np.ndarray) -> np.ndarray:
        """What the model reads: HOG features of ``bitmaps`` (n, 32, 32), or the
        block counts ``X`` (n, 64) scaled to 0..1."""
        if self.uses_hog:
            assert self.hog_params is not None
            return hog_features(bitmaps, self.hog_params)
        if isinstance(self.model, IndexClassifier):
            return np.asarray(X)
        return np.asarray(X, dtype=np.float32) / MAX_COUNT

    def predict_proba(self, X: np.ndarray, bitmaps: np.ndarray) -> np.ndarray:
        """Probabilities of the digits 0..9: ndarray of shape (n, 10)."""
        return np.asarray(self.model.predict_proba(self.features(X, bitmaps)))

    @property
    def size_bytes(self) -> int:
        """The fitted model's size, pickled (its training digits for a KNN)."""
        return len(pickle.dumps(self.model, protocol=pickle.HIGHEST_PROTOCOL))


class IndexClassifier:
    """The project's KNN (:class:`digits_knn.neighbors.NeighborIndex`: block counts
    kept as uint8, exact distances) with scikit-learn's ``fit``/``predict_proba``."""

    def __init__(self, n_neighbors: int, p: float, weights: str) -> None:
        self.n_neighbors, self.p, self.weights = n_neighbors, p, weights

    def fit(self, X: np.ndarray, y: np.ndarray) -> IndexClassifier:
        from digits_knn.neighbors import fit_index

        self.index = fit_index(np.asarray(X, dtype=np.uint8), y, p=self.p)
        self.classes_ = self.index.classes
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if len(X) == 1:  # one drawing: the page's own single query, on this thread
            dist, ind = self.index.query(X[0], self.n_neighbors)
            return self.index.predict_proba_from(
                dist[None, :], ind[None, :], weights=self.weights
            )
        neigh_dist, neigh_ind = self.index.kneighbors(X, self.n_neighbors)
        return self.index.predict_proba_from(
            neigh_dist, neigh_ind, weights=self.weights
        )


def training_rows(training: TrainingSet) -> np.ndarray:
    """The training rows every model may learn from: all but the held-out pen fold."""
    return np.flatnonzero(training.folds != HELD_OUT_FOLD)


def comparison_tests(training: TrainingSet) -> dict[str, Collection]:
    """The comparison's test digits: the UCI test split, and the drawn digits of the
    held-out pen writers."""
    drawn = training.tests[DRAWN_TEST]
    return {
        UCI_TEST: training.tests[UCI_TEST],
        DRAWN_TEST: drawn.take(np.flatnonzero(drawn.folds == HELD_OUT_FOLD)),
    }


def _estimators(n_neighbors: int, p: float, weights: str) -> dict[str, tuple[Any, str]]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    return {
        "KNN": (
            IndexClassifier(n_neighbors, p, weights),
            f"k={n_neighbors}, p={p:g}, {weights} votes",
        ),
        "KNN on HOG": (
            KNeighborsClassifier(n_neighbors=7, weights="distance", algorithm="brute"),
            "k=7, distance votes",
        ),
        "SVM (RBF)": (
            CalibratedClassifierCV(SVC(C=10, gamma="scale"), ensemble=False, cv=3),
            "C=10, probabilities calibrated (3 folds)",
        ),
        "random forest": (
            RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=0),
            "100 trees",
        ),
        "logistic regression": (
            LogisticRegression(C=1.0, max_iter=1000),
            "C=1",
        ),
    }


def fit_contenders(
    training: TrainingSet,
    *,
    n_neighbors: int = 7,
    p: float = 2.0,
    weights: str = "distance",
    hog_params: tuple[int, int, int] | None = None,
    only: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Contender]:
    """Fit the five models of the comparison on ``training`` (minus the held-out fold).

    Parameters
    ----------
    training : the page's training data
    n_neighbors, p, weights : the KNN's settings
    hog_params : HOG parameters; None: chosen by :func:`choose_hog` first
    only : names of the models to fit (keys of :data:`SAMPLES`); default all
    progress : callable(message), optional
        Called before each step.

    Returns
    -------
    list of Contender, in the order of :data:`SAMPLES`
    """
    say = progress or (lambda message: None)
    rows = training_rows(training)
    groups = writer_groups(training)
    names = list(SAMPLES) if only is None else [n for n in SAMPLES if n in only]
    if hog_params is None and "KNN on HOG" in names:
        say("choosing the HOG parameters by cross-validation")
        cv_rows = rows[sample_rows(len(rows), HOG_CV_SAMPLE, seed=2)]
        hog_params, _ = choose_hog(
            unpack_bitmaps(training.packed_train[cv_rows]),
            training.y_train[cv_rows],
            groups[cv_rows],
            candidates=HOG_CANDIDATES,
        )
    contenders = []
    estimators = _estimators(n_neighbors, p, weights)
    for name in names:
        model, note = estimators[name]
        say(f"fitting the {name}")
        n = SAMPLES[name]
        chosen = rows if n is None else rows[sample_rows(len(rows), n, seed=1)]
        uses_hog = name == "KNN on HOG"
        started = time.perf_counter()
        contender = Contender(
            name,
            model,
            uses_hog,
            hog_params if uses_hog else None,
            len(chosen),
            0.0,
            note,
        )
        X = contender.features(
            training.X_train[chosen],
            unpack_bitmaps(training.packed_train[chosen]) if uses_hog else np.empty(0),
        )
        model.fit(X, training.y_train[chosen])
        if name == "random forest":
            model.set_params(n_jobs=1)  # one drawing: threads cost more than they save
        seconds = time.perf_counter() - started
        if uses_hog and hog_params is not None:
            note = (
                f"{note}; HOG {hog_params[0]} orientations, {hog_params[1]}x"
                f"{hog_params[1]} px cells, {hog_params[2]}x{hog_params[2]} blocks (by CV)"
            )
        contenders.append(replace(contender, fit_seconds=seconds, note=note))
    return contenders


@dataclass(frozen=True)
class Score:
    """One model's line of the table.

    Attributes
    ----------
    name, note, n_train, fit_seconds : as :class:`Contender`
    accuracy : dict of test set name to accuracy, 0..1
    predict_ms : median time to predict one digit (HOG features included), ms
    size_bytes : the fitted model, pickled
    """

    name: str
    note: str
    n_train: int
    fit_seconds: float
    accuracy: dict[str, float]
    predict_ms: float
    size_bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "setup": self.note,
            "training_digits": self.n_train,
            "accuracy": {name: round(a, 4) for name, a in self.accuracy.items()},
            "fit_seconds": round(self.fit_seconds, 3),
            "predict_ms": round(self.predict_ms, 3),
            "size_bytes": self.size_bytes,
        }


def score_contenders(
    contenders: Sequence[Contender],
    tests: dict[str, Collection],
    *,
    timed: int = 30,
    progress: Callable[[str], None] | None = None,
) -> list[Score]:
    """Accuracy of each model on each test set, and its time to predict one digit
    (median over ``timed`` single digits)."""
    say = progress or (lambda message: None)
    scores = []
    for contender in contenders:
        say(f"scoring the {contender.name}")
        accuracy = {}
        for name, test in tests.items():
            bitmaps = test.bitmaps if contender.uses_hog else np.empty(0)
            proba = contender.predict_proba(test.X, bitmaps)
            predicted = np.asarray(contender.model.classes_)[proba.argmax(axis=1)]
            accuracy[name] = float((predicted == test.y).mean())
        first = next(iter(tests.values()))
        times = []
        for row in range(min(timed, len(first))):
            bitmap = first.bitmaps[row : row + 1] if contender.uses_hog else np.empty(0)
            started = time.perf_counter()
            contender.predict_proba(first.X[row : row + 1], bitmap)
            times.append(1000 * (time.perf_counter() - started))
        scores.append(
            Score(
                contender.name,
                contender.note,
                contender.n_train,
                contender.fit_seconds,
                accuracy,
                float(np.median(times)),
                contender.size_bytes,
            )
        )
    return scores


@dataclass(frozen=True)
class Guess:
    """One model's answer for one drawing: the digit and its probability."""

    name: str
    label: int
    confidence: float


def predict_drawing(
    contenders: Sequence[Contender], features: np.ndarray, bitmap: np.ndarray
) -> list[Guess]:
    """Every model's prediction for one drawing (64 counts and its 32x32 bitmap)."""
    X = np.asarray(features).reshape(1, -1)
    bitmaps = np.asarray(bitmap, dtype=bool)[None]
    guesses = []
    for contender in contenders:
        proba = contender.predict_proba(X, bitmaps)[0]
        best = int(np.argmax(proba))
        label = int(np.asarray(contender.model.classes_)[best])
        guesses.append(Guess(contender.name, label, float(proba[best])))
    return guesses
