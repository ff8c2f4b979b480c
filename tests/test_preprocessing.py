from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PIL import Image
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.datasets.uci import Split
from digits_knn.features.images import MAX_FILE_BYTES, ImageFileError, load_image
from digits_knn.features.preprocessing import (
    DrawingError,
    bitmap_to_canvas,
    bitmap_to_features,
    canvas_to_bitmap,
    canvas_to_features,
)
from tests.conftest import STROKE_DIGITS, draw_strokes


def test_bitmap_to_features_counts_blocks() -> None:
    bitmap = np.zeros((32, 32), dtype=bool)
    bitmap[:4, :4] = True  # block (0, 0) full
    bitmap[28:, 28:] = True  # block (7, 7) full
    bitmap[8, 9] = True  # one pixel in block (2, 2)
    features = bitmap_to_features(bitmap)
    assert features.shape == (64,)
    assert features[0] == 16
    assert features[63] == 16
    assert features[2 * 8 + 2] == 1
    assert features.sum() == 33


def test_bitmap_to_features_batch_matches_single(uci_bitmaps: np.ndarray) -> None:
    batch = bitmap_to_features(uci_bitmaps[:5])
    assert batch.shape == (5, 64)
    for i in range(5):
        assert_array_equal(batch[i], bitmap_to_features(uci_bitmaps[i]))


@pytest.mark.parametrize("shape", [(32,), (31, 32), (28, 28), (2, 3, 32, 32)])
def test_bitmap_to_features_rejects_other_shapes(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"\(32, 32\)"):
        bitmap_to_features(np.zeros(shape, dtype=bool))


@pytest.mark.parametrize(
    ("fill", "label"),
    [((255, 255, 255, 255), "white"), ((0, 0, 0, 0), "transparent")],
)
def test_empty_canvas_is_reported_not_guessed(
    fill: tuple[int, int, int, int], label: str
) -> None:
    """A white canvas, or the component's transparent-black default, holds no digit."""
    canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    canvas[:] = fill
    with pytest.raises(DrawingError, match="draw a digit") as info:
        canvas_to_bitmap(canvas)
    assert info.value.reason == "empty"


def test_single_dot_is_too_little_ink() -> None:
    dot = draw_strokes([[(0.5, 0.5)]], width=20)
    with pytest.raises(DrawingError, match="dot") as info:
        canvas_to_bitmap(dot)
    assert info.value.reason == "too_small"


def test_canvas_painted_black_is_refused() -> None:
    black = np.zeros((280, 280, 4), dtype=np.uint8)
    black[..., 3] = 255
    with pytest.raises(DrawingError, match="ink") as info:
        canvas_to_bitmap(black)
    assert info.value.reason == "too_much_ink"


@pytest.mark.parametrize(
    "image",
    [np.zeros((10, 10), dtype=np.float64), np.zeros((10, 10, 2), dtype=np.uint8)],
)
def test_canvas_to_bitmap_rejects_non_images(image: np.ndarray) -> None:
    with pytest.raises(ValueError, match="expected"):
        canvas_to_bitmap(image)


def test_normalised_digit_fills_the_rows_and_is_centred() -> None:
    """A small 0 in a corner comes out 32 rows high and centred, like the UCI forms."""
    small = [[(x * 0.3, y * 0.3) for x, y in STROKE_DIGITS[0][0]]]
    bitmap = canvas_to_bitmap(draw_strokes(small, width=8))
    rows = np.flatnonzero(bitmap.any(axis=1))
    cols = np.flatnonzero(bitmap.any(axis=0))
    assert (rows[0], rows[-1]) == (0, 31)
    assert abs((cols[0] + cols[-1]) / 2 - 15.5) <= 1


def test_thin_one_stays_thin() -> None:
    """A 1 is not stretched across the middle columns."""
    bitmap = canvas_to_bitmap(draw_strokes([[(0.5, 0.1), (0.5, 0.9)]], width=20))
    width = np.ptp(np.flatnonzero(bitmap.any(axis=0))) + 1
    assert width <= 10


@pytest.mark.parametrize("width", [6, 14, 30, 45])
def test_stroke_thickness_is_evened_out(width: int) -> None:
    """Thin and thick pens give ink counts in the range of load_digits (256..412)."""
    ink = canvas_to_bitmap(draw_strokes(STROKE_DIGITS[0], width=width)).sum()
    assert 180 <= ink <= 460


def test_ink_colour_and_background_do_not_matter() -> None:
    black_on_white = draw_strokes(STROKE_DIGITS[4])
    blue_on_clear = draw_strokes(
        STROKE_DIGITS[4], ink=(20, 40, 200, 255), background=(0, 0, 0, 0)
    )
    assert_array_equal(
        canvas_to_bitmap(black_on_white), canvas_to_bitmap(blue_on_clear)
    )


