"""The drawing view: draw or upload a digit, the prediction, the neighbours, teaching."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from digits_knn.datasets.training import DEFAULT_SOURCE, load_training_set
from digits_knn.drawings.store import DrawingStore
from digits_knn.features.preprocessing import (
    bitmap_to_canvas,
    canvas_to_bitmap,
    canvas_to_features,
    unpack_bitmaps,
)
from digits_knn.features.strokes import non_digit_strokes, render_strokes
from page.sidebar import DEFAULT_SETTINGS
from tests.conftest import STROKE_DIGITS, draw_strokes
from tests.views.apptest import (
    FakeCanvas,
    accuracy_for,
    captions_of_figures,
    metric,
    popovers,
    start,
    subheaders,
)


def test_the_first_run_predicts_with_the_sidebars_defaults() -> None:
    """The drawing view runs before the sidebar is drawn (the canvas goes out first):
    in a session's first run it reads the settings the sidebar then starts with."""
    at = start(draw_strokes(STROKE_DIGITS[4]))
    default = DEFAULT_SETTINGS
    assert at.slider(key="n_neighbors").value == default.n_neighbors
    assert at.slider(key="p").value == default.p
    assert at.selectbox(key="algorithm").value == default.algorithm
    assert at.radio(key="weights").value == default.weights
    assert at.radio(key="source").value == default.source
    assert f"The {default.n_neighbors} nearest training digits" in subheaders(at)
    assert metric(at, "Prediction") == "4"
    at.slider(key="n_neighbors").set_value(3).run()  # and then what the sidebar says
    assert "The 3 nearest training digits" in subheaders(at)


def test_empty_canvas_asks_to_draw() -> None:
    """A learner opens the page: no guess, an invitation to draw."""
    at = start(None)
    assert metric(at, "Prediction") == "–"
    assert "Draw a digit" in at.info[0].value


def test_reset_canvas_is_empty_too() -> None:
    """The toolbar's reset sends an all-white image: still nothing to classify."""
    at = start(np.full((280, 280, 4), 255, dtype=np.uint8))
    assert metric(at, "Prediction") == "–"
    assert "no ink" in at.info[0].value


@pytest.mark.parametrize(
    ("drawing", "message"),
    [
        (draw_strokes([[(0.5, 0.5)]]), "dot"),
        (
            np.dstack(
                [np.zeros((280, 280, 3), np.uint8), np.full((280, 280), 255, np.uint8)]
            ),
            "ink",
        ),
    ],
    ids=["single dot", "painted black"],
)
def test_unusable_drawings_get_a_clear_message(
    drawing: np.ndarray, message: str
) -> None:
    at = start(drawing)
    assert metric(at, "Prediction") == "–"
    assert message in at.info[0].value


def test_drawn_digit_is_predicted_with_neighbors() -> None:
    """A learner draws a 4 and sees the prediction, votes and the 20 neighbours."""
    at = start(draw_strokes(STROKE_DIGITS[4]))
    assert metric(at, "Prediction") == "4"
    assert "The 7 nearest training digits" in subheaders(at)
    assert "What the model sees" in subheaders(at)
    assert any("Votes:" in md.value and "**4**" in md.value for md in at.markdown)
    captions = captions_of_figures(at)
    assert captions[0].startswith("Probability of each digit")
    assert captions[1:4] == [
        "Your drawing, normalised to 32x32",
        "Ink per 4x4 block: 64 numbers 0..16",
        "The nearest training digit",
    ]
    neighbours = [c for c in captions if " · d=" in c]
    assert len(neighbours) == 7
    assert all(c.startswith("4 · d=") for c in neighbours[:3])
    distances = [float(c.split("d=")[1].split(" ")[0]) for c in neighbours]
    assert distances == sorted(distances)
    (explained,) = [h.value for h in at.html if "What the model sees" in h.value]
    # Every picture inline (no request per picture): 3 of the input, 7 neighbours.
    assert len(re.findall(r'<img src="data:image/png;base64,', explained)) == 10
    assert not any("doesn't look like a digit" in w.value for w in at.warning)


