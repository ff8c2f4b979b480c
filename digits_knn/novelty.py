"""Is it a digit at all? KNN as an outlier detector.

The tutorial notes that nearest neighbours also detect outliers: a drawing whose nearest
training digits are all far away is unlike any digit the model knows. The score here is
the mean Euclidean distance to the 5 nearest training digits, and the threshold is a high
percentile of that score for real digits, calibrated as if they came from a new writer: a
training digit is scored against the training digits of *other* writers only.

The distance is not taken between the classifier's 64 block counts: after the NIST
normalisation stretches every drawing into a 20x32 box, a filled blob looks like a bold
0, a star like an 8 and a plus sign like a 1 (``benchmarks/drawn_accuracy.py`` measured
that detector flagging 46% of non-digits). It is taken between *shape features* of the
ink as drawn, before any stretching (:func:`shape_features`): where the strokes run in
which direction (a histogram of edge orientations on an 8x8 grid, the digit's aspect
ratio kept), the number of stroke ends, the pen's width relative to the character, how
much of its bounding box is ink, the number of enclosed holes, and its mirror
symmetries (a plus sign is as symmetric as a 0 but has four stroke ends).

The reference digits are shipped in ``_data/shape_reference.npz`` (made by
``scripts/make_shape_reference.py``): each UCI pendigits trajectory drawn once with a
wide range of pen widths and sizes, and each UCI optdigits bitmap placed on a canvas.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from PIL import Image
from scipy import ndimage

from digits_knn.preprocessing import DrawingError, _drop_specks, deskew, ink_mask

#: How many nearest training digits the score averages over.
NOVELTY_NEIGHBORS = 5
#: Share of real digits (by other writers) that must pass as digits.
ACCEPT_QUANTILE = 0.99
#: Training digits scored to set the threshold (a seeded sample).
CALIBRATION_SIZE = 3000
#: Side of the square the ink is fitted into (aspect kept) for the edge orientations.
SHAPE_SIDE = 32
#: The orientations are pooled on a SHAPE_CELLS x SHAPE_CELLS grid...
SHAPE_CELLS = 8
#: ... in this many orientation bins (0, 45, 90 and 135 degrees).
SHAPE_BINS = 4
#: Side the ink is shrunk to (aspect kept) before it is thinned to count stroke ends.
THIN_SIDE = 64
#: Weight of the six global measures against the unit-length orientation histogram.
SCALAR_WEIGHT = 0.3
#: Scale of the two mirror symmetries among the measures: measured in
#: ``benchmarks/drawn_accuracy.py`` (without them 86% of non-digits flagged, 0.902 at
#: 2, 0.914 at 3, real digits 1.3-1.4% throughout); a plus sign is as symmetric as a 0,
#: an 8 or a 1 but has four stroke ends.
SYMMETRY_WEIGHT = 3.0
#: How many global measures follow the orientation histogram.
N_MEASURES = 6
#: Length of :func:`shape_features`' vector.
N_SHAPE_FEATURES = SHAPE_BINS * SHAPE_CELLS * SHAPE_CELLS + N_MEASURES
#: Reference shapes shipped with the package.
_REFERENCE_FILE = "shape_reference.npz"


def thin(mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide skeleton of a binary image (Zhang and Suen's thinning, 1984).

    Parameters
    ----------
    mask : ndarray of shape (h, w), bool

    Returns
    -------
    ndarray of shape (h, w), bool
        A subset of ``mask``: every stroke reduced to a line one pixel wide, with the
        same ends, branches and holes.

    Examples
    --------
    >>> bar = np.zeros((7, 9), dtype=bool)
    >>> bar[2:5, 1:8] = True  # a bar 3 pixels thick
    >>> thin(bar).sum(axis=0).tolist()
    [0, 0, 1, 1, 1, 1, 0, 0, 0]
    """
    image = np.pad(np.asarray(mask, dtype=bool), 1)
    while True:
        changed = False
        for step in (0, 1):
            up, down = np.roll(image, 1, 0), np.roll(image, -1, 0)
            # The 8 neighbours clockwise from the one above: P2, P3, ..., P9.
            ring = [
                up,
                np.roll(up, -1, 1),
                np.roll(image, -1, 1),
                np.roll(down, -1, 1),
                down,
                np.roll(down, 1, 1),
                np.roll(image, 1, 1),
                np.roll(up, 1, 1),
            ]
            n_on = np.sum(ring, axis=0)
            n_rises = np.sum([~ring[i] & ring[(i + 1) % 8] for i in range(8)], axis=0)
            p2, p4, p6, p8 = ring[0], ring[2], ring[4], ring[6]
            if step == 0:
                side = ~(p2 & p4 & p6) & ~(p4 & p6 & p8)
            else:
                side = ~(p2 & p4 & p8) & ~(p2 & p6 & p8)
            remove = image & (n_on >= 2) & (n_on <= 6) & (n_rises == 1) & side
            if remove.any():
                image &= ~remove
                changed = True
        if not changed:
            return image[1:-1, 1:-1]


