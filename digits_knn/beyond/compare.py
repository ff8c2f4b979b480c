"""Beyond KNN: the tutorial's next steps, measured beside the KNN on the same digits.

The tutorial ends by pointing onward: HOG features, "more complex classifiers like the
SVM or Random Forest", and models that fit parameters instead of storing their data.
:func:`fit_contenders` fits them on a training source's digits and
:func:`digits_knn.beyond.scores.score_contenders` measures each on the same test digits:

- the KNN (k, p and votes as given: the page's sidebar, or the drawing view's);
- the tutorial's KNN (k=20, a KD-tree, uniform votes) and the KNN the tutorial's grid
  search picks (k in 2..18, p in 1..3, cross-validated on the training digits);
- a KNN on HOG features of the 32x32 bitmap (:func:`digits_knn.features.hog.hog_features`);
- an SVM with an RBF kernel, its probabilities calibrated by cross-validation;
- a random forest;
- a logistic regression, the linear baseline.

Every model learns without the pen digits of one writer fold (:data:`HELD_OUT_FOLD`)
and is tested on that fold's drawn digits (writers it never saw) and on the tutorial's
UCI test split. Each model's hyperparameters are chosen from a small stated grid
(:data:`GRIDS`) by cross-validation grouped by writer on its training digits, never
on a test set. The models that would take minutes on 90,000 digits learn from a
sample of them (:data:`SAMPLES`), **stratified by source** (:func:`stratified_rows`):
all of the tutorial's training scans, whatever the sample's size, then the rest drawn
evenly from the other sources.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from digits_knn.datasets.training import (
    DRAWN_TEST,
    UCI_DIGITS,
    UCI_TEST,
    Collection,
    TrainingSet,
    writer_groups,
)
from digits_knn.features.hog import hog_features
from digits_knn.features.preprocessing import MAX_COUNT, unpack_bitmaps

#: The pen writers' fold every model learns without, and is tested on.
HELD_OUT_FOLD = 0
#: The table's KNNs: the given settings (the sidebar's), the tutorial's, and the one
#: the tutorial's grid search picks.
KNN = "KNN"
TUTORIAL_KNN = "the tutorial's KNN"
SEARCHED_KNN = "KNN, grid-searched"
#: Training digits each model learns from (None: all of them), stratified by source
#: (:func:`stratified_rows`). An RBF SVM's fit grows with the square of the digits and
#: a forest's size with their number.
SAMPLES: dict[str, int | None] = {
    KNN: None,
    TUTORIAL_KNN: None,
    SEARCHED_KNN: None,
    "KNN on HOG": 10_000,
    "SVM (RBF)": 15_000,
    "random forest": 10_000,
    "logistic regression": 20_000,
}
#: HOG parameters tried: (orientations, pixels per cell, cells per block) on the 32x32
#: bitmap. A binary bitmap's gradients point in only 4 directions (0, 45, 90 and 135
#: degrees), so 4 orientations keep all that 9 would, in 4/9 of the features (the same
#: distances and accuracies, measured).
HOG_CANDIDATES = ((4, 4, 2), (4, 8, 2), (4, 8, 1))
#: Each model's small grid, searched by cross-validation on its own training digits.
GRIDS: dict[str, dict[str, tuple[Any, ...]]] = {
    SEARCHED_KNN: {"n_neighbors": tuple(range(2, 20, 2)), "p": (1, 2, 3)},
    "KNN on HOG": {"hog": HOG_CANDIDATES, "n_neighbors": (1, 3, 7)},
    "SVM (RBF)": {"C": (1, 10, 100)},
    "random forest": {"max_features": ("sqrt", 0.25)},
    "logistic regression": {"C": (0.1, 1, 10)},
}
#: Folds and digits (a stratified sample of the model's own) of each model's search;
#: the grid-searched KNN's as the tutorial's (5 folds), on more digits (it is fast).
CV_FOLDS = 3
CV_SAMPLE = 3000
SEARCH_FOLDS = 5
SEARCH_SAMPLE = 10_000
#: The tutorial's KNN: k=20, a KD-tree, uniform votes, p=2.
TUTORIAL_N_NEIGHBORS = 20
#: The test sets of the comparison.
TESTS = (UCI_TEST, DRAWN_TEST)

#: What a model reads: the 64 block counts as they are, the counts scaled to 0..1, or
#: HOG features of the 32x32 bitmap.
Reads = Literal["counts", "scaled", "HOG"]


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


def stratified_rows(
    training: TrainingSet, rows: np.ndarray, n: int | None, *, seed: int = 1
) -> np.ndarray:
    """``n`` of ``rows`` stratified by source: every UCI training scan among them
    (whatever ``n``), then the rest drawn at random, evenly from the other sources (a
    source with fewer than its share gives all it has; the others share what is left).

    Parameters
    ----------
    training : the rows' training set (its ``sizes`` name the sources)
    rows : ndarray of int, ascending training rows to draw from
    n : how many; None, or at least ``len(rows)``: all of them

    Returns
    -------
    ndarray of int, ascending
    """
    if n is None or n >= len(rows):
        return rows
    names = list(training.sizes)
    source = training.row_sources()[rows]
    scans = [rows[source == i] for i, name in enumerate(names) if name == UCI_DIGITS]
    pools = sorted(
        (rows[source == i] for i, name in enumerate(names) if name != UCI_DIGITS),
        key=len,
    )
    rng = np.random.default_rng(seed)
    chosen = list(scans)
    left = n - sum(len(s) for s in scans)
    for i, pool in enumerate(pools):
        take = min(max(left, 0) // (len(pools) - i), len(pool))
        chosen.append(rng.choice(pool, take, replace=False))
        left -= take
    return np.sort(np.concatenate(chosen))


def sample_note(training: TrainingSet, rows: np.ndarray) -> str:
    """Which training digits ``rows`` are, by source, in words."""
    names = list(training.sizes)
    counts = np.bincount(training.row_sources()[rows], minlength=len(names))
    every = np.bincount(
        training.row_sources()[training_rows(training)], minlength=len(names)
    )
    parts = " + ".join(
        f"{'all ' if c == e else ''}{c:,} {name}"
        for name, c, e in zip(names, counts, every, strict=True)
        if c
    )
    return f"learns from {parts}"


def choose_settings(
    name: str,
    X: np.ndarray,
    bitmaps: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
) -> tuple[dict[str, Any], float]:
    """The settings of :data:`GRIDS` ``[name]`` with the best mean validation accuracy
    in folds grouped by writer (:data:`CV_FOLDS`; the grid-searched KNN's
    :data:`SEARCH_FOLDS`, by :func:`digits_knn.tuning.selection.grid_search`).

    Parameters
    ----------
    name : a key of :data:`GRIDS`
    X : ndarray of shape (n, 64), block counts 0..16
    bitmaps : ndarray of shape (n, 32, 32), bool (read for HOG only)
    y : ndarray of shape (n,), labels
    groups : ndarray of shape (n,), writers (one group per digit of an unknown one)

    Returns
    -------
    settings : dict of the grid's names to the chosen values
    score : their mean validation accuracy, 0..1
    """
    from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    grid = GRIDS[name]
    if name == SEARCHED_KNN:
        from digits_knn.tuning.selection import grid_search

        found = grid_search(X, y, grid, cv=SEARCH_FOLDS, groups=groups)
        return found.best_params, found.best_score
    splits = list(GroupKFold(n_splits=CV_FOLDS).split(X, y, groups))
    if name == "KNN on HOG":
        scores = {}
        for params in grid["hog"]:
            features = hog_features(bitmaps, params)
            for k in grid["n_neighbors"]:
                knn = KNeighborsClassifier(n_neighbors=k, weights="distance")
                scores[params, k] = float(
                    cross_val_score(knn, features, y, cv=splits).mean()
                )
        (params, k) = max(scores, key=lambda key: scores[key])
        return {"hog": params, "n_neighbors": k}, scores[params, k]
    search = GridSearchCV(_estimator(name, {}), grid, cv=splits)
    search.fit(np.asarray(X, dtype=np.float32) / MAX_COUNT, y)
    return dict(search.best_params_), float(search.best_score_)


@dataclass(frozen=True)
class Contender:
    """A fitted model of the comparison.

    Attributes
    ----------
    name : its name in the table
    model : a fitted classifier with ``classes_`` and ``predict_proba``
    reads : what it reads (:data:`Reads`)
    hog_params : the HOG parameters, if it reads HOG
    n_train : how many training digits it learnt from
    fit_seconds : how long its fit took (choosing its settings and HOG included)
    note : how it was set up and what it learnt from, in a few words
    """

    name: str
    model: Any
    reads: Reads
    hog_params: tuple[int, int, int] | None
    n_train: int
    fit_seconds: float
    note: str

    @property
    def uses_hog(self) -> bool:
        """Whether it reads HOG features of the bitmap."""
        return self.reads == "HOG"

    def features(self, X: np.ndarray, bitmaps: np.ndarray) -> np.ndarray:
        """What the model reads: HOG features of ``bitmaps`` (n, 32, 32), or the
        block counts ``X`` (n, 64), as they are or scaled to 0..1."""
        if self.reads == "HOG":
            assert self.hog_params is not None
            return hog_features(bitmaps, self.hog_params)
        if self.reads == "counts":
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
    """The project's KNN (:class:`digits_knn.search.neighbors.NeighborIndex`: block counts
    kept as uint8, exact distances) with scikit-learn's ``fit``/``predict_proba``."""

    def __init__(self, n_neighbors: int, p: float, weights: str) -> None:
        self.n_neighbors, self.p, self.weights = n_neighbors, p, weights

    def fit(self, X: np.ndarray, y: np.ndarray) -> IndexClassifier:
        from digits_knn.search.neighbors import fit_index

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


