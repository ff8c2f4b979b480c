"""The UCI handwritten digits, the tutorial's split and the sharp 32x32 originals.

``load_digits`` ships with scikit-learn, so nothing is downloaded. The 32x32 bitmaps are
UCI's ``optdigits-orig.windep`` (E. Alpaydin and C. Kaynak, CC BY 4.0), bit-packed inside
the package by ``scripts/make_optdigits_bitmaps.py``.
"""

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
    from digits_knn.drawings.store import UserDigits

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


@dataclass(frozen=True)
class Collection:
    """Digits of one collection, as block counts and sharp 32x32 pictures.

    Attributes
    ----------
    X : ndarray of shape (n, 64), uint8 in 0..16
        Block counts: the smallest exact type (a float64 copy is 8 times larger).
    y : ndarray of shape (n,), int64 in 0..9
    packed : ndarray of shape (n, 128), uint8
        Each 32x32 picture bit-packed (``np.packbits``); :meth:`bitmap` unpacks one.
    folds : ndarray of shape (n,), int64
        Writer fold of each digit where its writer is known (0..PEN_FOLDS-1), else -1.
        A digit is never tested against training digits of its own fold.
    """

    X: np.ndarray
    y: np.ndarray
    packed: np.ndarray
    folds: np.ndarray

    def __len__(self) -> int:
        return len(self.y)

    def bitmap(self, row: int) -> np.ndarray:
        """The 32x32 picture of one digit: ndarray of shape (32, 32), bool."""
        return unpack_bitmaps(self.packed[row])

    @property
    def bitmaps(self) -> np.ndarray:
        """Every picture unpacked: ndarray of shape (n, 32, 32), bool (n KB each 1)."""
        return unpack_bitmaps(self.packed)

    def take(self, rows: np.ndarray) -> Collection:
        """The digits at ``rows`` (a new, read-only collection)."""
        return _read_only_collection(
            self.X[rows], self.y[rows], self.packed[rows], self.folds[rows]
        )


def _read_only_collection(
    X: np.ndarray, y: np.ndarray, packed: np.ndarray, folds: np.ndarray
) -> Collection:
    collection = Collection(
        X=np.ascontiguousarray(X, dtype=np.uint8),
        y=np.asarray(y, dtype=np.int64),
        packed=np.ascontiguousarray(packed, dtype=np.uint8),
        folds=np.asarray(folds, dtype=np.int64),
    )
    for array in (collection.X, collection.y, collection.packed, collection.folds):
        array.setflags(write=False)
    return collection


def _load_npz(name: str) -> dict[str, np.ndarray]:
    with resources.files("digits_knn._data").joinpath(name).open("rb") as f:
        data = np.load(f)
        return {key: data[key] for key in data.files}


#: Pen digits' writers are split into this many folds: a model is tested on a fold's
#: writers with that fold's writers left out of its training digits.
PEN_FOLDS = 5


def pen_fold(writers: np.ndarray) -> np.ndarray:
    """The writer fold (0..PEN_FOLDS-1) of UCI pendigits writers (1..30).

    Examples
    --------
    >>> pen_fold(np.array([1, 5, 6, 30])).tolist()
    [1, 0, 1, 0]
    """
    return np.asarray(writers, dtype=np.int64) % PEN_FOLDS


@dataclass(frozen=True)
class PenDigits:
    """UCI pendigits (30 writers) drawn as canvas strokes and reduced like a drawing.

    Generated by ``scripts/make_pendigits.py``: each trajectory drawn several times for
    training with varied pens, sizes and slants, and once more, seeded apart, to test.

    Attributes
    ----------
    train : Collection
        Every rendering for training (all 30 writers); ``folds`` from :func:`pen_fold`.
    writers, renders : ndarray of shape (n_train,), int64
        Who wrote each training rendering (1..30), and which rendering of its
        trajectory it is.
    test : Collection
        One more rendering of every trajectory, for testing by writer fold.
    test_writers : ndarray of shape (n_test,), int64
    """

    train: Collection
    writers: np.ndarray
    renders: np.ndarray
    test: Collection
    test_writers: np.ndarray


_PEN_FILE = "pendigits_drawn.npz"


