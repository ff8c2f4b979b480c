"""Telling a file of scans from a file of drawn digits, by half of each digit."""

from __future__ import annotations

import numpy as np
import pytest

from digits_knn.beyond.input_kind import (
    KindDetector,
    fit_kind_detector,
    kind_features,
    looks_like_scans,
)
from digits_knn.datasets.training import (
    DEFAULT_SOURCE,
    DRAWN_TEST,
    MNIST_TEST,
    UCI_TEST,
    load_training_set,
)


@pytest.fixture(scope="module")
def detector() -> KindDetector:
    return fit_kind_detector(load_training_set(DEFAULT_SOURCE), "lower")


def test_the_features_are_the_visible_counts_and_their_value_shares() -> None:
    X = np.zeros((2, 64), dtype=np.uint8)
    X[0, :32] = 16  # the upper half (visible when the lower is hidden) all ink
    features = kind_features(X, "lower")
    assert features.shape == (2, 49)
    assert (features[0, :32] == 16).all()
    assert features[0, 32 + 16] == 1.0  # every visible count is 16
    assert features[1, 32] == 1.0  # every visible count is 0


@pytest.mark.parametrize(
    ("collection", "scans"),
    [(UCI_TEST, True), (DRAWN_TEST, False), (MNIST_TEST, False)],
)
def test_each_collection_is_told_by_its_majority(
    detector: KindDetector, collection: str, scans: bool
) -> None:
    X = load_training_set("uci").tests[collection].X[:2000]
    verdict, n_scans = looks_like_scans(detector, X)
    assert verdict is scans
    # row by row it is right well above chance, and a file's majority far more so
    share = n_scans / len(X)
    assert share > 0.55 if scans else share < 0.45, share


def test_one_kind_alone_cannot_teach_the_difference() -> None:
    with pytest.raises(ValueError, match="both kinds"):
        fit_kind_detector(load_training_set("uci"), "lower")
