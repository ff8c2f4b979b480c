"""The UCI handwritten digits, the tutorial's split and the sharp 32x32 originals.

``load_digits`` ships with scikit-learn, so nothing is downloaded. The 32x32 bitmaps are
UCI's ``optdigits-orig.windep`` (E. Alpaydin and C. Kaynak, CC BY 4.0), bit-packed inside
the package by ``scripts/make_optdigits_bitmaps.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from digits_knn.preprocessing import unpack_bitmaps

if TYPE_CHECKING:
    from digits_knn.store import UserDigits

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
    """
    from sklearn.datasets import load_digits  # slow import: see digits_knn/__init__

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
    from sklearn.model_selection import train_test_split

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


_DRAWN_FILE = "pendigits_drawn.npz"
#: Writers of UCI pendigits kept out of every training set, to test on.
DRAWN_TEST_WRITERS = frozenset(range(25, 31))


@dataclass(frozen=True)
class DrawnDigits:
    """UCI pendigits (30 writers) drawn as canvas strokes and reduced like a drawing.

    Generated by ``scripts/make_pendigits.py``: each trajectory is drawn twice, with
    seeded variation of size, position and pen width.

    Attributes
    ----------
    X : ndarray of shape (n, 64), float64 holding integers 0..16
    y : ndarray of shape (n,), int64 in 0..9
    writers : ndarray of shape (n,), int64 in 1..30
    renders : ndarray of shape (n,), int64
        Which of the drawings of the same trajectory a row is (0 or 1).
    bitmaps : ndarray of shape (n, 32, 32), bool
    """

    X: np.ndarray
    y: np.ndarray
    writers: np.ndarray
    renders: np.ndarray
    bitmaps: np.ndarray


@lru_cache(maxsize=1)
def load_drawn_digits() -> DrawnDigits:
    """The drawn pen digits shipped in the package (see :class:`DrawnDigits`)."""
    with resources.files("digits_knn._data").joinpath(_DRAWN_FILE).open("rb") as f:
        data = np.load(f)
        arrays = {name: data[name] for name in data.files}
    bitmaps = unpack_bitmaps(arrays["packed"])
    drawn = DrawnDigits(
        X=arrays["features"].astype(np.float64),
        y=arrays["labels"].astype(np.int64),
        writers=arrays["writers"].astype(np.int64),
        renders=arrays["renders"].astype(np.int64),
        bitmaps=bitmaps,
    )
    for array in (drawn.X, drawn.y, drawn.writers, drawn.renders, drawn.bitmaps):
        array.setflags(write=False)
    return drawn


#: Training sources: a key for each, and the label a learner sees.
TRAINING_SOURCES = {
    "uci": "UCI optdigits (the tutorial)",
    "uci+drawn": "UCI optdigits + drawn digits (UCI pendigits)",
    "uci+drawn+yours": "UCI optdigits + drawn digits + your drawings",
}
DEFAULT_SOURCE = "uci+drawn"
#: The source that adds the users' own drawings (:mod:`digits_knn.store`).
USER_SOURCE = "uci+drawn+yours"
#: Name of the users' drawings in :attr:`TrainingSet.sizes`.
USER_DIGITS = "your drawings"
UCI_TEST = "UCI optdigits test split"
DRAWN_TEST = "drawn digits, unseen writers"


@dataclass(frozen=True)
class TestSet:
    """Held-out digits of one source.

    Attributes
    ----------
    X : ndarray of shape (n, 64)
    y : ndarray of shape (n,)
    bitmaps : ndarray of shape (n, 32, 32), bool
    """

    X: np.ndarray
    y: np.ndarray
    bitmaps: np.ndarray


@dataclass(frozen=True)
class Pictures:
    """The 32x32 pictures of training digits kept in named blocks, by training row.

    Rows are numbered through the blocks in order, as in the training matrix they
    picture; the blocks are shared, not copied.

    Attributes
    ----------
    blocks : tuple of (str, ndarray of shape (n_i, 32, 32), bool)
        Each block's origin ("UCI optdigits", "drawn digits", "your drawings", ...)
        and pictures.
    """

    blocks: tuple[tuple[str, np.ndarray], ...]

    def _locate(self, row: int) -> tuple[str, np.ndarray, int]:
        if row < 0:
            raise IndexError(f"row {row} is out of range")
        for name, bitmaps in self.blocks:
            if row < len(bitmaps):
                return name, bitmaps, row
            row -= len(bitmaps)
        raise IndexError("row is past the last training digit")

    def bitmap(self, row: int) -> np.ndarray:
        """The picture of a training row: ndarray of shape (32, 32), bool."""
        _, bitmaps, i = self._locate(row)
        return np.asarray(bitmaps[i], dtype=bool)

    def origin(self, row: int) -> str:
        """Which block a training row comes from."""
        return self._locate(row)[0]

    def plus(self, name: str, bitmaps: np.ndarray) -> Pictures:
        """These pictures followed by a block of more (numbered after them)."""
        return Pictures((*self.blocks, (name, bitmaps)))


