from __future__ import annotations

import numpy as np
import pytest

from digits_knn.beyond.novelty import (
    CALIBRATION_SIZE,
    LOOK_ALIKE_LETTERS,
    N_NETS,
    NON_DIGIT_LETTERS,
    NOVELTY_NEIGHBORS,
    REFERENCE_KINDS,
    DigitDetector,
    ShapeReference,
    default_detector,
    fit_detector,
    load_shape_reference,
    mean_nearest,
)
from digits_knn.beyond.shape_nets import (
    NET_ALPHA,
    NET_EPOCHS,
    fit_shape_net,
    nets_from_arrays,
    nets_to_arrays,
)
from digits_knn.datasets.corpora import UNSEEN_FONTS, HandPen, hershey_letters
from digits_knn.datasets.training import PEN_FOLDS, pen_fold
from digits_knn.datasets.uci import load_bitmaps, load_split
from digits_knn.features.preprocessing import DrawingError, bitmap_to_canvas
from digits_knn.features.shapes import (
    N_SHAPE_FEATURES,
    POSITION_CELLS,
    SCALAR_WEIGHT,
    drawing_shape,
    shape_features,
    thin,
)
from digits_knn.features.strokes import (
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
    # Calibrated on 3,000 digits instead of 10,000 (4 s less; the threshold is a
    # little noisier, and the tests below leave it room).
    detector = fit_detector(
        reference.X[train],
        reference.groups[train],
        reference.X[~digit],
        calibration_size=3000,
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
    # 40 letters, 7 fonts, 12 drawings each; no look-alike taught as a non-digit.
    assert counts[REFERENCE_KINDS.index("letter")] > 3300
    assert not reference.is_digit[
        reference.kind == REFERENCE_KINDS.index("letter")
    ].any()
    # real handwritten letters and digits of Chars74K's even writers (the odd ones
    # are held out to measure on); none of its letters written like a digit
    written = reference.kind == REFERENCE_KINDS.index("written letter")
    assert written.sum() > 2000  # 40 letters, 27 writers, two pens
    assert not reference.is_digit[written].any()
    chars74k_digits = reference.kind == REFERENCE_KINDS.index("written digit")
    assert reference.is_digit[chars74k_digits].all()
    chars74k_writers = set(np.unique(reference.groups[chars74k_digits]) - 100)
    assert chars74k_writers == set(range(2, 56, 2))
    pen = reference.kind == REFERENCE_KINDS.index("pen digit")
    assert set(np.unique(reference.groups[pen])) == set(range(1, 31))
    scans = np.flatnonzero(reference.kind == REFERENCE_KINDS.index("UCI scan"))
    bitmaps = load_bitmaps()
    for i in (0, 500, 1796):
        expected = drawing_shape(bitmap_to_canvas(bitmaps[i]))
        np.testing.assert_allclose(reference.X[scans[i]], expected, atol=2.5e-3)


def test_default_detector_uses_the_shipped_calibration() -> None:
    """The shipped networks and spreads are the detector's, and the distance part
    of the calibration is what the shipped reference gives (refitting the networks
    takes minutes: scripts/make_shape_reference.py does it)."""
    reference = load_shape_reference()
    detector = default_detector()
    assert len(detector.digits) + len(detector.negatives) == len(reference.X)
    assert len(detector.nets) == N_NETS
    assert detector.threshold == reference.threshold
    assert detector.spreads == reference.spreads
    digits = reference.is_digit
    groups = reference.groups[digits]
    rows = np.random.default_rng(0).choice(
        digits.sum(), size=CALIBRATION_SIZE, replace=False
    )
    X = detector.digits
    near = mean_nearest(
        X[rows], X, NOVELTY_NEIGHBORS, exclude=(groups[rows], groups)
    ) - mean_nearest(X[rows], detector.negatives, NOVELTY_NEIGHBORS)
    assert detector.spreads[0] == pytest.approx(float(near.std()), rel=1e-5)
    # Trained on them, the networks let nearly every reference digit through (on a
    # fifth of the rows: all 10,000 take another 6 s).
    assert detector.is_digit(X[rows[:2000]]).mean() >= 0.99


def _two_kinds(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Digits (a cloud of 20 writers) and non-digits (another cloud), 8 features."""
    rng = np.random.default_rng(seed)
    digits = rng.normal(0, 1, size=(n, 8))
    negatives = rng.normal(0, 1, size=(n // 4, 8)) + np.r_[3.0, 3.0, np.zeros(6)]
    return digits, negatives, rng.integers(1, 21, size=n)


def test_a_shape_net_is_scikit_learns_network_in_numpy() -> None:
    from sklearn.neural_network import MLPClassifier

    digits, negatives, _ = _two_kinds(400, 0)
    X = np.vstack([digits, negatives])
    y = np.r_[np.zeros(len(digits)), np.ones(len(negatives))]
    net = fit_shape_net(X, y, random_state=3)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    reference = MLPClassifier(
        net.hidden_weights.shape[1:],
        alpha=NET_ALPHA,
        max_iter=NET_EPOCHS,
        random_state=3,
    ).fit((X - mean) / scale, y)
    p = reference.predict_proba((X - mean) / scale)[:, 1]
    np.testing.assert_allclose(net.logits(X), np.log(p / (1 - p)), atol=1e-3)
    (again,) = nets_from_arrays(nets_to_arrays((net,)))
    np.testing.assert_array_equal(again.logits(X), net.logits(X))


def test_networks_join_the_distances_as_a_second_opinion() -> None:
    digits, negatives, groups = _two_kinds(300, 1)
    detector = fit_detector(
        digits, groups, negatives, n_nets=2, calibration_size=300, n_neighbors=3
    )
    assert len(detector.nets) == 2
    assert all(spread > 0 for spread in detector.spreads)
    x = np.vstack([digits[:5], negatives[:5]])
    expected = (
        detector.distance_scores(x) / detector.spreads[0]
        + np.mean([net.logits(x) for net in detector.nets], axis=0)
        / detector.spreads[1]
    )
    np.testing.assert_allclose(detector.scores(x), expected, rtol=1e-5)
    new_digits, new_negatives, _ = _two_kinds(600, 2)  # unseen writers and shapes
    assert detector.is_digit(new_digits).mean() >= 0.95
    assert (~detector.is_digit(new_negatives)).mean() >= 0.9
    with pytest.raises(ValueError, match="need negatives"):
        fit_detector(digits, groups, n_nets=1)


def test_thinning_keeps_ends_and_holes() -> None:
    ring = np.zeros((30, 30), dtype=bool)
    yy, xx = np.mgrid[:30, :30]
    ring[(np.hypot(yy - 15, xx - 15) < 12) & (np.hypot(yy - 15, xx - 15) > 7)] = True
    skeleton = thin(ring)
    assert skeleton.sum() < ring.sum() / 3
    assert not (skeleton & ~ring).any()
    from scipy import ndimage

    assert ndimage.label(~skeleton)[1] == 2  # the inside is still enclosed


def _cells(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stroke ends and the branch points by cell, from shape features."""
    n = POSITION_CELLS**2
    positions = features[-2 * n :] / SCALAR_WEIGHT
    ends, branches = positions[:n] / 0.5, positions[n:] / 0.25
    return (
        np.round(ends).reshape(POSITION_CELLS, -1),
        np.round(branches).reshape(POSITION_CELLS, -1),
    )


def test_stroke_ends_and_branches_are_counted_where_they_are() -> None:
    """A C ends at its right, a T branches at its top, a plus in its middle."""
    yy, xx = np.mgrid[:120, :120]
    r = np.hypot(yy - 60, xx - 60)
    angle = np.degrees(np.arctan2(yy - 60, xx - 60))
    c_shape = (r > 40) & (r < 50) & (np.abs(angle) > 50)
    t_shape = np.zeros((120, 120), dtype=bool)
    t_shape[10:18, 10:110] = True
    t_shape[10:110, 56:64] = True
    plus = np.zeros((120, 120), dtype=bool)
    plus[56:64, 10:110] = True
    plus[10:110, 56:64] = True
    expected = {
        "C": ([[0, 0, 1], [0, 0, 0], [0, 0, 1]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]),
        "T": ([[1, 0, 1], [0, 0, 0], [0, 1, 0]], [[0, 1, 0], [0, 0, 0], [0, 0, 0]]),
        "+": ([[0, 1, 0], [1, 0, 1], [0, 1, 0]], [[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    }
    for name, mask in {"C": c_shape, "T": t_shape, "+": plus}.items():
        ends, branches = _cells(shape_features(mask))
        np.testing.assert_array_equal(ends, expected[name][0], err_msg=name)
        np.testing.assert_array_equal(branches, expected[name][1], err_msg=name)


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


@pytest.mark.parametrize("font", UNSEEN_FONTS)
def test_letters_of_a_font_it_never_saw_are_flagged(font: str) -> None:
    """The reference's letters come from seven other Hershey fonts; the look-alikes
    (O, l, S, ...) are left out here as there."""
    chars = NON_DIGIT_LETTERS
    assert len(chars) == 40
    assert not set(chars) & LOOK_ALIKE_LETTERS
    pen = HandPen(99, widths=(8.0, 30.0), fractions=(0.4, 0.9))
    letters = hershey_letters(chars, [font])
    X = np.array([drawing_shape(pen((i, a.strokes))) for i, a in enumerate(letters)])
    assert (~default_detector().is_digit(X)).mean() >= 0.85  # measured 0.95, 1.0
