"""KNN regression: "finish my digit" from the half of it that is visible.

The tutorial's second use of KNN: "get the distance, or similarity, between the new
sample and each of the neighbors, and average their features using the similarity as
the averaging weight". Here the features to predict are the 32 block counts of one half
of a digit (the *hidden* half: lower, upper, left or right), and the features the
neighbours are found by are the 32 counts of the other half. A scikit-learn
``KNeighborsRegressor`` does exactly that; k and the weights are chosen by
cross-validation grouped by writer (:func:`choose_completion`).

Block counts are laid out row-major as in ``load_digits().data``: feature ``8 * r + c``
is block row ``r``, block column ``c`` (0..7 each).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np

from digits_knn.features.preprocessing import (
    BITMAP_SIZE,
    GRID_SIZE,
    MAX_COUNT,
    N_FEATURES,
    unpack_bitmaps,
)

if TYPE_CHECKING:
    from sklearn.neighbors import KNeighborsRegressor

Half = Literal["lower", "upper", "left", "right"]
#: The halves that can be hidden, the default first.
HALVES: tuple[Half, ...] = get_args(Half)
#: The k values and weightings :func:`choose_completion` tries.
K_CANDIDATES = (1, 3, 5, 7, 10, 15, 20, 30, 40)
WEIGHT_CANDIDATES = ("uniform", "distance")
#: Training digits :func:`choose_completion` completes to score each setting.
CV_QUERIES = 2000


def _check_half(half: str) -> Half:
    if half not in HALVES:
        raise ValueError(f"half must be one of {', '.join(HALVES)}; got {half!r}")
    return half


def hidden_blocks(half: str) -> np.ndarray:
    """Which of the 8x8 blocks are hidden: ndarray of shape (8, 8), bool.

    Examples
    --------
    >>> hidden_blocks("lower")[:, 0].tolist()
    [False, False, False, False, True, True, True, True]
    >>> hidden_blocks("left")[0].tolist()
    [True, True, True, True, False, False, False, False]
    """
    half = _check_half(half)
    rows, cols = np.mgrid[:GRID_SIZE, :GRID_SIZE]
    middle = GRID_SIZE // 2
    return {
        "lower": rows >= middle,
        "upper": rows < middle,
        "left": cols < middle,
        "right": cols >= middle,
    }[half]


def hidden_features(half: str) -> np.ndarray:
    """Feature numbers (0..63, ascending) of the hidden half: ndarray of shape (32,)."""
    return np.flatnonzero(hidden_blocks(half).ravel())


def visible_features(half: str) -> np.ndarray:
    """Feature numbers (0..63, ascending) of the visible half: ndarray of shape (32,)."""
    return np.flatnonzero(~hidden_blocks(half).ravel())


def hidden_pixels(half: str) -> np.ndarray:
    """Which pixels of a 32x32 bitmap are hidden: ndarray of shape (32, 32), bool."""
    scale = BITMAP_SIZE // GRID_SIZE
    return np.kron(hidden_blocks(half), np.ones((scale, scale), dtype=bool))


def neighbor_weights(neigh_dist: np.ndarray, weights: str) -> np.ndarray:
    """The averaging weights of neighbours, summing to 1 along the last axis.

    As ``KNeighborsRegressor``: "uniform" gives each of the k the same weight,
    "distance" weighs each by 1 / distance, and a neighbour at distance 0 takes all
    the weight (shared with others at distance 0).

    Parameters
    ----------
    neigh_dist : ndarray of shape (k,) or (n_queries, k), >= 0
    weights : {"uniform", "distance"}

    Returns
    -------
    ndarray of the shape of ``neigh_dist``, float64 in 0..1

    Examples
    --------
    >>> neighbor_weights(np.array([1.0, 3.0]), "distance").round(2).tolist()
    [0.75, 0.25]
    >>> neighbor_weights(np.array([0.0, 3.0]), "distance").tolist()
    [1.0, 0.0]
    """
    dist = np.asarray(neigh_dist, dtype=np.float64)
    if weights == "uniform":
        raw = np.ones_like(dist)
    elif weights == "distance":
        exact = dist == 0
        with np.errstate(divide="ignore"):
            raw = np.where(exact.any(axis=-1, keepdims=True), exact, 1.0 / dist)
    else:
        raise ValueError(f"weights must be 'uniform' or 'distance', got {weights!r}")
    return raw / raw.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Completion:
    """One digit finished by its neighbours.

    Attributes
    ----------
    features : ndarray of shape (64,), float64 in 0..16
        The digit's block counts with the hidden half replaced by the prediction.
    hidden : ndarray of shape (8, 8), bool
        Which blocks were predicted.
    neigh_ind : ndarray of shape (k,)
        The neighbours' training rows, nearest first (nearest by the visible half).
    neigh_dist : ndarray of shape (k,)
        Their distances over the 32 visible counts.
    weights : ndarray of shape (k,), summing to 1
        How much each neighbour's hidden half counts in the average.
    """

    features: np.ndarray
    hidden: np.ndarray
    neigh_ind: np.ndarray
    neigh_dist: np.ndarray
    weights: np.ndarray

    def picture(self, packed: np.ndarray) -> np.ndarray:
        """The neighbours' own 32x32 bitmaps averaged with :attr:`weights`.

        Parameters
        ----------
        packed : ndarray of shape (k, 128), uint8
            The neighbours' bit-packed bitmaps, in the order of :attr:`neigh_ind`.

        Returns
        -------
        ndarray of shape (32, 32), float64 in 0..1: the share of weight with ink there
        """
        bitmaps = unpack_bitmaps(packed).astype(np.float64)
        return np.tensordot(self.weights, bitmaps, axes=1)


class Completer:
    """A ``KNeighborsRegressor`` from the visible half's 32 counts to the hidden half's.

    Build one with :func:`fit_completer`. Immutable after fitting and safe to share.

    Attributes
    ----------
    half : {"lower", "upper", "left", "right"}
        The half it predicts.
    regressor : KNeighborsRegressor
        Fitted on the training digits' visible counts (uint8, shared) with their
        hidden counts as 32 targets.
    """

    def __init__(
        self, half: Half, regressor: KNeighborsRegressor, targets: np.ndarray
    ) -> None:
        self.half = half
        self.regressor = regressor
        self._visible = visible_features(half)
        self._hidden = hidden_features(half)
        #: ndarray of shape (n, 32), uint8: the training digits' hidden halves, the
        #: regressor's targets (kept here, not read back from scikit-learn's privates).
        self.targets = targets
        #: ndarray of shape (32,): the training digits' mean hidden half (a baseline).
        self.mean_hidden = targets.mean(axis=0, dtype=np.float64)

    @property
    def n_neighbors(self) -> int:
        return int(self.regressor.n_neighbors)

    @property
    def weights(self) -> str:
        return str(self.regressor.weights)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Complete many digits.

        Parameters
        ----------
        X : ndarray of shape (n, 64), block counts in 0..16
            The hidden half's values are ignored.

        Returns
        -------
        ndarray of shape (n, 64), float64 in 0..16
            ``X`` with the hidden half replaced by the prediction.
        """
        X = check_counts(X)
        out = X.astype(np.float64)
        out[:, self._hidden] = self.regressor.predict(X[:, self._visible])
        return out

    def complete(self, features: np.ndarray) -> Completion:
        """Complete one digit and say which neighbours were averaged, how much each.

        Parameters
        ----------
        features : ndarray of shape (64,), block counts in 0..16

        Returns
        -------
        Completion
        """
        x = check_counts(np.asarray(features).reshape(1, -1))
        neigh_dist, neigh_ind = self.regressor.kneighbors(x[:, self._visible])
        weights = neighbor_weights(neigh_dist[0], self.weights)
        targets = self.targets[neigh_ind[0]].astype(np.float64)
        completed = x[0].astype(np.float64)
        completed[self._hidden] = weights @ targets
        return Completion(
            features=completed,
            hidden=hidden_blocks(self.half),
            neigh_ind=neigh_ind[0],
            neigh_dist=neigh_dist[0],
            weights=weights,
        )


