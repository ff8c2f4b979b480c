"""From a drawing or a photo to the 64 features of UCI optdigits.

UCI's description of optdigits: "We used preprocessing programs made available by NIST to
extract normalized bitmaps of handwritten digits from a preprinted form ... 32x32 bitmaps
are divided into nonoverlapping blocks of 4x4 and the number of on pixels are counted in
each block. This generates an input matrix of 8x8 where each element is an integer in the
range 0..16." :func:`bitmap_to_features` is that last step, exactly; :func:`canvas_to_bitmap`
brings a drawing into the shape of those normalised bitmaps first (NIST's normaliser,
NISTIR 5469: bounding box, scale, centre, even out the stroke thickness).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image

from digits_knn.features.ink import drop_specks, ink_mask

BITMAP_SIZE = 32
BLOCK_SIZE = 4
GRID_SIZE = BITMAP_SIZE // BLOCK_SIZE
MAX_COUNT = BLOCK_SIZE * BLOCK_SIZE
N_FEATURES = GRID_SIZE * GRID_SIZE


#: A drawing whose ink spans less than this fraction of the image's larger side is a dot,
#: not a digit.
MIN_EXTENT = 0.1
#: An image more than this fraction of ink is a painted area, not a digit on paper.
MAX_INK_FRACTION = 0.6
#: NIST's stroke-thickness rule (hsfsys normaliz.c), by the number of ink pixels in the
#: normalised 32x32 bitmap: erode twice above 560, once above 412, dilate twice below 108,
#: once below 256. ``load_digits`` averages 313 ink pixels (5%..95%: 261..368).
ERODE_TWICE, ERODE_ONCE, DILATE_ONCE, DILATE_TWICE = 560, 412, 256, 108
#: NIST scales every character to this width (and 32 rows).
NIST_WIDTH = 20
#: Largest slant :func:`deskew` corrects (horizontal shift per row): 45 degrees.
MAX_SKEW = 1.0
#: Characters narrower than this (columns, aspect kept at 32 rows) are thin, like a 1,
#: and keep their aspect ratio.
THIN_WIDTH = 12

DrawingProblem = Literal["empty", "too_small", "too_much_ink"]
#: What a drawing shows: a whole digit, or only one half of one ("upper": its top half).
Part = Literal["whole", "upper", "lower", "left", "right"]


class DrawingError(ValueError):
    """A drawing or image that holds no digit to classify.

    Attributes
    ----------
    reason : {"empty", "too_small", "too_much_ink"}
        ``"empty"``: no ink at all; ``"too_small"``: a dot or a speck, too little ink to
        be a digit; ``"too_much_ink"``: most of the image is dark (a painted canvas, a
        photo of a dark surface).
    """

    def __init__(self, reason: DrawingProblem, message: str) -> None:
        super().__init__(message)
        self.reason: DrawingProblem = reason


def bitmap_to_features(bitmap: np.ndarray) -> np.ndarray:
    """Count the ink pixels of each non-overlapping 4x4 block, as UCI optdigits did.

    Parameters
    ----------
    bitmap : array-like of shape (32, 32) or (n, 32, 32), bool (or 0/1)

    Returns
    -------
    ndarray of shape (64,) or (n, 64), int64 in 0..16
        Row-major block counts, the layout of ``load_digits().data``.

    Examples
    --------
    >>> bitmap = np.zeros((32, 32), dtype=bool)
    >>> bitmap[:4, :4] = True
    >>> bitmap[4, 4] = True
    >>> bitmap_to_features(bitmap)[[0, 1, 9]].tolist()
    [16, 0, 1]
    """
    bitmap = np.asarray(bitmap)
    if bitmap.shape[-2:] != (BITMAP_SIZE, BITMAP_SIZE) or bitmap.ndim not in (2, 3):
        raise ValueError(
            f"expected a bitmap of shape (32, 32) or (n, 32, 32), got {bitmap.shape}"
        )
    ink = bitmap.astype(bool).astype(np.int64)
    blocks = ink.reshape(*ink.shape[:-2], GRID_SIZE, BLOCK_SIZE, GRID_SIZE, BLOCK_SIZE)
    counts = blocks.sum(axis=(-3, -1))
    return counts.reshape(*ink.shape[:-2], N_FEATURES)


# Order in which a 4x4 block's pixels are inked for a count (a Bayer dither matrix), so
# that a picture rebuilt from 8x8 counts shows even grey blocks.
_DITHER = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]])


def counts_to_bitmap(features: np.ndarray) -> np.ndarray:
    """A 32x32 picture whose 4x4 block counts are exactly ``features``.

    For digits known only by their 8x8 counts (an imported CSV): each block gets as many
    ink pixels as its count, spread evenly.

    Parameters
    ----------
    features : array-like of shape (64,) or (n, 64), integers 0..16

    Returns
    -------
    ndarray of shape (32, 32) or (n, 32, 32), bool

    Examples
    --------
    >>> counts = np.arange(64) % 17
    >>> (bitmap_to_features(counts_to_bitmap(counts)) == counts).all()
    np.True_
    """
    features = np.asarray(features)
    counts = features.reshape(-1, GRID_SIZE, 1, GRID_SIZE, 1)
    blocks = _DITHER[None, None, :, None, :] < counts
    return blocks.reshape(*features.shape[:-1], BITMAP_SIZE, BITMAP_SIZE)


def unpack_bitmaps(packed: np.ndarray) -> np.ndarray:
    """Bit-packed 32x32 bitmaps (``np.packbits`` of each, 128 bytes) as bool arrays.

    Parameters
    ----------
    packed : ndarray of shape (128,) or (n, 128), uint8

    Returns
    -------
    ndarray of shape (32, 32) or (n, 32, 32), bool

    Examples
    --------
    >>> bitmap = np.eye(32, dtype=bool)
    >>> (unpack_bitmaps(np.packbits(bitmap)) == bitmap).all()
    np.True_
    """
    packed = np.asarray(packed, dtype=np.uint8)
    bits = np.unpackbits(packed, axis=-1).astype(bool)
    return bits.reshape(*packed.shape[:-1], BITMAP_SIZE, BITMAP_SIZE)


def _even_thickness(bitmap: np.ndarray, share: float = 1.0) -> np.ndarray:
    """NIST's rule: erode or dilate by the ink count of the normalised bitmap.

    ``share`` is the part of a whole digit the bitmap holds (0.5 for a half): the
    ink counts the rule compares with are scaled by it.
    """
    from scipy import ndimage  # slow import: see digits_knn/__init__

    n = int(bitmap.sum()) / share
    cross = ndimage.generate_binary_structure(2, 1)
    if n > ERODE_ONCE:
        steps = 2 if n > ERODE_TWICE else 1
        for _ in range(steps):
            eroded = ndimage.binary_erosion(bitmap, cross)
            if eroded.sum() / share < DILATE_ONCE:  # never erode a digit away
                break
            bitmap = eroded
    elif n < DILATE_ONCE:
        steps = 2 if n < DILATE_TWICE else 1
        bitmap = ndimage.binary_dilation(bitmap, cross, iterations=steps)
    return bitmap


def deskew(mask: np.ndarray) -> np.ndarray:
    """Shear the ink so that it stands upright: slant correction by image moments.

    The slant is the covariance of the ink's x and y over the variance of its y (the
    shear that makes the principal axis vertical), clipped to 45 degrees. NIST's form
    system corrected slant before the bitmaps of UCI optdigits were cut out, so drawings
    are brought upright too: measured in ``benchmarks/preprocessing.py`` it lifts
    pen-drawn digits from 0.79 to 0.90 with a model fitted on ``load_digits``.

    Parameters
    ----------
    mask : ndarray of shape (h, w), bool

    Returns
    -------
    ndarray of shape (h, w'), bool
        The same rows; the columns cropped to the ink and widened as the shear needs.

    Examples
    --------
    >>> bar = np.zeros((40, 40), dtype=bool)
    >>> for y in range(5, 35):
    ...     bar[y, 30 - y // 2 : 34 - y // 2] = True  # a "/" leaning right
    >>> int(bar.any(axis=0).sum()), int(deskew(bar).any(axis=0).sum())  # columns
    (19, 5)
    """
    from scipy import ndimage  # slow import: see digits_knn/__init__

    mask = np.asarray(mask, dtype=bool)
    ys, xs = np.nonzero(mask)
    if len(ys) < 2:
        return mask
    yc, xc = ys.mean(), xs.mean()
    var_y = ((ys - yc) ** 2).mean()
    if var_y == 0:
        return mask
    skew = float(np.clip(((xs - xc) * (ys - yc)).mean() / var_y, -MAX_SKEW, MAX_SKEW))
    # Output pixel (y, x) reads input (y, x + skew * (y - yc)), on the ink's columns
    # widened by the largest shift so that nothing leaves the frame.
    shift = int(np.ceil(abs(skew) * max(yc - ys.min(), ys.max() - yc))) + 1
    left = xs.min() - shift
    width = xs.max() - xs.min() + 1 + 2 * shift
    padded = np.zeros((mask.shape[0], width), dtype=np.float32)
    src_left = max(left, 0)
    src = mask[:, src_left : xs.max() + 1].astype(np.float32)
    padded[:, src_left - left : src_left - left + src.shape[1]] = src
    sheared = ndimage.affine_transform(
        padded,
        np.array([[1.0, 0.0], [skew, 1.0]]),
        offset=np.array([0.0, -skew * yc]),
        order=1,
    )
    return sheared >= 0.5


def _target_size(height: int, width: int) -> tuple[int, int]:
    """Size (rows, columns) of the character inside the 32x32 bitmap.

    NIST's normaliser stretches every character to 20 columns by 32 rows; measured on
    pen-drawn digits (``benchmarks/preprocessing.py``) that beats keeping the aspect
    ratio by 3 to 4 points. Only a thin character (under 12 columns when its height fills
    the 32 rows, a 1 drawn as a bar) keeps its aspect ratio, so that a 1 is not smeared
    over the middle columns, which only about 38% of UCI's 1s span.
    """
    thin_width = round(width * BITMAP_SIZE / height)
    if thin_width < THIN_WIDTH:
        return BITMAP_SIZE, max(1, thin_width)
    return BITMAP_SIZE, NIST_WIDTH


def _placement(part: Part, height: int, width: int) -> tuple[int, int, int, int]:
    """Where the ink's bounding box goes in the 32x32 bitmap: (top, left, rows, cols).

    A whole digit is scaled by :func:`_target_size` and centred. A half is scaled as
    the whole digit it belongs to would be (a top half as tall again below it, a left
    half as wide again to its right) and put where that half of the centred whole
    lies: it is not stretched into a whole digit.
    """
    if part == "whole":
        rows, cols = _target_size(height, width)
        return (BITMAP_SIZE - rows) // 2, (BITMAP_SIZE - cols) // 2, rows, cols
    if part in ("upper", "lower"):
        _, cols = _target_size(2 * height, width)
        rows = BITMAP_SIZE // 2
        top = 0 if part == "upper" else BITMAP_SIZE - rows
        return top, (BITMAP_SIZE - cols) // 2, rows, cols
    _, whole_cols = _target_size(height, 2 * width)
    cols = max(1, whole_cols // 2)
    left = (BITMAP_SIZE - whole_cols) // 2
    if part == "right":
        left += whole_cols - cols
    return 0, left, BITMAP_SIZE, cols


def mask_to_bitmap(mask: np.ndarray, *, part: Part = "whole") -> np.ndarray:
    """Normalise an ink mask of any size into a UCI-like 32x32 bitmap.

    Specks are dropped and the slant corrected (:func:`deskew`), then the ink's bounding
    box is scaled to NIST's 20 columns by 32 rows (the height fills
    the rows, as in the UCI forms) unless the character is thin (a 1 keeps its aspect
    ratio), centred, then the stroke thickness is evened out as NIST's normaliser does.

    A drawing of only half a digit (``part`` "upper", "lower", "left" or "right") is
    scaled as its whole digit would be and placed in that half of the bitmap (see
    :func:`_placement`); the rest stays empty. Its slant is not corrected: half a
    digit's ink does not tell the whole's slant.

    Parameters
    ----------
    mask : ndarray of shape (h, w), bool
    part : {"whole", "upper", "lower", "left", "right"}, default "whole"
        What the drawing shows.

    Returns
    -------
    ndarray of shape (32, 32), bool

    Raises
    ------
    DrawingError
        If the mask holds no ink, too little to be a digit, or mostly ink.
    ValueError
        An unknown ``part``.
    """
    if part not in ("whole", "upper", "lower", "left", "right"):
        raise ValueError(f"unknown part {part!r}")
    mask = np.asarray(mask, dtype=bool)
    check_ink(mask)
    clean = drop_specks(mask)
    crop = ink_crop(deskew(clean) if part == "whole" else clean, max(mask.shape))
    return crop_to_bitmap(crop, part=part)


def check_ink(mask: np.ndarray) -> None:
    """Refuse a mask with no ink or mostly ink (:class:`DrawingError`)."""
    if not mask.any():
        raise DrawingError("empty", "There is no ink: draw a digit first.")
    if mask.mean() > MAX_INK_FRACTION:
        raise DrawingError(
            "too_much_ink",
            f"{mask.mean():.0%} of the image is ink: draw a digit with dark strokes "
            "on a light background.",
        )


def ink_crop(mask: np.ndarray, frame: int) -> np.ndarray:
    """The ink's bounding box of ``mask``; a :class:`DrawingError` ("too_small") if its
    larger side is under :data:`MIN_EXTENT` of ``frame`` (the image's larger side)."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        raise DrawingError("empty", "There is no ink: draw a digit first.")
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    if max(height, width) < MIN_EXTENT * frame:
        raise DrawingError(
            "too_small",
            "That is only a dot: too little ink to be a digit. Draw the digit larger.",
        )
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def crop_to_bitmap(crop: np.ndarray, *, part: Part = "whole") -> np.ndarray:
    """The ink's bounding box (:func:`ink_crop`) scaled, placed and evened out into
    the 32x32 bitmap (the second half of :func:`mask_to_bitmap`)."""
    height, width = crop.shape
    top, left, new_h, new_w = _placement(part, int(height), int(width))
    coverage = Image.fromarray(crop.astype(np.float32), mode="F").resize(
        (new_w, new_h), Image.Resampling.BOX
    )
    small = np.asarray(coverage) >= 0.5
    if not small.any():  # strokes thinner than a bitmap pixel: keep the darkest ones
        small = np.asarray(coverage) >= 0.5 * float(np.asarray(coverage).max())
    bitmap = np.zeros((BITMAP_SIZE, BITMAP_SIZE), dtype=bool)
    bitmap[top : top + new_h, left : left + new_w] = small
    if part == "whole":
        return _even_thickness(bitmap)
    # Thickened, a half's ink must not spill over the middle into the other half.
    inside = np.zeros_like(bitmap)
    middle = BITMAP_SIZE // 2
    if part in ("upper", "lower"):
        inside[:middle] = True
    else:
        inside[:, :middle] = True
    if part in ("lower", "right"):
        inside = ~inside
    return _even_thickness(bitmap, 0.5) & inside


def canvas_to_bitmap(image: np.ndarray, *, part: Part = "whole") -> np.ndarray:
    """Turn a drawing (or a photo of a digit on paper) into a UCI-like 32x32 bitmap.

    Parameters
    ----------
    image : ndarray of shape (h, w, 4), (h, w, 3) or (h, w), uint8
        Any size; white or transparent background, any dark ink colour. This is what
        ``streamlit-drawable-canvas`` returns with ``return_image_data=True``.
    part : {"whole", "upper", "lower", "left", "right"}, default "whole"
        What the drawing shows: a whole digit, or only that half of one (see
        :func:`mask_to_bitmap`).

    Returns
    -------
    ndarray of shape (32, 32), bool
        ``True`` where there is ink.

    Raises
    ------
    DrawingError
        With ``reason`` ``"empty"`` (nothing drawn), ``"too_small"`` (a dot) or
        ``"too_much_ink"`` (a canvas painted full).
    ValueError
        If ``image`` is not a uint8 image array.
    """
    return mask_to_bitmap(ink_mask(image), part=part)


def canvas_to_features(image: np.ndarray) -> np.ndarray:
    """:func:`canvas_to_bitmap` then :func:`bitmap_to_features`.

    Returns
    -------
    ndarray of shape (64,), int64 in 0..16
    """
    return bitmap_to_features(canvas_to_bitmap(image))


def bitmap_to_canvas(
    bitmap: np.ndarray, *, size: int = 280, scale: int = 6
) -> np.ndarray:
    """Place a 32x32 bitmap on a white canvas as black ink, each pixel a square.

    Parameters
    ----------
    bitmap : ndarray of shape (32, 32), bool
    size : int, default 280
        Canvas side in pixels.
    scale : int, default 6
        Side of each bitmap pixel on the canvas; the bitmap is centred.

    Returns
    -------
    ndarray of shape (size, size, 4), uint8
        RGBA, like the drawing canvas's image data.

    Examples
    --------
    >>> from digits_knn.datasets.uci import load_bitmaps, load_xy
    >>> bitmap = load_bitmaps()[0]
    >>> (canvas_to_features(bitmap_to_canvas(bitmap)) == load_xy()[0][0]).mean() > 0.8
    np.True_
    """
    side = BITMAP_SIZE * scale
    if side > size:
        raise ValueError(f"a 32x32 bitmap at scale {scale} does not fit in {size} px")
    canvas = np.full((size, size, 4), 255, dtype=np.uint8)
    big = np.kron(np.asarray(bitmap, dtype=bool), np.ones((scale, scale), dtype=bool))
    start = (size - side) // 2
    canvas[start : start + side, start : start + side][big] = (0, 0, 0, 255)
    return canvas
