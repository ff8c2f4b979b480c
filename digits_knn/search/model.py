"""The k-nearest-neighbours classifier: fitting from plain hyperparameters, explaining."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast, get_args

import numpy as np

from digits_knn.features.preprocessing import MAX_COUNT, N_FEATURES

if TYPE_CHECKING:
    from sklearn.neighbors import KNeighborsClassifier

Algorithm = Literal["auto", "ball_tree", "kd_tree", "brute"]
Weights = Literal["uniform", "distance"]
ALGORITHMS: tuple[Algorithm, ...] = get_args(Algorithm)
WEIGHTS: tuple[Weights, ...] = get_args(Weights)

#: The tutorial's model: ``KNeighborsClassifier(n_neighbors=20, algorithm="kd_tree", p=2)``.
DEFAULT_N_NEIGHBORS = 20
DEFAULT_P = 2.0
DEFAULT_ALGORITHM: Algorithm = "kd_tree"
DEFAULT_WEIGHTS: Weights = "uniform"
#: The drawing view's model (and ``predict``'s), chosen by cross-validation grouped by
#: writer across the collections (``benchmarks/source_mix.py``): 7 neighbours, votes
#: weighted by 1/distance, searched by brute force (on 91,000 digits in 64 dimensions a
#: tree is slower; the answers are the same up to neighbours at equal distance).
DRAWING_N_NEIGHBORS = 7
DRAWING_WEIGHTS: Weights = "distance"
DRAWING_ALGORITHM: Algorithm = "brute"


#: Largest Minkowski p accepted: past it the distance is, to print precision, the largest
#: block difference (Chebyshev), and 16**p would leave the floating-point range.
MAX_P = 100


class HyperparameterError(ValueError):
    """A hyperparameter a KNN cannot use, with a message a learner understands."""


def validate_hyperparameters(
    *,
    n_neighbors: int,
    p: float,
    algorithm: str,
    weights: str,
    n_train: int | None = None,
) -> None:
    """Check KNN hyperparameters, raising :class:`HyperparameterError` if one is unusable.

    Parameters
    ----------
    n_neighbors : int >= 1, at most ``n_train``
    p : float in 1..MAX_P (100)
        Minkowski exponent: 1 is the Manhattan (L1) distance, 2 the Euclidean (L2).
    algorithm : {"auto", "ball_tree", "kd_tree", "brute"}
    weights : {"uniform", "distance"}
    n_train : int, optional
        Number of training samples, to check ``n_neighbors`` against.
    """
    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, (int, np.integer)):
        raise HyperparameterError(
            f"k (n_neighbors) must be a whole number, got {n_neighbors!r}"
        )
    if n_neighbors < 1:
        raise HyperparameterError(
            f"k (n_neighbors) must be at least 1, got {n_neighbors}: "
            "the model needs at least one neighbour to vote"
        )
    if n_train is not None and n_neighbors > n_train:
        raise HyperparameterError(
            f"k (n_neighbors) = {n_neighbors} is larger than the training set "
            f"({n_train} digits): there are not that many neighbours to ask"
        )
    if not isinstance(p, (int, float, np.integer, np.floating)) or isinstance(p, bool):
        raise HyperparameterError(f"p must be a number, got {p!r}")
    if not np.isfinite(p) or p < 1:
        raise HyperparameterError(
            f"p must be at least 1, got {p}: below 1 the Minkowski 'distance' breaks "
            "the triangle inequality and is no distance (p=1 is Manhattan, p=2 Euclidean)"
        )
    if p > MAX_P:
        raise HyperparameterError(
            f"p must be at most {MAX_P}, got {p:g}: beyond that the distance is the "
            "largest block difference whatever p is"
        )
    if algorithm not in ALGORITHMS:
        raise HyperparameterError(
            f"unknown search algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}"
        )
    if weights not in WEIGHTS:
        raise HyperparameterError(
            f"unknown weights {weights!r}; choose one of {', '.join(WEIGHTS)}"
        )


def fit_model(
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_neighbors: int = DEFAULT_N_NEIGHBORS,
    p: float = DEFAULT_P,
    algorithm: str = DEFAULT_ALGORITHM,
    weights: str = DEFAULT_WEIGHTS,
) -> KNeighborsClassifier:
    """Fit a fresh ``KNeighborsClassifier`` from plain hyperparameters.

    Parameters
    ----------
    X : ndarray of shape (n, 64), integers in 0..16
    y : ndarray of shape (n,), integers in 0..9
    n_neighbors, p, algorithm, weights
        See :func:`validate_hyperparameters`. The defaults are the tutorial's.

    Returns
    -------
    KNeighborsClassifier
        Fitted. A whole-number ``p`` is passed as an ``int``, as the tutorial does.

    Raises
    ------
    HyperparameterError
    """
    validate_hyperparameters(
        n_neighbors=n_neighbors,
        p=p,
        algorithm=algorithm,
        weights=weights,
        n_train=len(y),
    )
    from sklearn.neighbors import KNeighborsClassifier  # slow: see digits_knn/__init__

    model = KNeighborsClassifier(
        n_neighbors=int(n_neighbors),
        p=sklearn_p(p),
        algorithm=cast(Algorithm, algorithm),
        weights=cast(Weights, weights),
    )
    return model.fit(X, y)


@dataclass(frozen=True)
class Neighbor:
    """One training digit that voted.

    Attributes
    ----------
    index : int
        Row in the model's training set (``X_train``).
    label : int in 0..9
    distance : float >= 0
        Minkowski distance with the model's ``p``, in feature units (block counts).
    """

    index: int
    label: int
    distance: float


@dataclass(frozen=True)
class Explanation:
    """Why the model predicts what it predicts for one digit.

    Attributes
    ----------
    label : int in 0..9
        The predicted digit (``model.predict``).
    probabilities : ndarray of shape (n_classes,), floats in 0..1 summing to 1
        ``model.predict_proba``, indexed like ``classes``.
    classes : ndarray of shape (n_classes,)
    neighbors : list of Neighbor, nearest first, length k
    votes : dict of int to int
        How many of the k neighbours carry each label (labels with no vote left out).
    weights : dict of int to float
        The vote weight per label: equal to ``votes`` for uniform weights, the sum of
        1/distance for distance weights.
    """

    label: int
    probabilities: np.ndarray
    classes: np.ndarray
    neighbors: list[Neighbor]
    votes: dict[int, int]
    weights: dict[int, float]

    @property
    def confidence(self) -> float:
        """Probability of the predicted digit, 0..1."""
        return float(self.probabilities[list(self.classes).index(self.label)])

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict: label, probabilities (by digit), neighbors, votes."""
        return {
            "label": self.label,
            "confidence": round(self.confidence, 6),
            "probabilities": {
                str(c): round(float(pr), 6)
                for c, pr in zip(self.classes, self.probabilities, strict=True)
            },
            "neighbors": [
                {"index": n.index, "label": n.label, "distance": round(n.distance, 6)}
                for n in self.neighbors
            ],
            "votes": {str(k): v for k, v in self.votes.items()},
        }


