"""Chalk on a board: light ink on a dark background is inverted with a notice and
read; dark ink on paper, the canvas, and what is not a digit are left as they were."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digits_knn.commands.cli import main
from digits_knn.datasets.training import UCI_TEST, load_tests
from digits_knn.features.images import load_image
from digits_knn.features.photo import NOTICE, as_dark_on_light, chalk_photo
from digits_knn.features.preprocessing import (
    DrawingError,
    bitmap_to_canvas,
    canvas_to_features,
)
from digits_knn.features.strokes import non_digit_strokes, render_strokes
from tests.conftest import STROKE_DIGITS, draw_strokes, drawing_model

#: Generated photos per kind (the benchmark reads 400 of each).
PHOTOS = 30


@pytest.mark.parametrize(
    ("frame", "uneven"), [(False, False), (False, True), (True, True)]
)
def test_chalk_photos_are_inverted_and_read(frame: bool, uneven: bool) -> None:
    test = load_tests()[UCI_TEST]
    rng = np.random.default_rng(3)
    model = drawing_model()
    rows = rng.choice(len(test), PHOTOS, replace=False)
    right = 0
    for row in rows:
        photo = as_dark_on_light(
            chalk_photo(test.bitmap(row), rng, frame=frame, uneven=uneven)
        )
        assert photo.notice == NOTICE
        assert photo.image.shape[2] == 4
        right += model.predict(canvas_to_features(photo.image)[None])[0] == test.y[row]
    assert right >= 0.9 * PHOTOS, right


def test_ink_on_paper_and_the_canvas_are_left_alone() -> None:
    drawn = draw_strokes(STROKE_DIGITS[7])  # the canvas: transparent, dark ink
    photo = as_dark_on_light(drawn)
    assert photo.notice is None
    assert photo.image is drawn or np.array_equal(photo.image, drawn)
    paper = 255 - chalk_photo(
        load_tests()[UCI_TEST].bitmap(0), np.random.default_rng(0)
    )
    assert as_dark_on_light(paper).notice is None
    # paper with a dark desk around it is still paper: the light part is the page
    desk = paper.copy()
    desk[:30] = desk[-30:] = 20
    desk[:, :30] = desk[:, -30:] = 20
    assert as_dark_on_light(desk).notice is None


def test_an_empty_board_or_a_scribble_is_still_refused() -> None:
    rng = np.random.default_rng(1)
    board = np.clip(rng.normal(40, 6, (300, 300)), 0, 255).astype(np.uint8)
    with pytest.raises(DrawingError):
        canvas_to_features(as_dark_on_light(board).image)
    star = render_strokes(non_digit_strokes("star", rng))
    chalk_star = 255 - np.asarray(Image.fromarray(star).convert("L"))
    assert as_dark_on_light(chalk_star).notice == NOTICE  # read inverted, and then...
    from digits_knn.beyond.novelty import default_detector
    from digits_knn.features.shapes import drawing_shape

    check = default_detector().check(drawing_shape(as_dark_on_light(chalk_star).image))
    assert not check.is_digit  # ...not taken for a digit


def test_predict_reads_a_photo_of_chalk(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    test = load_tests()[UCI_TEST]
    model = drawing_model()
    # a scan the model reads right on paper (the test is of the photo, not the model)
    row = next(
        r
        for r in range(len(test))
        if model.predict(canvas_to_features(bitmap_to_canvas(test.bitmap(r)))[None])[0]
        == test.y[r]
    )
    path = tmp_path / "board.jpg"
    photo = chalk_photo(test.bitmap(row), np.random.default_rng(5), frame=True)
    Image.fromarray(photo).save(path, quality=85)
    assert main(["predict", "--json", str(path)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["inverted"] is True
    assert record["label"] == test.y[row]
    assert record["is_digit"] is True
    assert main(["predict", str(path)]) == 0
    assert "light ink on dark: read inverted" in capsys.readouterr().out
    assert load_image(path).shape[2] == 4