def _fit_into(crop: np.ndarray, side: int, margin: int = 0) -> np.ndarray:
    """Ink coverage (0..1) of ``crop`` scaled into a side x side square, aspect kept."""
    height, width = crop.shape
    scale = (side - 2 * margin) / max(height, width)
    new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
    coverage = Image.fromarray(crop.astype(np.float32), mode="F").resize(
        (new_w, new_h), Image.Resampling.BOX
    )
    square = np.zeros((side, side))
    top, left = (side - new_h) // 2, (side - new_w) // 2
    square[top : top + new_h, left : left + new_w] = np.asarray(coverage)
    return square


def _orientations(crop: np.ndarray) -> np.ndarray:
    """Edge orientation histogram on a grid; unit length, shape (SHAPE_BINS * cells**2,)."""
    image = ndimage.gaussian_filter(_fit_into(crop, SHAPE_SIDE, margin=2), 0.8)
    gy, gx = ndimage.sobel(image, 0), ndimage.sobel(image, 1)
    magnitude = np.hypot(gx, gy)
    position = np.mod(np.arctan2(gy, gx), np.pi) / np.pi * SHAPE_BINS
    low = np.floor(position).astype(int) % SHAPE_BINS
    frac = position - np.floor(position)
    channels = np.zeros((SHAPE_BINS, SHAPE_SIDE, SHAPE_SIDE))
    for b in range(SHAPE_BINS):  # each pixel's strength split between its two bins
        channels[b] = magnitude * (
            (low == b) * (1 - frac) + ((low + 1) % SHAPE_BINS == b) * frac
        )
    cell = SHAPE_SIDE // SHAPE_CELLS
    pooled = channels.reshape(SHAPE_BINS, SHAPE_CELLS, cell, SHAPE_CELLS, cell)
    pooled = ndimage.gaussian_filter(pooled.sum(axis=(2, 4)), (0, 0.7, 0.7)).ravel()
    return pooled / max(float(np.linalg.norm(pooled)), 1e-12)


def _global_measures(crop: np.ndarray) -> np.ndarray:
    """Stroke ends, relative pen width, ink fill of the box, holes, symmetries (~0..3)."""
    height, width = crop.shape
    area = float(crop.sum())
    boundary = area - float(ndimage.binary_erosion(np.pad(crop, 1)).sum())
    pen_width = 2 * area / max(boundary, 1.0)  # area / length, length = boundary / 2
    small = _fit_into(crop, THIN_SIDE) >= 0.5
    skeleton = thin(small)
    neighbours = ndimage.convolve(
        skeleton.astype(int), np.ones((3, 3)), mode="constant"
    )
    ends = int((skeleton & (neighbours == 2)).sum())  # itself and one neighbour
    holes = ndimage.label(~np.pad(small, 1))[1] - 1  # background parts but the outside
    near = ndimage.binary_dilation(skeleton, iterations=2)
    n_skeleton = max(int(skeleton.sum()), 1)
    mirror_lr = float((skeleton & near[:, ::-1]).sum()) / n_skeleton
    mirror_ud = float((skeleton & near[::-1, :]).sum()) / n_skeleton
    return np.array(
        [
            0.5 * ends,
            8.0 * pen_width / max(height, width),
            4.0 * area / (height * width),
            0.5 * min(holes, 6),
            SYMMETRY_WEIGHT * mirror_lr,
            SYMMETRY_WEIGHT * mirror_ud,
        ]
    )


