"""Shape features of a drawing as drawn: the space "is it a digit?" is measured in.

The classifier's 64 block counts are taken after the NIST normalisation has stretched
every drawing into a 20x32 box, where a filled blob looks like a bold 0, a star like an
8 and a plus sign like a 1. These features describe the ink before any stretching:
where the strokes run in which direction (a histogram of edge orientations on an 8x8
grid, the aspect ratio kept), the number of stroke ends, the pen's width relative to the
character, how much of its bounding box is ink, the number of enclosed holes, its
mirror symmetries (a plus sign is as symmetric as a 0 but has four stroke ends), and
where its strokes end and branch (a C ends at its right, like no digit).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from digits_knn.features.ink import drop_specks, ink_mask
from digits_knn.features.preprocessing import DrawingError, deskew

#: Side of the square the ink is fitted into (aspect kept) for the edge orientations.
SHAPE_SIDE = 32
#: The orientations are pooled on a SHAPE_CELLS x SHAPE_CELLS grid...
SHAPE_CELLS = 8
#: ... in this many orientation bins (0, 45, 90 and 135 degrees).
SHAPE_BINS = 4
#: Side the ink is shrunk to (aspect kept) before it is thinned to count stroke ends.
THIN_SIDE = 64
#: Weight of the measures against the unit-length orientation histogram.
SCALAR_WEIGHT = 0.3
#: Scale of the two mirror symmetries among the measures: measured in
#: ``benchmarks/drawn_accuracy.py`` (without them 86% of non-digits flagged, 0.902 at
#: 2, 0.914 at 3, real digits 1.3-1.4% throughout); a plus sign is as symmetric as a 0,
#: an 8 or a 1 but has four stroke ends.
SYMMETRY_WEIGHT = 3.0
#: Where the stroke ends and branches are: counted on a grid of this side over the
#: thinned ink's bounding box (a C ends at its right, a 2 top left and bottom right).
POSITION_CELLS = 3
#: Weight of those counts against the global measures (each then weighted like them).
POSITION_WEIGHT = 1.0
#: How many measures follow the orientation histogram: six global ones, then the
#: stroke ends and the branch points by position.
N_MEASURES = 6 + 2 * POSITION_CELLS**2
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
    >>> blob = np.zeros((6, 6), dtype=bool)
    >>> blob[2:4, 2:4] = True  # a blob thins to one point, not to nothing
    >>> int(thin(blob).sum())
    1
    """
    image = np.pad(np.asarray(mask, dtype=bool), 1)
    while True:
        changed = False
        for step in (0, 1):
            ring = _ring(image)  # P2, P3, ..., P9 in Zhang and Suen's names
            n_on = np.sum(ring, axis=0)
            n_rises = _rises(ring)
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
            break
    skeleton = image[1:-1, 1:-1]
    if mask.any() and not skeleton.any():
        # Zhang and Suen's two steps can each take half of a 2x2 block, and a blob
        # thins down to such a block: it is one point, not nothing.
        rows, cols = np.nonzero(mask)
        nearest = np.argmin((rows - rows.mean()) ** 2 + (cols - cols.mean()) ** 2)
        skeleton[rows[nearest], cols[nearest]] = True
    return skeleton


def _crossings(skeleton: np.ndarray) -> np.ndarray:
    """How many separate strokes leave each pixel: the 0 -> 1 steps around its 8
    neighbours, clockwise (1 at a stroke's end, 2 along it, even round a stair-step
    of a thin curve, 3 or more where strokes meet); shape of ``skeleton``, int."""
    return _rises(_ring(np.pad(skeleton, 1)))[1:-1, 1:-1]


def _ring(image: np.ndarray) -> list[np.ndarray]:
    """Each pixel's 8 neighbours, clockwise from the one above (wrapping at the
    edges: pad the image first); 8 arrays of the image's shape."""
    up, down = np.roll(image, 1, 0), np.roll(image, -1, 0)
    return [
        up,
        np.roll(up, -1, 1),
        np.roll(image, -1, 1),
        np.roll(down, -1, 1),
        down,
        np.roll(down, 1, 1),
        np.roll(image, 1, 1),
        np.roll(up, 1, 1),
    ]