@dataclass(frozen=True)
class TrainingSet:
    """What a model learns from, and the held-out digits it is tested on.

    Attributes
    ----------
    source : str
        A key of :data:`TRAINING_SOURCES`.
    X_train : ndarray of shape (n_train, 64)
    y_train : ndarray of shape (n_train,)
    bitmaps_train : ndarray of shape (n_train, 32, 32), bool
        The 32x32 picture of every training row, to show neighbours.
    groups : ndarray of shape (n_train,)
        Who wrote each training row: the pen writer's id for drawn digits, a distinct
        negative number for each UCI digit (their writers are not known).
    sizes : dict of str to int
        Training rows per source ("UCI optdigits", "drawn digits"), in row order.
    tests : dict of str to TestSet
        Held-out digits per source: the tutorial's UCI test split, and the drawn digits
        of writers 25..30, whom no training set includes.
    """

    source: str
    X_train: np.ndarray
    y_train: np.ndarray
    bitmaps_train: np.ndarray
    groups: np.ndarray
    sizes: dict[str, int]
    tests: dict[str, TestSet]

    def pictures(self) -> Pictures:
        """The training rows' pictures, in blocks named as in :attr:`sizes`."""
        blocks = []
        start = 0
        for name, size in self.sizes.items():
            blocks.append((name, self.bitmaps_train[start : start + size]))
            start += size
        return Pictures(tuple(blocks))


def load_training_set(
    source: str = DEFAULT_SOURCE, user: UserDigits | None = None
) -> TrainingSet:
    """The training digits of a source, and the test digits of every source.

    ``"uci"`` is exactly the tutorial's training split. ``"uci+drawn"`` adds the drawn
    pen digits of writers 1..24 (both drawings of each). ``"uci+drawn+yours"`` adds
    the users' own drawings, ``user`` (none if not given), after those.

    Raises
    ------
    ValueError
        An unknown source.
    """
    if source not in TRAINING_SOURCES:
        raise ValueError(
            f"unknown training source {source!r}; choose one of {', '.join(TRAINING_SOURCES)}"
        )
    if source != USER_SOURCE:
        return _load_training_set(source)
    base = _load_training_set("uci+drawn")
    if user is None or len(user.y) == 0:
        return replace(base, source=source, sizes={**base.sizes, USER_DIGITS: 0})
    n_base = len(base.y_train)
    return replace(
        base,
        source=source,
        X_train=np.vstack([base.X_train, user.X]),
        y_train=np.concatenate([base.y_train, user.y]),
        bitmaps_train=np.concatenate([base.bitmaps_train, user.bitmaps]),
        groups=np.concatenate([base.groups, -1 - n_base - np.arange(len(user.y))]),
        sizes={**base.sizes, USER_DIGITS: len(user.y)},
    )


@lru_cache(maxsize=2)
def _load_training_set(source: str) -> TrainingSet:
    split = load_split()
    train_bitmaps, test_bitmaps = load_split_bitmaps()
    drawn = load_drawn_digits()
    held_out = np.isin(drawn.writers, sorted(DRAWN_TEST_WRITERS))
    drawn_test = held_out & (drawn.renders == 0)
    tests = {
        UCI_TEST: TestSet(split.X_test, split.y_test, test_bitmaps),
        DRAWN_TEST: TestSet(
            drawn.X[drawn_test], drawn.y[drawn_test], drawn.bitmaps[drawn_test]
        ),
    }
    uci_groups = -1 - np.arange(len(split.y_train))
    if source == "uci":
        return TrainingSet(
            source=source,
            X_train=split.X_train,
            y_train=split.y_train,
            bitmaps_train=train_bitmaps,
            groups=uci_groups,
            sizes={"UCI optdigits": len(split.y_train)},
            tests=tests,
        )
    drawn_train = ~held_out
    return TrainingSet(
        source=source,
        X_train=np.vstack([split.X_train, drawn.X[drawn_train]]),
        y_train=np.concatenate([split.y_train, drawn.y[drawn_train]]),
        bitmaps_train=np.concatenate([train_bitmaps, drawn.bitmaps[drawn_train]]),
        groups=np.concatenate([uci_groups, drawn.writers[drawn_train]]),
        sizes={
            "UCI optdigits": len(split.y_train),
            "drawn digits": int(drawn_train.sum()),
        },
        tests=tests,
    )
