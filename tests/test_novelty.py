from __future__ import annotations

import numpy as np
import pytest

from digits_knn.corpora import HandPen, hershey_letters
from digits_knn.data import PEN_FOLDS, load_bitmaps, load_split, pen_fold
from digits_knn.novelty import (
    LOOK_ALIKE_LETTERS,
    NON_DIGIT_LETTERS,
    REFERENCE_KINDS,
    DigitDetector,
    ShapeReference,
    default_detector,
    fit_detector,
    load_shape_reference,
)
from digits_knn.preprocessing import DrawingError, bitmap_to_canvas
from digits_knn.shapes import N_SHAPE_FEATURES, drawing_shape, shape_features, thin
from digits_knn.strokes import (
    NON_DIGIT_KINDS,
    non_digit_strokes,
    render_strokes,
    render_varied,
)

Held = tuple[DigitDetector, ShapeReference, np.ndarray, np.ndarray]


@pytest.fixture(scope="module")
def held_out() -> Held:
    """A detector that never saw one fold of pen writers nor the UCI test scans."""
    reference = load_shape_reference()
    writers = np.where(reference.groups > 0, reference.groups, 0)
    unseen = (reference.groups > 0) & (pen_fold(writers) == PEN_FOLDS - 1)
    scans = reference.kind == REFERENCE_KINDS.index("UCI scan")
    uci_test = scans & np.isin(np.cumsum(scans) - 1, load_split().idx_test)
    digit = reference.is_digit
    train = digit & ~unseen & ~uci_test
    detector = fit_detector(
        reference.X[train], reference.groups[train], reference.X[~digit]
    )
    return detector, reference, unseen, uci_test


def test_real_digits_of_unseen_writers_pass(held_out: Held) -> None:
    """Calibrated to let 99% of other writers' digits through."""
    detector, reference, unseen, uci_test = held_out
    assert unseen.sum() > 1000
    assert uci_test.sum() == 360
    assert detector.is_digit(reference.X[unseen]).mean() >= 0.97
    assert detector.is_digit(reference.X[uci_test]).mean() >= 0.99


@pytest.mark.parametrize("kind", ["star", "hash", "cross", "letter", "blob"])
def test_shapes_and_letters_are_flagged(held_out: Held, kind: str) -> None:
    """Non-digits drawn with another seed than the reference's own (seed 1)."""
    detector = held_out[0]
    rng = np.random.default_rng(7)
    X = np.array(
        [
            drawing_shape(render_varied(non_digit_strokes(kind, rng), rng))
            for _ in range(30)
        ]
    )
    assert (~detector.is_digit(X)).mean() >= 0.8


def test_a_filled_blob_is_flagged_and_a_drawn_zero_is_not(held_out: Held) -> None:
    detector = held_out[0]
    t = np.linspace(0, 2 * np.pi, 60)
    ring = np.stack([np.cos(t) * 0.7, np.sin(t)], axis=1)
    zero = render_strokes([ring], width=22)
    blob = render_strokes([ring * r for r in np.linspace(1, 0.05, 12)], width=30)
    assert detector.check(drawing_shape(zero)).is_digit
    check = detector.check(drawing_shape(blob))
    assert not check.is_digit
    assert check.score > check.threshold


def test_the_score_weighs_digits_against_non_digits(held_out: Held) -> None:
    """Mean distance to the 5 nearest digits minus that to the 5 nearest non-digits."""
    detector, reference, unseen, _ = held_out
    x = reference.X[np.flatnonzero(unseen)[0]]

    def mean5(R: np.ndarray) -> float:
        return float(np.sort(np.sqrt(((R - x) ** 2).sum(axis=1)))[:5].mean())

    expected = mean5(detector.digits) - mean5(detector.negatives)
    assert detector.scores(x)[0] == pytest.approx(expected, abs=1e-5)  # float32
    assert detector.check(x).to_dict()["digit_threshold"] == pytest.approx(
        detector.threshold, abs=1e-4
    )


