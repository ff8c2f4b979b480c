"""Why a neighbour is near: each block's share of the Minkowski distance."""

from __future__ import annotations

import numpy as np
import pytest

from digits_knn.datasets.uci import Split
from digits_knn.search.neighbors import fit_index
from digits_knn.search.why import block_shares, nearest_of_another_class, why_sentence


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0])
def test_the_shares_sum_to_the_distance_to_the_power_p(split: Split, p: float) -> None:
    index = fit_index(split.X_train, split.y_train, p=p, algorithm="brute")
    for x in split.X_test[:20]:
        neigh_dist, neigh_ind = index.query(x, 3)
        for distance, row in zip(neigh_dist, neigh_ind, strict=True):
            shares = block_shares(x, index.row(int(row)), p)
            assert shares.shares.shape == (8, 8)
            assert shares.shares.sum() == pytest.approx(1.0)
            assert shares.power_sum == pytest.approx(distance**p)
            assert shares.distance == pytest.approx(distance)
            powers = np.abs(x - index.row(int(row))) ** p
            np.testing.assert_allclose(
                shares.shares.ravel() * shares.power_sum, powers, atol=1e-9
            )


def test_the_region_is_where_the_largest_share_lies() -> None:
    x, n = np.zeros(64), np.zeros(64)
    n[[0, 1, 8]] = 16  # the top-left corner of the grid
    n[63] = 1
    shares = block_shares(x, n, 2)
    assert shares.region == "top-left"
    assert shares.region_share == pytest.approx(768 / 769)
    n = np.zeros(64)
    n[[27, 28, 35, 36]] = 5  # the four centre blocks
    assert block_shares(x, n, 1).region == "centre"
    same = block_shares(x, x, 2)
    assert same.power_sum == 0
    assert same.region == ""
    assert not same.shares.any()


def test_the_sentence_is_built_from_the_numbers() -> None:
    x, one, seven = np.zeros(64), np.zeros(64), np.zeros(64)
    one[0] = 4
    seven[63] = 2
    text = why_sentence(7, block_shares(x, seven, 2), 1, block_shares(x, one, 2))
    assert "2.0 from the nearest 7" in text
    assert "bottom-right blocks" in text
    assert "nearest 1 is 4.0 away" in text
    assert "top-left blocks (100% of that) separate your 7" in text
    assert why_sentence(7, block_shares(x, x, 2), None, None) == (
        "Your 7 is identical to the nearest 7 in all 64 blocks."
    )


def test_the_nearest_of_another_class(split: Split) -> None:
    index = fit_index(split.X_train, split.y_train, p=2, algorithm="brute")
    x = split.X_test[0]
    label = int(split.y_test[0])
    row = nearest_of_another_class(index, x, label)
    assert row is not None
    assert int(index.label_of(np.array([row]))[0]) != label
    # The same distance as the nearest of all the training digits of other classes.
    others = split.X_train[split.y_train != label]
    nearest = np.sqrt(((others - x) ** 2).sum(axis=1)).min()
    assert np.sqrt(((index.row(row) - x) ** 2).sum()) == pytest.approx(nearest)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="64 counts"):
        block_shares(np.zeros(63), np.zeros(64), 2)
    with pytest.raises(ValueError, match="at least 1"):
        block_shares(np.zeros(64), np.zeros(64), 0.5)
