"""Model selection: the tutorial's cross-validated grid search over k and p."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import joblib
import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.model import validate_hyperparameters

ParamGrid = Mapping[str, Sequence[Any] | np.ndarray]

#: The tutorial's grid: ``{"n_neighbors": np.arange(2, 20, 2), "p": np.arange(1, 4, 1)}``.
TUTORIAL_K_RANGE = (2, 20, 2)
TUTORIAL_P_VALUES = (1, 2, 3)
DEFAULT_CV = 5


def tutorial_param_grid() -> dict[str, np.ndarray]:
    """The tutorial's grid: k in 2, 4, ..., 18 and p in 1, 2, 3."""
    return {
        "n_neighbors": np.arange(*TUTORIAL_K_RANGE),
        "p": np.arange(TUTORIAL_P_VALUES[0], TUTORIAL_P_VALUES[-1] + 1, 1),
    }


def make_param_grid(
    k_start: int,
    k_stop: int,
    k_step: int,
    p_values: Sequence[float],
    weights: Sequence[str] = ("uniform",),
) -> dict[str, np.ndarray | list[Any]]:
    """A grid from a k range (``range(k_start, k_stop, k_step)``) and a list of p.

    Raises
    ------
    ValueError
        An empty k range or p list, or an unusable value in them.
    """
    if k_step < 1:
        raise ValueError(f"the k step must be at least 1, got {k_step}")
    ks = np.arange(k_start, k_stop, k_step)
    if len(ks) == 0:
        raise ValueError(
            f"the k range {k_start}:{k_stop}:{k_step} is empty (the stop is excluded)"
        )
    if len(p_values) == 0:
        raise ValueError("give at least one value of p")
    if len(weights) == 0:
        raise ValueError("give at least one weighting")
    for k in ks:
        for p in p_values:
            for w in weights:
                validate_hyperparameters(
                    n_neighbors=int(k), p=p, algorithm="auto", weights=w
                )
    grid: dict[str, np.ndarray | list[Any]] = {"n_neighbors": ks, "p": list(p_values)}
    if tuple(weights) != ("uniform",):
        grid["weights"] = list(weights)
    return grid


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
    """

    best_params: dict[str, Any]
    best_score: float
    cv_results: dict[str, Any]
    best_estimator: KNeighborsClassifier


def check_cv(y: np.ndarray, param_grid: ParamGrid, cv: int) -> None:
    """Check that ``cv`` folds can be made of ``y`` and every k fits in a training fold.

    Raises
    ------
    ValueError
    """
    if cv < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {cv}")
    counts = np.bincount(np.asarray(y))
    smallest_class = int(counts[counts > 0].min()) if counts.any() else 0
    if cv > smallest_class:
        raise ValueError(
            f"{cv} folds need at least {cv} examples of every digit; the rarest digit "
            f"has only {smallest_class}"
        )
    smallest_train_fold = len(y) - -(-len(y) // cv)
    k_max = int(max(np.max(param_grid.get("n_neighbors", [1])), 1))
    if k_max > smallest_train_fold:
        raise ValueError(
            f"k = {k_max} is larger than the smallest training fold "
            f"({smallest_train_fold} digits with {cv} folds)"
        )


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def grid_search(
    X: np.ndarray,
    y: np.ndarray,
    param_grid: ParamGrid | None = None,
    *,
    cv: int = DEFAULT_CV,
    n_jobs: int | None = -1,
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
    verbose : int, default 0
        Above 0, joblib reports progress on stderr.

    Returns
    -------
    SearchResult
    """
    if param_grid is None:
        param_grid = tutorial_param_grid()
    check_cv(y, param_grid, cv)
    search = GridSearchCV(
        KNeighborsClassifier(),
        dict(param_grid),
        cv=cv,
        scoring="accuracy",
        n_jobs=n_jobs,
    )
    with joblib.parallel_config(verbose=verbose):
        search.fit(X, y)
    return SearchResult(
        best_params={k: _plain(v) for k, v in search.best_params_.items()},
        best_score=float(search.best_score_),
        cv_results=dict(search.cv_results_),
        best_estimator=search.best_estimator_,
    )