def test_calibration_leaves_out_the_same_writer() -> None:
    """Two copies of each digit from one writer: without the group rule every digit
    would find its twin at distance 0 and the threshold would collapse."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 17, size=(200, 64)).astype(float)
    twins = np.vstack([X, X])
    same_writer = np.concatenate([np.arange(200), np.arange(200)])
    by_writer = fit_detector(twins, same_writer, calibration_size=100)
    by_row = fit_detector(twins, np.arange(400), calibration_size=100)
    assert by_row.threshold < by_writer.threshold
    assert by_writer.threshold > 0


def test_shipped_reference_is_what_the_library_computes() -> None:
    """The npz was made by scripts/make_shape_reference.py with today's features."""
    reference = load_shape_reference()
    assert reference.X.shape[1] == N_SHAPE_FEATURES
    counts = np.bincount(reference.kind, minlength=len(REFERENCE_KINDS))
    assert counts[REFERENCE_KINDS.index("UCI scan")] == 1797
    assert counts[REFERENCE_KINDS.index("MNIST digit")] > 9900
    assert counts[REFERENCE_KINDS.index("non-digit")] > 2000
    assert counts[REFERENCE_KINDS.index("pen digit")] > 2 * 7400  # two pens each
    # 40 letters, 4 fonts, 12 drawings each; no look-alike taught as a non-digit.
    assert counts[REFERENCE_KINDS.index("letter")] > 1900
    assert not reference.is_digit[
        reference.kind == REFERENCE_KINDS.index("letter")
    ].any()
    assert set(np.unique(reference.groups[reference.groups > 0])) == set(range(1, 31))
    scans = np.flatnonzero(reference.kind == REFERENCE_KINDS.index("UCI scan"))
    bitmaps = load_bitmaps()
    for i in (0, 500, 1796):
        expected = drawing_shape(bitmap_to_canvas(bitmaps[i]))
        np.testing.assert_allclose(reference.X[scans[i]], expected, atol=2.5e-3)


def test_default_detector_uses_the_shipped_threshold() -> None:
    """The shipped threshold is what calibrating the shipped reference gives."""
    reference = load_shape_reference()
    detector = default_detector()
    assert len(detector.digits) + len(detector.negatives) == len(reference.X)
    refitted = fit_detector(
        reference.X[reference.is_digit],
        reference.groups[reference.is_digit],
        reference.X[~reference.is_digit],
    )
    assert detector.threshold == pytest.approx(refitted.threshold)


def test_thinning_keeps_ends_and_holes() -> None:
    ring = np.zeros((30, 30), dtype=bool)
    yy, xx = np.mgrid[:30, :30]
    ring[(np.hypot(yy - 15, xx - 15) < 12) & (np.hypot(yy - 15, xx - 15) > 7)] = True
    skeleton = thin(ring)
    assert skeleton.sum() < ring.sum() / 3
    assert not (skeleton & ~ring).any()
    from scipy import ndimage

    assert ndimage.label(~skeleton)[1] == 2  # the inside is still enclosed


def test_shape_features_need_ink() -> None:
    with pytest.raises(DrawingError) as info:
        shape_features(np.zeros((20, 20), dtype=bool))
    assert info.value.reason == "empty"


@pytest.mark.parametrize("kind", NON_DIGIT_KINDS)
def test_non_digit_generator(kind: str) -> None:
    rng = np.random.default_rng(0)
    strokes = non_digit_strokes(kind, rng)
    assert strokes
    assert all(s.ndim == 2 and s.shape[1] == 2 for s in strokes)
    image = render_varied(strokes, rng)
    assert (image[..., 0] < 128).any()


def test_unknown_non_digit_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind 'cat'"):
        non_digit_strokes("cat", np.random.default_rng(0))


def test_varied_pens_never_blot_the_digit() -> None:
    rng = np.random.default_rng(3)
    stroke = [np.array([[0.0, 0.0], [0.0, 1.0]])]
    for _ in range(20):
        image = render_varied(stroke, rng, widths=(30, 40), fractions=(0.3, 0.35))
        ink_rows = np.flatnonzero((image[..., 0] < 128).any(axis=1))
        width = int((image[..., 0] < 128).any(axis=0).sum())
        assert width <= 0.32 * 280 * 0.35 + 3
        assert len(ink_rows) > width


@pytest.mark.parametrize("font", ["futuram", "timesi"])
def test_letters_of_a_font_it_never_saw_are_flagged(font: str) -> None:
    """The reference's letters come from four other Hershey fonts; the look-alikes
    (O, l, S, ...) are left out here as there."""
    chars = NON_DIGIT_LETTERS
    assert len(chars) == 40
    assert not set(chars) & LOOK_ALIKE_LETTERS
    pen = HandPen(99, widths=(8.0, 30.0), fractions=(0.4, 0.9))
    letters = hershey_letters(chars, [font])
    X = np.array([drawing_shape(pen((i, a.strokes))) for i, a in enumerate(letters)])
    assert (~default_detector().is_digit(X)).mean() >= 0.75  # measured 0.875, 0.95