def test_a_star_is_not_a_digit_but_its_neighbours_are_shown() -> None:
    """A drawn asterisk gets a warning; the nearest digits are still there."""
    strokes = non_digit_strokes("star", np.random.default_rng(0))
    at = start(render_strokes(strokes, width=22))
    assert any("doesn't look like a digit" in w.value for w in at.warning)
    assert metric(at, "Prediction") in [str(d) for d in range(10)]
    assert "The 7 nearest training digits" in subheaders(at)


def test_canvas_is_configured_for_the_reduction() -> None:
    start(None)
    call = FakeCanvas.calls[-1]
    assert call["width"] == call["height"]
    assert call["background_color"] == "#FFFFFF"
    assert call["return_image_data"] is True


def test_clear_button_empties_the_canvas() -> None:
    """One click on Clear gives a fresh canvas: the prediction goes back to asking."""
    at = start(draw_strokes(STROKE_DIGITS[1]))
    assert metric(at, "Prediction") == "1"
    at.button(key="clear_canvas").click().run()
    assert not at.exception
    assert FakeCanvas.calls[-1]["key"] == "canvas-1"
    assert metric(at, "Prediction") == "–"


def test_lowering_k_updates_the_neighbours_and_the_accuracy() -> None:
    """A learner moves k from 20 to 3: neighbours and test accuracy follow."""
    at = start(draw_strokes(STROKE_DIGITS[7]))
    assert metric(at, "Test accuracy") == accuracy_for()
    at.slider(key="n_neighbors").set_value(3).run()
    assert not at.exception
    assert "The 3 nearest training digits" in subheaders(at)
    assert metric(at, "Test accuracy") == accuracy_for(n_neighbors=3)
    assert metric(at, "Prediction") == "7"