def shape_features(mask: np.ndarray) -> np.ndarray:
    """What the ink looks like as drawn: the space "is it a digit?" is measured in.

    Parameters
    ----------
    mask : ndarray of shape (h, w), bool
        Ink of a drawing or photo at any size (:func:`digits_knn.preprocessing.ink_mask`).

    Returns
    -------
    ndarray of shape (262,), float64
        256 edge-orientation strengths (4 orientations on an 8x8 grid over the ink, its
        aspect ratio kept; unit length), then 6 global measures weighted by 0.3: stroke
        ends, pen width relative to the character, ink fill of the bounding box, holes,
        and how much of the thinned ink its left-right and its up-down mirror images
        cover.

    Raises
    ------
    DrawingError
        If the mask holds no ink.
    """
    mask = _drop_specks(np.asarray(mask, dtype=bool))
    if not mask.any():
        raise DrawingError("empty", "There is no ink: draw a digit first.")
    mask = deskew(mask)
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    crop = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return np.concatenate([_orientations(crop), SCALAR_WEIGHT * _global_measures(crop)])


def drawing_shape(image: np.ndarray) -> np.ndarray:
    """:func:`shape_features` of a drawing or photo (RGBA/RGB/grey uint8); shape (262,)."""
    return shape_features(ink_mask(image))


@dataclass(frozen=True)
class DigitDetector:
    """Flags drawings that are too far from every training digit to be a digit.

    Attributes
    ----------
    X_ref : ndarray of shape (n, n_features)
        The training digits, in the space the distance is taken in.
    threshold : float
        Scores above this are "not a digit".
    n_neighbors : int
    """

    X_ref: np.ndarray
    threshold: float
    n_neighbors: int = NOVELTY_NEIGHBORS

    def __post_init__(self) -> None:
        # |b|^2 of every reference row, once: a drawing's check is then one product.
        X_ref = np.asarray(self.X_ref, dtype=np.float64)
        object.__setattr__(self, "X_ref", X_ref)
        object.__setattr__(self, "_ref_norms", (X_ref * X_ref).sum(axis=1))

    def scores(self, X: np.ndarray) -> np.ndarray:
        """Mean distance to the ``n_neighbors`` nearest training digits.

        Parameters
        ----------
        X : ndarray of shape (n_queries, n_features) or (n_features,)

        Returns
        -------
        ndarray of shape (n_queries,), floats >= 0
        """
        return _mean_nearest(
            np.atleast_2d(np.asarray(X, dtype=np.float64)),
            self.X_ref,
            self.n_neighbors,
            ref_norms=self._ref_norms,  # type: ignore[attr-defined]
        )

    def is_digit(self, X: np.ndarray) -> np.ndarray:
        """``True`` where the score is at most the threshold; shape (n_queries,)."""
        return self.scores(X) <= self.threshold

    def check(self, x: np.ndarray) -> DigitCheck:
        """The verdict on one drawing's features (shape (n_features,))."""
        score = float(self.scores(x)[0])
        return DigitCheck(
            is_digit=score <= self.threshold, score=score, threshold=self.threshold
        )


@dataclass(frozen=True)
class DigitCheck:
    """Does one drawing look like a digit?

    Attributes
    ----------
    is_digit : bool
    score : float >= 0
        Mean distance to the nearest reference digits.
    threshold : float
        Largest score of a digit; 99% of real digits by unseen writers score below it.
    """

    is_digit: bool
    score: float
    threshold: float

    def to_dict(self) -> dict[str, bool | float]:
        """JSON-ready: ``is_digit``, ``digit_score``, ``digit_threshold``."""
        return {
            "is_digit": self.is_digit,
            "digit_score": round(self.score, 4),
            "digit_threshold": round(self.threshold, 4),
        }


