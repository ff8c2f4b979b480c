from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.data import Split
from digits_knn.model import HyperparameterError
from digits_knn.selection import grid_search, make_param_grid, tutorial_param_grid


def test_tutorial_grid_search_matches_gridsearchcv(split: Split) -> None:
    """The tutorial's grid search, and GridSearchCV run directly, agree exactly."""
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=0.2, random_state=1337
    )
    grid = {"n_neighbors": np.arange(2, 20, 2), "p": np.arange(1, 4, 1)}
    direct = GridSearchCV(KNeighborsClassifier(), grid, scoring="accuracy", n_jobs=-1)
    direct.fit(X_train, y_train)

    result = grid_search(split.X_train, split.y_train, tutorial_param_grid())
    assert result.best_params == {k: v.item() for k, v in direct.best_params_.items()}
    assert result.best_score == direct.best_score_
    assert_allclose(
        result.cv_results["mean_test_score"], direct.cv_results_["mean_test_score"]
    )
    assert result.best_estimator.score(split.X_test, split.y_test) == (
        direct.best_estimator_.score(X_test, y_test)
    )


def test_make_param_grid() -> None:
    grid = make_param_grid(2, 20, 2, [1, 2, 3])
    assert list(grid["n_neighbors"]) == list(range(2, 20, 2))
    assert grid["p"] == [1, 2, 3]
    assert "weights" not in grid
    assert make_param_grid(1, 3, 1, [2], ["uniform", "distance"])["weights"] == [
        "uniform",
        "distance",
    ]


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((5, 5, 1, [2]), ValueError, "empty"),
        ((20, 2, 2, [2]), ValueError, "empty"),
        ((2, 10, 0, [2]), ValueError, "step"),
        ((2, 10, 2, []), ValueError, "at least one value of p"),
        ((0, 4, 1, [2]), HyperparameterError, "at least 1"),
        ((2, 4, 1, [0.5]), HyperparameterError, "p must be at least 1"),
    ],
)
def test_make_param_grid_rejects_bad_ranges(
    args: tuple[Any, ...], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make_param_grid(*args)


@pytest.mark.parametrize(
    ("grid", "cv", "message"),
    [
        ({"n_neighbors": [3], "p": [2]}, 1, "at least 2 folds"),
        ({"n_neighbors": [3], "p": [2]}, 500, "rarest digit"),
        ({"n_neighbors": [1200], "p": [2]}, 5, "smallest training fold"),
    ],
)
def test_grid_search_rejects_impossible_folds(
    split: Split, grid: dict[str, list[int]], cv: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        grid_search(split.X_train, split.y_train, grid, cv=cv)
