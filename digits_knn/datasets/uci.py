"""The tutorial's data: scikit-learn's ``load_digits`` (read from its own file, without
importing scikit-learn) split as the tutorial splits it (``test_size=0.2,
random_state=1337``), and the original 32x32 bitmaps behind it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from digits_knn.features.preprocessing import unpack_bitmaps

if TYPE_CHECKING:
    pass


TEST_SIZE = 0.2


RANDOM_STATE = 1337


N_CLASSES = 10


_BITMAPS_FILE = "optdigits_bitmaps.npz"


@dataclass(frozen=True)
class Split:
    """The tutorial's train/test split, with each row's index into the full data set.

    Attributes
    ----------
    X_train, X_test : ndarray of shape (n_train, 64) / (n_test, 64), integers in 0..16
    y_train, y_test : ndarray of shape (n_train,) / (n_test,), integers in 0..9
    idx_train, idx_test : ndarray of shape (n_train,) / (n_test,)
        Row of each sample in :func:`load_xy` (and in :func:`load_bitmaps`).
    """

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    idx_train: np.ndarray
    idx_test: np.ndarray


@lru_cache(maxsize=1)
def load_xy() -> tuple[np.ndarray, np.ndarray]:
    """Load the 1,797 digits as the tutorial does.

    Returns
    -------
    X : ndarray of shape (1797, 64), float64 holding the integers 0..16
        Ink counts of the 8x8 blocks, row-major. The dtype is ``load_digits``'s own:
        distances between these integer vectors are often exactly equal, and which of
        two tied neighbours wins depends on the floating-point path, so the tutorial's
        numbers are reproduced exactly only from the very same array type.
    y : ndarray of shape (1797,), int64 in 0..9

    Read from the file ``load_digits`` reads (``digits.csv.gz``, shipped inside
    scikit-learn), found without importing scikit-learn: the import takes about 1.7 s,
    and a server's first prediction needs these digits, not scikit-learn.
    ``tests/test_data.py`` checks the arrays equal ``load_digits()``'s.
    """
    import gzip
    from importlib.util import find_spec

    spec = find_spec("sklearn")  # finds the package; does not import it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("scikit-learn is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    with gzip.open(folder / "datasets" / "data" / "digits.csv.gz", "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    X = np.ascontiguousarray(table[:, :-1], dtype=np.float64)
    y = table[:, -1].astype(np.int64)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def split_xy(
    X: np.ndarray,
    y: np.ndarray,
    *,
    test_size: float = TEST_SIZE,
    random_state: int = RANDOM_STATE,
) -> Split:
    """Split ``X, y`` as the tutorial does (``train_test_split``, not stratified).

    Parameters
    ----------
    X : ndarray of shape (n, 64)
    y : ndarray of shape (n,)
    test_size : float in (0, 1), default 0.2
    random_state : int, default 1337

    Returns
    -------
    Split
    """
    n = len(y)
    n_test = math.ceil(test_size * n)
    # train_test_split's own shuffle (ShuffleSplit: one permutation by a RandomState
    # of ``random_state``, the test rows first), without importing scikit-learn;
    # tests/test_data.py checks it against train_test_split.
    order = np.random.RandomState(random_state).permutation(n)
    idx_test, idx_train = order[:n_test], order[n_test:]
    return Split(
        X[idx_train], X[idx_test], y[idx_train], y[idx_test], idx_train, idx_test
    )


@lru_cache(maxsize=1)
def load_split() -> Split:
    """The tutorial's split of :func:`load_xy`: 1,437 training and 360 test digits."""
    X, y = load_xy()
    return split_xy(X, y)


@lru_cache(maxsize=1)
def load_bitmaps() -> np.ndarray:
    """The sharp 32x32 original of every digit of :func:`load_xy`, in the same order.

    Returns
    -------
    ndarray of shape (1797, 32, 32), bool
        ``True`` where the scanned form had ink. Reducing them with
        :func:`digits_knn.features.preprocessing.bitmap_to_features` gives ``load_xy()[0]``.
    """
    with resources.files("digits_knn._data").joinpath(_BITMAPS_FILE).open("rb") as f:
        packed = np.load(f)["packed"]
    bitmaps = unpack_bitmaps(packed)
    bitmaps.setflags(write=False)
    return bitmaps


@lru_cache(maxsize=1)
def load_split_bitmaps() -> tuple[np.ndarray, np.ndarray]:
    """The 32x32 originals of the tutorial's training and test digits, in split order.

    Returns
    -------
    train_bitmaps : ndarray of shape (1437, 32, 32), bool
        ``train_bitmaps[i]`` is the original of ``load_split().X_train[i]``.
    test_bitmaps : ndarray of shape (360, 32, 32), bool
    """
    split = load_split()
    bitmaps = load_bitmaps()
    train, test = bitmaps[split.idx_train], bitmaps[split.idx_test]
    train.setflags(write=False)
    test.setflags(write=False)
    return train, test


def select_examples(y: np.ndarray, digit: int | None, limit: int) -> np.ndarray:
    """Rows of ``y`` with label ``digit`` (any label if None), the first ``limit``.

    Parameters
    ----------
    y : ndarray of shape (n,), integers in 0..9
    digit : int in 0..9, or None for every digit
    limit : int >= 0

    Returns
    -------
    ndarray of shape (min(limit, n_matching),), int

    Examples
    --------
    >>> select_examples(np.array([3, 1, 3, 3]), 3, 2).tolist()
    [0, 2]
    """
    rows = (
        np.arange(len(y)) if digit is None else np.flatnonzero(np.asarray(y) == digit)
    )
    return rows[: max(0, limit)]