def _mean_nearest(
    X: np.ndarray,
    X_ref: np.ndarray,
    n_neighbors: int,
    exclude: tuple[np.ndarray, np.ndarray] | None = None,
    ref_norms: np.ndarray | None = None,
) -> np.ndarray:
    """Mean distance of each row of X to its nearest rows of X_ref, in chunks.

    ``exclude``: (groups of X, groups of X_ref); pairs in the same group are skipped.
    ``ref_norms``: the squared norms of X_ref's rows, if already known.
    """
    if ref_norms is None:
        ref_norms = (X_ref * X_ref).sum(axis=1)
    out = np.empty(len(X))
    chunk = max(1, 2**21 // max(1, len(X_ref)))  # at most 16 MB of distances at once
    for start in range(0, len(X), chunk):
        stop = start + chunk
        part = X[start:stop]
        # One drawing: einsum's own loop on the calling thread, since BLAS would
        # spread so small a product over every core of a busy machine.
        products = (
            np.einsum("ij,j->i", X_ref, part[0])[None, :]
            if len(part) == 1
            else part @ X_ref.T
        )
        sq = (part * part).sum(axis=1)[:, None] + ref_norms[None, :]
        sq = np.maximum(sq - 2.0 * products, 0.0)  # |a|^2 + |b|^2 - 2ab
        if exclude is not None:
            sq[exclude[0][start:stop, None] == exclude[1][None, :]] = np.inf
        nearest = np.partition(sq, n_neighbors - 1, axis=1)[:, :n_neighbors]
        out[start:stop] = np.sqrt(nearest).mean(axis=1)
    return out


def fit_detector(
    X_train: np.ndarray,
    groups: np.ndarray,
    *,
    n_neighbors: int = NOVELTY_NEIGHBORS,
    quantile: float = ACCEPT_QUANTILE,
    calibration_size: int = CALIBRATION_SIZE,
    random_state: int = 0,
) -> DigitDetector:
    """Calibrate a :class:`DigitDetector` on training digits.

    Parameters
    ----------
    X_train : ndarray of shape (n, n_features)
        Training digits as :func:`shape_features` (or any features).
    groups : ndarray of shape (n,)
        Who wrote each digit: when a digit is scored for calibration, digits of the same
        group are left out, as for a writer the model has never seen. Use a distinct
        value per row where the writer is unknown.
    n_neighbors : int, default 5
    quantile : float in (0, 1), default 0.99
        Share of the calibration digits that pass.
    calibration_size : int, default 3000
    random_state : int, default 0

    Returns
    -------
    DigitDetector
    """
    X_train = np.asarray(X_train, dtype=np.float64)
    groups = np.asarray(groups)
    rng = np.random.default_rng(random_state)
    rows = rng.choice(
        len(X_train), size=min(calibration_size, len(X_train)), replace=False
    )
    scores = _mean_nearest(
        X_train[rows], X_train, n_neighbors, exclude=(groups[rows], groups)
    )
    return DigitDetector(
        X_ref=X_train,
        threshold=float(np.quantile(scores, quantile)),
        n_neighbors=n_neighbors,
    )


@dataclass(frozen=True)
class ShapeReference:
    """The shipped reference digits, as :func:`shape_features`.

    Attributes
    ----------
    X : ndarray of shape (n, 262), float64
    y : ndarray of shape (n,), int in 0..9
    groups : ndarray of shape (n,), int
        Writer ids 1..30 for the drawn pen digits; ``-1 - i`` for the UCI scan with
        index ``i`` in ``load_digits`` (writers unknown: every scan its own group).
    uci_index : ndarray of shape (n,), int
        Index in ``load_digits`` of a UCI scan, -1 for a drawn digit.
    """

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    uci_index: np.ndarray


@lru_cache(maxsize=1)
def load_shape_reference() -> ShapeReference:
    """The shapes of 7,494 drawn pen digits and of the 1,797 UCI scans on a canvas."""
    with resources.files("digits_knn._data").joinpath(_REFERENCE_FILE).open("rb") as f:
        data = np.load(f)
        uci_index = data["uci_index"].astype(np.int64)
        writers = data["writers"].astype(np.int64)
        reference = ShapeReference(
            X=np.hstack(
                [data["orientations"] / 255.0, data["measures"].astype(np.float64)]
            ),
            y=data["labels"].astype(np.int64),
            groups=np.where(uci_index >= 0, -1 - uci_index, writers),
            uci_index=uci_index,
        )
    for array in (reference.X, reference.y, reference.groups, reference.uci_index):
        array.setflags(write=False)
    return reference


def default_detector() -> DigitDetector:
    """The detector the app and the CLI use: every shipped reference digit."""
    reference = load_shape_reference()
    return fit_detector(reference.X, reference.groups)