def check_features(features: np.ndarray) -> np.ndarray:
    """One digit's features, checked: ndarray of shape (64,), float64 in 0..16.

    Raises
    ------
    ValueError
        Another shape, or values outside 0..16.
    """
    x = np.asarray(features, dtype=np.float64)
    if x.shape != (N_FEATURES,):
        raise ValueError(f"expected 64 features of shape (64,), got shape {x.shape}")
    if np.any(x < 0) or np.any(x > MAX_COUNT):
        raise ValueError("features must be block counts in 0..16")
    return x


def sklearn_p(p: float) -> float:
    """``p`` as scikit-learn is given it: a whole number as an ``int``, as the tutorial."""
    return int(p) if float(p).is_integer() else float(p)


def fitted_digits(model: KNeighborsClassifier) -> tuple[np.ndarray, np.ndarray]:
    """The training digits a fitted KNN keeps (it keeps them all: that is its model).

    The one place the project reads scikit-learn's private fitted attributes
    (``_fit_X``, ``_y``): scikit-learn has no public accessor for a KNN's training
    data. ``tests/test_model.py`` pins them for the scikit-learn in
    ``requirements.txt``. Use it only on models this project fitted (a loaded file is
    refitted first: :mod:`digits_knn.search.persistence`).

    Returns
    -------
    X : ndarray of shape (n_samples_fit, 64)
    y : ndarray of shape (n_samples_fit,), the labels
    """
    X = np.asarray(model._fit_X)
    y = np.asarray(model.classes_)[np.asarray(model._y)]
    return X, y
