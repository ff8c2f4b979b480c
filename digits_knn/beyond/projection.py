"""A 2-D map of the digits: where a drawing lands among the training digits.

Two linear projections of the 64 block counts onto a plane:

- PCA, the two directions along which the digits vary most (it knows no labels);
- scikit-learn's ``NeighborhoodComponentsAnalysis`` (NCA), the projection learnt *for*
  KNN: it maximises how often a digit's neighbours in the projected space carry its
  label.

Both are a matrix product, so projecting a drawing costs microseconds. A map is a
picture of 64 dimensions in 2: neighbours in 64-d are not always neighbours on the
map (:func:`nearest_on_map` lets the page say how many are), and
:func:`metric_accuracy` measures what the projection costs a KNN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

MapMethod = Literal["nca", "pca"]
METHODS: tuple[MapMethod, ...] = get_args(MapMethod)
#: Training digits NCA learns its projection from (its cost grows with their square).
NCA_SAMPLE = 1500
NCA_MAX_ITER = 30
#: Digits :func:`metric_accuracy` cross-validates on, and its folds.
ACCURACY_SAMPLE = 800
ACCURACY_FOLDS = 5


@dataclass(frozen=True)
class DigitMap:
    """A fitted projection of block counts onto a plane.

    Attributes
    ----------
    method : {"nca", "pca"}
    components : ndarray of shape (2, 64), float64
    offset : ndarray of shape (64,), float64
        Subtracted before projecting (PCA's mean; zeros for NCA).
    n_fit : how many training digits it was fitted on
    """

    method: MapMethod
    components: np.ndarray
    offset: np.ndarray
    n_fit: int

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Project digits onto the map.

        Parameters
        ----------
        X : ndarray of shape (n, 64) or (64,), block counts

        Returns
        -------
        ndarray of shape (n, 2) or (2,), float32
        """
        X = np.asarray(X, dtype=np.float32)
        components = self.components.astype(np.float32)
        offset = (self.offset.astype(np.float32) @ components.T).astype(np.float32)
        return (X @ components.T - offset).astype(np.float32)


def _projection(method: str, *, random_state: int = 0) -> object:
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=random_state)
    if method == "nca":
        from sklearn.neighbors import NeighborhoodComponentsAnalysis

        return NeighborhoodComponentsAnalysis(
            n_components=2, max_iter=NCA_MAX_ITER, random_state=random_state
        )
    raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")


def fit_map(
    X: np.ndarray, y: np.ndarray, method: str = "nca", *, seed: int = 0
) -> DigitMap:
    """Fit a map of the digits.

    PCA is fitted on every digit; NCA on :data:`NCA_SAMPLE` of them drawn at random
    (seeded), since its cost grows with the square of their number.

    Parameters
    ----------
    X : ndarray of shape (n, 64), block counts in 0..16
    y : ndarray of shape (n,), labels (used by NCA only)
    method : {"nca", "pca"}, default "nca"

    Returns
    -------
    DigitMap
    """
    from digits_knn.datasets.training import sample_rows

    projection = _projection(method, random_state=seed)
    rows = (
        np.arange(len(X))
        if method == "pca"
        else sample_rows(len(X), NCA_SAMPLE, seed=seed)
    )
    fitted = projection.fit(np.asarray(X[rows], dtype=np.float64), np.asarray(y)[rows])  # type: ignore[attr-defined]
    offset = getattr(fitted, "mean_", None)
    return DigitMap(
        method=method,  # type: ignore[arg-type]
        components=np.asarray(fitted.components_, dtype=np.float64),
        offset=np.zeros(X.shape[1])
        if offset is None
        else np.asarray(offset, np.float64),
        n_fit=len(rows),
    )


def nearest_on_map(
    points: np.ndarray, point: np.ndarray, n_neighbors: int
) -> np.ndarray:
    """The rows of the ``n_neighbors`` map points nearest to ``point``, nearest first.

    Parameters
    ----------
    points : ndarray of shape (n, 2)
    point : ndarray of shape (2,)

    Returns
    -------
    ndarray of shape (n_neighbors,), int
    """
    sq = ((points - np.asarray(point, dtype=points.dtype)) ** 2).sum(axis=1)
    k = min(n_neighbors, len(points))
    rows = np.argpartition(sq, k - 1)[:k]
    return rows[np.lexsort((rows, sq[rows]))]


def metric_accuracy(
    X: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    *,
    n_neighbors: int = 7,
    weights: str = "distance",
    n_samples: int | None = None,
    folds: int = ACCURACY_FOLDS,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, float]:
    """KNN accuracy on the raw 64 counts and on each 2-D map, on the same folds.

    ``n_samples`` digits (seeded sample; default :data:`ACCURACY_SAMPLE`), ``folds``
    folds grouped by writer; each map is fitted on the training folds only, so the
    validation digits are unseen by it.

    Returns
    -------
    dict with keys "raw" and each of :data:`METHODS`: mean validation accuracy, 0..1
    """
    from sklearn.model_selection import GroupKFold
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline

    from digits_knn.datasets.training import sample_rows

    rows = sample_rows(len(X), n_samples or ACCURACY_SAMPLE, seed=seed)
    Xs = np.asarray(X[rows], dtype=np.float64)
    ys, gs = np.asarray(y)[rows], np.asarray(groups)[rows]
    splits = list(GroupKFold(n_splits=folds).split(Xs, ys, gs))
    names = ("raw", *METHODS)
    total, done = len(names) * len(splits), 0
    scores: dict[str, float] = {}
    for name in names:
        correct = 0
        for train, test in splits:
            knn = KNeighborsClassifier(n_neighbors=n_neighbors, weights=weights)
            steps = (
                [knn] if name == "raw" else [_projection(name, random_state=seed), knn]
            )
            model = make_pipeline(*steps).fit(Xs[train], ys[train])
            correct += int((model.predict(Xs[test]) == ys[test]).sum())
            done += 1
            if progress is not None:
                progress(done, total)
        scores[name] = correct / len(rows)
    return scores
