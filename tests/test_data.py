from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from digits_knn.datasets.training import (
    PEN_FOLDS,
    load_mnist,
    load_pen_digits,
    load_training_set,
    load_uji_digits,
)
from digits_knn.datasets.uci import load_bitmaps, load_split, load_xy
from digits_knn.features.preprocessing import bitmap_to_features


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


def test_pen_digits_ship_reduced_like_a_drawing() -> None:
    """Every trajectory drawn 4 times to train on and once more to test, each reduced
    by the drawing's path: the counts are the bitmaps' counts."""
    pen = load_pen_digits()
    assert len(pen.train) == 4 * 7494
    assert len(pen.test) == 7494
    assert pen.train.X.dtype == np.uint8
    rows = np.arange(0, len(pen.train), 97)
    assert_array_equal(bitmap_to_features(pen.train.bitmaps[rows]), pen.train.X[rows])
    assert_array_equal(bitmap_to_features(pen.test.bitmaps[::50]), pen.test.X[::50])
    assert set(np.unique(pen.writers)) == set(range(1, 31))
    assert set(np.unique(pen.renders)) == {0, 1, 2, 3}
    assert_array_equal(pen.train.folds, pen.writers % PEN_FOLDS)
    assert_array_equal(pen.test.folds, pen.test_writers % PEN_FOLDS)
    assert not pen.train.X.flags.writeable


def test_mnist_and_uji_ship_through_the_canvas_path() -> None:
    train, test = load_mnist()
    assert (len(train), len(test)) == (60_000, 10_000)
    assert_array_equal(bitmap_to_features(test.bitmaps[:300]), test.X[:300])
    assert set(np.unique(train.y)) == set(range(10))
    uji = load_uji_digits()
    assert len(uji) == 220
    assert_array_equal(np.bincount(uji.y), [22] * 10)


@pytest.mark.parametrize(
    "name",
    [
        "optdigits_bitmaps.npz",
        "pendigits_drawn.npz",
        "mnist_drawn.npz",
        "uji_digits.npz",
    ],
)
def test_shipped_data_is_compact(name: str) -> None:
    data = resources.files("digits_knn._data").joinpath(name)
    assert len(data.read_bytes()) < 8_000_000


def test_training_sources() -> None:
    split = load_split()
    tutorial = load_training_set("uci")
    assert_array_equal(tutorial.X_train, split.X_train)
    assert tutorial.sizes == {"UCI optdigits": 1437}
    everything = load_training_set("uci+drawn+mnist")
    assert everything.sizes == {
        "UCI optdigits": 1437,
        "drawn digits": 4 * 7494,
        "MNIST": 60_000,
    }
    assert len(everything.y_train) == sum(everything.sizes.values())
    assert_array_equal(everything.X_train[:1437], split.X_train)
    assert everything.X_train.dtype == np.uint8
    pen = everything.pictures()
    assert pen.origin(1437) == "drawn digits"
    assert pen.origin(1437 + 4 * 7494) == "MNIST"
    assert_array_equal(bitmap_to_features(pen.bitmap(2000)), everything.X_train[2000])
    assert set(everything.tests) == set(tutorial.tests)
    assert (everything.folds[1437 : 1437 + 4 * 7494] >= 0).all()
    assert (everything.folds[:1437] == -1).all()


def test_unknown_source() -> None:
    with pytest.raises(ValueError, match="unknown training source 'emnist'"):
        load_training_set("emnist")


def test_the_digits_and_the_split_are_scikit_learns_without_importing_it() -> None:
    """load_xy reads load_digits' own file, and split_xy reproduces train_test_split
    (the tutorial's split, row for row), so that a server's first prediction does not
    wait 1.7 s for scikit-learn's import."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from digits_knn.datasets.uci import load_xy, split_xy

    X, y = load_xy()
    digits = load_digits()
    assert X.dtype == digits.data.dtype
    np.testing.assert_array_equal(X, digits.data)
    np.testing.assert_array_equal(y, digits.target)
    for test_size, seed in ((0.2, 1337), (0.25, 0), (0.1, 7)):
        split = split_xy(X, y, test_size=test_size, random_state=seed)
        expected = train_test_split(
            X, y, np.arange(len(y)), test_size=test_size, random_state=seed
        )
        for got, want in zip(
            (split.X_train, split.X_test, split.y_train, split.y_test),
            expected[:4],
            strict=True,
        ):
            np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(split.idx_train, expected[4])
        np.testing.assert_array_equal(split.idx_test, expected[5])


def test_the_training_digits_load_without_scikit_learn() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from digits_knn.datasets.training import load_training_set, DEFAULT_SOURCE; "
        "load_training_set(DEFAULT_SOURCE); print('sklearn' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
