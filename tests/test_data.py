from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from digits_knn.data import (
    DRAWN_TEST_WRITERS,
    load_bitmaps,
    load_drawn_digits,
    load_split,
    load_training_set,
    load_xy,
)
from digits_knn.preprocessing import bitmap_to_features


def test_load_xy_is_load_digits() -> None:
    X, y = load_xy()
    digits = load_digits()
    assert X.shape == (1797, 64)
    assert X.min() == 0
    assert X.max() == 16
    assert_array_equal(X, digits.data)
    assert_array_equal(y, digits.target)


def test_load_xy_is_read_only() -> None:
    """The cached arrays are shared: nobody may change them in place."""
    X, _ = load_xy()
    with pytest.raises(ValueError, match="read-only"):
        X[0, 0] = 5


def test_split_is_the_tutorials() -> None:
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=0.2, random_state=1337
    )
    split = load_split()
    assert_array_equal(split.X_train, X_train)
    assert_array_equal(split.X_test, X_test)
    assert_array_equal(split.y_train, y_train)
    assert_array_equal(split.y_test, y_test)
    assert (len(split.y_train), len(split.y_test)) == (1437, 360)


def test_split_indices_point_at_the_rows() -> None:
    X, y = load_xy()
    split = load_split()
    assert_array_equal(X[split.idx_train], split.X_train)
    assert_array_equal(y[split.idx_test], split.y_test)
    assert sorted(np.concatenate([split.idx_train, split.idx_test])) == list(
        range(1797)
    )


def test_bitmaps_reduce_to_load_digits_exactly() -> None:
    """All 1,797 shipped 32x32 originals give load_digits().data, row for row."""
    bitmaps = load_bitmaps()
    assert bitmaps.shape == (1797, 32, 32)
    assert bitmaps.dtype == bool
    assert_array_equal(bitmap_to_features(bitmaps), load_digits().data)


def test_bitmaps_ship_compact() -> None:
    packed = resources.files("digits_knn._data").joinpath("optdigits_bitmaps.npz")
    assert packed.is_file()
    assert len(packed.read_bytes()) < 1_000_000


def test_drawn_digits_ship_reduced_like_a_drawing() -> None:
    drawn = load_drawn_digits()
    n = len(drawn.y)
    assert n == 2 * 7494
    assert drawn.X.shape == (n, 64)
    assert drawn.bitmaps.shape == (n, 32, 32)
    assert_array_equal(bitmap_to_features(drawn.bitmaps), drawn.X)
    assert set(np.unique(drawn.writers)) == set(range(1, 31))
    assert set(np.unique(drawn.y)) == set(range(10))
    assert set(np.unique(drawn.renders)) == {0, 1}


def test_training_sources() -> None:
    split = load_split()
    tutorial = load_training_set("uci")
    assert_array_equal(tutorial.X_train, split.X_train)
    assert tutorial.sizes == {"UCI optdigits": 1437}
    both = load_training_set("uci+drawn")
    assert len(both.y_train) == sum(both.sizes.values())
    assert_array_equal(both.X_train[:1437], split.X_train)
    assert both.bitmaps_train.shape == (len(both.y_train), 32, 32)
    assert_array_equal(
        bitmap_to_features(both.bitmaps_train[1437:]), both.X_train[1437:]
    )
    drawn = load_drawn_digits()
    X_test = both.tests["drawn digits, unseen writers"].X
    assert (
        len(X_test)
        == (
            np.isin(drawn.writers, list(DRAWN_TEST_WRITERS)) & (drawn.renders == 0)
        ).sum()
    )
    assert both.tests.keys() == tutorial.tests.keys()


def test_training_sources_exclude_the_test_writers() -> None:
    drawn = load_drawn_digits()
    both = load_training_set("uci+drawn")
    train_rows = ~np.isin(drawn.writers, list(DRAWN_TEST_WRITERS))
    assert both.sizes["drawn digits"] == train_rows.sum()
    assert_array_equal(both.y_train[1437:], drawn.y[train_rows])


def test_unknown_source() -> None:
    with pytest.raises(ValueError, match="unknown training source 'mnist'"):
        load_training_set("mnist")