@pytest.mark.usefixtures("fresh_caches")
def test_each_search_is_fitted_once_shared_and_never_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two users and many k: one fit per data, p and algorithm, shared by both, and
    its training matrix is the shipped one (no copy), read-only."""
    import page.cache

    fitted: list[Any] = []
    real_fit = page.cache.fit_index

    def counting_fit(*args: Any, **kwargs: Any) -> Any:
        index = real_fit(*args, **kwargs)
        fitted.append((kwargs["p"], kwargs["algorithm"], index))
        return index

    monkeypatch.setattr(page.cache, "fit_index", counting_fit)
    # Below the drawing, a view that scores nothing: the Model view would also find
    # every test digit's neighbours for p=1 (seconds), which is not what is tested.
    first = start(draw_strokes(STROKE_DIGITS[4]), view="how_knn_works")
    second = start(draw_strokes(STROKE_DIGITS[7]), view="how_knn_works")
    for k in (5, 12, 1):
        first.slider(key="n_neighbors").set_value(k).run()
        second.slider(key="n_neighbors").set_value(k + 1).run()
    assert not first.exception
    assert not second.exception
    assert [(p, algorithm) for p, algorithm, _ in fitted] == [(2.0, "brute")]
    first.slider(key="p").set_value(1.0).run()
    assert [(p, algorithm) for p, algorithm, _ in fitted] == [
        (2.0, "brute"),
        (1.0, "brute"),
    ]
    training = load_training_set(DEFAULT_SOURCE)
    shipped = page.cache.shipped_training(DEFAULT_SOURCE).X_train
    for _, _, index in fitted:
        part = index._parts[0]
        assert np.shares_memory(part.X, shipped)
        assert not part.X.flags.writeable
        np.testing.assert_array_equal(part.X, training.X_train)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_upload_a_picture_of_a_digit() -> None:
    at = start(None)
    at.segmented_control(key="input_source").set_value("Upload").run()
    photo = Image.fromarray(draw_strokes(STROKE_DIGITS[7])).convert("RGB")
    at.file_uploader(key="upload").upload("seven.png", _png(photo), "image/png").run()
    assert not at.exception
    assert metric(at, "Prediction") == "7"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a picture", "not an image"),
        (_png(Image.new("RGB", (50, 50), "white"))[:60], "truncated or corrupt"),
    ],
    ids=["not an image", "corrupt png"],
)
def test_bad_uploads_get_a_clear_message(content: bytes, message: str) -> None:
    at = start(None)
    at.segmented_control(key="input_source").set_value("Upload").run()
    at.file_uploader(key="upload").upload("bad.png", content, "image/png").run()
    assert not at.exception
    assert message in at.error[0].value
    assert metric(at, "Prediction") == "–"


def test_sessions_do_not_share_settings() -> None:
    """Two users with different k each see their own neighbours and accuracy."""
    first = start(draw_strokes(STROKE_DIGITS[4]))
    second = start(draw_strokes(STROKE_DIGITS[4]))
    first.slider(key="n_neighbors").set_value(3).run()
    second.slider(key="n_neighbors").set_value(9).run()
    assert "The 3 nearest training digits" in subheaders(first)
    assert "The 9 nearest training digits" in subheaders(second)
    assert metric(first, "Test accuracy") == accuracy_for(n_neighbors=3)
    assert metric(second, "Test accuracy") == accuracy_for(n_neighbors=9)


def add_label(at: Any) -> Any:
    (group,) = [g for g in at.button_group if g.label.startswith("Add this drawing")]
    return group


def test_add_a_drawing_and_the_next_prediction_uses_it(
    private_drawings_db: Path,
) -> None:
    """Correct a prediction: the drawing is stored with its label and, at k=1, the
    model now answers with it."""
    at = start(draw_strokes(STROKE_DIGITS[4]))
    at.slider(key="n_neighbors").set_value(1).run()
    assert metric(at, "Prediction") == "4"
    label = add_label(at)
    assert label.value == 4  # pre-filled with the prediction
    # Under a popover below the prediction (closed, its choices cost no redraws).
    add = popovers(at)["Add to the training set"]
    assert [g.label for g in add.button_group] == [label.label]
    assert [b.key for b in add.button] == ["add_drawing"]
    label.set_value(9).run()
    at.button(key="add_drawing").click().run()
    assert not at.exception
    store = DrawingStore(private_drawings_db)
    (stored,) = store.drawings()
    assert stored.label == 9
    assert stored.session_id == at.session_state["session_id"]
    with zipfile.ZipFile(io.BytesIO(store.export_zip())) as archive:
        canvas = Image.open(io.BytesIO(archive.read(f"{stored.id:06d}_label9.png")))
        assert canvas.size == (280, 280)  # the canvas as drawn, not the bitmap
    assert any("Added as 9" in s.value for s in at.success)
    assert metric(at, "Prediction") == "9"
    assert any("1 your drawings" in c.value for c in at.sidebar.caption)
    neighbours = [c for c in captions_of_figures(at) if " · d=" in c]
    assert neighbours[0] == "9 · d=0.0 · yours"


def test_a_drawing_is_only_learnt_with_the_your_drawings_source(
    private_drawings_db: Path,
) -> None:
    at = start(draw_strokes(STROKE_DIGITS[4]))
    at.radio(key="source").set_value("uci+drawn").run()
    add_label(at).set_value(9).run()
    at.button(key="add_drawing").click().run()
    assert DrawingStore(private_drawings_db).count() == 1
    assert any("does not learn from your drawings" in w.value for w in at.warning)


def test_mnist_neighbours_are_marked_as_such() -> None:
    """An MNIST training digit placed on the canvas finds itself, tagged 'MNIST'."""
    training = load_training_set(DEFAULT_SOURCE)
    first = training.sizes["UCI optdigits"] + training.sizes["drawn digits"]
    canvases = {
        row: bitmap_to_canvas(unpack_bitmaps(training.packed_train[row]))
        for row in range(first, first + 20)
    }
    row = next(  # one whose bitmap comes back from the canvas exactly
        row
        for row, canvas in canvases.items()
        if np.array_equal(canvas_to_features(canvas), training.X_train[row])
    )
    at = start(canvases[row])
    assert metric(at, "Prediction") == str(training.y_train[row])
    neighbours = [c for c in captions_of_figures(at) if " · d=" in c]
    assert neighbours[0] == f"{training.y_train[row]} · d=0.0 · MNIST"


def test_two_databases_at_the_same_version_are_not_confused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every store's version starts at 0: the caches are keyed by where the store is,
    so a server pointed at another database (same version) learns from that one."""
    drawing = draw_strokes(STROKE_DIGITS[4])
    at = start(drawing)
    bitmap = canvas_to_bitmap(drawing)
    for name, label in (("a", 9), ("b", 2)):
        path = tmp_path / name / "drawings.sqlite3"
        DrawingStore(path).add(label, bitmap, session_id="teacher")
        monkeypatch.setenv("DIGITS_KNN_DB", str(path))
        at = start(drawing)
        at.slider(key="n_neighbors").set_value(1).run()
        assert metric(at, "Prediction") == str(label)