@lru_cache(maxsize=1)
def load_pen_digits() -> PenDigits:
    """The drawn pen digits shipped in the package (see :class:`PenDigits`)."""
    a = _load_npz(_PEN_FILE)
    writers, test_writers = (
        a["writers"].astype(np.int64),
        a["test_writers"].astype(np.int64),
    )
    for array in (writers, test_writers):
        array.setflags(write=False)
    renders = a["renders"].astype(np.int64)
    renders.setflags(write=False)
    return PenDigits(
        train=_read_only_collection(
            a["features"], a["labels"], a["packed"], pen_fold(writers)
        ),
        writers=writers,
        renders=renders,
        test=_read_only_collection(
            a["test_features"],
            a["test_labels"],
            a["test_packed"],
            pen_fold(test_writers),
        ),
        test_writers=test_writers,
    )


_MNIST_FILE = "mnist_drawn.npz"


@lru_cache(maxsize=1)
def load_mnist() -> tuple[Collection, Collection]:
    """MNIST through the canvas path: the training digits the page learns from, and
    the test digits (writers disjoint from the training digits'); see
    ``scripts/make_mnist.py``. Derived from MNIST, CC BY-SA 3.0."""
    a = _load_npz(_MNIST_FILE)
    train = _read_only_collection(
        a["features"], a["labels"], a["packed"], np.full(len(a["labels"]), -1)
    )
    test = _read_only_collection(
        a["test_features"],
        a["test_labels"],
        a["test_packed"],
        np.full(len(a["test_labels"]), -1),
    )
    return train, test


_UJI_FILE = "uji_digits.npz"


@lru_cache(maxsize=1)
def load_uji_digits() -> Collection:
    """UJI Pen Characters v1's 220 digits (11 writers, another tablet) drawn on the
    canvas: test digits only, never trained on (``scripts/make_uji.py``)."""
    a = _load_npz(_UJI_FILE)
    return _read_only_collection(
        a["features"], a["labels"], a["packed"], np.full(len(a["labels"]), -1)
    )


#: Training sources: a key for each, and the label a learner sees.
TRAINING_SOURCES = {
    "uci": "UCI optdigits (the tutorial)",
    "uci+drawn": "UCI optdigits + drawn pen digits",
    "uci+drawn+mnist": "UCI optdigits + drawn pen digits + MNIST",
    "uci+drawn+mnist+yours": "UCI optdigits + drawn pen digits + MNIST + your drawings",
}
#: The shipped sources' best: what ``benchmarks/source_mix.py`` chose.
DEFAULT_SOURCE = "uci+drawn+mnist"
#: The source that adds the users' own drawings (:mod:`digits_knn.drawings.store`).
USER_SOURCE = "uci+drawn+mnist+yours"
#: Names of the blocks of training rows, in row order.
UCI_DIGITS = "UCI optdigits"
PEN_DIGITS = "drawn digits"
MNIST_DIGITS = "MNIST"
USER_DIGITS = "your drawings"
UCI_TEST = "UCI optdigits test split"
DRAWN_TEST = "drawn digits, unseen writers"
MNIST_TEST = "MNIST test writers"
UJI_TEST = "UJI digits, another tablet"


@dataclass(frozen=True)
class Pictures:
    """The 32x32 pictures of training digits kept in named blocks, by training row.

    Rows are numbered through the blocks in order, as in the training matrix they
    picture; the blocks are shared, not copied.

    Attributes
    ----------
    blocks : tuple of (str, ndarray)
        Each block's origin ("UCI optdigits", "drawn digits", "your drawings", ...)
        and pictures: bit-packed, shape (n_i, 128) uint8, or unpacked (n_i, 32, 32).
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
        if bitmaps.ndim == 2:  # bit-packed
            return unpack_bitmaps(bitmaps[i])
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
    X_train : ndarray of shape (n_train, 64), uint8 in 0..16
    y_train : ndarray of shape (n_train,), int64
    packed_train : ndarray of shape (n_train, 128), uint8
        Every training row's 32x32 picture, bit-packed.
    folds : ndarray of shape (n_train,), int64
        Each row's writer fold (pen digits), -1 where none; see :class:`Collection`.
    sizes : dict of str to int
        Training rows per origin, in row order.
    tests : dict of str to Collection
        Held-out digits per collection: the tutorial's UCI test split, pen digits of
        writers each tested with their own fold left out, MNIST's test writers and the
        UJI digits (another tablet, never trained on).
    """

    source: str
    X_train: np.ndarray
    y_train: np.ndarray
    packed_train: np.ndarray
    folds: np.ndarray
    sizes: dict[str, int]
    tests: dict[str, Collection]

    @property
    def bitmaps_train(self) -> np.ndarray:
        """Every training picture unpacked: ndarray of shape (n_train, 32, 32), bool."""
        return unpack_bitmaps(self.packed_train)

    def pictures(self) -> Pictures:
        """The training rows' pictures, in blocks named as in :attr:`sizes`."""
        blocks = []
        start = 0
        for name, size in self.sizes.items():
            blocks.append((name, self.packed_train[start : start + size]))
            start += size
        return Pictures(tuple(blocks))