def _rises(ring: list[np.ndarray]) -> np.ndarray:
    """The 0 -> 1 steps around each pixel's ring of neighbours; int array."""
    return np.asarray(np.sum([~ring[i] & ring[(i + 1) % 8] for i in range(8)], axis=0))


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
    """Stroke ends, relative pen width, ink fill of the box, holes, symmetries (~0..3),
    then the ends and branches by position (:func:`_positions`)."""
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
    positions = _positions(skeleton, neighbours)
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
            *(POSITION_WEIGHT * positions),
        ]
    )


def _positions(skeleton: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Stroke ends, then branch points, counted by where they are on the skeleton.

    Parameters
    ----------
    skeleton : ndarray of shape (h, w), bool
        One-pixel-wide ink (:func:`thin`), not empty.
    neighbours : ndarray of shape (h, w), int
        Ink pixels in each pixel's 3x3 neighbourhood, itself included.

    Returns
    -------
    ndarray of shape (2 * POSITION_CELLS**2,), floats >= 0
        Ends per cell of a POSITION_CELLS x POSITION_CELLS grid over the skeleton's
        bounding box (row-major), then branch points (a cluster of pixels with three
        or more strokes leaving it counts once, at its centre) the same way, halved.
    """
    from scipy import ndimage  # slow import: see digits_knn/__init__

    rows = np.flatnonzero(skeleton.any(axis=1))
    cols = np.flatnonzero(skeleton.any(axis=0))
    top, height = rows[0], rows[-1] - rows[0] + 1
    left, width = cols[0], cols[-1] - cols[0] + 1

    def counts(points: np.ndarray) -> np.ndarray:
        cell_r = (points[:, 0] - top) * POSITION_CELLS // height
        cell_c = (points[:, 1] - left) * POSITION_CELLS // width
        grid = np.zeros(POSITION_CELLS**2)
        np.add.at(grid, (cell_r * POSITION_CELLS + cell_c).astype(int), 1.0)
        return grid

    ends = np.argwhere(skeleton & (neighbours == 2))
    branch_mask = skeleton & (_crossings(skeleton) >= 3)
    labels, n_branches = ndimage.label(branch_mask, structure=np.ones((3, 3)))
    centres = np.array(
        ndimage.center_of_mass(branch_mask, labels, range(1, n_branches + 1))
    ).reshape(-1, 2)
    return np.concatenate([0.5 * counts(ends), 0.25 * counts(np.round(centres))])


def shape_features(mask: np.ndarray) -> np.ndarray:
    """What the ink looks like as drawn: the space "is it a digit?" is measured in.

    Parameters
    ----------
    mask : ndarray of shape (h, w), bool
        Ink of a drawing or photo at any size (:func:`digits_knn.features.ink.ink_mask`).

    Returns
    -------
    ndarray of shape (N_SHAPE_FEATURES,) = (280,), float64
        256 edge-orientation strengths (4 orientations on an 8x8 grid over the ink, its
        aspect ratio kept; unit length), then 24 measures weighted by 0.3: stroke
        ends, pen width relative to the character, ink fill of the bounding box, holes,
        how much of the thinned ink its left-right and its up-down mirror images
        cover, then the stroke ends and the branch points counted on a 3x3 grid over
        the thinned ink (:func:`_positions`).

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
    return crop_shape_features(mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])


def crop_shape_features(crop: np.ndarray) -> np.ndarray:
    """:func:`shape_features` of the upright ink's bounding box (specks dropped, slant
    corrected, cropped: :class:`digits_knn.features.prepared.Drawing` makes it once).

    Returns
    -------
    ndarray of shape (280,), float64
    """
    return np.concatenate([_orientations(crop), SCALAR_WEIGHT * _global_measures(crop)])


def drawing_shape(image: np.ndarray) -> np.ndarray:
    """:func:`shape_features` of a drawing or photo (RGBA/RGB/grey uint8); shape (280,)."""
    return shape_features(ink_mask(image))