def test_a_stroke_leaves_the_process_thread_limits_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A drawing's query once lowered the process-wide BLAS/OpenMP thread limit on
    every stroke, throttling any other session's grid search running meanwhile. Now
    the single query needs no threads and sets no limit."""
    import threadpoolctl

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a process-wide thread limit was set")

    monkeypatch.setattr(threadpoolctl, "threadpool_limits", refuse)
    monkeypatch.setattr(threadpoolctl.ThreadpoolController, "limit", refuse)
    before = threadpoolctl.threadpool_info()
    at = start(draw_strokes(STROKE_DIGITS[4]))
    assert metric(at, "Prediction") == "4"
    assert threadpoolctl.threadpool_info() == before


def test_a_drawing_is_prepared_once_and_a_rerun_reuses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new drawing's ink is found once and its shape measured once, for the
    prediction and the digit check both (they were computed twice per stroke); a k
    move or a view switch reruns the drawing view on the same drawing and computes
    none of it again; a new stroke's are computed once."""
    import page.cache
    from digits_knn.beyond.novelty import DigitCheck, DigitDetector
    from digits_knn.features import prepared, shapes

    calls: list[str] = []
    real_ink, real_shape = prepared.ink_mask, shapes.crop_shape_features
    real_check = DigitDetector.check

    def counting_ink(image: np.ndarray) -> np.ndarray:
        calls.append("ink")
        return real_ink(image)

    def counting_shape(crop: np.ndarray) -> np.ndarray:
        calls.append("shape")
        return real_shape(crop)

    def counting_check(detector: DigitDetector, x: np.ndarray) -> DigitCheck:
        calls.append("check")
        return real_check(detector, x)

    monkeypatch.setattr(prepared, "ink_mask", counting_ink)
    monkeypatch.setattr(shapes, "crop_shape_features", counting_shape)
    monkeypatch.setattr(DigitDetector, "check", counting_check)
    page.cache._drawing.clear()
    page.cache._digit_check.clear()
    at = start(draw_strokes(STROKE_DIGITS[7]))
    assert calls == ["ink", "shape", "check"]
    at.slider(key="n_neighbors").set_value(3).run()
    open_view = at.switch_page("page/views/how_knn_works.py").run()
    assert not open_view.exception
    assert metric(at, "Prediction") == "7"
    assert calls == ["ink", "shape", "check"]
    FakeCanvas.drawings["canvas-0"] = draw_strokes(STROKE_DIGITS[4])  # a new stroke
    at.run()
    assert metric(at, "Prediction") == "4"
    assert calls == ["ink", "shape", "check"] * 2


