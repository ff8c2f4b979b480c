"""Figures: digits, bitmaps, block counts and confusion matrices, as matplotlib Figures.

Figures are built with :class:`matplotlib.figure.Figure` directly, not ``pyplot``, so they
are safe to make from several threads at once (a Streamlit server) and need no display.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digits_knn.features.preprocessing import (
    BLOCK_SIZE,
    GRID_SIZE,
    MAX_COUNT,
    unpack_bitmaps,
)

if TYPE_CHECKING:
    pass

GRID_COLOUR = (70, 130, 220)


def render_bitmap(
    bitmap: np.ndarray, *, scale: int = 4, grid: bool = False
) -> np.ndarray:
    """A 32x32 bitmap as a picture: black ink on white, each pixel ``scale`` wide.

    Fast (no matplotlib), for pages that redraw on every stroke.

    Parameters
    ----------
    bitmap : ndarray of shape (32, 32), bool
    scale : int >= 1, default 4
    grid : bool, default False
        Draw the 4x4 block grid of the UCI reduction in blue.

    Returns
    -------
    ndarray of shape (32 * scale, 32 * scale, 3), uint8
    """
    ink = np.kron(np.asarray(bitmap, dtype=bool), np.ones((scale, scale), dtype=bool))
    picture = np.where(ink[..., None], 0, 255).astype(np.uint8).repeat(3, axis=2)
    if grid:
        step = scale * BLOCK_SIZE
        picture[::step, :] = picture[:, ::step] = GRID_COLOUR
        picture[-1, :] = picture[:, -1] = GRID_COLOUR
    return picture


def png_bytes(picture: np.ndarray) -> bytes:
    """A picture as PNG bytes, encoded for speed (zlib level 1) rather than size.

    Parameters
    ----------
    picture : ndarray of shape (h, w, 3) or (h, w), uint8, or (h, w) bool
        A bool picture is stored with one bit per pixel, ``True`` white.

    Returns
    -------
    bytes
    """
    out = io.BytesIO()
    Image.fromarray(np.asarray(picture)).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def bitmap_png(bitmap: np.ndarray, *, scale: int = 2, grid: bool = False) -> bytes:
    """A 32x32 bitmap as a black-on-white PNG, each pixel ``scale`` wide.

    The same bitmap gives the same bytes, from a cache: the page shows the same
    training digits again and again, and a drawing again on every slider move.

    Parameters
    ----------
    bitmap : ndarray of shape (32, 32), bool
    scale : int >= 1, default 2
    grid : bool, default False
        With the 4x4 block grid in blue (:func:`render_bitmap`).

    Returns
    -------
    bytes
    """
    packed = np.packbits(np.asarray(bitmap, dtype=bool)).tobytes()
    return _bitmap_png(packed, scale, grid)


@lru_cache(maxsize=8192)
def _bitmap_png(packed: bytes, scale: int, grid: bool) -> bytes:
    bits = unpack_bitmaps(np.frombuffer(packed, dtype=np.uint8))
    if grid:
        return png_bytes(render_bitmap(bits, scale=scale, grid=True))
    ink = np.kron(bits, np.ones((scale, scale), dtype=bool))
    return png_bytes(~ink)


def counts_png(features: np.ndarray, *, cell: int = 28) -> bytes:
    """:func:`render_counts` as PNG bytes, from a cache like :func:`bitmap_png`'s.

    Parameters
    ----------
    features : ndarray of shape (64,) or (8, 8), numbers in 0..16 (rounded)
    cell : int, default 28

    Returns
    -------
    bytes
    """
    grid = np.clip(np.rint(np.asarray(features, dtype=np.float64)), 0, MAX_COUNT)
    return _counts_png(grid.astype(np.uint8).tobytes(), cell)


@lru_cache(maxsize=1024)
def _counts_png(counts: bytes, cell: int) -> bytes:
    return png_bytes(render_counts(np.frombuffer(counts, dtype=np.uint8), cell=cell))


def shares_png(shares: np.ndarray, *, cell: int = 28) -> bytes:
    """Each block's share of a distance (:func:`digits_knn.search.why.block_shares`) as an
    8x8 grid: white where the two digits agree, deeper orange the more a block adds,
    its percentage written in it (blank under 1%).

    Parameters
    ----------
    shares : ndarray of shape (8, 8) or (64,), floats in 0..1 summing to 1 (or all 0)
    cell : int, default 28

    Returns
    -------
    bytes
        A PNG of 8 * cell pixels square.
    """
    percents = np.clip(np.rint(np.asarray(shares, dtype=np.float64) * 100), 0, 100)
    return _shares_png(percents.astype(np.uint8).tobytes(), cell)


@lru_cache(maxsize=256)
def _shares_png(percents: bytes, cell: int) -> bytes:
    grid = np.frombuffer(percents, dtype=np.uint8).reshape(GRID_SIZE, GRID_SIZE)
    top = max(int(grid.max()), 1)
    image = Image.new("RGB", (GRID_SIZE * cell, GRID_SIZE * cell), "white")
    pen = ImageDraw.Draw(image)
    font = _font(cell * 2 // 5)
    for (row, col), value in np.ndenumerate(grid):
        strength = value / top
        colour = (255, int(255 - 150 * strength), int(255 - 235 * strength))
        box = (col * cell, row * cell, (col + 1) * cell - 1, (row + 1) * cell - 1)
        pen.rectangle(box, fill=colour, outline=(225, 225, 225))
        if value >= 1:
            pen.text(
                ((col + 0.5) * cell, (row + 0.5) * cell),
                str(value),
                fill="white" if strength > 0.6 else "black",
                font=font,
                anchor="mm",
            )
    return png_bytes(np.asarray(image))


#: The colour a hidden half is tinted with (white paper becomes this; ink stays dark).
HIDDEN_TINT = (205, 222, 245)


def _tint(picture: np.ndarray, hidden: np.ndarray | None) -> np.ndarray:
    """``picture`` (h, w, 3) with the pixels where ``hidden`` (h, w) tinted blue."""
    if hidden is None:
        return picture
    factor = np.where(hidden[..., None], np.array(HIDDEN_TINT) / 255.0, 1.0)
    return (picture * factor).astype(np.uint8)


def render_counts(
    features: np.ndarray, *, cell: int = 28, hidden: np.ndarray | None = None
) -> np.ndarray:
    """The 8x8 block counts as grey cells with each count (0..16) written in its cell.

    Parameters
    ----------
    features : ndarray of shape (64,) or (8, 8), numbers in 0..16 (rounded)
    cell : int, default 28
        Pixels per cell.
    hidden : ndarray of shape (8, 8), bool, optional
        Blocks to tint (a predicted half).

    Returns
    -------
    ndarray of shape (8 * cell, 8 * cell, 3), uint8
    """
    grid = np.clip(np.rint(np.asarray(features)), 0, MAX_COUNT).astype(np.intp)
    tiles = _count_tiles(cell)[grid.reshape(GRID_SIZE, GRID_SIZE)]  # (8, 8, c, c, 3)
    picture = tiles.transpose(0, 2, 1, 3, 4).reshape(
        GRID_SIZE * cell, GRID_SIZE * cell, 3
    )
    if hidden is None:
        return picture
    return _tint(
        picture, np.kron(np.asarray(hidden, dtype=bool), np.ones((cell, cell), bool))
    )


def render_grey(
    picture: np.ndarray, *, scale: int = 6, hidden: np.ndarray | None = None
) -> np.ndarray:
    """A 32x32 picture of ink shares (0 paper .. 1 ink) as grey levels.

    Parameters
    ----------
    picture : ndarray of shape (32, 32), float in 0..1 (or bool)
    scale : int >= 1, default 6
    hidden : ndarray of shape (32, 32), bool, optional
        Pixels to tint (the hidden or predicted half).

    Returns
    -------
    ndarray of shape (32 * scale, 32 * scale, 3), uint8
    """
    ink = np.clip(np.asarray(picture, dtype=np.float64), 0.0, 1.0)
    grey = np.rint(255 * (1 - ink)).astype(np.uint8)
    big = np.kron(grey, np.ones((scale, scale), dtype=np.uint8))
    rgb = big[..., None].repeat(3, axis=2)
    if hidden is None:
        return rgb
    return _tint(
        rgb, np.kron(np.asarray(hidden, dtype=bool), np.ones((scale, scale), bool))
    )


@lru_cache(maxsize=8)
def _count_tiles(cell: int) -> np.ndarray:
    """One cell per count 0..16, shaded and labelled: shape (17, cell, cell, 3).

    Drawn once per cell size: the page redraws the counts on every stroke.
    """
    tiles = np.empty((MAX_COUNT + 1, cell, cell, 3), dtype=np.uint8)
    font = _font(cell // 2)
    for value in range(MAX_COUNT + 1):
        shade = int(255 - value * 255 / MAX_COUNT)
        tile = Image.new("RGB", (cell, cell), (shade, shade, shade))
        colour = (255, 255, 255) if value > MAX_COUNT / 2 else (0, 0, 0)
        ImageDraw.Draw(tile).text(
            (cell / 2, cell / 2), str(value), fill=colour, font=font, anchor="mm"
        )
        tiles[value] = np.asarray(tile)
    tiles.setflags(write=False)
    return tiles


def render_probabilities(
    probabilities: Sequence[float] | np.ndarray,
    *,
    width: int = 560,
    height: int = 180,
) -> np.ndarray:
    """The probability of each digit as bars, the most probable one in blue.

    A picture rather than a chart: it is redrawn on every stroke, and a browser chart
    costs more to rebuild than an image costs to show.

    Parameters
    ----------
    probabilities : sequence of 10 floats in 0..1
    width, height : int
        Pixels.

    Returns
    -------
    ndarray of shape (height, width, 3), uint8
    """
    values = np.clip(np.asarray(probabilities, dtype=np.float64), 0.0, 1.0)
    if values.shape != (10,):
        raise ValueError(f"expected 10 probabilities, got shape {values.shape}")
    picture = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(picture)
    font = _font(14)
    top, bottom = 22, height - 22  # room for the percentages and the digits
    slot = width / 10
    best = int(np.argmax(values))
    pen.line([(0, bottom), (width, bottom)], fill=(190, 190, 190))
    for digit, value in enumerate(values):
        left = digit * slot + slot * 0.2
        right = (digit + 1) * slot - slot * 0.2
        bar_top = bottom - value * (bottom - top)
        colour = (28, 131, 225) if digit == best else (160, 190, 225)
        if value > 0:
            pen.rectangle([left, bar_top, right, bottom], fill=colour)
            pen.text(
                ((left + right) / 2, bar_top - 3),
                f"{value:.0%}",
                fill=(60, 60, 60),
                font=font,
                anchor="mb",
            )
        pen.text(
            ((left + right) / 2, bottom + 4),
            str(digit),
            fill=(0, 0, 0),
            font=font,
            anchor="mt",
        )
    return np.asarray(picture)


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)
