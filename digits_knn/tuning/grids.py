"""The grids a search runs over: the tutorial's (k in 2, 4, ..., 18 and p in 1, 2, 3), one
built from a k range and lists of p and votes, and the checks that folds can be made
of the data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from digits_knn.search.model import validate_hyperparameters

if TYPE_CHECKING:
    pass


ParamGrid = Mapping[str, Sequence[Any] | np.ndarray]


#: The tutorial's grid: ``{"n_neighbors": np.arange(2, 20, 2), "p": np.arange(1, 4, 1)}``.
TUTORIAL_K_RANGE = (2, 20, 2)


TUTORIAL_P_VALUES = (1, 2, 3)


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
    k_max = int(max(np.max(np.asarray(param_grid.get("n_neighbors", [5]))), 1))
    if k_max > smallest_train_fold:
        raise ValueError(
            f"k = {k_max} is larger than the smallest training fold "
            f"({smallest_train_fold} digits with {cv} folds)"
        )