def test_uci_bitmaps_drawn_on_a_canvas_are_recognised(
    uci_bitmaps: np.ndarray, split: Split, tutorial_model: KNeighborsClassifier
) -> None:
    """The test digits, redrawn at canvas size, go back through the reduction intact.

    UCI's forms are not all centred exactly as the normaliser centres a drawing, so a
    few features move by a block; the model must still recognise >= 90% of them (it
    gets 96.9% on the original features).
    """
    features = np.array(
        [
            canvas_to_features(bitmap_to_canvas(uci_bitmaps[i], scale=7))
            for i in split.idx_test
        ]
    )
    assert tutorial_model.score(features, split.y_test) >= 0.9


@pytest.mark.parametrize("digit", sorted(STROKE_DIGITS))
def test_stroke_drawings_are_recognised(
    digit: int, tutorial_model: KNeighborsClassifier
) -> None:
    features = canvas_to_features(draw_strokes(STROKE_DIGITS[digit]))
    assert tutorial_model.predict(features.reshape(1, -1))[0] == digit


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "GIF"])
def test_load_image_reads_common_formats(fmt: str, tmp_path: Path) -> None:
    drawing = Image.fromarray(draw_strokes(STROKE_DIGITS[7])).convert("RGB")
    path = tmp_path / f"seven.{fmt.lower()}"
    path.write_bytes(_encode(drawing, fmt))
    for source in (path, str(path), path.read_bytes()):
        rgba = load_image(source)
        assert rgba.shape == (280, 280, 4)
        assert rgba.dtype == np.uint8
    expected = canvas_to_bitmap(draw_strokes(STROKE_DIGITS[7]))
    got = canvas_to_bitmap(load_image(path))
    assert np.mean(got != expected) < 0.05


@pytest.mark.parametrize("fmt", ["TIFF", "ICO", "WEBP", "PPM"])
def test_load_image_opens_only_the_formats_it_promises(fmt: str) -> None:
    """Pillow knows dozens of formats (each a parser to trust); the docstring promises
    PNG, JPEG, BMP and GIF, and only those are opened."""
    drawing = Image.fromarray(draw_strokes(STROKE_DIGITS[7])).convert("RGB")
    with pytest.raises(ImageFileError, match=r"not an image this app reads \(PNG"):
        load_image(_encode(drawing.resize((64, 64)), fmt))


def test_photo_of_paper_is_recognised(tutorial_model: KNeighborsClassifier) -> None:
    """Dark ink on unevenly lit, noisy grey paper, saved as a large JPEG."""
    rng = np.random.default_rng(0)
    size = 1200
    yy, xx = np.mgrid[0:size, 0:size]
    paper = 150 + 60 * xx / size + 20 * yy / size + rng.normal(0, 6, (size, size))
    ink = draw_strokes(STROKE_DIGITS[4], width=70, size=size)[..., 0] < 128
    grey = np.where(ink, 55 + rng.normal(0, 8, (size, size)), paper)
    photo = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).convert("RGB")
    rgba = load_image(_encode(photo, "JPEG"))
    assert max(rgba.shape[:2]) <= 1024  # shrunk to the working size
    features = canvas_to_features(rgba)
    assert tutorial_model.predict(features.reshape(1, -1))[0] == 4


def test_load_image_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImageFileError, match="no such file"):
        load_image(tmp_path / "nope.png")


def test_load_image_directory(tmp_path: Path) -> None:
    with pytest.raises(ImageFileError, match="directory"):
        load_image(tmp_path)


def test_load_image_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("these are not the pixels you are looking for")
    with pytest.raises(ImageFileError, match="not an image"):
        load_image(path)


def test_load_image_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ImageFileError, match="empty"):
        load_image(path)


def test_load_image_truncated_png() -> None:
    data = _encode(Image.fromarray(draw_strokes(STROKE_DIGITS[1])), "PNG")
    with pytest.raises(ImageFileError, match="truncated or corrupt"):
        load_image(data[: len(data) // 2])


def test_load_image_decompression_bomb() -> None:
    """A small file that would decode to 48 million pixels is refused before decoding."""
    bomb = _encode(Image.new("1", (8000, 6000)), "PNG")
    assert len(bomb) < 100_000
    with pytest.raises(ImageFileError, match="8000x6000"):
        load_image(bomb)


def test_load_image_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(b"\0" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ImageFileError, match="larger than"):
        load_image(path)
    with pytest.raises(ImageFileError, match="larger than"):
        load_image(path.read_bytes())


def test_deskew_stands_a_slanted_one_upright() -> None:
    """A 1 drawn leaning right becomes the same bar as one drawn upright."""
    upright = canvas_to_bitmap(draw_strokes([[(0.5, 0.15), (0.5, 0.85)]]))
    slanted = canvas_to_bitmap(draw_strokes([[(0.68, 0.15), (0.32, 0.85)]]))
    assert (upright == slanted).mean() > 0.95


def test_deskew_is_clipped_and_keeps_all_rows() -> None:
    from digits_knn.features.preprocessing import MAX_SKEW, deskew

    flat = np.zeros((50, 200), dtype=bool)
    flat[24:27, 10:190] = True  # almost horizontal: an unbounded shear would explode
    flat[20:24, 10:14] = True
    out = deskew(flat)
    assert out.shape[0] == 50
    assert out.any(axis=1).sum() == flat.any(axis=1).sum()
    assert out.shape[1] <= 200 + 2 * (MAX_SKEW * 50 + 1)
