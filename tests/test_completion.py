"""KNN regression: finishing a digit from the half that is visible."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from digits_knn.beyond.completion import (
    HALVES,
    choose_completion,
    fit_completer,
    hidden_blocks,
    hidden_features,
    hidden_pixels,
    neighbor_weights,
    rmse_per_count,
    visible_features,
)
from digits_knn.datasets.uci import Split
from digits_knn.features.preprocessing import canvas_to_bitmap
from tests.conftest import STROKE_DIGITS, draw_strokes


@pytest.mark.parametrize("half", HALVES)
def test_the_halves_split_the_64_counts_in_two(half: str) -> None:
    hidden, visible = hidden_features(half), visible_features(half)
    assert len(hidden) == len(visible) == 32
    assert sorted(np.concatenate([hidden, visible]).tolist()) == list(range(64))
    blocks = hidden_blocks(half)
    assert (np.flatnonzero(blocks.ravel()) == hidden).all()
    # The 32x32 pixels hidden are exactly those of the hidden blocks.
    assert hidden_pixels(half).sum() == 512
    assert (hidden_pixels(half)[::4, ::4] == blocks).all()


def test_the_lower_half_is_the_last_four_block_rows() -> None:
    assert hidden_features("lower").tolist() == list(range(32, 64))
    assert hidden_features("right")[:4].tolist() == [4, 5, 6, 7]


def test_unknown_half_is_refused() -> None:
    with pytest.raises(ValueError, match="half must be one of"):
        hidden_features("middle")


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_complete_is_the_regressors_weighted_average(
    split: Split, weights: str
) -> None:
    completer = fit_completer(split.X_train, "lower", n_neighbors=10, weights=weights)
    x = split.X_test[3]
    completion = completer.complete(x)
    hidden = hidden_features("lower")
    # The same numbers as scikit-learn's KNeighborsRegressor.predict ...
    expected = completer.regressor.predict(x[visible_features("lower")][None, :])[0]
    np.testing.assert_allclose(completion.features[hidden], expected)
    np.testing.assert_allclose(completer.predict(x[None, :])[0, hidden], expected)
    # ... made of the neighbours' own hidden halves with the weights shown.
    own = split.X_train[completion.neigh_ind][:, hidden]
    np.testing.assert_allclose(completion.weights @ own, expected)
    assert completion.weights.sum() == pytest.approx(1.0)
    # The visible half is left as drawn; the neighbours are nearest by it.
    visible = visible_features("lower")
    assert (completion.features[visible] == x[visible]).all()
    dist = np.linalg.norm(split.X_train[:, visible] - x[visible], axis=1)
    assert completion.neigh_dist[-1] <= np.sort(dist)[9] + 1e-9


def test_a_training_digit_at_distance_zero_takes_all_the_weight(split: Split) -> None:
    completer = fit_completer(split.X_train, "upper", n_neighbors=5, weights="distance")
    completion = completer.complete(split.X_train[0])
    assert completion.neigh_dist[0] == 0
    assert completion.weights[completion.neigh_dist > 0].sum() == 0
    assert neighbor_weights(np.array([2.0, 2.0]), "uniform").tolist() == [0.5, 0.5]


def test_the_picture_averages_the_neighbours_bitmaps() -> None:
    X = np.zeros((2, 64), dtype=np.uint8)
    X[1, :32] = 1  # visible half further from a blank query
    completer = fit_completer(X, "lower", n_neighbors=2, weights="uniform")
    completion = completer.complete(np.zeros(64))
    ink = np.zeros((2, 32, 32), dtype=bool)
    ink[0, 20:, :] = True  # one neighbour has ink in the lower rows, one has none
    picture = completion.picture(np.packbits(ink.reshape(2, -1), axis=1))
    assert picture.shape == (32, 32)
    assert picture[25, 5] == pytest.approx(0.5)
    assert picture[2, 5] == 0


def test_knn_finishes_uci_scans_better_than_ridge_and_the_true_class(
    split: Split,
) -> None:
    """The issue's figure: the lower half of the tutorial's test scans, RMSE <= 3.1,
    below a ridge regression and below the mean of the digit's own class."""
    hidden, visible = hidden_features("lower"), visible_features("lower")
    completer = fit_completer(split.X_train, "lower", n_neighbors=10)
    knn = rmse_per_count(
        completer.predict(split.X_test)[:, hidden], split.X_test[:, hidden]
    )
    ridge = Ridge(alpha=1.0).fit(split.X_train[:, visible], split.X_train[:, hidden])
    linear = rmse_per_count(
        ridge.predict(split.X_test[:, visible]), split.X_test[:, hidden]
    )
    class_mean = np.stack(
        [split.X_train[split.y_train == c][:, hidden].mean(axis=0) for c in range(10)]
    )[split.y_test]
    assert knn <= 3.1
    assert knn < linear
    assert knn < rmse_per_count(class_mean, split.X_test[:, hidden])


def test_cross_validation_leaves_the_writer_out() -> None:
    """Twins in one writer group never complete each other; in two groups they do."""
    rng = np.random.default_rng(0)
    X = np.repeat(rng.integers(0, 17, size=(60, 64)), 2, axis=0).astype(np.uint8)
    twins = np.repeat(np.arange(60), 2)
    alone = np.arange(120)
    same = choose_completion(X, twins, "lower", k_values=(1,), n_queries=120)
    apart = choose_completion(X, alone, "lower", k_values=(1,), n_queries=120)
    assert apart.scores[1, "uniform"] == 0.0
    assert same.scores[1, "uniform"] > 3.0


def test_cross_validation_picks_the_lowest_error(split: Split) -> None:
    groups = np.arange(len(split.y_train))
    choice = choose_completion(split.X_train, groups, "lower", n_queries=500)
    assert choice.rmse == min(choice.scores.values())
    assert len(choice.scores) == 18
    assert choice.n_queries == 500
    assert choice.n_neighbors > 1  # one neighbour's half is noisier than an average


def test_bad_counts_are_refused(split: Split) -> None:
    completer = fit_completer(split.X_train, "lower", n_neighbors=3)
    for bad in (np.full(64, 17), np.full(64, -1), np.zeros(63), np.full(64, np.nan)):
        with pytest.raises(ValueError, match="block counts"):
            completer.complete(bad)
    with pytest.raises(ValueError, match="n_neighbors"):
        fit_completer(split.X_train[:3], "lower", n_neighbors=4)


@pytest.mark.parametrize(("part", "empty"), [("upper", "lower"), ("left", "right")])
def test_half_a_drawing_is_placed_as_that_half_of_a_whole(
    part: str, empty: str
) -> None:
    """A half drawn alone lands where it would in the whole digit, not stretched."""
    image = draw_strokes(STROKE_DIGITS[7])
    ink = image[..., 0] < 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    half_image = image.copy()
    if part == "upper":
        half_image[(rows[0] + rows[-1]) // 2 :] = 255
    else:
        half_image[:, (cols[0] + cols[-1]) // 2 :] = 255
    whole = canvas_to_bitmap(image)
    half = canvas_to_bitmap(half_image, part=part)  # type: ignore[arg-type]
    assert not half[hidden_pixels(empty)].any()
    shown = ~hidden_pixels(empty)
    assert (half[shown] == whole[shown]).mean() >= 0.9
    # Normalised as a whole, the same half fills the whole bitmap's height.
    stretched = canvas_to_bitmap(half_image)
    assert stretched[hidden_pixels(empty)].any()
