"""The neighbour search behind every prediction: fitted once, asked for any k.

A KNN's "fit" is its training data (and, with a tree, the tree): nothing in it depends
on k or on how the neighbours vote. So one :class:`NeighborIndex` serves every k and
both weightings (``kneighbors(X, n_neighbors=k)``, as scikit-learn allows), and models
that differ only in k share one copy of the training matrix.

An index may hold its training digits in parts, searched separately and merged: the
shipped digits (large, fitted once) and the drawings users add (small, refitted when
one is added), so teaching the model a drawing never refits the large part.

Neighbours at exactly equal distance are common with integer block counts. Brute
force (:mod:`digits_knn.search.distances`) computes distances exactly and orders equal ones by
training row, so the k nearest are always the first k of the k + 1 nearest, and a
drawing's neighbours are the ones the test scores counted. A tree search keeps
whichever of two tied neighbours it meets first, as scikit-learn does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from digits_knn.search.model import (
    Explanation,
    Neighbor,
    check_features,
    fitted_digits,
    validate_hyperparameters,
)
from digits_knn.search.parts import (
    _fit_part,
    _make_part,
    _Part,
    _read_only,
    merge_neighbors,
    resolve_algorithm,
    vote,
)

if TYPE_CHECKING:
    from sklearn.neighbors import KNeighborsClassifier


@dataclass(frozen=True, eq=False)
class NeighborIndex:
    """A neighbour search over training digits, fitted once; k and votes per query.

    Build one with :func:`fit_index`, :meth:`extended` or :func:`index_of_classifier`.
    Immutable and safe to share between threads.

    Attributes
    ----------
    p : float >= 1
        Minkowski exponent of the distance.
    algorithm : {"auto", "ball_tree", "kd_tree", "brute"}
        The search asked for; :attr:`method` says what runs.
    classes : ndarray of shape (n_classes,)
        The labels, sorted; neighbours vote for positions in it.
    """

    p: float
    algorithm: str
    classes: np.ndarray
    _parts: tuple[_Part, ...] = field(repr=False)

    @property
    def n_samples(self) -> int:
        """How many training digits the index holds."""
        return sum(len(part.labels) for part in self._parts)

    @property
    def method(self) -> str:
        """The search that runs: "brute", "kd_tree" or "ball_tree" ("auto" resolved)."""
        return self._parts[0].method

    @property
    def y(self) -> np.ndarray:
        """ndarray of shape (n_samples,): the label of every training row."""
        return np.asarray(self.classes)[np.concatenate([p.labels for p in self._parts])]

    def label_of(self, rows: np.ndarray) -> np.ndarray:
        """Labels of training rows (global row numbers), shape of ``rows``."""
        rows = np.asarray(rows)
        positions = np.empty(rows.shape, dtype=np.intp)
        start = 0
        for part in self._parts:
            stop = start + len(part.labels)
            inside = (rows >= start) & (rows < stop)
            positions[inside] = part.labels[rows[inside] - start]
            start = stop
        return np.asarray(self.classes)[positions]

    def row(self, index: int) -> np.ndarray:
        """The training digit at a global row: ndarray of shape (n_features,)."""
        for part in self._parts:
            if index < len(part.labels):
                return part.X[index]
            index -= len(part.labels)
        raise IndexError("row out of range")

    def _offsets(self) -> list[int]:
        return list(np.cumsum([0] + [len(p.labels) for p in self._parts])[:-1])

    def kneighbors(
        self,
        X: np.ndarray,
        n_neighbors: int,
        *,
        query_folds: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``n_neighbors`` nearest training rows of many queries (may use threads).

        Parameters
        ----------
        X : ndarray of shape (n_queries, n_features)
        n_neighbors : int, 1..n_samples
        query_folds : ndarray of shape (n_queries,), optional
            Each query's writer fold: training rows of the same fold are left out (a
            writer is tested as one the model has never seen). Negative: none.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors), nearest first
        neigh_ind : ndarray of shape (n_queries, n_neighbors), global training rows
        """
        X = np.asarray(X, dtype=np.float64)
        return self._merged(
            n_neighbors, lambda part, k: part.kneighbors(X, k, self.p, query_folds)
        )

    def query(self, x: np.ndarray, n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
        """The nearest training rows of one digit, without starting any thread.

        A drawing is one query: the work is small, and spread over the cores of a
        busy machine it waits for a free core longer than it takes on one. Brute
        force runs in plain NumPy (exact for block counts); trees search on the
        calling thread.

        Parameters
        ----------
        x : ndarray of shape (n_features,)
        n_neighbors : int, 1..n_samples

        Returns
        -------
        neigh_dist, neigh_ind : ndarray of shape (n_neighbors,), nearest first
        """
        x = np.asarray(x, dtype=np.float64)
        neigh_dist, neigh_ind = self._merged(
            n_neighbors, lambda part, k: part.query(x, k, self.p)
        )
        return neigh_dist[0], neigh_ind[0]

    def _merged(
        self,
        n_neighbors: int,
        search: Callable[[_Part, int], tuple[np.ndarray, np.ndarray]],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Search every part, number its rows after the parts before, merge."""
        _check_k(self, n_neighbors)
        pieces = []
        for offset, part in zip(self._offsets(), self._parts, strict=True):
            dist, ind = search(part, min(n_neighbors, len(part.labels)))
            pieces.append((dist, ind + offset))
        return merge_neighbors(pieces, n_neighbors)

    def predict_proba_from(
        self, neigh_dist: np.ndarray, neigh_ind: np.ndarray, *, weights: str
    ) -> np.ndarray:
        """Probabilities from neighbour lists (their first k columns are the k nearest).

        Returns
        -------
        ndarray of shape (n_queries, n_classes)
        """
        positions = np.searchsorted(self.classes, self.label_of(neigh_ind))
        return vote(neigh_dist, positions, weights=weights, n_classes=len(self.classes))

    def predict_from(
        self, neigh_dist: np.ndarray, neigh_ind: np.ndarray, *, weights: str
    ) -> np.ndarray:
        """Predicted labels from neighbour lists; shape (n_queries,).

        A tie in the vote goes to the smallest label, as in scikit-learn.
        """
        proba = self.predict_proba_from(neigh_dist, neigh_ind, weights=weights)
        return np.asarray(self.classes)[np.argmax(proba, axis=1)]

    def explain(
        self, features: np.ndarray, *, n_neighbors: int, weights: str
    ) -> Explanation:
        """Predict one digit and say which training digits voted for what.

        Parameters
        ----------
        features : ndarray of shape (n_features,), block counts in 0..16
        n_neighbors : int, 1..n_samples
        weights : {"uniform", "distance"}

        Returns
        -------
        Explanation
        """
        return explain_features(
            self, features, n_neighbors=n_neighbors, weights=weights
        )

    def extended(
        self, X: np.ndarray, y: np.ndarray, *, folds: np.ndarray | None = None
    ) -> NeighborIndex:
        """This index plus more training rows (numbered after the existing ones).

        The existing parts are shared, not refitted; only the new rows are fitted.
        ``y`` must hold labels among :attr:`classes`. With no rows, ``self``.
        """
        if len(y) == 0:
            return self
        labels = np.searchsorted(self.classes, np.asarray(y))
        part = _fit_part(X, labels, p=self.p, algorithm=self.algorithm, folds=folds)
        return NeighborIndex(self.p, self.algorithm, self.classes, (*self._parts, part))

    def classifier(self, *, n_neighbors: int, weights: str) -> KNeighborsClassifier:
        """A scikit-learn ``KNeighborsClassifier`` over the same digits (a new fit).

        For saving the model as a file; it holds its own copy of the training digits.
        """
        from digits_knn.search.model import fit_model

        parts = [np.asarray(part.X) for part in self._parts]
        # Block counts stay uint8 (a file of 6 MB, not 47 MB of float64 copies).
        counts = all(part.dtype == np.uint8 for part in parts)
        X = np.vstack(parts if counts else [p.astype(np.float64) for p in parts])
        return fit_model(
            X,
            self.y,
            n_neighbors=n_neighbors,
            p=self.p,
            algorithm=self.algorithm,
            weights=weights,
        )


def _check_k(index: NeighborIndex, n_neighbors: int) -> None:
    if not 1 <= n_neighbors <= index.n_samples:
        raise ValueError(
            f"n_neighbors must be in 1..{index.n_samples}, got {n_neighbors}"
        )


def explain_features(
    index: NeighborIndex, features: np.ndarray, *, n_neighbors: int, weights: str
) -> Explanation:
    """:meth:`NeighborIndex.explain`: predict one digit and say which training
    digits voted for what."""
    validate_hyperparameters(
        n_neighbors=n_neighbors,
        p=index.p,
        algorithm=index.algorithm,
        weights=weights,
        n_train=index.n_samples,
    )
    x = check_features(features)
    neigh_dist, neigh_ind = index.query(x, n_neighbors)
    labels = index.label_of(neigh_ind)
    probabilities = index.predict_proba_from(
        neigh_dist[None, :], neigh_ind[None, :], weights=weights
    )[0]
    if weights == "distance":
        exact = neigh_dist == 0
        vote_weight = exact.astype(float) if exact.any() else 1.0 / neigh_dist
    else:
        vote_weight = np.ones_like(neigh_dist)
    found, counts = np.unique(labels, return_counts=True)
    return Explanation(
        label=int(index.classes[np.argmax(probabilities)]),
        probabilities=probabilities,
        classes=np.asarray(index.classes),
        neighbors=[
            Neighbor(index=int(i), label=int(lab), distance=float(d))
            for i, lab, d in zip(neigh_ind, labels, neigh_dist, strict=True)
        ],
        votes={int(lab): int(c) for lab, c in zip(found, counts, strict=True)},
        weights={int(lab): float(vote_weight[labels == lab].sum()) for lab in found},
    )


def fit_index(
    X: np.ndarray,
    y: np.ndarray,
    *,
    p: float = 2.0,
    algorithm: str = "brute",
    folds: np.ndarray | None = None,
    tree_X: np.ndarray | None = None,
) -> NeighborIndex:
    """Fit a :class:`NeighborIndex` on training digits.

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
        Block counts as uint8 (the smallest exact type), or any numbers (kept as
        float64). Shared, not copied, when already of that type and C-ordered.
    y : ndarray of shape (n,)
        Labels.
    p : float >= 1, default 2
    algorithm : {"auto", "ball_tree", "kd_tree", "brute"}, default "brute"
    folds : ndarray of shape (n,), optional
        Each row's writer fold (negative: none), for :meth:`NeighborIndex.kneighbors`
        with ``query_folds``.
    tree_X : ndarray of shape (n, n_features), float64, optional
        ``X`` as float64, if the caller keeps such a copy: a tree is fitted on it
        instead of a new copy (trees of every p then share it).

    Raises
    ------
    HyperparameterError
        An unusable p or algorithm.
    """
    validate_hyperparameters(n_neighbors=1, p=p, algorithm=algorithm, weights="uniform")
    classes, labels = np.unique(np.asarray(y), return_inverse=True)
    part = _fit_part(
        X, labels, p=float(p), algorithm=algorithm, folds=folds, tree_X=tree_X
    )
    return NeighborIndex(float(p), algorithm, _read_only(classes), (part,))


def index_of_classifier(model: KNeighborsClassifier) -> NeighborIndex:
    """A fitted ``KNeighborsClassifier`` as an index (its data shared, not refitted).

    ``model`` must be one this project fitted (:func:`digits_knn.search.model.fit_model`, or
    a file loaded by :mod:`digits_knn.search.persistence`, which refits): a tree search runs
    through the model's own ``kneighbors``.
    """
    X, y = fitted_digits(model)
    X = _read_only(np.asarray(X, dtype=np.float64))
    classes = _read_only(np.asarray(model.classes_))
    method = resolve_algorithm(str(model.algorithm), X.shape[1])
    part = _make_part(
        X,
        np.searchsorted(classes, y),
        method=method,
        tree=None if method == "brute" else model,
    )
    return NeighborIndex(float(model.p), str(model.algorithm), classes, (part,))


def explain(model: KNeighborsClassifier, features: np.ndarray) -> Explanation:
    """Predict one digit and say which training digits voted for what.

    The query runs on the calling thread (see
    :meth:`digits_knn.search.neighbors.NeighborIndex.query`).

    Parameters
    ----------
    model : fitted KNeighborsClassifier
        Not modified.
    features : ndarray of shape (64,), numbers in 0..16

    Returns
    -------
    Explanation
    """
    return index_of_classifier(model).explain(
        features, n_neighbors=int(model.n_neighbors), weights=str(model.weights)
    )
