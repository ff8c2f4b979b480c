"""The page, driven headless with Streamlit's AppTest; drawings are injected.

The canvas component only runs in a browser, so ``streamlit_drawable_canvas`` is replaced
by a stand-in that returns the drawing a test puts in ``FakeCanvas.drawings`` under the
canvas's key. The real component is driven with the mouse in ``test_e2e.py``.
"""

from __future__ import annotations

import io
import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from digits_knn.data import DEFAULT_SOURCE, UCI_TEST, load_split, load_training_set
from digits_knn.evaluation import evaluate
from digits_knn.model import fit_model
from digits_knn.persistence import model_to_bytes
from digits_knn.selection import grid_search, tutorial_param_grid
from digits_knn.store import DrawingStore
from digits_knn.strokes import non_digit_strokes, render_strokes
from tests.conftest import STROKE_DIGITS, draw_strokes

APP = str(Path(__file__).resolve().parents[1] / "app.py")


class FakeCanvas:
    """Stands in for ``st_canvas``: returns ``drawings[key]`` (None if absent)."""

    drawings: ClassVar[dict[str, np.ndarray | None]] = {}
    calls: ClassVar[list[dict[str, Any]]] = []

    @classmethod
    def st_canvas(cls, **kwargs: Any) -> types.SimpleNamespace:
        cls.calls.append(kwargs)
        return types.SimpleNamespace(image_data=cls.drawings.get(kwargs["key"]))


@pytest.fixture(autouse=True)
def fake_canvas(monkeypatch: pytest.MonkeyPatch) -> type[FakeCanvas]:
    module = types.ModuleType("streamlit_drawable_canvas")
    module.st_canvas = FakeCanvas.st_canvas  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "streamlit_drawable_canvas", module)
    FakeCanvas.drawings = {}
    FakeCanvas.calls = []
    return FakeCanvas


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    """Streamlit's caches outlive an AppTest; each test starts from a cold server."""
    st.cache_data.clear()
    st.cache_resource.clear()


def start(drawing: np.ndarray | None = None) -> AppTest:
    FakeCanvas.drawings["canvas-0"] = drawing
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert len(values) == 1, f"{label!r} metrics: {values}"
    return str(values[0])


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def accuracy_for(source: str = DEFAULT_SOURCE, **params: Any) -> str:
    """Test accuracy on the UCI test split of the page's model for these settings."""
    training = load_training_set(source)
    params = {"algorithm": "brute", **params}  # the page's default search
    model = fit_model(training.X_train, training.y_train, **params)
    test = training.tests[UCI_TEST]
    return f"{evaluate(model, test.X, test.y).accuracy:.2%}"


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
    assert "The 20 nearest training digits" in subheaders(at)
    assert "What the model sees" in subheaders(at)
    assert any("Votes:" in md.value and "**4**" in md.value for md in at.markdown)
    assert not any("doesn't look like a digit" in w.value for w in at.warning)


def test_a_star_is_not_a_digit_but_its_neighbours_are_shown() -> None:
    """A drawn asterisk gets a warning; the nearest digits are still there."""
    strokes = non_digit_strokes("star", np.random.default_rng(0))
    at = start(render_strokes(strokes, width=22))
    assert any("doesn't look like a digit" in w.value for w in at.warning)
    assert metric(at, "Prediction") in [str(d) for d in range(10)]
    assert "The 20 nearest training digits" in subheaders(at)


def test_canvas_is_configured_for_the_reduction() -> None:
    start(None)
    call = FakeCanvas.calls[-1]
    assert call["width"] == call["height"]
    assert call["background_color"] == "#FFFFFF"
    assert call["return_image_data"] is True


def test_lowering_k_updates_everything() -> None:
    """A learner moves k from 20 to 3: neighbours and test accuracy follow."""
    at = start(draw_strokes(STROKE_DIGITS[7]))
    assert metric(at, "Test accuracy") == accuracy_for()
    at.slider(key="n_neighbors").set_value(3).run()
    assert not at.exception
    assert "The 3 nearest training digits" in subheaders(at)
    assert metric(at, "Test accuracy") == accuracy_for(n_neighbors=3)
    assert metric(at, "Prediction") == "7"


