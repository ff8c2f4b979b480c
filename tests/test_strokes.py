from __future__ import annotations

import numpy as np
from numpy.testing import assert_array_equal

from digits_knn.datasets.corpora import HandPen
from digits_knn.features.preprocessing import canvas_to_bitmap
from digits_knn.features.strokes import (
    bend_strokes,
    parse_unipen,
    render_strokes,
    render_varied,
)

SEVEN = """.SEGMENT DIGIT 0 ? "7"
.COMMENT 7 12 3
.PEN_DOWN
100 400
300 400
150 0
.PEN_UP
.DT 50
.PEN_DOWN
120 200
260 200
.PEN_UP
.SEGMENT DIGIT 1 ? "1"
.COMMENT 1 12 4
.PEN_DOWN
200 0
200 400
.PEN_UP
"""


def test_parse_unipen_keeps_strokes_labels_and_writers() -> None:
    seven, one = parse_unipen(SEVEN)
    assert (seven.label, seven.writer, len(seven.strokes)) == (7, 12, 2)
    assert_array_equal(seven.strokes[1], [[120, 200], [260, 200]])
    assert (one.label, one.writer, len(one.strokes)) == (1, 12, 1)


def test_render_strokes_is_a_white_canvas_with_black_ink() -> None:
    seven, _ = parse_unipen(SEVEN)
    image = render_strokes(seven.strokes)
    assert image.shape == (280, 280, 4)
    assert image.dtype == np.uint8
    ink = image[..., 0] < 128
    assert 0.05 < ink.mean() < 0.3
    assert (image[..., 3] == 255).all()


def test_render_strokes_turns_y_up_into_screen_coordinates() -> None:
    """The 7's bar is at the top of the tablet (large y), so at the top of the canvas."""
    seven, _ = parse_unipen(SEVEN)
    bar_only = render_strokes(seven.strokes[:1], height_fraction=0.8)
    rows = np.flatnonzero((bar_only[..., 0] < 128).sum(axis=1) > 100)
    assert rows.max() < 140  # the long horizontal run is in the upper half


def test_pen_width_is_the_stroke_width() -> None:
    _, one = parse_unipen(SEVEN)
    for width in (10, 22, 30):
        image = render_strokes(one.strokes, width=width)
        middle_row = image[140, :, 0] < 128
        assert abs(int(middle_row.sum()) - width) <= 2


def test_render_varied_is_seeded_and_stays_on_the_canvas() -> None:
    seven, _ = parse_unipen(SEVEN)
    a = render_varied(seven.strokes, np.random.default_rng(5))
    b = render_varied(seven.strokes, np.random.default_rng(5))
    assert_array_equal(a, b)
    for seed in range(20):
        image = render_varied(seven.strokes, np.random.default_rng(seed))
        ink = image[..., 0] < 128
        edges = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
        assert not edges.any()  # nothing cut at the edges
        assert canvas_to_bitmap(image).any()


def test_bend_strokes_varies_a_letter_smoothly_and_is_seeded() -> None:
    seven, _ = parse_unipen(SEVEN)
    a = bend_strokes(seven.strokes, np.random.default_rng(3))
    assert_array_equal(
        np.vstack(a), np.vstack(bend_strokes(seven.strokes, np.random.default_rng(3)))
    )
    assert [len(s) for s in a] == [len(s) for s in seven.strokes]
    size = np.ptp(np.vstack(seven.strokes), axis=0).max()
    moves = [
        np.abs(np.vstack(bend_strokes(seven.strokes, np.random.default_rng(seed))))
        for seed in range(20)
    ]
    assert len({round(float(m.sum())) for m in moves}) == 20  # every seed differs
    for seed in range(20):
        bent = np.vstack(bend_strokes(seven.strokes, np.random.default_rng(seed)))
        # Still about the size it was: a hand's variation, not a new shape.
        assert 0.5 * size < np.ptp(bent, axis=0).max() < 1.8 * size


def test_hand_pen_draws_a_font_letter_on_the_canvas() -> None:
    letter = [np.array([[0.0, 10.0], [5.0, -10.0], [10.0, 10.0]])]  # y down: a Λ
    image = HandPen(1, widths=(10.0, 20.0), fractions=(0.4, 0.8))((4, letter))
    again = HandPen(1, widths=(10.0, 20.0), fractions=(0.4, 0.8))((4, letter))
    assert_array_equal(image, again)
    ink = image[..., 0] < 128
    rows = np.flatnonzero(ink.any(axis=1))
    quarter = len(rows) // 4

    def spread(band: np.ndarray) -> int:
        cols = np.flatnonzero(ink[band].any(axis=0))
        return int(cols[-1] - cols[0])

    # y down: the strokes meet at the top of the canvas and open below.
    assert spread(rows[-quarter:]) > 2 * spread(rows[:quarter])
