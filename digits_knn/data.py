"""The UCI handwritten digits, the tutorial's split and the sharp 32x32 originals.

``load_digits`` ships with scikit-learn, so nothing is downloaded. The 32x32 bitmaps are
UCI's ``optdigits-orig.windep`` (E. Alpaydin and C. Kaynak, CC BY 4.0), bit-packed inside
the package by ``scripts/make_optdigits_bitmaps.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

TEST_SIZE = 0.2
RANDOM_STATE = 1337
N_CLASSES = 10
BITMAP_SIZE = 32
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
    """
    digits = load_digits()
    X = np.asarray(digits.data, dtype=np.float64)
    y = np.asarray(digits.target, dtype=np.int64)
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
    indices = np.arange(len(y))
    X_train, X_test, y_train, y_test, idx_train, idx_test = train_test_split(
        X, y, indices, test_size=test_size, random_state=random_state
    )
    return Split(X_train, X_test, y_train, y_test, idx_train, idx_test)


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
        :func:`digits_knn.preprocessing.bitmap_to_features` gives ``load_xy()[0]``.
    """
    with resources.files("digits_knn._data").joinpath(_BITMAPS_FILE).open("rb") as f:
        packed = np.load(f)["packed"]
    bitmaps = np.unpackbits(packed, axis=1).astype(bool)
    bitmaps = bitmaps.reshape(-1, BITMAP_SIZE, BITMAP_SIZE)
    bitmaps.setflags(write=False)
    return bitmaps