def test_p_algorithm_and_weights_update_the_model_view() -> None:
    """p=1, brute force and distance weights: the accuracy is that model's."""
    at = start(draw_strokes(STROKE_DIGITS[0]))
    at.slider(key="p").set_value(1.0)
    at.selectbox(key="algorithm").set_value("kd_tree")
    at.radio(key="weights").set_value("distance")
    at.run()
    assert not at.exception
    expected = accuracy_for(p=1, algorithm="kd_tree", weights="distance")
    assert metric(at, "Test accuracy") == expected
    assert any("weight" in md.value for md in at.markdown if "Votes:" in md.value)
    timings = at.dataframe[-1].value
    assert len(timings) == 4
    assert "KD-tree ← current" in list(timings["algorithm"])


def test_clear_button_empties_the_canvas() -> None:
    """One click on Clear gives a fresh canvas: the prediction goes back to asking."""
    at = start(draw_strokes(STROKE_DIGITS[1]))
    assert metric(at, "Prediction") == "1"
    at.button[0].click().run()
    assert not at.exception
    assert FakeCanvas.calls[-1]["key"] == "canvas-1"
    assert metric(at, "Prediction") == "–"


def test_each_setting_is_fitted_once_and_never_mutated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two users, the same settings: one fit, shared, and left exactly as it was."""
    import digits_knn.model

    fitted: list[tuple[dict[str, Any], Any]] = []
    real_fit = digits_knn.model.fit_model

    def counting_fit(*args: Any, **kwargs: Any) -> Any:
        model = real_fit(*args, **kwargs)
        fitted.append((model.get_params(), model))
        return model

    monkeypatch.setattr(digits_knn.model, "fit_model", counting_fit)
    first = start(draw_strokes(STROKE_DIGITS[4]))
    second = start(draw_strokes(STROKE_DIGITS[7]))
    first.slider(key="n_neighbors").set_value(5).run()
    second.slider(key="n_neighbors").set_value(5).run()
    first.slider(key="n_neighbors").set_value(20).run()
    assert not first.exception
    assert not second.exception
    assert sorted(params["n_neighbors"] for params, _ in fitted) == [5, 20]
    for params, model in fitted:
        assert model.get_params() == params
        assert model.n_samples_fit_ == len(load_training_set(DEFAULT_SOURCE).y_train)


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


def test_dataset_view_filters_by_digit() -> None:
    at = start(None)
    at.session_state["view"] = "Dataset"
    at.run()
    at.selectbox(key="browse_digit").set_value(3).run()
    assert not at.exception
    images = at.get("image")[-1].proto.imgs
    captions = [img.caption for img in images]
    assert len(captions) == 40
    assert set(captions) == {"3"}


def test_how_knn_works_view() -> None:
    at = start(None)
    at.session_state["view"] = "How KNN works"
    at.run()
    assert not at.exception
    text = " ".join(md.value for md in at.markdown)
    assert "Minkowski" in text
    assert "KD-tree" in text


def test_model_view_lists_the_misclassified_digits() -> None:
    at = start(None)
    training = load_training_set(DEFAULT_SOURCE)
    model = fit_model(training.X_train, training.y_train, algorithm="brute")
    test = training.tests[UCI_TEST]
    n_wrong = len(evaluate(model, test.X, test.y).misclassified)
    assert f"The {n_wrong} misclassified test digits" in subheaders(at)


def test_drawn_digits_in_the_training_data() -> None:
    """The page learns from UCI scans and drawn pen digits; switching to the tutorial's
    UCI data alone gives the tutorial's 96.94% and fewer drawn digits recognised."""
    at = start(draw_strokes(STROKE_DIGITS[4]))
    assert metric(at, "Test accuracy") == accuracy_for()
    drawn_with_both = metric(at, "Drawn digits, unseen writers")
    assert any("drawn digits" in c.value for c in at.sidebar.caption)
    at.radio(key="source").set_value("uci").run()
    at.selectbox(key="algorithm").set_value("kd_tree").run()
    assert not at.exception
    split = load_split()
    tutorial = fit_model(split.X_train, split.y_train)
    expected = f"{tutorial.score(split.X_test, split.y_test):.2%}"
    assert metric(at, "Test accuracy") == expected
    drawn_uci_only = metric(at, "Drawn digits, unseen writers")
    assert float(drawn_uci_only.rstrip("%")) + 5 < float(drawn_with_both.rstrip("%"))
    assert any("1,437 UCI optdigits" in c.value for c in at.sidebar.caption)
    assert metric(at, "Prediction") == "4"


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


def open_tune(at: AppTest) -> AppTest:
    at.session_state["view"] = "Tune"
    at.run()
    assert not at.exception
    return at


