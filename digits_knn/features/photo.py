"""Photos of light ink on a dark background: chalk on a board, a dark-mode screenshot.

The drawing path reads dark ink on light paper (:func:`digits_knn.features.ink.ink_mask`).
A photo of chalk on a blackboard is the other way round: read as it is, its board is
the "ink" and the page refused it as painted full. :func:`as_dark_on_light` decides
from the image's border and its ink statistics whether the background is dark, and if
so returns the picture inverted, its uneven light flattened, cropped to the board when
a light frame (a wall, the board's edge) surrounds it, with a notice to show. Anything
else is returned as it was, and every later check (too little ink, too much, not a
digit) still applies: inverting never makes a scribble pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digits_knn.features.ink import MIN_CONTRAST, otsu_threshold, to_grey
from digits_knn.features.preprocessing import MAX_INK_FRACTION

#: The border band read for the background's colour, as a share of the shorter side.
BORDER = 0.04
#: The background is dark when more than this share of the border band is dark...
DARK_BORDER = 0.6
#: ... and the light pixels (the ink) are a minority of the image.
MAX_LIGHT_INK = 0.45
#: The side the background is estimated at (a grey closing, then scaled back up).
BACKGROUND_SIDE = 128
#: The closing's width, as a share of the shorter side: wider than a chalk stroke
#: (measured on generated photos: 0.12 thinned thick strokes, 91% read right; 0.3, 99%).
BACKGROUND_WIDTH = 0.3
NOTICE = (
    "Light ink on a dark background (a blackboard, a dark-mode screenshot?): read with "
    "its colours inverted."
)


@dataclass(frozen=True)
class Photo:
    """A picture ready for the drawing path.

    Attributes
    ----------
    image : ndarray of shape (h, w, 4), uint8
        Dark ink on a light background (RGBA, opaque): the picture as it came, or
        inverted and flattened.
    notice : str or None
        What was done to it, to show the user; None if nothing was.
    """

    image: np.ndarray
    notice: str | None


def _border(mask: np.ndarray) -> np.ndarray:
    """The values of ``mask`` in a band along the image's edge."""
    band = max(2, round(BORDER * min(mask.shape)))
    return np.concatenate(
        [
            mask[:band].ravel(),
            mask[-band:].ravel(),
            mask[band:-band, :band].ravel(),
            mask[band:-band, -band:].ravel(),
        ]
    )


def _is_light_on_dark(grey: np.ndarray) -> bool:
    """Whether ``grey`` (h, w) shows light ink on a dark background."""
    if float(grey.max() - grey.min()) < MIN_CONTRAST:
        return False
    threshold, gap = otsu_threshold(grey)
    if gap < MIN_CONTRAST:
        return False
    dark = grey < threshold
    return bool(_border(dark).mean() > DARK_BORDER and 1 - dark.mean() < MAX_LIGHT_INK)


