"""Finish my digit: the hidden half predicted by KNN regression, from the drawing."""

from __future__ import annotations

import re

import numpy as np

from digits_knn.beyond.completion import choose_completion
from digits_knn.datasets.training import (
    DEFAULT_SOURCE,
    load_training_set,
    writer_groups,
)
from tests.conftest import STROKE_DIGITS, draw_strokes
from tests.views.apptest import FakeCanvas, captions_of_figures, start


def texts(at: object) -> str:
    return " ".join(
        [m.value for m in at.markdown]  # type: ignore[attr-defined]
        + [i.value for i in at.info]  # type: ignore[attr-defined]
        + [c.value for c in at.caption]  # type: ignore[attr-defined]
    )


def test_a_whole_drawing_is_finished_and_compared_with_its_truth() -> None:
    at = start(draw_strokes(STROKE_DIGITS[7]), view="finish")
    captions = captions_of_figures(at)
    assert "What the model is given: the upper half (32 counts)" in captions
    assert any(c.startswith("Predicted: the lower half") for c in captions)
    assert any(c.startswith("Predicted, drawn") for c in captions)
    assert "The truth: your drawing's own counts" in captions
    assert not at.get("image")  # inline figures: no element or request per picture
    # The prediction is nearer the truth than the training digits' average half.
    match = re.search(r"off by \*\*([\d.]+)\*\*.*would be off by (\d+\.\d+)", texts(at))
    assert match, texts(at)
    assert float(match.group(1)) < float(match.group(2))
    # k neighbours shown with their weights, which add up to 1.
    weights = [float(c.split("w=")[1]) for c in captions if " · w=" in c]
    k = at.slider(key=f"finish_k_{DEFAULT_SOURCE}_lower").value
    assert len(weights) == k
    assert abs(sum(weights) - 1) < 0.01 * k


def test_k_and_weights_default_to_the_cross_validated_choice() -> None:
    at = start(draw_strokes(STROKE_DIGITS[4]), view="finish")
    training = load_training_set(DEFAULT_SOURCE)
    choice = choose_completion(training.X_train, writer_groups(training), "lower")
    assert at.slider(key=f"finish_k_{DEFAULT_SOURCE}_lower").value == choice.n_neighbors
    assert (
        at.radio(key=f"finish_weights_{DEFAULT_SOURCE}_lower").value == choice.weights
    )
    assert f"k={choice.n_neighbors}, {choice.weights} weights" in texts(at)


def test_each_half_can_be_hidden() -> None:
    at = start(draw_strokes(STROKE_DIGITS[0]), view="finish")
    at.button_group(key="finish_half").set_value("left").run()
    assert not at.exception
    captions = captions_of_figures(at)
    assert "What the model is given: the right half (32 counts)" in captions
    assert any(c.startswith("Predicted: the left half") for c in captions)


def test_half_a_digit_drawn_on_purpose_has_no_truth_and_is_not_stretched() -> None:
    image = draw_strokes(STROKE_DIGITS[7])
    image = image.copy()
    image[image.shape[0] // 2 :] = 255  # only the top of the 7 is on the canvas
    at = start(image, view="finish")
    at.radio(key="finish_drawn").set_value("half").run()
    assert not at.exception
    assert "there is no truth to compare" in texts(at)
    captions = captions_of_figures(at)
    assert "The truth: your drawing's own counts" not in captions
    assert any(c.startswith("Predicted, drawn") for c in captions)


def test_without_a_drawing_it_says_what_to_do() -> None:
    at = start(None, view="finish")
    assert "the page finishes it here" in texts(at)
    assert FakeCanvas.calls  # the canvas is on the page above it
    assert np.isfinite(at.slider(key=f"finish_k_{DEFAULT_SOURCE}_lower").value)