def test_tune_view_runs_the_tutorial_grid_and_applies_the_best() -> None:
    """A learner runs the tutorial's grid, sees the best k and p, and applies them."""
    at = open_tune(start(draw_strokes(STROKE_DIGITS[7])))
    assert "run the search" in at.info[0].value
    at.button(key="FormSubmitter:tune_form-Run the grid search").click().run()
    assert not at.exception
    split = load_split()
    expected = grid_search(split.X_train, split.y_train, tutorial_param_grid())
    best = expected.best_params
    assert metric(at, "Best parameters") == f"k={best['n_neighbors']}, p={best['p']:g}"
    assert metric(at, "Best mean CV accuracy") == f"{expected.best_score:.2%}"
    assert len(at.dataframe[-1].value) == 27
    at.button(key="apply_best").click().run()
    assert not at.exception
    assert at.slider(key="n_neighbors").value == best["n_neighbors"]
    assert at.slider(key="p").value == best["p"]
    assert metric(at, "Sidebar model, test accuracy") == accuracy_for(
        n_neighbors=best["n_neighbors"], p=best["p"]
    )
    assert f"The {best['n_neighbors']} nearest training digits" in subheaders(at)


def test_tune_view_custom_grid_with_weights() -> None:
    at = open_tune(start(None))
    at.number_input(key="tune_k_start").set_value(1)
    at.number_input(key="tune_k_stop").set_value(8)
    at.number_input(key="tune_k_step").set_value(3)
    at.number_input(key="tune_folds").set_value(3)
    at.multiselect(key="tune_p").set_value([1.0, 2.5])
    at.multiselect(key="tune_weights").set_value(["uniform", "distance"])
    at.button(key="FormSubmitter:tune_form-Run the grid search").click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert len(table) == 3 * 2 * 2
    assert set(table["weights"]) == {"uniform", "distance"}
    assert set(table["p"]) == {1.0, 2.5}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("tune_k_stop", 2, "empty"), ("tune_p", [], "at least one value of p")],
)
def test_tune_view_refuses_an_empty_grid(field: str, value: Any, message: str) -> None:
    at = open_tune(start(None))
    if field == "tune_p":
        at.multiselect(key=field).set_value(value)
    else:
        at.number_input(key=field).set_value(value)
    at.button(key="FormSubmitter:tune_form-Run the grid search").click().run()
    assert not at.exception
    assert message in at.error[0].value
    assert not [m for m in at.metric if m.label == "Best parameters"]


# --- your drawings (issue 6) ----------------------------------------------------------


def open_my_drawings(at: AppTest) -> AppTest:
    at.session_state["view"] = "My drawings"
    at.run()
    assert not at.exception
    return at


def add_label(at: AppTest) -> Any:
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
    label.set_value(9).run()
    at.button(key="add_drawing").click().run()
    assert not at.exception
    store = DrawingStore(private_drawings_db)
    (stored,) = store.drawings()
    assert stored.label == 9
    assert stored.session_id == at.session_state["session_id"]
    assert store.png(stored.id).startswith(b"\x89PNG")
    assert any("Added as 9" in s.value for s in at.success)
    assert metric(at, "Prediction") == "9"
    assert any("1 your drawings" in c.value for c in at.sidebar.caption)
    neighbours = [
        image.caption
        for element in at.get("image")
        for image in element.proto.imgs
        if " · d=" in image.caption
    ]
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


def test_my_drawings_lists_deletes_and_exports(private_drawings_db: Path) -> None:
    store = DrawingStore(private_drawings_db)
    theirs = store.add(3, np.eye(32, dtype=bool), session_id="someone else")
    at = start(draw_strokes(STROKE_DIGITS[7]))
    at.button(key="add_drawing").click().run()
    at = open_my_drawings(at)
    captions = at.get("image")[-1].proto.imgs
    assert [c.caption for c in captions] == ["#2: 7 · yours", f"#{theirs}: 3"]
    delete = at.multiselect(key="delete_ids")
    assert delete.options == ["#2: 7"]  # only your own rows
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("CSV" in label for label in labels)
    assert any("ZIP" in label for label in labels)
    delete.set_value([2]).run()
    at.button(key="delete_drawings").click().run()
    assert not at.exception
    assert [d.id for d in store.drawings()] == [theirs]
    assert any("Deleted 1" in s.value for s in at.success)