def _collections(source: str) -> list[tuple[str, Collection]]:
    """The shipped training blocks of a source, in row order."""
    split = load_split()
    train_bitmaps, _ = load_split_bitmaps()
    uci = _read_only_collection(
        split.X_train,
        split.y_train,
        np.packbits(train_bitmaps.reshape(len(train_bitmaps), -1), axis=1),
        np.full(len(split.y_train), -1),
    )
    blocks = [(UCI_DIGITS, uci)]
    if "drawn" in source:
        blocks.append((PEN_DIGITS, load_pen_digits().train))
    if "mnist" in source:
        blocks.append((MNIST_DIGITS, load_mnist()[0]))
    return blocks


@lru_cache(maxsize=1)
def load_tests() -> dict[str, Collection]:
    """The held-out digits of every collection (see :attr:`TrainingSet.tests`)."""
    split = load_split()
    _, test_bitmaps = load_split_bitmaps()
    return {
        UCI_TEST: _read_only_collection(
            split.X_test,
            split.y_test,
            np.packbits(test_bitmaps.reshape(len(test_bitmaps), -1), axis=1),
            np.full(len(split.y_test), -1),
        ),
        DRAWN_TEST: load_pen_digits().test,
        MNIST_TEST: load_mnist()[1],
        UJI_TEST: load_uji_digits(),
    }


def load_training_set(
    source: str = DEFAULT_SOURCE, user: UserDigits | None = None
) -> TrainingSet:
    """The training digits of a source, and the test digits of every collection.

    ``"uci"`` is exactly the tutorial's training split. ``"uci+drawn"`` adds the drawn
    pen digits of all 30 writers, ``"uci+drawn+mnist"`` MNIST's training digits, and
    ``"uci+drawn+mnist+yours"`` the users' own drawings, ``user`` (none if not given),
    after those.

    Raises
    ------
    ValueError
        An unknown source.
    """
    if source not in TRAINING_SOURCES:
        raise ValueError(
            f"unknown training source {source!r}; choose one of {', '.join(TRAINING_SOURCES)}"
        )
    blocks = _collections(source)
    if source == USER_SOURCE and user is not None and len(user.y):
        bitmaps = np.asarray(user.bitmaps, dtype=bool)
        blocks.append(
            (
                USER_DIGITS,
                _read_only_collection(
                    user.X,
                    user.y,
                    np.packbits(bitmaps.reshape(len(bitmaps), -1), axis=1),
                    np.full(len(user.y), -1),
                ),
            )
        )
    sizes = {name: len(block) for name, block in blocks}
    if source == USER_SOURCE:
        sizes.setdefault(USER_DIGITS, 0)
    return _training_set(source, blocks, sizes)


def _training_set(
    source: str, blocks: list[tuple[str, Collection]], sizes: dict[str, int]
) -> TrainingSet:
    if len(blocks) == 1:
        only = blocks[0][1]
        X, y, packed, folds = only.X, only.y, only.packed, only.folds
    else:
        X = np.concatenate([b.X for _, b in blocks])
        y = np.concatenate([b.y for _, b in blocks])
        packed = np.concatenate([b.packed for _, b in blocks])
        folds = np.concatenate([b.folds for _, b in blocks])
        for array in (X, y, packed, folds):
            array.setflags(write=False)
    return TrainingSet(source, X, y, packed, folds, sizes, load_tests())


def writer_groups(training: TrainingSet) -> np.ndarray:
    """Groups for cross-validation by writer: a training row's writer fold where known
    (the pen digits), else a group of its own (writers of scans and MNIST are unknown).

    Returns
    -------
    ndarray of shape (n_train,), int64
    """
    own = -1 - np.arange(len(training.y_train))
    return np.where(training.folds >= 0, training.folds, own)


def sample_rows(n_rows: int, n: int, *, seed: int = 0) -> np.ndarray:
    """``n`` rows of ``n_rows`` at random (seeded), in ascending order; all if fewer.

    Examples
    --------
    >>> sample_rows(10, 3, seed=1).tolist(), sample_rows(2, 3).tolist()
    ([3, 4, 7], [0, 1])
    """
    if n >= n_rows:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, n, replace=False))
