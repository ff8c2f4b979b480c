"""The pieces of a neighbour search: training digits kept as counts by row and by column,
a part searched on its own (the shipped digits; the users' drawings), the merge of
parts' neighbours in distance order, and the vote of k neighbours."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from digits_knn.features.preprocessing import MAX_COUNT
from digits_knn.search.distances import nearest, power_sums_one, smallest_by_row
from digits_knn.search.model import sklearn_p

if TYPE_CHECKING:
    from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors


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


#: Each training matrix's counts stored by column (see :func:`_columns_of`), by where
#: the matrix lies in memory; an entry goes when the array owning that memory does.
_columns_by_matrix: dict[tuple[object, ...], np.ndarray] = {}


_columns_lock = threading.Lock()


def _ties_by_row(
    neigh_dist: np.ndarray, neigh_ind: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour lists re-ordered so that equal distances come in row order."""
    order = np.lexsort((neigh_ind, neigh_dist), axis=1)
    return (
        np.take_along_axis(neigh_dist, order, axis=1),
        np.take_along_axis(neigh_ind, order, axis=1),
    )
