from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from digits_knn.datasets.uci import Split
from digits_knn.search.distances import (
    minkowski_power_sums,
    nearest,
    power_sums_one,
    smallest_by_row,
    squared_euclidean,
)


def direct_sums(A: np.ndarray, B: np.ndarray, p: float) -> np.ndarray:
    return (np.abs(A[:, None, :] - B[None, :, :]) ** p).sum(axis=2)


def test_minkowski_power_sums_matches_a_direct_computation(split: Split) -> None:
    A, B = split.X_test[:7], split.X_train[:11]
    for p in (1, 1.5, 2, 3):
        assert_allclose(minkowski_power_sums(A, B, p), direct_sums(A, B, p))
        assert_allclose(minkowski_power_sums(A[:1], B, p), direct_sums(A[:1], B, p))
    noisy = A + 0.25
    assert_allclose(minkowski_power_sums(noisy, B, 2), direct_sums(noisy, B, 2))
    assert_allclose(minkowski_power_sums(noisy, B, 3), direct_sums(noisy, B, 3))


@pytest.mark.parametrize("p", [1, 2, 2.5, 3])
def test_one_query_matches_the_batch(split: Split, p: float) -> None:
    """The single-drawing path (int8 counts, no BLAS) gives the same sums."""
    B = split.X_train
    columns = np.ascontiguousarray(B.T, dtype=np.int8)
    for x in split.X_test[:5]:
        expected = direct_sums(x[None, :], B, p)[0]
        assert_allclose(power_sums_one(x, B, p, B_columns=columns), expected)
        assert_allclose(power_sums_one(x, B, p), expected)
        assert_allclose(
            power_sums_one(x + 0.5, B, p), direct_sums(x[None] + 0.5, B, p)[0]
        )


def test_one_query_with_row_norms_is_exact_for_counts(split: Split) -> None:
    """p = 2 from the rows' squared norms (what an index keeps): every digit, exactly."""
    B = split.X_train
    counts = B.astype(np.int8)
    columns = np.ascontiguousarray(counts.T)
    norms = np.einsum("ij,ij->i", counts, counts, dtype=np.int32)
    edge = np.zeros(64)
    edge[::2] = 16  # the largest products the counts allow
    for x in [*split.X_test[:20], edge, np.zeros(64)]:
        expected = direct_sums(x[None, :], B, 2)[0]
        found = power_sums_one(x, B, 2, B_norms=norms, B_columns=columns)
        assert_array_equal(found, expected)
    noisy = split.X_test[0] + 0.5  # not counts: the float path, norms unused
    assert_allclose(
        power_sums_one(noisy, B, 2, B_norms=norms, B_columns=columns),
        direct_sums(noisy[None], B, 2)[0],
    )


@pytest.mark.parametrize("p", [1, 2, 3])
def test_one_query_by_column_is_exact_for_counts(split: Split, p: float) -> None:
    """The counts stored by column (what a brute-force index keeps): every test digit,
    a query of all 16s against rows of all 16s (the largest sums), a blank query, and
    whole numbers above 16 (still exact, in wider integers)."""
    B = split.X_train.copy()
    B[:3] = 16
    counts = B.astype(np.int8)
    columns = np.ascontiguousarray(counts.T)
    norms = np.einsum("ij,ij->i", counts, counts, dtype=np.int32)
    big = np.full(64, 127.0)
    for x in [*split.X_test, np.full(64, 16.0), np.zeros(64), big]:
        expected = direct_sums(x[None, :], B, p)[0]
        found = power_sums_one(x, B, p, B_norms=norms, B_columns=columns)
        assert_array_equal(found, expected)
        assert found.dtype == np.float64
    # without the norms (p = 2 works them out), and past int8: the float path
    x = split.X_test[0]
    assert_array_equal(
        power_sums_one(x, B, 2, B_columns=columns),
        direct_sums(x[None, :], B, 2)[0],
    )
    huge = np.full(64, 200.0)
    assert_allclose(
        power_sums_one(huge, B, p, B_columns=columns),
        direct_sums(huge[None, :], B, p)[0],
    )


def test_squared_euclidean_is_exact_for_counts(split: Split) -> None:
    A, B = split.X_test[:20], split.X_train
    assert_array_equal(squared_euclidean(A, B), direct_sums(A, B, 2))
    assert_array_equal(squared_euclidean(A[:1], B), direct_sums(A[:1], B, 2))


def test_smallest_by_row_breaks_ties_by_column() -> None:
    values = np.array([[2.0, 1.0, 1.0, 1.0, 0.0], [5.0, 5.0, 5.0, 5.0, 5.0]])
    assert smallest_by_row(values, 2).tolist() == [[4, 1], [0, 1]]
    assert smallest_by_row(values, 5).tolist() == [
        [4, 1, 2, 3, 0],
        [0, 1, 2, 3, 4],
    ]


@pytest.mark.parametrize("p", [1, 2, 3])
def test_nearest_is_a_stable_sort_of_the_distances(
    split: Split, p: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exact distances, equal ones in row order: the k nearest are a prefix of the
    k + 1 nearest, across the chunks the training rows are handled in."""
    monkeypatch.setattr("digits_knn.search.distances.CHUNK_ROWS", 100)
    A, B = split.X_test[:30], split.X_train
    sums = direct_sums(A, B, p)
    order = np.argsort(sums, axis=1, kind="stable")[:, :25]
    dist, ind = nearest(A, B, p, 25)
    assert_array_equal(ind, order)
    assert_allclose(dist, np.take_along_axis(sums, order, axis=1) ** (1 / p))
    _, short_ind = nearest(A, B, p, 7)
    assert_array_equal(short_ind, ind[:, :7])
