from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.datasets.training import UCI_TEST, load_training_set
from digits_knn.datasets.uci import Split
from digits_knn.search.model import HyperparameterError, fit_model
from digits_knn.search.neighbors import explain, fit_index, index_of_classifier
from digits_knn.search.parts import resolve_algorithm


@pytest.mark.parametrize("algorithm", ["brute", "kd_tree", "ball_tree", "auto"])
@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_index_agrees_with_scikit_learn_without_ties(
    split: Split, algorithm: str, p: int, weights: str
) -> None:
    """With the ties jittered away, every k from one query is scikit-learn's KNN."""
    rng = np.random.default_rng(0)
    X = split.X_train + rng.uniform(0, 1e-3, split.X_train.shape)
    X_test = split.X_test[:120] + rng.uniform(0, 1e-3, (120, 64))
    index = fit_index(X, split.y_train, p=p, algorithm=algorithm)
    neigh_dist, neigh_ind = index.kneighbors(X_test, 25)
    for k in (1, 4, 25):
        model = KNeighborsClassifier(
            n_neighbors=k, p=p, algorithm=algorithm, weights=weights
        ).fit(X, split.y_train)
        proba = index.predict_proba_from(
            neigh_dist[:, :k], neigh_ind[:, :k], weights=weights
        )
        assert_allclose(proba, model.predict_proba(X_test))
        assert_array_equal(
            index.predict_from(neigh_dist[:, :k], neigh_ind[:, :k], weights=weights),
            model.predict(X_test),
        )


def test_the_tutorials_model_is_reproduced(split: Split) -> None:
    """k=20, KD-tree, p=2: the page's scores are the tutorial's 0.9694, digit by digit."""
    tutorial = fit_model(split.X_train, split.y_train)
    for algorithm in ("kd_tree", "brute"):
        index = fit_index(split.X_train, split.y_train, p=2, algorithm=algorithm)
        neigh_dist, neigh_ind = index.kneighbors(split.X_test, 100)
        y_pred = index.predict_from(
            neigh_dist[:, :20], neigh_ind[:, :20], weights="uniform"
        )
        assert_array_equal(y_pred, tutorial.predict(split.X_test))
        assert (y_pred == split.y_test).mean() == pytest.approx(349 / 360)


@pytest.mark.parametrize("p", [1, 2, 2.5])
def test_one_drawing_gets_the_same_neighbours_as_the_batch(
    split: Split, p: float
) -> None:
    """Brute force: the single query (no threads) and the batch agree exactly."""
    index = fit_index(split.X_train, split.y_train, p=p, algorithm="brute")
    neigh_dist, neigh_ind = index.kneighbors(split.X_test[:40], 15)
    for row, x in enumerate(split.X_test[:40]):
        dist, ind = index.query(x, 15)
        assert_array_equal(ind, neigh_ind[row])
        assert_allclose(dist, neigh_dist[row])


def test_extended_index_equals_one_fitted_on_everything(split: Split) -> None:
    """The users' drawings as a second part: the same neighbours as one big fit,
    and the shipped part is shared, not copied or refitted."""
    base_X, more_X = split.X_train[:1000], split.X_train[1000:]
    base_y, more_y = split.y_train[:1000], split.y_train[1000:]
    base = fit_index(base_X, base_y, p=2, algorithm="brute")
    both = base.extended(more_X, more_y)
    whole = fit_index(split.X_train, split.y_train, p=2, algorithm="brute")
    assert both.n_samples == whole.n_samples == len(split.y_train)
    for got, expected in zip(
        both.kneighbors(split.X_test, 30),
        whole.kneighbors(split.X_test, 30),
        strict=True,
    ):
        assert_array_equal(got, expected)
    for x in split.X_test[:20]:
        got = both.explain(x, n_neighbors=9, weights="distance")
        expected = whole.explain(x, n_neighbors=9, weights="distance")
        assert got.neighbors == expected.neighbors
        assert_array_equal(got.probabilities, expected.probabilities)
    assert both._parts[0] is base._parts[0]
    assert_array_equal(both.y, split.y_train)
    assert both.row(1200).tolist() == split.X_train[1200].tolist()