def check_counts(X: np.ndarray) -> np.ndarray:
    """``X`` as an (n, 64) array of block counts, or ValueError saying what is wrong."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != N_FEATURES:
        raise ValueError(f"expected block counts of shape (n, 64), got {X.shape}")
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(
        X.dtype, np.complexfloating
    ):
        raise ValueError("block counts must be numbers")
    if X.size and (not np.isfinite(X).all() or X.min() < 0 or X.max() > MAX_COUNT):
        raise ValueError("block counts must lie in 0..16")
    return X


def fit_completer(
    X: np.ndarray,
    half: str = "lower",
    *,
    n_neighbors: int = 10,
    weights: str = "distance",
) -> Completer:
    """Fit a completer of ``half`` on training digits.

    Parameters
    ----------
    X : ndarray of shape (n, 64), uint8 block counts in 0..16
        Kept as uint8 (32 visible and 32 hidden columns: half the bytes of ``X`` each).
    half : {"lower", "upper", "left", "right"}, default "lower"
    n_neighbors : int, 1..n
    weights : {"uniform", "distance"}

    Returns
    -------
    Completer
    """
    from sklearn.neighbors import KNeighborsRegressor

    half = _check_half(half)
    X = check_counts(X)
    if not 1 <= n_neighbors <= len(X):
        raise ValueError(f"n_neighbors must be in 1..{len(X)}, got {n_neighbors}")
    counts = np.asarray(X, dtype=np.uint8)
    regressor = KNeighborsRegressor(
        n_neighbors=n_neighbors, weights=weights, algorithm="brute"
    )
    targets = np.ascontiguousarray(counts[:, hidden_features(half)])
    targets.setflags(write=False)
    regressor.fit(np.ascontiguousarray(counts[:, visible_features(half)]), targets)
    return Completer(half, regressor, targets)


def rmse_per_count(predicted: np.ndarray, true: np.ndarray) -> float:
    """Root mean squared error per block count (0..16 scale) over all given values.

    Examples
    --------
    >>> round(rmse_per_count(np.array([[1.0, 3.0]]), np.array([[1, 5]])), 3)
    1.414
    """
    diff = np.asarray(predicted, dtype=np.float64) - np.asarray(true, dtype=np.float64)
    return float(np.sqrt(np.mean(diff**2)))


@dataclass(frozen=True)
class CompletionChoice:
    """What cross-validation picked for completing one half.

    Attributes
    ----------
    half : the half predicted
    n_neighbors, weights : the setting with the lowest validation RMSE
    scores : dict of (k, weights) to validation RMSE per count, every setting tried
    n_queries : how many training digits were completed to score each setting
    """

    half: Half
    n_neighbors: int
    weights: str
    scores: dict[tuple[int, str], float]
    n_queries: int

    @property
    def rmse(self) -> float:
        return self.scores[self.n_neighbors, self.weights]


def choose_completion(
    X: np.ndarray,
    groups: np.ndarray,
    half: str = "lower",
    *,
    k_values: Sequence[int] = K_CANDIDATES,
    weight_values: Sequence[str] = WEIGHT_CANDIDATES,
    n_queries: int = CV_QUERIES,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> CompletionChoice:
    """Choose k and the weights of a completer by leave-writer-out validation.

    ``n_queries`` training digits (seeded sample) are each completed from the other
    training digits, leaving out every digit of the same writer group: a writer is
    completed as one the model never saw. All settings share one neighbour search
    (each k is a prefix of the largest k's neighbours).

    Parameters
    ----------
    X : ndarray of shape (n, 64), block counts in 0..16
    groups : ndarray of shape (n,), int
        Writer group of each digit; digits whose writer is unknown get a group of their
        own (see :func:`digits_knn.datasets.training.writer_groups`).
    half, k_values, weight_values : what to choose among
    n_queries : int
    progress : callable(done, total), optional
        Called as the queries are searched.

    Returns
    -------
    CompletionChoice
    """
    from digits_knn.datasets.training import sample_rows
    from digits_knn.search.neighbors import fit_index

    half = _check_half(half)
    X = np.asarray(check_counts(X), dtype=np.uint8)
    groups = np.asarray(groups)
    visible, hidden = visible_features(half), hidden_features(half)
    # Groups as folds: a query leaves out its group; singletons leave out themselves.
    folds = np.unique(groups, return_inverse=True)[1]
    index = fit_index(
        np.ascontiguousarray(X[:, visible]), np.zeros(len(X), int), folds=folds
    )
    queries = sample_rows(len(X), n_queries, seed=seed)
    k_max = max(k_values)
    neigh_dist = np.empty((len(queries), k_max))
    neigh_ind = np.empty((len(queries), k_max), dtype=np.intp)
    step = 500
    for start in range(0, len(queries), step):
        rows = queries[start : start + step]
        d, i = index.kneighbors(X[rows][:, visible], k_max, query_folds=folds[rows])
        neigh_dist[start : start + step], neigh_ind[start : start + step] = d, i
        if progress is not None:
            progress(min(start + step, len(queries)), len(queries))
    true = X[queries][:, hidden].astype(np.float64)
    targets = X[:, hidden].astype(np.float64)
    scores: dict[tuple[int, str], float] = {}
    for k in k_values:
        for weights in weight_values:
            w = neighbor_weights(neigh_dist[:, :k], weights)
            predicted = np.einsum("qk,qkf->qf", w, targets[neigh_ind[:, :k]])
            scores[k, weights] = rmse_per_count(predicted, true)
    best_k, best_weights = min(scores, key=lambda setting: scores[setting])
    return CompletionChoice(half, best_k, best_weights, scores, len(queries))
