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

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from digits_knn.features.preprocessing import MAX_COUNT
from digits_knn.search.distances import nearest, power_sums_one, smallest_by_row
from digits_knn.search.model import (
    Explanation,
    Neighbor,
    check_features,
    fitted_digits,
    sklearn_p,
    validate_hyperparameters,
)

if TYPE_CHECKING:
    from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors


#: Above this many features a tree search loses to brute force: what scikit-learn's
#: ``algorithm="auto"`` picks, for the same reason.
TREE_MAX_FEATURES = 15


def resolve_algorithm(algorithm: str, n_features: int) -> str:
    """The search ``algorithm`` runs as: "auto" becomes "brute" or "kd_tree".

    Examples
    --------
    >>> resolve_algorithm("auto", 64), resolve_algorithm("auto", 2)
    ('brute', 'kd_tree')
    """
    if algorithm != "auto":
        return algorithm
    return "brute" if n_features > TREE_MAX_FEATURES else "kd_tree"


def _as_counts(X: np.ndarray) -> np.ndarray | None:
    """``X`` as int8 if it holds only whole numbers 0..16 (block counts), else None.

    Block counts kept as uint8 are viewed, not copied.
    """
    if X.size == 0 or X.min() < 0 or X.max() > MAX_COUNT:
        return None
    if X.dtype == np.uint8:
        counts = X.view(np.int8)  # 0..16: the same bytes
    elif X.dtype.kind in "iu" or np.array_equal(np.round(X), X):
        counts = np.ascontiguousarray(X, dtype=np.int8)
    else:
        return None
    counts.setflags(write=False)
    return counts


#: Each training matrix's counts stored by column (see :func:`_columns_of`), by where
#: the matrix lies in memory; an entry goes when the array owning that memory does.
_columns_by_matrix: dict[tuple[object, ...], np.ndarray] = {}
_columns_lock = threading.Lock()


