"""Figures: digits, bitmaps, block counts and confusion matrices, as matplotlib Figures.

Figures are built with :class:`matplotlib.figure.Figure` directly, not ``pyplot``, so they
are safe to make from several threads at once (a Streamlit server) and need no display.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from digits_knn.preprocessing import GRID_SIZE, MAX_COUNT


def plot_digits(
    images: np.ndarray,
    titles: Sequence[str],
    *,
    ncols: int = 10,
    size: float = 1.2,
) -> Figure:
    """A grid of digit images, each with a title, as in the tutorial's first-ten figure.

    Parameters
    ----------
    images : ndarray of shape (n, 8, 8) or (n, 64) counts in 0..16, or (n, 32, 32) bitmaps
    titles : sequence of n str
    ncols : int, default 10
    size : float, default 1.2
        Inches per image.

    Returns
    -------
    Figure
    """
    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == GRID_SIZE * GRID_SIZE:
        images = images.reshape(-1, GRID_SIZE, GRID_SIZE)
    if len(images) != len(titles):
        raise ValueError(f"{len(images)} images but {len(titles)} titles")
    n = max(len(images), 1)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig = Figure(figsize=(size * ncols, size * 1.25 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    vmax = 1 if images.dtype == bool else MAX_COUNT
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, image, title in zip(axes.ravel(), images, titles, strict=False):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=vmax, interpolation="nearest")
        ax.set_title(title, fontsize=9)
    return fig


def plot_bitmap(bitmap: np.ndarray, *, title: str = "") -> Figure:
    """A 32x32 bitmap with its 4x4 block grid drawn over it.

    Parameters
    ----------
    bitmap : ndarray of shape (32, 32), bool
    """
    fig = Figure(figsize=(3, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(bitmap, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    size = bitmap.shape[0]
    for edge in np.arange(0, size + 1, size // GRID_SIZE) - 0.5:
        ax.axhline(edge, color="tab:blue", linewidth=0.5, alpha=0.6)
        ax.axvline(edge, color="tab:blue", linewidth=0.5, alpha=0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_features(features: np.ndarray, *, title: str = "") -> Figure:
    """The 8x8 block counts as an image with each count (0..16) written in its cell.

    Parameters
    ----------
    features : ndarray of shape (64,) or (8, 8), integers in 0..16
    """
    grid = np.asarray(features).reshape(GRID_SIZE, GRID_SIZE)
    fig = Figure(figsize=(3, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(grid, cmap="gray_r", vmin=0, vmax=MAX_COUNT, interpolation="nearest")
    for (i, j), value in np.ndenumerate(grid):
        colour = "white" if value > MAX_COUNT / 2 else "black"
        ax.text(
            j, i, str(int(value)), ha="center", va="center", fontsize=7, color=colour
        )
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_confusion_matrix(confusion: np.ndarray, *, title: str = "") -> Figure:
    """A confusion matrix, true digit down the side, predicted digit along the top.

    Parameters
    ----------
    confusion : ndarray of shape (10, 10), int
    """
    n = confusion.shape[0]
    fig = Figure(figsize=(4.5, 4), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(confusion, cmap="Blues")
    threshold = confusion.max() / 2 if confusion.size else 0
    for (i, j), value in np.ndenumerate(confusion):
        if value:
            colour = "white" if value > threshold else "black"
            ax.text(
                j, i, str(value), ha="center", va="center", fontsize=8, color=colour
            )
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_probabilities(
    probabilities: np.ndarray, *, highlight: int | None = None
) -> Figure:
    """A bar chart of the probability of each digit 0..9.

    Parameters
    ----------
    probabilities : ndarray of shape (10,), floats in 0..1
    highlight : int, optional
        The predicted digit, drawn in another colour.
    """
    fig = Figure(figsize=(4.5, 2.2), layout="constrained")
    ax = fig.add_subplot()
    colours = [
        "tab:orange" if d == highlight else "tab:blue"
        for d in range(len(probabilities))
    ]
    ax.bar(range(len(probabilities)), probabilities, color=colours)
    ax.set_xticks(range(len(probabilities)))
    ax.set_ylim(0, 1)
    ax.set_xlabel("digit")
    ax.set_ylabel("probability")
    return fig
