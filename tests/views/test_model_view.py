"""The Model view: test accuracy per test set, mistakes, search speed, model files."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

from digits_knn.datasets.training import DEFAULT_SOURCE, UCI_TEST, load_training_set
from digits_knn.datasets.uci import load_split
from digits_knn.search.model import fit_model
from digits_knn.search.persistence import model_to_bytes
from digits_knn.tuning.evaluation import evaluate
from page.views.model import MODEL_FILE, PER_DIGIT, SEARCH_SPEED, SECTIONS
from tests.conftest import STROKE_DIGITS, draw_strokes, drawing_model
from tests.views.apptest import (
    accuracy_for,
    captions_of_figures,
    metric,
    start,
    subheaders,
)


def html_text(at: Any) -> str:
    return " ".join(element.value for element in at.html)


def test_the_model_view_is_the_default() -> None:
    """The page opens on the Model view, below the drawing, digit by digit."""
    at = start(None)
    assert metric(at, "Test accuracy") == accuracy_for()
    assert at.segmented_control(key="model_section").value == PER_DIGIT
    assert "Confusion matrix" in html_text(at)


def test_one_part_of_the_model_view_at_a_time() -> None:
    """Below the accuracy, only the part asked for is drawn."""
    at = start(None)
    section = at.segmented_control(key="model_section")
    assert list(section.options) == list(SECTIONS)
    assert "Save or load a model" not in subheaders(at)
    assert not [b for b in at.button if b.label.startswith("Time the four")]
    section.set_value(SEARCH_SPEED).run()
    assert not at.exception
    assert [b for b in at.button if b.label.startswith("Time the four")]
    assert "Confusion matrix" not in html_text(at)
    at.segmented_control(key="model_section").set_value(MODEL_FILE).run()
    assert "Save or load a model" in subheaders(at)
    assert not [b for b in at.button if b.label.startswith("Time the four")]
    assert metric(at, "Test accuracy") == accuracy_for()  # the accuracy stays on top


def test_p_algorithm_and_weights_update_the_model_view() -> None:
    """p=1, a KD-tree and distance weights: the accuracy is that model's.

    On the tutorial's 1,437 digits: a KD-tree with p=1 on the page's 91,413 took 30 s
    here, and the knobs are what this test is about.
    """
    at = start(draw_strokes(STROKE_DIGITS[0]))
    at.radio(key="source").set_value("uci")
    at.slider(key="p").set_value(1.0)
    at.selectbox(key="algorithm").set_value("kd_tree")
    at.radio(key="weights").set_value("distance")
    at.run()
    assert not at.exception
    expected = accuracy_for("uci", p=1, algorithm="kd_tree", weights="distance")
    assert metric(at, "Test accuracy") == expected
    assert expected != accuracy_for("uci")  # the knobs change the answer
    assert any("weight" in md.value for md in at.markdown if "Votes:" in md.value)


def test_search_speed_is_measured_when_asked() -> None:
    """The four algorithms are timed on request, not on every slider move."""
    at = start(None)
    at.segmented_control(key="model_section").set_value(SEARCH_SPEED).run()
    assert not [d for d in at.dataframe if "runs as" in d.value.columns]
    at.selectbox(key="algorithm").set_value("kd_tree").run()
    (button,) = [b for b in at.button if b.label.startswith("Time the four")]
    button.click().run()
    assert not at.exception
    (timings,) = [d.value for d in at.dataframe if "runs as" in d.value.columns]
    assert len(timings) == 4
    assert "KD-tree ← current" in list(timings["algorithm"])
    at.slider(key="n_neighbors").set_value(9).run()  # other settings: asked again
    assert not [d for d in at.dataframe if "runs as" in d.value.columns]


def test_model_view_lists_the_misclassified_digits() -> None:
    at = start(None)
    model = drawing_model()
    training = load_training_set(DEFAULT_SOURCE)
    test = training.tests[UCI_TEST]
    result = evaluate(model, test.X, test.y)
    wrong = result.misclassified
    assert f"The {len(wrong)} misclassified test digits" in subheaders(at)
    expected = [f"{test.y[i]} taken for {result.y_pred[i]}" for i in wrong]
    assert [c for c in captions_of_figures(at) if " taken for " in c] == expected
    for true, predicted in zip(*np.nonzero(result.confusion), strict=True):
        count = result.confusion[true, predicted]
        what = "recognised" if true == predicted else f"taken for {predicted}"
        assert f'title="{count} test digits {true} {what}"' in html_text(at)


def test_drawn_digits_in_the_training_data() -> None:
    """The page learns from UCI scans and drawn pen digits; switching to the tutorial's
    UCI data alone gives the tutorial's 96.94% and fewer drawn digits recognised."""
    at = start(draw_strokes(STROKE_DIGITS[4]))
    assert metric(at, "Test accuracy") == accuracy_for()
    drawn_with_both = metric(at, "Pen digits, unseen writers")
    assert any("drawn digits" in c.value for c in at.sidebar.caption)
    at.radio(key="source").set_value("uci")
    at.selectbox(key="algorithm").set_value("kd_tree")
    at.slider(key="n_neighbors").set_value(20)
    at.radio(key="weights").set_value("uniform").run()
    assert not at.exception
    split = load_split()
    tutorial = fit_model(split.X_train, split.y_train)
    expected = f"{tutorial.score(split.X_test, split.y_test):.2%}"
    assert expected == "96.94%"
    assert metric(at, "Test accuracy") == expected
    drawn_uci_only = metric(at, "Pen digits, unseen writers")
    assert float(drawn_uci_only.rstrip("%")) + 5 < float(drawn_with_both.rstrip("%"))
    assert any("1,437 UCI optdigits" in c.value for c in at.sidebar.caption)
    assert metric(at, "Prediction") == "4"


def upload_model(at: Any, name: str, data: bytes) -> Any:
    at.segmented_control(key="model_section").set_value(MODEL_FILE).run()
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
    assert "The 7 nearest training digits" in subheaders(at)


def test_a_pickle_upload_is_refused_with_the_reason() -> None:
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
    """The download is the sidebar's model: k, p and its training digits."""
    at = start(None)
    at.segmented_control(key="model_section").set_value(MODEL_FILE)
    at.slider(key="n_neighbors").set_value(7).run()
    (button,) = [
        b
        for b in at.get("download_button")
        if b.proto.label.startswith("Download this")
    ]
    assert button.proto.label == "Download this model (.skops)"


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


def test_the_sources_table_and_its_sentence_agree() -> None:
    """Each collection's best source, as the sentence names it, is the table's."""
    at = start(None)
    at.toggle(key="compare_sources").set_value(True).run()
    frame = at.dataframe[-1].value
    sentence = " ".join(c.value for c in at.caption if "With the same k" in c.value)
    assert sentence, [c.value for c in at.caption]
    for column in frame.columns[1:]:
        shown = frame[column].round(3)
        best = frame["learns from"][shown == shown.max()].tolist()
        if "UCI optdigits (the tutorial)" in best:
            assert f"{column}: the tutorial's scans alone are the best" in sentence
        else:
            assert f"{column}: {' and '.join(best)} " in sentence, (column, sentence)