def test_admin_may_delete_anyones_drawings(
    private_drawings_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGITS_KNN_ADMIN", "1")
    store = DrawingStore(private_drawings_db)
    theirs = store.add(3, np.eye(32, dtype=bool), session_id="someone else")
    at = open_my_drawings(start(None))
    at.multiselect(key="delete_ids").set_value([theirs]).run()
    at.button(key="delete_drawings").click().run()
    assert store.count() == 0


def upload_csv(at: AppTest, data: bytes, name: str = "digits.csv") -> AppTest:
    at.file_uploader(key="import_csv").set_value((name, data, "text/csv"))
    at.button(key="FormSubmitter:import_form-Import").click().run()
    assert not at.exception
    return at


def test_import_a_csv_of_digits(private_drawings_db: Path) -> None:
    rows = "\n".join(",".join(["4"] * 64 + [str(d)]) for d in range(10))
    at = upload_csv(open_my_drawings(start(None)), rows.encode())
    assert any("Imported 10 digits" in s.value for s in at.success)
    assert DrawingStore(private_drawings_db).count() == 10
    assert any("10 your drawings" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"1,2,3\n", "3 columns"),
        ((",".join(["20"] * 64) + ",1").encode(), "outside 0..16"),
        ((",".join(["0"] * 64) + ",x").encode(), "not a whole number"),
        (b"", "holds no digits"),
        (b"0" * (50 * 2**20), "at most 10 MB"),
    ],
)
def test_bad_csv_is_refused_with_a_message(
    private_drawings_db: Path, data: bytes, message: str
) -> None:
    at = upload_csv(open_my_drawings(start(None)), data)
    assert any(
        message in e.value and "Nothing was imported" in e.value for e in at.error
    )
    assert DrawingStore(private_drawings_db).count() == 0


def upload_model(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="model_upload").set_value((name, data, "application/zip"))
    at.run()
    assert not at.exception
    return at


def test_upload_a_skops_model_and_go_back() -> None:
    split = load_split()
    model = fit_model(split.X_train, split.y_train, n_neighbors=3, p=1)
    at = upload_model(
        start(draw_strokes(STROKE_DIGITS[4])), "mine.skops", model_to_bytes(model)
    )
    assert any("Using mine.skops" in s.value for s in at.success)
    assert any("uploaded model **mine.skops** (k=3, p=1" in i.value for i in at.info)
    assert "The 3 nearest training digits" in subheaders(at)
    at.button[
        [b.label for b in at.button].index("Use the sidebar's model")
    ].click().run()
    assert "The 20 nearest training digits" in subheaders(at)


def test_a_pickle_upload_is_refused_with_the_reason() -> None:
    import pickle

    split = load_split()
    model = fit_model(split.X_train, split.y_train)
    at = upload_model(
        start(draw_strokes(STROKE_DIGITS[4])), "model.pkl", pickle.dumps(model)
    )
    assert any("runs whatever code" in e.value for e in at.error)
    assert "uploaded_model" not in at.session_state
    at = upload_model(at, "renamed.skops", pickle.dumps(model))  # by content too
    assert any("runs whatever code" in e.value for e in at.error)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda m: m[:1000], "not a skops model file"),
        (lambda m: b"", "is empty"),
    ],
)
def test_a_broken_model_upload_is_refused(make: Any, message: str) -> None:
    split = load_split()
    data = model_to_bytes(fit_model(split.X_train, split.y_train))
    at = upload_model(start(None), "broken.skops", make(data))
    assert any(message in e.value for e in at.error)
    assert "uploaded_model" not in at.session_state


def test_a_model_of_other_features_is_refused() -> None:
    from sklearn.neighbors import KNeighborsClassifier

    wrong = KNeighborsClassifier().fit(np.zeros((20, 10)), np.arange(20) % 10)
    at = upload_model(start(None), "wrong.skops", model_to_bytes(wrong))
    assert any("10 features" in e.value for e in at.error)


def test_the_model_can_be_downloaded() -> None:
    at = start(None)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download this model (.skops)" in labels


def test_two_uploads_with_the_same_name_stay_apart() -> None:
    """Each session pictures its own uploaded model's digits, whatever the file name."""
    split = load_split()
    small = fit_model(split.X_train[:100], split.y_train[:100], n_neighbors=3)
    full = fit_model(split.X_train, split.y_train, n_neighbors=5)
    first = upload_model(
        start(draw_strokes(STROKE_DIGITS[4])), "model.skops", model_to_bytes(small)
    )
    second = upload_model(
        start(draw_strokes(STROKE_DIGITS[4])), "model.skops", model_to_bytes(full)
    )
    assert "The 3 nearest training digits" in subheaders(first)
    assert "The 5 nearest training digits" in subheaders(second)