def test_one_copy_of_the_training_matrix_read_only() -> None:
    """The block counts stay uint8 and shared (their int8 view too); a tree gets the
    float64 rows the caller keeps, and every p's tree shares them."""
    training = load_training_set("uci+drawn")
    X = np.array(training.X_train)  # the caller's own, writeable copy
    rows = X.astype(np.float64)
    index = fit_index(X, training.y_train, p=2, algorithm="brute")
    part = index._parts[0]
    assert part.X.dtype == np.uint8
    assert np.shares_memory(part.X, X)
    assert part.counts is not None
    assert np.shares_memory(part.counts, X)
    assert not part.X.flags.writeable
    assert X.flags.writeable  # the caller's own array is left as it was
    for p in (1, 2):
        tree = fit_index(X, training.y_train, p=p, algorithm="kd_tree", tree_X=rows)
        assert np.shares_memory(tree._parts[0].tree._fit_X, rows)
        assert tree._parts[0].columns is None  # a tree does not need them


def test_the_counts_by_column_are_one_copy_per_matrix() -> None:
    """Brute force keeps the counts by column too (a drawing's query runs on them):
    one read-only copy per training matrix, shared by every p, freed with it."""
    import gc
    import weakref

    from digits_knn.search import parts

    training = load_training_set("uci")
    X = np.array(training.X_train)
    indexes = [
        fit_index(X, training.y_train, p=p, algorithm="brute") for p in (1, 2, 3)
    ]
    columns = indexes[0]._parts[0].columns
    assert columns is not None
    assert all(index._parts[0].columns is columns for index in indexes)
    assert not columns.flags.writeable
    assert_array_equal(columns, X.T)
    assert sum(c is columns for c in parts._columns_by_matrix.values()) == 1
    x = training.tests[UCI_TEST].X[0]
    for index, p in zip(indexes, (1, 2, 3), strict=True):
        model = fit_model(X, training.y_train, n_neighbors=5, p=p, algorithm="brute")
        dist, _ = model.kneighbors(x[None, :])
        found = index.explain(x, n_neighbors=5, weights="uniform")
        assert_allclose([n.distance for n in found.neighbors], dist[0])
    copy = weakref.ref(columns)
    del indexes, index, model, columns, X
    gc.collect()
    assert copy() is None


def test_explain_a_scikit_learn_model(split: Split) -> None:
    model = fit_model(split.X_train, split.y_train, n_neighbors=5, weights="distance")
    index = index_of_classifier(model)
    assert index.method == "kd_tree"
    assert np.shares_memory(index._parts[0].X, model._fit_X)
    for x in split.X_test[:10]:
        explanation = explain(model, x)
        assert_allclose(explanation.probabilities, model.predict_proba(x[None])[0])
        assert sum(explanation.votes.values()) == 5


def test_bad_k_and_p_are_refused(split: Split) -> None:
    index = fit_index(split.X_train, split.y_train)
    with pytest.raises(HyperparameterError, match="larger than the training set"):
        index.explain(split.X_test[0], n_neighbors=5000, weights="uniform")
    with pytest.raises(ValueError, match=r"n_neighbors must be in 1\.\."):
        index.kneighbors(split.X_test, 0)
    with pytest.raises(HyperparameterError, match="p must be at least 1"):
        fit_index(split.X_train, split.y_train, p=0.5)
    assert resolve_algorithm("auto", 64) == "brute"


@pytest.mark.parametrize("algorithm", ["brute", "kd_tree"])
def test_a_writers_own_fold_is_left_out(split: Split, algorithm: str) -> None:
    """With ``query_folds``, no neighbour comes from the query's fold; rows without a
    fold (-1) always count, and the rest are exactly the nearest of what is left."""
    X, y = split.X_train, split.y_train
    folds = np.arange(len(y)) % 3 - 1  # -1, 0, 1, -1, 0, 1, ...
    index = fit_index(X, y, p=2, algorithm=algorithm, folds=folds)
    queries = X[:90]  # each is its own nearest neighbour unless left out
    query_folds = folds[:90]
    neigh_dist, neigh_ind = index.kneighbors(queries, 5, query_folds=query_folds)
    mine = folds[neigh_ind] == query_folds[:, None]
    assert not (mine & (query_folds[:, None] >= 0)).any()
    unfolded = query_folds < 0
    assert_array_equal(neigh_ind[unfolded, 0], np.flatnonzero(unfolded))
    for row in np.flatnonzero(~unfolded)[:10]:
        allowed = np.flatnonzero(folds != query_folds[row])
        subset = fit_index(X[allowed], y[allowed], p=2, algorithm="brute")
        dist, ind = subset.kneighbors(queries[row : row + 1], 5)
        assert_allclose(neigh_dist[row], dist[0])
        assert_array_equal(neigh_ind[row], allowed[ind[0]])
