"""Model selection: cross-validated grid search over k, p and the vote weights.

Two engines give the same table (``GridSearchCV.cv_results_``'s format):

- :func:`grid_search`, this project's engine. A KNN's candidates share almost all their
  work: for one fold and one p, a single neighbour query at the largest k gives the
  votes of every smaller k, for uniform and distance weights alike, and the search
  algorithm only changes speed. So it runs one query per (fold, p), with distances
  computed as one matrix product (exact for the integer block counts), and scores
  every candidate from it (:mod:`digits_knn.search.distances`). Where its scores differ
  from ``GridSearchCV``'s, the only cause is neighbours at exactly equal distance,
  which the two break differently.
- :func:`grid_search_sklearn`, the tutorial's ``GridSearchCV``, for comparison.

The engine's independent pieces of work run through joblib (threads by default), so
under ``joblib.parallel_backend("dask")`` they run on a Dask cluster.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from digits_knn.search.distances import nearest
from digits_knn.search.model import fit_model, validate_hyperparameters
from digits_knn.tuning.grids import ParamGrid, check_cv, tutorial_param_grid

if TYPE_CHECKING:
    from sklearn.neighbors import KNeighborsClassifier


DEFAULT_CV = 5


@dataclass(frozen=True)
class SearchResult:
    """The outcome of a cross-validated grid search.

    Attributes
    ----------
    best_params : dict
        Plain Python values (``int``/``float``/``str``).
    best_score : float in 0..1
        Mean cross-validated accuracy of ``best_params``.
    cv_results : dict
        ``GridSearchCV.cv_results_``.
    best_estimator : KNeighborsClassifier
        Refitted on all of ``X, y`` with ``best_params``.
    best_index : int
        Row of ``best_params`` in ``cv_results``.
    """

    best_params: dict[str, Any]
    best_score: float
    cv_results: dict[str, Any]
    best_estimator: KNeighborsClassifier
    best_index: int


#: Progress callback: called with (pieces done, pieces in all).
Progress = Callable[[int, int], None]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def grid_search_sklearn(
    X: np.ndarray,
    y: np.ndarray,
    param_grid: ParamGrid | None = None,
    *,
    cv: int = DEFAULT_CV,
    n_jobs: int | None = -1,
    return_train_score: bool = False,
    verbose: int = 0,
) -> SearchResult:
    """Run the tutorial's ``GridSearchCV(KNeighborsClassifier(), grid, scoring="accuracy")``.

    Parameters
    ----------
    X : ndarray of shape (n, 64), integers in 0..16
    y : ndarray of shape (n,), integers in 0..9
    param_grid : dict, default :func:`tutorial_param_grid`
    cv : int >= 2, default 5
        Stratified folds, as ``GridSearchCV`` uses for classifiers.
    n_jobs : int, default -1 (all cores)
    return_train_score : bool, default False
    verbose : int, default 0
        Above 0, joblib reports progress on stderr.

    Returns
    -------
    SearchResult
    """
    from sklearn.model_selection import GridSearchCV  # slow: see digits_knn/__init__
    from sklearn.neighbors import KNeighborsClassifier

    if param_grid is None:
        param_grid = tutorial_param_grid()
    _candidates(param_grid)  # the same checks and messages as the fast engine
    check_cv(y, param_grid, cv)
    search = GridSearchCV(
        KNeighborsClassifier(),
        dict(param_grid),
        cv=cv,
        scoring="accuracy",
        n_jobs=n_jobs,
        return_train_score=return_train_score,
    )
    import joblib

    with joblib.parallel_config(verbose=verbose):
        search.fit(X, y)
    return SearchResult(
        best_params={k: _plain(v) for k, v in search.best_params_.items()},
        best_score=float(search.best_score_),
        cv_results=dict(search.cv_results_),
        best_estimator=search.best_estimator_,
        best_index=int(search.best_index_),
    )


def _vote_scores(
    neigh_sums: np.ndarray,
    neigh_labels: np.ndarray,
    y_true: np.ndarray,
    p: float,
    ks: Sequence[int],
    weights: Sequence[str],
    n_classes: int,
) -> dict[tuple[int, str], float]:
    """Accuracy of every (k, weights) from the neighbour lists of the queries.

    ``neigh_sums[i, j]``: the power sum (distance ** p) from query i to its j-th
    nearest fitted point, whose label is ``neigh_labels[i, j]``; nearest first, equal
    distances by index, which is how a KNN's heap keeps them. Votes are tallied for all
    k at once by a running sum over the neighbours; a tie in the vote goes to the
    smallest label, as in scikit-learn.
    """
    votes = np.eye(n_classes)[neigh_labels]  # (n_queries, k_max, n_classes)
    scores: dict[tuple[int, str], float] = {}
    for weighting in weights:
        if weighting == "distance":
            dist = neigh_sums ** (1.0 / p)
            with np.errstate(divide="ignore"):
                w = 1.0 / dist
            exact = np.isinf(w)
            has_exact = exact.any(axis=1)
            # scikit-learn: a query with neighbours at distance 0 votes with those only.
            w[has_exact] = exact[has_exact]
            tally = np.cumsum(votes * w[:, :, None], axis=1)
        else:
            tally = np.cumsum(votes, axis=1)
        for k in ks:
            predicted = np.argmax(tally[:, k - 1, :], axis=1)
            scores[(k, weighting)] = float(np.mean(predicted == y_true))
    return scores


#: Training digits a fold's train score is measured on, at most (a random sample):
#: scoring all of ninety thousand digits against each other would take minutes.
MAX_TRAIN_SCORE_QUERIES = 2000


def _fold_piece(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    p: float,
    ks: Sequence[int],
    weights: Sequence[str],
    n_classes: int,
    return_train_score: bool,
) -> tuple[dict[tuple[int, str], float], dict[tuple[int, str], float], float, float]:
    """Test (and train) scores of every (k, weights) for one fold and one p, and the
    seconds spent fitting (a brute-force KNN keeps its training rows: one contiguous
    copy) and scoring the validation digits (as GridSearchCV, the train scores' time
    is in neither)."""
    k_max = max(ks)
    start = time.perf_counter()
    X_train = np.ascontiguousarray(X_train)
    fitted = time.perf_counter()
    neigh_dist, neigh_ind = nearest(X_val, X_train, p, k_max)
    test = _vote_scores(
        neigh_dist**p, y_train[neigh_ind], y_val, p, ks, weights, n_classes
    )
    scored = time.perf_counter()
    train: dict[tuple[int, str], float] = {}
    if return_train_score:
        rows = np.arange(len(y_train))
        if len(rows) > MAX_TRAIN_SCORE_QUERIES:
            rows = np.random.default_rng(0).choice(
                rows, MAX_TRAIN_SCORE_QUERIES, replace=False
            )
        neigh_dist, neigh_ind = nearest(X_train[rows], X_train, p, k_max)
        train = _vote_scores(
            neigh_dist**p, y_train[neigh_ind], y_train[rows], p, ks, weights, n_classes
        )
    return test, train, fitted - start, scored - fitted


def _candidates(param_grid: ParamGrid) -> list[dict[str, Any]]:
    from sklearn.model_selection import ParameterGrid  # slow: see digits_knn/__init__

    unknown = set(param_grid) - {"n_neighbors", "p", "weights", "algorithm"}
    if unknown:
        raise ValueError(
            f"the grid can hold n_neighbors, p, weights and algorithm, not {sorted(unknown)}"
        )
    for name, values in param_grid.items():
        if len(values) == 0:
            raise ValueError(f"the grid's {name} list is empty")
    candidates = [
        {name: _plain(value) for name, value in params.items()}
        for params in ParameterGrid(dict(param_grid))
    ]
    for params in candidates:
        validate_hyperparameters(
            n_neighbors=params.get("n_neighbors", 5),
            p=params.get("p", 2),
            algorithm=params.get("algorithm", "auto"),
            weights=params.get("weights", "uniform"),
        )
    return candidates


def grid_search(
    X: np.ndarray,
    y: np.ndarray,
    param_grid: ParamGrid | None = None,
    *,
    cv: int = DEFAULT_CV,
    n_jobs: int | None = -1,
    return_train_score: bool = False,
    progress: Progress | None = None,
    groups: np.ndarray | None = None,
) -> SearchResult:
    """Cross-validated grid search of a KNN, scored like ``GridSearchCV``, much faster.

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
        Block counts (integers 0..16) take the exact, fastest path; any numbers work.
    y : ndarray of shape (n,)
    param_grid : dict, default :func:`tutorial_param_grid`
        Lists of ``n_neighbors``, ``p``, ``weights`` and ``algorithm`` (the last only
        changes speed, so every algorithm gets the same scores).
    cv : int >= 2, default 5
        ``StratifiedKFold(cv)``, the folds ``GridSearchCV`` uses for classifiers.
    n_jobs : int, default -1 (all cores)
        Pieces of work (one per fold and p) run through joblib, preferring threads;
        an enclosing ``joblib.parallel_backend(...)`` (e.g. ``"dask"``) takes over.
    return_train_score : bool, default False
        Also score each candidate on its own training folds (for validation curves).
    progress : callable (done, total), optional
        Called each time a piece of work finishes.
    groups : ndarray of shape (n,), optional
        Who wrote each digit: folds are then ``StratifiedGroupKFold(cv)``, a writer's
        digits all in one fold (a writer the model never saw is what a drawing is).
        Give digits of unknown writers a group of their own each.

    Returns
    -------
    SearchResult
        ``cv_results`` in ``GridSearchCV.cv_results_``'s format.

    Raises
    ------
    ValueError
        An empty grid, an unknown or unusable value, fewer than 2 folds or more folds
        than the rarest class has members, or k larger than the smallest training fold.
    """
    import joblib  # slow: see digits_knn/__init__
    from scipy.stats import rankdata
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    if param_grid is None:
        param_grid = tutorial_param_grid()
    candidates = _candidates(param_grid)
    X = np.asarray(X)
    y = np.asarray(y)
    check_cv(y, param_grid, cv)
    classes, y_index = np.unique(y, return_inverse=True)
    ks = sorted({int(c.get("n_neighbors", 5)) for c in candidates})
    ps = sorted({float(c.get("p", 2)) for c in candidates})
    weights = sorted({str(c.get("weights", "uniform")) for c in candidates})
    if groups is None:
        folds = list(StratifiedKFold(n_splits=cv).split(X, y))
    else:
        folds = list(StratifiedGroupKFold(n_splits=cv).split(X, y, groups))
    jobs = [(i, p) for i in range(cv) for p in ps]

    def work() -> Iterator[Any]:
        for i, p in jobs:
            train, val = folds[i]
            yield joblib.delayed(_fold_piece)(
                X[train],
                y_index[train],
                X[val],
                y_index[val],
                p,
                ks,
                weights,
                len(classes),
                return_train_score,
            )

    outcomes: dict[tuple[int, float], Any] = {}
    parallel = joblib.Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")
    for done, outcome in enumerate(parallel(work()), start=1):
        outcomes[jobs[done - 1]] = outcome
        if progress is not None:
            progress(done, len(jobs))

    n_candidates = len(candidates)
    test = np.empty((n_candidates, cv))
    train = np.empty((n_candidates, cv))
    fit_time = np.empty((n_candidates, cv))
    score_time = np.empty((n_candidates, cv))
    sharing = {p: sum(float(c.get("p", 2)) == p for c in candidates) for p in ps}
    for row, params in enumerate(candidates):
        key = (int(params.get("n_neighbors", 5)), str(params.get("weights", "uniform")))
        p = float(params.get("p", 2))
        for i in range(cv):
            test_scores, train_scores, t_fit, t_score = outcomes[(i, p)]
            test[row, i] = test_scores[key]
            train[row, i] = train_scores.get(key, np.nan)
            # The shared work's time, split evenly among the candidates it served.
            fit_time[row, i] = t_fit / sharing[p]
            score_time[row, i] = t_score / sharing[p]

    results: dict[str, Any] = {}

    def store(name: str, array: np.ndarray, splits: bool, rank: bool = False) -> None:
        if splits:
            for i in range(cv):
                results[f"split{i}_{name}"] = array[:, i]
        means = np.average(array, axis=1)
        results[f"mean_{name}"] = means
        results[f"std_{name}"] = np.sqrt(
            np.average((array - means[:, np.newaxis]) ** 2, axis=1)
        )
        if rank:
            results[f"rank_{name}"] = rankdata(-means, method="min").astype(np.int32)

    store("fit_time", fit_time, splits=False)
    store("score_time", score_time, splits=False)
    for name in sorted(param_grid):
        results[f"param_{name}"] = np.ma.MaskedArray(
            [c[name] for c in candidates], mask=False, dtype=object
        )
    results["params"] = candidates
    store("test_score", test, splits=True, rank=True)
    if return_train_score:
        store("train_score", train, splits=True)

    best_index = int(np.argmin(results["rank_test_score"]))
    best_params = candidates[best_index]
    return SearchResult(
        best_params=best_params,
        best_score=float(results["mean_test_score"][best_index]),
        cv_results=results,
        best_estimator=fit_model(
            X,
            y,
            n_neighbors=int(best_params.get("n_neighbors", 5)),
            p=float(best_params.get("p", 2)),
            algorithm=str(best_params.get("algorithm", "auto")),
            weights=str(best_params.get("weights", "uniform")),
        ),
        best_index=best_index,
    )


def results_table(result: SearchResult) -> list[dict[str, Any]]:
    """One row per candidate: its parameters, mean and std CV accuracy, rank.

    Train accuracy (mean) is included when the search returned train scores.
    """
    cv = result.cv_results
    rows = []
    for i, params in enumerate(cv["params"]):
        row: dict[str, Any] = {
            "n_neighbors": params.get("n_neighbors", 5),
            "p": params.get("p", 2),
            "weights": params.get("weights", "uniform"),
        }
        if "algorithm" in params:
            row["algorithm"] = params["algorithm"]
        row["mean_test_score"] = float(cv["mean_test_score"][i])
        row["std_test_score"] = float(cv["std_test_score"][i])
        if "mean_train_score" in cv:
            row["mean_train_score"] = float(cv["mean_train_score"][i])
        row["rank_test_score"] = int(cv["rank_test_score"][i])
        rows.append(row)
    return rows


def results_to_csv(result: SearchResult) -> str:
    """:func:`results_table` as CSV text, with every split's score too."""
    cv = result.cv_results
    rows = results_table(result)
    split_names = sorted(
        (name for name in cv if name.startswith("split")),
        key=lambda name: (name.split("_", 1)[1], int(name[5 : name.index("_")])),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*rows[0].keys(), *split_names])
    for i, row in enumerate(rows):
        writer.writerow([*row.values(), *(float(cv[name][i]) for name in split_names)])
    return buffer.getvalue()