def _columns_of(X: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``counts`` transposed and contiguous, (n_features, n) int8: one copy per training
    matrix ``X``, shared by every index over it (one per p and search, say), even
    through different views of it.

    A query's sums run a column at a time over it, about 4.5 times faster than row by
    row (:func:`digits_knn.search.distances.power_sums_one`). 91,413 digits: 5.9 MB.
    """
    owner = X
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    key = (id(owner), X.__array_interface__["data"][0], X.shape, X.strides)
    with _columns_lock:
        columns = _columns_by_matrix.get(key)
        if columns is None:
            columns = np.ascontiguousarray(counts.T)
            columns.setflags(write=False)
            _columns_by_matrix[key] = columns
            weakref.finalize(owner, _columns_by_matrix.pop, key, None)
    return columns


def _read_only(array: np.ndarray) -> np.ndarray:
    if array.flags.writeable:
        array = array.view()
        array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class _Part:
    """One block of training rows and its search."""

    X: np.ndarray  # (n, n_features), read-only: uint8 block counts, or float64
    labels: np.ndarray  # (n,), int positions into the index's classes
    folds: np.ndarray  # (n,), each row's writer fold, -1 where none
    method: str  # what the search runs: "brute", "kd_tree" or "ball_tree"
    tree: NearestNeighbors | KNeighborsClassifier | None  # fitted, unless brute
    counts: np.ndarray | None  # X as int8 when it holds block counts
    norms: np.ndarray  # (n,), |x|^2 of each row: int32 for counts, else float64
    columns: np.ndarray | None  # counts by column, (n_features, n), shared (brute only)

    def kneighbors(
        self,
        X: np.ndarray,
        n_neighbors: int,
        p: float,
        query_folds: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        if query_folds is not None and (self.folds >= 0).any():
            # Leaving a writer's own digits out is exact brute force, whatever the
            # search: a tree cannot skip rows.
            return nearest(X, self.X, p, n_neighbors, exclude=(query_folds, self.folds))
        if self.tree is None:
            return nearest(X, self.X, p, n_neighbors)
        return _ties_by_row(*self.tree.kneighbors(X, n_neighbors=n_neighbors))

    def query(
        self, x: np.ndarray, n_neighbors: int, p: float
    ) -> tuple[np.ndarray, np.ndarray]:
        if self.tree is not None:  # a single tree query runs serially in scikit-learn
            dist, ind = self.tree.kneighbors(x[None, :], n_neighbors=n_neighbors)
            return _ties_by_row(dist, ind)
        sums = power_sums_one(x, self.X, p, B_norms=self.norms, B_columns=self.columns)
        rows = smallest_by_row(sums[None, :], n_neighbors)
        found = sums[rows]
        return (found if p == 1 else found ** (1.0 / p)), rows


def _make_part(
    X: np.ndarray,
    labels: np.ndarray,
    *,
    method: str,
    tree: NearestNeighbors | KNeighborsClassifier | None,
    folds: np.ndarray | None = None,
) -> _Part:
    counts = _as_counts(X)
    return _Part(
        X=X,
        labels=_read_only(np.asarray(labels, dtype=np.intp)),
        folds=_read_only(
            np.full(len(labels), -1, dtype=np.int64)
            if folds is None
            else np.asarray(folds, dtype=np.int64)
        ),
        method=method,
        tree=tree,
        counts=counts,
        norms=_read_only(
            (X * X).sum(axis=1)
            if counts is None
            else np.einsum("ij,ij->i", counts, counts, dtype=np.int32)
        ),
        columns=None if counts is None or tree is not None else _columns_of(X, counts),
    )


def _fit_part(
    X: np.ndarray,
    labels: np.ndarray,
    *,
    p: float,
    algorithm: str,
    folds: np.ndarray | None = None,
    tree_X: np.ndarray | None = None,
) -> _Part:
    X = np.asarray(X)
    if X.dtype != np.uint8:
        X = np.ascontiguousarray(X, dtype=np.float64)
    X = _read_only(X)
    method = resolve_algorithm(algorithm, X.shape[1])
    tree = None
    if method != "brute":
        from sklearn.neighbors import NearestNeighbors  # slow: see digits_knn/__init__

        # A tree needs float64 rows: ``tree_X`` if the caller keeps them already.
        rows = tree_X if tree_X is not None else np.asarray(X, dtype=np.float64)
        tree = NearestNeighbors(algorithm=method, p=sklearn_p(p)).fit(rows)
    return _make_part(X, labels, method=method, tree=tree, folds=folds)


def merge_neighbors(
    pieces: Sequence[tuple[np.ndarray, np.ndarray]], n_neighbors: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``n_neighbors`` nearest of several neighbour lists of the same queries.

    Parameters
    ----------
    pieces : sequence of (neigh_dist, neigh_ind)
        Each of shape (n_queries, k_i), indices already global; ties are kept in
        ascending index order.
    n_neighbors : int >= 1

    Returns
    -------
    neigh_dist, neigh_ind : ndarray of shape (n_queries, min(n_neighbors, sum k_i))

    Examples
    --------
    >>> d, i = merge_neighbors(
    ...     [(np.array([[1.0, 3.0]]), np.array([[0, 1]])),
    ...      (np.array([[1.0, 2.0]]), np.array([[5, 6]]))], 3)
    >>> d.tolist(), i.tolist()
    ([[1.0, 1.0, 2.0]], [[0, 5, 6]])
    """
    if len(pieces) == 1:
        dist, ind = pieces[0]
        return dist[:, :n_neighbors], ind[:, :n_neighbors]
    dist = np.concatenate([d for d, _ in pieces], axis=1)
    ind = np.concatenate([i for _, i in pieces], axis=1)
    order = np.lexsort((ind, dist), axis=1)[:, :n_neighbors]
    return (
        np.take_along_axis(dist, order, axis=1),
        np.take_along_axis(ind, order, axis=1),
    )


def vote(
    neigh_dist: np.ndarray, neigh_labels: np.ndarray, *, weights: str, n_classes: int
) -> np.ndarray:
    """Class probabilities from the neighbours' votes, as ``predict_proba`` gives them.

    Parameters
    ----------
    neigh_dist : ndarray of shape (n_queries, k), floats >= 0
    neigh_labels : ndarray of shape (n_queries, k), ints in 0..n_classes-1
        Each neighbour's class position.
    weights : {"uniform", "distance"}
        ``"distance"``: each vote weighs 1 / distance, and a query with neighbours at
        distance 0 counts only those (scikit-learn's rule).
    n_classes : int

    Returns
    -------
    ndarray of shape (n_queries, n_classes), rows summing to 1

    Examples
    --------
    >>> vote(np.array([[1.0, 2.0, 2.0]]), np.array([[0, 1, 1]]), weights="uniform",
    ...      n_classes=2).round(3).tolist()
    [[0.333, 0.667]]
    >>> vote(np.array([[1.0, 4.0, 4.0]]), np.array([[0, 1, 1]]), weights="distance",
    ...      n_classes=2).round(3).tolist()
    [[0.667, 0.333]]
    """
    if weights == "distance":
        with np.errstate(divide="ignore"):
            w = 1.0 / neigh_dist
        exact = neigh_dist == 0
        has_exact = exact.any(axis=1)
        w[has_exact] = exact[has_exact]
    else:
        w = np.ones(neigh_dist.shape)
    n_queries = len(neigh_labels)
    cells = np.arange(n_queries)[:, None] * n_classes + neigh_labels
    tally = np.bincount(
        cells.ravel(), weights=w.ravel(), minlength=n_queries * n_classes
    ).reshape(n_queries, n_classes)
    total = tally.sum(axis=1, keepdims=True)
    total[total == 0] = 1.0
    return tally / total


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
        self._check_k(n_neighbors)
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
        validate_hyperparameters(
            n_neighbors=n_neighbors,
            p=self.p,
            algorithm=self.algorithm,
            weights=weights,
            n_train=self.n_samples,
        )
        x = check_features(features)
        neigh_dist, neigh_ind = self.query(x, n_neighbors)
        labels = self.label_of(neigh_ind)
        probabilities = self.predict_proba_from(
            neigh_dist[None, :], neigh_ind[None, :], weights=weights
        )[0]
        if weights == "distance":
            exact = neigh_dist == 0
            vote_weight = exact.astype(float) if exact.any() else 1.0 / neigh_dist
        else:
            vote_weight = np.ones_like(neigh_dist)
        found, counts = np.unique(labels, return_counts=True)
        return Explanation(
            label=int(self.classes[np.argmax(probabilities)]),
            probabilities=probabilities,
            classes=np.asarray(self.classes),
            neighbors=[
                Neighbor(index=int(i), label=int(lab), distance=float(d))
                for i, lab, d in zip(neigh_ind, labels, neigh_dist, strict=True)
            ],
            votes={int(lab): int(c) for lab, c in zip(found, counts, strict=True)},
            weights={
                int(lab): float(vote_weight[labels == lab].sum()) for lab in found
            },
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

    def _check_k(self, n_neighbors: int) -> None:
        if not 1 <= n_neighbors <= self.n_samples:
            raise ValueError(
                f"n_neighbors must be in 1..{self.n_samples}, got {n_neighbors}"
            )


def _ties_by_row(
    neigh_dist: np.ndarray, neigh_ind: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour lists re-ordered so that equal distances come in row order."""
    order = np.lexsort((neigh_ind, neigh_dist), axis=1)
    return (
        np.take_along_axis(neigh_dist, order, axis=1),
        np.take_along_axis(neigh_ind, order, axis=1),
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
