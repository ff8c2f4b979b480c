"""HOG features of many 32x32 bitmaps at once, in NumPy.

The same numbers as scikit-image's ``skimage.feature.hog`` on a binary bitmap (no
square root, L2-Hys block normalisation; ``tests/test_hog.py`` compares them),
computed for a whole stack of bitmaps with a few array operations instead of one
Python call per bitmap: 20,000 bitmaps in 0.26 s instead of 3.2 s (medians of 3, one
run). Beyond KNN's first open computes HOG features of about 40,000 digits (choosing
the parameters, fitting, scoring): about 6 s of its fits, now under 1.

The steps, as in scikit-image (Dalal and Triggs's HOG without the Gaussian window):

1. gradients by central differences, 0 on the image's border;
2. each pixel votes its gradient's magnitude for the bin of its direction (0..180
   degrees, ``orientations`` equal bins) in the histogram of its cell;
3. each histogram is divided by the cell's area;
4. blocks of ``block x block`` neighbouring cells (overlapping, step one cell) are
   normalised: L2, values clipped at 0.2, L2 again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Bitmaps per batch: bounds the temporary arrays (about 10 of 8 bytes per pixel).
CHUNK = 2048
#: Kinds of pixel of a binary bitmap: gradients of -1, 0 or 1 down and across.
KINDS = 9
#: The normalisation's epsilon, as scikit-image's.
EPS = 1e-5
#: L2-Hys clips the normalised values at this.
CLIP = 0.2


def hog_features(bitmaps: np.ndarray, params: Sequence[int]) -> np.ndarray:
    """HOG features of 32x32 bitmaps.

    Parameters
    ----------
    bitmaps : ndarray of shape (n, height, width), bool (or 0/1 numbers)
        Ink True, paper False.
    params : (orientations, pixels per cell, cells per block)

    Returns
    -------
    ndarray of shape (n, n_features), float32
        ``n_features = blocks_down * blocks_across * block**2 * orientations``, in
        scikit-image's order (block row, block column, cell row, cell column,
        direction); each block's values are 0..1 with a Euclidean norm of 1 (0 for a
        block with no ink).

    Raises
    ------
    ValueError
        Bitmaps not binary, or cells or blocks larger than the bitmap.
    """
    orientations, cell, block = (int(v) for v in params)
    bitmaps = np.asarray(bitmaps)
    if bitmaps.ndim != 3:
        raise ValueError(f"bitmaps must be (n, height, width), got {bitmaps.shape}")
    if bitmaps.dtype != bool:
        if not np.isin(bitmaps, (0, 1)).all():
            raise ValueError("bitmaps must be binary: ink 1 (or True), paper 0")
        bitmaps = bitmaps.astype(bool)
    if orientations < 1 or cell < 1 or block < 1:
        raise ValueError(f"HOG parameters must be positive, got {tuple(params)}")
    n, height, width = bitmaps.shape
    cells_down, cells_across = height // cell, width // cell
    if cells_down < block or cells_across < block:
        raise ValueError(
            f"{block}x{block} blocks of {cell}x{cell}-pixel cells do not fit in a "
            f"{height}x{width} bitmap"
        )
    n_features = (
        (cells_down - block + 1) * (cells_across - block + 1) * block**2 * orientations
    )
    out = np.empty((n, n_features), dtype=np.float32)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        histograms = _cell_histograms(bitmaps[start:stop], orientations, cell)
        out[start:stop] = _normalised_blocks(histograms, block).reshape(
            stop - start, -1
        )
    return out


def _cell_histograms(bitmaps: np.ndarray, orientations: int, cell: int) -> np.ndarray:
    """(n, cells_down, cells_across, orientations) float64: each cell's histogram of
    gradient directions weighted by magnitude, divided by the cell's area.

    A binary bitmap's gradients are -1, 0 or 1 down and across: 9 kinds of pixel.
    Each cell counts its pixels of each kind, and a 9 x orientations table turns the
    counts into the histogram (a kind's magnitude, in its direction's bin).
    """
    n, height, width = bitmaps.shape
    cells_down, cells_across = height // cell, width // cell
    ink = bitmaps.astype(np.int8)
    g_row = np.zeros(ink.shape, dtype=np.int8)
    g_col = np.zeros(ink.shape, dtype=np.int8)
    g_row[:, 1:-1, :] = ink[:, 2:, :] - ink[:, :-2, :]
    g_col[:, :, 1:-1] = ink[:, :, 2:] - ink[:, :, :-2]
    kind = (g_row + 1) * 3 + (g_col + 1)  # 0..8
    kind = kind[:, : cells_down * cell, : cells_across * cell]
    row_of_pixel = np.arange(cells_down * cell) // cell
    column_of_pixel = np.arange(cells_across * cell) // cell
    cell_of_pixel = row_of_pixel[:, None] * cells_across + column_of_pixel[None, :]
    n_cells = cells_down * cells_across
    index = (np.arange(n)[:, None, None] * n_cells + cell_of_pixel) * KINDS + kind
    counts = np.bincount(index.ravel(), minlength=n * n_cells * KINDS)
    counts = counts.reshape(n, cells_down, cells_across, KINDS).astype(np.float64)
    return counts @ _votes(orientations) / (cell * cell)


def _votes(orientations: int) -> np.ndarray:
    """(9, orientations) float64: what one pixel of each gradient kind adds to each
    bin, computed as scikit-image computes a pixel's magnitude and direction."""
    g_row, g_col = np.divmod(np.arange(KINDS), 3)
    g_row, g_col = (g_row - 1).astype(np.float64), (g_col - 1).astype(np.float64)
    magnitude = np.hypot(g_col, g_row)
    direction = np.rad2deg(np.arctan2(g_row, g_col)) % 180
    # Bin i holds the directions in [i, i + 1) * 180 / orientations; scikit-image
    # computes these edges in single precision, and so do we.
    width = np.float32(180.0 / orientations)
    edges = [float(np.float32(width * np.float32(i))) for i in range(1, orientations)]
    bins = np.searchsorted(edges, direction, side="right")
    votes = np.zeros((KINDS, orientations))
    votes[np.arange(KINDS), bins] = magnitude
    return votes


def _normalised_blocks(histograms: np.ndarray, block: int) -> np.ndarray:
    """(n, blocks_down, blocks_across, block, block, orientations): every block of
    ``block x block`` cells, L2-Hys normalised."""
    windows = np.lib.stride_tricks.sliding_window_view(
        histograms, (block, block), (1, 2)
    )
    # sliding_window_view puts the window's axes last: move them before the directions.
    blocks = np.moveaxis(windows, (-2, -1), (3, 4))
    norms = np.sqrt(np.sum(blocks**2, axis=(3, 4, 5), keepdims=True) + EPS**2)
    clipped = np.minimum(blocks / norms, CLIP)
    norms = np.sqrt(np.sum(clipped**2, axis=(3, 4, 5), keepdims=True) + EPS**2)
    return clipped / norms
