"""Shape features of a drawing as drawn: the space "is it a digit?" is measured in.

The classifier's 64 block counts are taken after the NIST normalisation has stretched
every drawing into a 20x32 box, where a filled blob looks like a bold 0, a star like an
8 and a plus sign like a 1. These features describe the ink before any stretching:
where the strokes run in which direction (a histogram of edge orientations on an 8x8
grid, the aspect ratio kept), the number of stroke ends, the pen's width relative to the
character, how much of its bounding box is ink, the number of enclosed holes, and its
mirror symmetries (a plus sign is as symmetric as a 0 but has four stroke ends).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from digits_knn.preprocessing import DrawingError, deskew, drop_specks, ink_mask

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
    from scipy import ndimage  # slow import: see digits_knn/__init__

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
    from scipy import ndimage  # slow import: see digits_knn/__init__

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
    mask = drop_specks(np.asarray(mask, dtype=bool))
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
