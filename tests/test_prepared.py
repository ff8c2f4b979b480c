"""A drawing prepared once gives exactly what each step gave on its own."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from digits_knn.features.prepared import image_digest, prepare_drawing
from digits_knn.features.preprocessing import DrawingError, canvas_to_bitmap
from digits_knn.features.shapes import drawing_shape
from digits_knn.features.strokes import non_digit_strokes, render_strokes
from tests.conftest import STROKE_DIGITS, draw_strokes


def drawings() -> list[np.ndarray]:
    """Digits, non-digits, a slanted digit, specks, thin strokes: 30 images."""
    rng = np.random.default_rng(5)
    images = [draw_strokes(strokes) for strokes in STROKE_DIGITS.values()]
    images += [draw_strokes(s, width=4) for s in STROKE_DIGITS.values()]
    for kind in ("scribble", "star", "letter", "box"):
        try:
            images.append(render_strokes(non_digit_strokes(kind, rng)))
        except (KeyError, ValueError):
            continue
    speckled = draw_strokes(STROKE_DIGITS[7]).copy()
    speckled[5:8, 5:8, :3] = 0  # a speck far from the digit
    images.append(speckled)
    return images


@pytest.mark.parametrize("image", drawings())
def test_one_preparation_equals_each_step_alone(image: np.ndarray) -> None:
    drawing = prepare_drawing(image)
    assert drawing.problem is None
    assert_array_equal(drawing.bitmap, canvas_to_bitmap(image))
    assert_array_equal(drawing.shape, drawing_shape(image))
    assert drawing.digest == image_digest(image)
    for part in ("upper", "lower", "left", "right"):
        assert_array_equal(
            drawing.part_bitmap(part), canvas_to_bitmap(image, part=part)
        )


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (np.full((280, 280, 4), 255, dtype=np.uint8), "empty"),
        (np.full((280, 280, 4), (0, 0, 0, 255), dtype=np.uint8), "too_much_ink"),
    ],
)
def test_a_drawing_without_a_bitmap_says_why(image: np.ndarray, reason: str) -> None:
    drawing = prepare_drawing(image.astype(np.uint8))
    assert drawing.bitmap is None
    assert drawing.features is None
    assert drawing.problem is not None
    assert drawing.problem.reason == reason
    with pytest.raises(DrawingError):
        canvas_to_bitmap(image.astype(np.uint8))


def test_a_dot_has_no_bitmap_but_a_shape() -> None:
    image = np.full((280, 280, 4), 255, dtype=np.uint8)
    image[140:144, 140:144, :3] = 0
    drawing = prepare_drawing(image)
    assert drawing.problem is not None
    assert drawing.problem.reason == "too_small"
    assert_array_equal(drawing.shape, drawing_shape(image))


def test_its_arrays_are_read_only() -> None:
    drawing = prepare_drawing(draw_strokes(STROKE_DIGITS[4]))
    for array in (drawing.ink, drawing.clean, drawing.bitmap, drawing.features):
        assert array is not None
        assert not array.flags.writeable


@pytest.mark.parametrize("radius", [15, 35, 90])
def test_a_blob_is_a_shape_not_a_crash(radius: int) -> None:
    """A filled blob (a dot pressed hard, a patch coloured in) thinned to nothing and
    the shape features failed with an IndexError, in the page's digit check; found on
    DigiLeTs' letters drawn with a thick pen."""
    from digits_knn.beyond.novelty import default_detector

    rows, cols = np.mgrid[:280, :280]
    blob = np.zeros((280, 280, 4), dtype=np.uint8)
    blob[(rows - 140) ** 2 + (cols - 140) ** 2 < radius**2] = (0, 0, 0, 255)
    drawing = prepare_drawing(blob)
    assert drawing.problem is None
    assert np.isfinite(drawing.shape).all()
    assert not default_detector().check(drawing.shape).is_digit