def test_pressing_add_twice_adds_the_drawing_once(private_drawings_db: Path) -> None:
    """A double click on 'Add' (two runs of the callback) stored the drawing twice."""
    at = start(draw_strokes(STROKE_DIGITS[4]))
    at.button(key="add_drawing").click().run()
    at.button(key="add_drawing").click().run()
    assert not at.exception
    assert DrawingStore(private_drawings_db).count() == 1
    other = start(draw_strokes(STROKE_DIGITS[4]))  # another person's same drawing
    other.button(key="add_drawing").click().run()
    assert DrawingStore(private_drawings_db).count() == 2


def test_an_added_photo_keeps_only_its_bitmap(private_drawings_db: Path) -> None:
    """Privacy: the whole photo (up to 1024 px) was stored and anyone could export
    it; now only its 32x32 bitmap is, and the popover says so."""
    at = start(None)
    at.segmented_control(key="input_source").set_value("Upload").run()
    photo = Image.fromarray(draw_strokes(STROKE_DIGITS[7])).convert("RGB")
    at.file_uploader(key="upload").upload("seven.png", _png(photo), "image/png").run()
    add = popovers(at)["Add to the training set"]
    assert any("photo itself is not stored" in c.value for c in add.caption)
    at.button(key="add_drawing").click().run()
    assert not at.exception
    store = DrawingStore(private_drawings_db)
    (stored,) = store.drawings()
    with zipfile.ZipFile(io.BytesIO(store.export_zip())) as archive:
        kept = Image.open(io.BytesIO(archive.read(f"{stored.id:06d}_label7.png")))
    assert kept.size == (128, 128)  # the 32x32 bitmap drawn at 4x, not the photo


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` pixels (a bomb)."""
    small = _png(Image.new("L", (8, 8), 255))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    patched = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return small[:8] + patched + small[33:]


def test_an_image_bomb_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload = _png_declaring(8000, 5000)  # 40 megapixels in a few hundred bytes
    decoded: list[object] = []
    real_load = Image.Image.load
    monkeypatch.setattr(
        Image.Image, "load", lambda im: decoded.append(im) or real_load(im)
    )
    at = start(None)
    at.segmented_control(key="input_source").set_value("Upload").run()
    at.file_uploader(key="upload").upload("bomb.png", upload, "image/png").run()
    assert not at.exception
    assert "8000x5000 pixels" in at.error[0].value
    assert decoded == []
    assert metric(at, "Prediction") == "–"


def test_an_upload_is_decoded_once_per_content(monkeypatch: pytest.MonkeyPatch) -> None:
    from digits_knn.features import images

    calls: list[int] = []
    real = images.load_image
    monkeypatch.setattr(
        images, "load_image", lambda data: calls.append(1) or real(data)
    )
    at = start(None)
    at.segmented_control(key="input_source").set_value("Upload").run()
    photo = Image.fromarray(draw_strokes(STROKE_DIGITS[7])).convert("RGB")
    photo = photo.rotate(1, fillcolor="white")  # content no other test uploads
    at.file_uploader(key="upload").upload(
        "seven-turned.png", _png(photo), "image/png"
    ).run()
    at.slider(key="n_neighbors").set_value(3).run()
    at.slider(key="n_neighbors").set_value(5).run()
    assert not at.exception
    assert metric(at, "Prediction") == "7"
    assert len(calls) == 1


def test_why_the_nearest_is_near_and_any_neighbour_picked() -> None:
    at = start(draw_strokes(STROKE_DIGITS[7]))
    assert "Why they are near" in subheaders(at)
    sentences = [m.value for m in at.markdown if m.value.startswith("Your 7 is")]
    assert len(sentences) == 1
    assert "from the nearest 7" in sentences[0]
    assert "separate your 7 from it" in sentences[0]
    captions = captions_of_figures(at)
    assert any(c.startswith("Your drawing against neighbour #1") for c in captions)
    assert any(c.startswith("Against the nearest ") for c in captions)
    at.selectbox(key="why-0").set_value(2).run()
    sentences = [m.value for m in at.markdown if m.value.startswith("Your 7 is")]
    assert "from neighbour #3 (a 7)" in sentences[0]
