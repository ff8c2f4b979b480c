"""digits_knn.features.hog computes scikit-image's HOG numbers, for whole stacks of bitmaps."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.feature import hog

from digits_knn.datasets.training import TrainingSet, load_training_set
from digits_knn.features.hog import hog_features


def reference(bitmaps: np.ndarray, params: tuple[int, int, int]) -> np.ndarray:
    """scikit-image's hog, one bitmap at a time (as digits_knn.beyond.compare once did)."""
    orientations, cell, block = params
    return np.stack(
        [
            hog(
                np.asarray(b, dtype=np.float32),
                orientations=orientations,
                pixels_per_cell=(cell, cell),
                cells_per_block=(block, block),
                feature_vector=True,
            )
            for b in bitmaps
        ]
    ).astype(np.float32)


@pytest.fixture(scope="module")
def training() -> TrainingSet:
    return load_training_set("uci")


@pytest.mark.parametrize(
    "params",
    [(9, 8, 2), (9, 8, 1), (12, 8, 2), (6, 8, 2), (7, 5, 2), (9, 4, 3), (8, 6, 1)],
)
def test_the_same_numbers_as_scikit_image(
    training: TrainingSet, params: tuple[int, int, int]
) -> None:
    """Real digits, every HOG setting the comparison tries and odd ones (5- and
    6-pixel cells leave pixels outside every cell; 7 directions make edges that are
    not whole degrees)."""
    bitmaps = training.bitmaps_train[:400]
    ours = hog_features(bitmaps, params)
    theirs = reference(bitmaps, params)
    assert ours.dtype == np.float32
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    assert np.abs(theirs).max() > 0.1  # not a comparison of zeros


def test_edges_blank_full_and_random_bitmaps() -> None:
    """A blank and a full bitmap (no gradient inside: blocks of zeros), lines in every
    direction, noise; chunk boundaries (more bitmaps than one chunk) keep their order."""
    rng = np.random.default_rng(0)
    lines = np.zeros((4, 32, 32), dtype=bool)
    lines[0, 10, :] = True
    lines[1, :, 20] = True
    lines[2][np.eye(32, dtype=bool)] = True
    lines[3][np.fliplr(np.eye(32, dtype=bool))] = True
    bitmaps = np.concatenate(
        [
            np.zeros((1, 32, 32), dtype=bool),
            np.ones((1, 32, 32), dtype=bool),
            lines,
            rng.random((2100, 32, 32)) > 0.6,
        ]
    )
    ours = hog_features(bitmaps, (9, 8, 2))
    np.testing.assert_allclose(ours, reference(bitmaps, (9, 8, 2)), rtol=0, atol=1e-6)
    assert not ours[0].any()
    assert np.isfinite(ours).all()
    # 0/1 integers are bitmaps too
    np.testing.assert_array_equal(
        hog_features(bitmaps[:50].astype(np.uint8), (9, 8, 2)), ours[:50]
    )


def test_bad_input_is_refused() -> None:
    grey = np.full((2, 32, 32), 0.5)
    with pytest.raises(ValueError, match="binary"):
        hog_features(grey, (9, 8, 2))
    with pytest.raises(ValueError, match="do not fit"):
        hog_features(np.zeros((2, 32, 32), dtype=bool), (9, 16, 3))
    with pytest.raises(ValueError, match=r"\(n, height, width\)"):
        hog_features(np.zeros((32, 32), dtype=bool), (9, 8, 2))
    with pytest.raises(ValueError, match="positive"):
        hog_features(np.zeros((2, 32, 32), dtype=bool), (0, 8, 2))