def _board(grey: np.ndarray) -> tuple[slice, slice] | None:
    """The dark board inside a light frame: the bounding box of the largest dark
    region, inset a little; None when there is no such board."""
    from scipy import ndimage  # slow import: see digits_knn/__init__

    threshold, gap = otsu_threshold(grey)
    if gap < MIN_CONTRAST:
        return None
    dark = grey < threshold
    if dark.mean() < 1 - MAX_INK_FRACTION:  # mostly light: paper, not a board
        return None
    labels, n = ndimage.label(dark)
    if n == 0:
        return None
    largest = int(np.argmax(np.bincount(labels.ravel())[1:])) + 1
    rows, cols = ndimage.find_objects((labels == largest).astype(int))[0]
    inset_r = max(1, (rows.stop - rows.start) // 50)
    inset_c = max(1, (cols.stop - cols.start) // 50)
    box = (
        slice(rows.start + inset_r, rows.stop - inset_r),
        slice(cols.start + inset_c, cols.stop - inset_c),
    )
    if box[0].stop - box[0].start < 16 or box[1].stop - box[1].start < 16:
        return None
    return box


def _flattened_inverse(grey: np.ndarray) -> np.ndarray:
    """``grey`` inverted (dark ink on light), its uneven light taken out: each pixel
    against the background around it (a grey closing wider than a stroke)."""
    from scipy import ndimage

    inverted = 255.0 - grey
    h, w = inverted.shape
    step = max(1, int(np.ceil(max(h, w) / BACKGROUND_SIDE)))
    small = inverted[::step, ::step]
    width = max(3, round(BACKGROUND_WIDTH * min(small.shape)))
    background = ndimage.grey_closing(small, size=(width, width))
    background = ndimage.uniform_filter(background, size=width)
    background = np.repeat(np.repeat(background, step, axis=0), step, axis=1)[:h, :w]
    ink = np.clip(background - inverted, 0, None)  # how much darker than around it
    scale = max(float(ink.max()), 1.0)
    return 255.0 - 255.0 * ink / scale


def as_dark_on_light(image: np.ndarray) -> Photo:
    """A picture as the drawing path reads it: dark ink on light.

    Parameters
    ----------
    image : ndarray of shape (h, w, 4), (h, w, 3) or (h, w), uint8

    Returns
    -------
    Photo
        Light-on-dark pictures inverted and flattened (and cropped to a dark board
        inside a light frame), with :data:`NOTICE`; anything else as it was.
    """
    grey = to_grey(image)
    box = None
    if not _is_light_on_dark(grey):
        box = _board(grey)
        if box is None or not _is_light_on_dark(grey[box]):
            return Photo(np.asarray(image), None)
        grey = grey[box]
    flat = np.clip(_flattened_inverse(grey), 0, 255).astype(np.uint8)
    rgba = np.empty((*flat.shape, 4), dtype=np.uint8)
    rgba[..., :3] = flat[..., None]
    rgba[..., 3] = 255
    return Photo(rgba, NOTICE)


def chalk_photo(
    bitmap: np.ndarray,
    rng: np.random.Generator,
    *,
    frame: bool = False,
    uneven: bool = True,
    side: int = 320,
) -> np.ndarray:
    """A generated photo of a digit in chalk on a board, for tests and benchmarks.

    The 32x32 ``bitmap`` is drawn 6 times larger at a random place, blurred (chalk
    has soft edges), light (150..230) with patchy strength on a dark board (25..70),
    under light that falls off across the board (``uneven``), with sensor noise, and
    with a light frame around the board (``frame``: a wall, the board's edge).

    Returns
    -------
    ndarray of shape (side, side), uint8 grey levels
    """
    from scipy import ndimage

    scale = 6
    big = np.kron(np.asarray(bitmap, dtype=float), np.ones((scale, scale)))
    canvas = np.zeros((side, side))
    room = side - big.shape[0]
    top, left = (room // 2 + rng.integers(-room // 4, room // 4 + 1, 2)).tolist()
    canvas[top : top + big.shape[0], left : left + big.shape[1]] = big
    canvas = ndimage.gaussian_filter(canvas, 1.5)
    board, ink = rng.uniform(25, 70), rng.uniform(150, 230)
    yy, xx = np.mgrid[0:side, 0:side] / side
    light = 0.0
    if uneven:
        light = rng.uniform(-40, 40) * (yy - 0.5) + rng.uniform(-40, 40) * (xx - 0.5)
    grey = board + light + (ink - board) * canvas * rng.uniform(0.7, 1.0, canvas.shape)
    grey = grey + rng.normal(0, 6, grey.shape)
    if frame:
        width = int(side * rng.uniform(0.05, 0.12))
        level = rng.uniform(190, 240)
        grey[:width] = grey[-width:] = level
        grey[:, :width] = grey[:, -width:] = level
    return np.clip(grey, 0, 255).astype(np.uint8)