def _estimator(name: str, settings: dict[str, Any]) -> Any:
    """An unfitted model of the comparison, with its chosen ``settings``."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    if name == TUTORIAL_KNN:  # exact search: the KD-tree's neighbours, found faster
        return IndexClassifier(TUTORIAL_N_NEIGHBORS, 2.0, "uniform")
    if name == SEARCHED_KNN:
        return IndexClassifier(settings["n_neighbors"], settings["p"], "uniform")
    if name == "KNN on HOG":
        return KNeighborsClassifier(
            n_neighbors=settings["n_neighbors"], weights="distance", algorithm="brute"
        )
    if name == "SVM (RBF)":
        svm = SVC(C=settings.get("C", 1.0), gamma="scale")
        # the search scores the SVM itself; the table's, calibrated, gives probabilities
        return (
            svm if not settings else CalibratedClassifierCV(svm, ensemble=False, cv=3)
        )
    if name == "random forest":
        return RandomForestClassifier(
            n_estimators=100,
            max_features=settings.get("max_features", "sqrt"),
            n_jobs=-1,
            random_state=0,
        )
    if name == "logistic regression":
        return LogisticRegression(C=settings.get("C", 1.0), max_iter=2000)
    raise ValueError(f"unknown model {name!r}; choose one of {', '.join(SAMPLES)}")


def _setup_note(name: str, settings: dict[str, Any]) -> str:
    """The chosen settings, and the grid they were chosen from, in a few words."""
    if name == TUTORIAL_KNN:
        return f"k={TUTORIAL_N_NEIGHBORS}, p=2, uniform votes: the tutorial's"
    grid = GRIDS[name]
    if name == SEARCHED_KNN:
        return (
            f"k={settings['n_neighbors']}, p={settings['p']:g}, uniform votes: the "
            f"tutorial's grid (k 2..18, p 1..3), {SEARCH_FOLDS}-fold CV by writer"
        )
    by_cv = f"{CV_FOLDS}-fold CV by writer"
    if name == "KNN on HOG":
        o, cell, block = settings["hog"]
        return (
            f"k={settings['n_neighbors']}, distance votes, HOG {o} orientations, "
            f"{cell}x{cell} px cells, {block}x{block} blocks: chosen of "
            f"{len(grid['hog'])} HOG settings x k "
            f"{', '.join(map(str, grid['n_neighbors']))} by {by_cv}"
        )
    chosen = ", ".join(f"{key}={value}" for key, value in settings.items())
    tried = "; ".join(
        f"{key} {', '.join(map(str, values))}" for key, values in grid.items()
    )
    extra = {
        "SVM (RBF)": "; probabilities calibrated (3 folds)",
        "random forest": "; 100 trees",
    }.get(name, "")
    return f"{chosen}: chosen of {tried} by {by_cv}{extra}"


def progress_steps(names: Sequence[str]) -> int:
    """How many messages :func:`fit_contenders` and
    :func:`digits_knn.beyond.scores.score_contenders` give for the models ``names``: a
    search for each with a grid, a fit and a score each."""
    return sum(1 + (name in GRIDS) + 1 for name in names)


def fit_contenders(
    training: TrainingSet,
    *,
    n_neighbors: int = 7,
    p: float = 2.0,
    weights: str = "distance",
    only: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Contender]:
    """Fit the models of the comparison on ``training`` (minus the held-out fold),
    each with the settings its cross-validated grid chooses (:data:`GRIDS`).

    Parameters
    ----------
    training : the training data
    n_neighbors, p, weights : the KNN's settings (the table's first row)
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
    contenders = []
    for name in names:
        started = time.perf_counter()
        chosen = stratified_rows(training, rows, SAMPLES[name])
        reads: Reads = "scaled"
        settings: dict[str, Any] = {}
        if name in (KNN, TUTORIAL_KNN, SEARCHED_KNN):
            reads = "counts"
        elif name == "KNN on HOG":
            reads = "HOG"
        if name in GRIDS:
            say(f"{name}: choosing its settings by cross-validation")
            cv_rows = stratified_rows(
                training,
                chosen,
                SEARCH_SAMPLE if name == SEARCHED_KNN else CV_SAMPLE,
                seed=2,
            )
            settings, _ = choose_settings(
                name,
                training.X_train[cv_rows],
                unpack_bitmaps(training.packed_train[cv_rows])
                if reads == "HOG"
                else np.empty(0),
                training.y_train[cv_rows],
                groups[cv_rows],
            )
        say(f"{name}: fitting")
        if name == KNN:
            model: Any = IndexClassifier(n_neighbors, p, weights)
            note = f"k={n_neighbors}, p={p:g}, {weights} votes"
        else:
            model, note = _estimator(name, settings), _setup_note(name, settings)
        hog_params = settings.get("hog")
        contender = Contender(name, model, reads, hog_params, len(chosen), 0.0, "")
        X = contender.features(
            training.X_train[chosen],
            unpack_bitmaps(training.packed_train[chosen])
            if reads == "HOG"
            else np.empty(0),
        )
        model.fit(X, training.y_train[chosen])
        if name == "random forest":
            model.set_params(n_jobs=1)  # one drawing: threads cost more than they save
        seconds = time.perf_counter() - started
        note = f"{note}; {sample_note(training, chosen)}"
        contenders.append(replace(contender, fit_seconds=seconds, note=note))
    return contenders
