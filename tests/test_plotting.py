from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from numpy.testing import assert_array_equal

from digits_knn.charts import grid_heatmap, plot_digits, validation_curve_chart
from digits_knn.datasets.uci import Split, load_xy
from digits_knn.plotting import render_bitmap, render_counts
from digits_knn.search.model import ALGORITHMS
from digits_knn.tuning.evaluation import time_algorithms
from digits_knn.tuning.selection import grid_search, results_table


def test_render_bitmap_is_ink_on_white(uci_bitmaps: np.ndarray) -> None:
    picture = render_bitmap(uci_bitmaps[0], scale=3)
    assert picture.shape == (96, 96, 3)
    assert picture.dtype == np.uint8
    ink = picture[..., 0] == 0
    assert_array_equal(ink[::3, ::3], uci_bitmaps[0])


def test_render_bitmap_grid_lines(uci_bitmaps: np.ndarray) -> None:
    picture = render_bitmap(np.zeros((32, 32), dtype=bool), scale=4, grid=True)
    assert tuple(picture[0, 5]) == tuple(picture[16, 5]) != (255, 255, 255)
    assert tuple(picture[2, 5]) == (255, 255, 255)


def test_render_counts_shades_each_cell() -> None:
    features = np.zeros(64, dtype=int)
    features[0] = 16
    picture = render_counts(features, cell=20)
    assert picture.shape == (160, 160, 3)
    assert picture[2, 2].max() < 30  # a full block is black...
    assert picture[2, 22].min() > 225  # ...an empty one white


def test_matplotlib_figures(uci_bitmaps: np.ndarray) -> None:
    X, y = load_xy()
    figure = plot_digits(X[:10], [f"label {d}" for d in y[:10]])
    assert isinstance(figure, Figure)
    assert len([ax for ax in figure.axes if ax.images]) == 10
    assert isinstance(plot_digits(uci_bitmaps[:3], ["a", "b", "c"], ncols=2), Figure)
    with pytest.raises(ValueError, match="3 images but 2 titles"):
        plot_digits(uci_bitmaps[:3], ["a", "b"])


def test_search_charts(split: Split) -> None:
    result = grid_search(
        split.X_train,
        split.y_train,
        {"n_neighbors": [1, 3], "p": [1, 2], "weights": ["uniform", "distance"]},
        cv=3,
        return_train_score=True,
    )
    rows = results_table(result)
    heat = grid_heatmap(rows, weights="distance").to_dict()
    assert len(heat["data"]["values"]) == 4
    curve = validation_curve_chart(rows, weights="uniform").to_dict()
    points = curve["data"]["values"]
    assert len(points) == 8  # 2 k x 2 p x (train, validation)
    assert {p["set"] for p in points} == {"train", "validation"}
    train_k1 = [p["accuracy"] for p in points if p["set"] == "train" and p["k"] == 1]
    assert train_k1 == [1.0, 1.0]  # each training digit is its own nearest neighbour


def test_time_algorithms_times_all_four(split: Split) -> None:
    timings = time_algorithms(
        split.X_train, split.y_train, split.X_test, n_neighbors=5, p=2, repeats=1
    )
    assert [t.algorithm for t in timings] == list(ALGORITHMS)
    assert all(t.fit_seconds > 0 and t.query_seconds > 0 for t in timings)
    methods = {t.algorithm: t.method for t in timings}
    assert methods["kd_tree"] == "kd_tree"
    assert methods["auto"] in {"brute", "kd_tree", "ball_tree"}


def test_render_probabilities_draws_the_winner_in_blue() -> None:
    from digits_knn.plotting import render_probabilities

    picture = render_probabilities([0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9, 0.0, 0.0])
    assert picture.shape == (180, 560, 3)
    blue = (picture[..., 2] > 200) & (picture[..., 0] < 60)  # the winner's colour
    columns = np.flatnonzero(blue.any(axis=0))
    assert columns.min() >= 7 * 56
    assert columns.max() < 8 * 56
    assert blue.any(axis=1).sum() > 100  # 90% of the bar height
    with pytest.raises(ValueError, match="10 probabilities"):
        render_probabilities([0.5, 0.5])


def test_bitmap_png_is_the_bitmap_black_on_white() -> None:
    import io

    from PIL import Image

    from digits_knn.plotting import bitmap_png

    bitmap = np.zeros((32, 32), dtype=bool)
    bitmap[3:9, 10:12] = True
    picture = np.asarray(
        Image.open(io.BytesIO(bitmap_png(bitmap, scale=3))).convert("L")
    )
    assert picture.shape == (96, 96)
    np.testing.assert_array_equal(picture[::3, ::3] == 0, bitmap)
    assert bitmap_png(bitmap, scale=3) is bitmap_png(bitmap.copy(), scale=3)  # cached


def test_the_drawings_pictures_are_the_renderings_from_a_cache() -> None:
    """The 32x32 with its grid and the 8x8 counts, as PNG: what render_bitmap and
    render_counts draw, the same bytes for the same digit (a k move redraws none)."""
    import io

    from PIL import Image

    from digits_knn.plotting import bitmap_png, counts_png

    def decoded(png: bytes) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    bitmap = np.zeros((32, 32), dtype=bool)
    bitmap[3:9, 10:12] = True
    gridded = bitmap_png(bitmap, scale=6, grid=True)
    np.testing.assert_array_equal(
        decoded(gridded), render_bitmap(bitmap, scale=6, grid=True)
    )
    assert gridded is bitmap_png(bitmap.copy(), scale=6, grid=True)
    assert gridded != bitmap_png(bitmap, scale=6)
    features = np.arange(64) % 17
    counts = counts_png(features)
    np.testing.assert_array_equal(decoded(counts), render_counts(features))
    assert counts is counts_png(features.astype(np.float64) + 0.2)  # rounded alike
    assert counts != counts_png(features[::-1])
