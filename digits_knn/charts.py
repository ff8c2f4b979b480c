"""Charts of the tutorial as matplotlib figures: its first-ten digits, a grid search's
mean accuracy over k and p, and the validation curve."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from digits_knn.features.preprocessing import (
    GRID_SIZE,
    MAX_COUNT,
)

if TYPE_CHECKING:
    import altair as alt
    from matplotlib.figure import Figure


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
    from matplotlib.figure import Figure  # slow import: see digits_knn/__init__

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


def _rows_for(rows: Sequence[dict[str, Any]], weights: str) -> list[dict[str, Any]]:
    return [dict(row) for row in rows if row["weights"] == weights]


def grid_heatmap(
    rows: Sequence[dict[str, Any]], *, weights: str = "uniform"
) -> alt.LayerChart:
    """Mean cross-validated accuracy over k (columns) and p (rows), one cell each.

    Parameters
    ----------
    rows : sequence of dict
        :func:`digits_knn.tuning.selection.results_table`: ``n_neighbors``, ``p``,
        ``weights``, ``mean_test_score``, ``std_test_score``, ``rank_test_score``.
    weights : str, default "uniform"
        Which weighting's results to show.

    Returns
    -------
    altair.LayerChart
        The tooltip of a cell gives the mean, the std over the folds and the rank.
    """
    import altair as alt  # slow import: see digits_knn/__init__

    chosen = _rows_for(rows, weights)
    scores = [row["mean_test_score"] for row in chosen]
    middle = (min(scores) + max(scores)) / 2 if scores else 0.0
    base = alt.Chart(alt.Data(values=chosen)).encode(
        x=alt.X("n_neighbors:O", title="k", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("p:O", title="p"),
    )
    heat = base.mark_rect().encode(
        color=alt.Color(
            "mean_test_score:Q",
            title="mean CV accuracy",
            scale=alt.Scale(scheme="viridis"),
        ),
        tooltip=[
            alt.Tooltip("n_neighbors:O", title="k"),
            alt.Tooltip("p:O"),
            alt.Tooltip("mean_test_score:Q", title="mean CV accuracy", format=".4f"),
            alt.Tooltip("std_test_score:Q", title="std over folds", format=".4f"),
            alt.Tooltip("rank_test_score:Q", title="rank"),
        ],
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("mean_test_score:Q", format=".3f"),
        # viridis is light at the top: dark text there, white text on the dark end.
        color=alt.condition(
            alt.datum.mean_test_score > middle, alt.value("black"), alt.value("white")
        ),
    )
    return (heat + text).properties(height=alt.Step(36))


def validation_curve_chart(
    rows: Sequence[dict[str, Any]], *, weights: str = "uniform"
) -> alt.Chart:
    """Train and validation accuracy against k, one colour per p.

    Train accuracy (the fold's own digits, each its own nearest neighbour) is high for
    small k and falls as k grows; validation accuracy peaks where the model neither
    over- nor under-fits.

    Parameters
    ----------
    rows : sequence of dict
        :func:`digits_knn.tuning.selection.results_table` of a search run with train scores.
    weights : str, default "uniform"

    Returns
    -------
    altair.Chart
    """
    import altair as alt  # slow import: see digits_knn/__init__

    points = []
    for row in _rows_for(rows, weights):
        for column, kind in (
            ("mean_test_score", "validation"),
            ("mean_train_score", "train"),
        ):
            if column in row:
                points.append(
                    {
                        "k": row["n_neighbors"],
                        "p": str(row["p"]),
                        "set": kind,
                        "accuracy": row[column],
                    }
                )
    return (
        alt.Chart(alt.Data(values=points))
        .mark_line(point=True)
        .encode(
            x=alt.X("k:Q", title="k"),
            y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False), title="mean accuracy"),
            color=alt.Color("p:N", title="p"),
            strokeDash=alt.StrokeDash("set:N", title="scored on"),
            tooltip=["k:Q", "p:N", "set:N", alt.Tooltip("accuracy:Q", format=".4f")],
        )
        .properties(height=300)
    )
