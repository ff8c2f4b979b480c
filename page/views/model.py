"""Model view: how well the sidebar's model does on held-out digits; below, one part at a
time: digit by digit (mistakes included), how fast each search is, or its model file
(save it, or load one)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from digits_knn.beyond.findings import sources_finding
from digits_knn.datasets.training import (
    DRAWN_TEST,
    MNIST_TEST,
    TRAINING_SOURCES,
    UCI_TEST,
    UJI_TEST,
    USER_SOURCE,
)
from digits_knn.features.preprocessing import counts_to_bitmap
from digits_knn.plotting import bitmap_png
from digits_knn.search.model import fitted_digits
from digits_knn.search.persistence import (
    ModelFileError,
    PickleRefusedError,
    model_from_bytes,
    model_to_bytes,
)
from digits_knn.tuning.evaluation import AlgorithmTiming, Evaluation
from page import cache, cache_drawings, state
from page.figures import confusion_table, figure, gallery
from page.jobs import until_ready
from page.sidebar import ALGORITHM_LABELS, ModelSettings, current_settings

VIEW = "model"
MAX_SHOWN_MISTAKES = 60
#: The parts below the accuracy, one on screen at a time: the start of every run, a
#: stroke's included, redraws every element on the page (docs/speed.md, "Strokes"), so the
#: parts not looked at are not drawn (a stroke's ratio to the bare canvas page, in turn
#: with the view as it was: 1.253 -> 1.185, 1.202 -> 1.200, 1.240 -> 1.175).
PER_DIGIT = "Digit by digit"
SEARCH_SPEED = "Search speed"
MODEL_FILE = "Save or load the model"
SECTIONS = (PER_DIGIT, SEARCH_SPEED, MODEL_FILE)


#: What each test set is, for a learner.
TEST_NOTES = {
    UCI_TEST: "the tutorial's 360 UCI test scans",
    DRAWN_TEST: "digits drawn by the 30 UCI pendigits writers, each scored with its "
    "writer's fold of 6 writers left out of the training digits (every 8th of 7,494 "
    "shown: 937)",
    MNIST_TEST: "MNIST's test digits, by writers none of its training digits come from "
    "(every 10th: 1,000)",
    UJI_TEST: "220 digits of 11 writers on another tablet (UJI Pen Characters), never "
    "trained on",
}
METRIC_LABELS = {
    UCI_TEST: "Test accuracy",
    DRAWN_TEST: "Pen digits, unseen writers",
    MNIST_TEST: "MNIST test writers",
    UJI_TEST: "UJI digits",
}


def accuracy_ui(scores: dict[str, Evaluation]) -> None:
    """One metric per test set."""
    cols = st.columns(len(scores))
    for col, (name, result) in zip(cols, scores.items(), strict=True):
        col.metric(
            METRIC_LABELS.get(name, name.capitalize()),
            f"{result.accuracy:.2%}",
            help=f"{name}: {result.n_test - len(result.misclassified):,} of "
            f"{result.n_test:,} recognised.",
        )
    st.caption(
        " ".join(
            f"**{METRIC_LABELS.get(name, name)}**: {TEST_NOTES[name]}."
            for name in scores
            if name in TEST_NOTES
        )
    )


def sources_ui(settings: ModelSettings) -> None:
    """The same k, p and votes on each training source: data beats tuning."""
    if not st.toggle(
        "Compare the training data",
        key="compare_sources",
        help="The same k, p and votes, learning from each source in turn.",
    ):
        return
    by_label: dict[str, dict[str, float]] = {}
    for source, label in TRAINING_SOURCES.items():
        if source == USER_SOURCE:
            continue
        data = cache.training_data(source, cache_drawings.NO_DRAWINGS)
        scores = cache.scores_for(data, replace(settings, source=source))
        by_label[label] = {METRIC_LABELS[n]: s.accuracy for n, s in scores.items()}
    st.dataframe(
        [{"learns from": label, **row} for label, row in by_label.items()],
        hide_index=True,
        column_config={
            label: st.column_config.NumberColumn(format="%.3f")
            for label in METRIC_LABELS.values()
        },
    )
    st.caption(
        sources_finding(by_label, TRAINING_SOURCES["uci"], list(METRIC_LABELS.values()))
        + " Compare the gains with what k and p give in the Tune view."
    )


def details_ui(scores: dict[str, Evaluation]) -> None:
    """The confusion matrix with precision and recall per digit, and the mistakes."""
    name = st.radio("Details for", list(scores), horizontal=True, key="model_test_set")
    result, test = scores[name], cache.page_tests()[name]
    st.html(
        "<p><strong>Confusion matrix</strong>, recall and precision per digit</p>"
        + confusion_table(
            result.confusion.tolist(), result.precision.tolist(), result.recall.tolist()
        )
    )
    wrong = result.misclassified
    shown = wrong[:MAX_SHOWN_MISTAKES]
    st.html(  # one element, pictures inline: page.figures says why
        gallery(
            (
                figure(
                    bitmap_png(test.bitmap(i)),
                    f"{test.y[i]} taken for {result.y_pred[i]}",
                    width=72,
                )
                for i in shown
            ),
            title=f"The {len(wrong)} misclassified test digits",
            note=f"The first {MAX_SHOWN_MISTAKES} of them."
            if len(wrong) > MAX_SHOWN_MISTAKES
            else "",
        )
    )


def timings_table(timings: list[AlgorithmTiming], current: str) -> None:
    query_column = f"query {cache.TIMED_QUERIES} digits (ms)"
    st.dataframe(
        {
            "algorithm": [
                ALGORITHM_LABELS[t.algorithm]
                + (" ← current" if t.algorithm == current else "")
                for t in timings
            ],
            "runs as": [t.method for t in timings],
            "fit (ms)": [t.fit_seconds * 1000 for t in timings],
            query_column: [t.query_seconds * 1000 for t in timings],
        },
        hide_index=True,
        column_config={
            "fit (ms)": st.column_config.NumberColumn(format="%.1f"),
            query_column: st.column_config.NumberColumn(format="%.1f"),
        },
    )


def speed_ui(settings: ModelSettings) -> None:
    """The four search algorithms timed on this server, when asked for."""
    st.subheader("Search speed")
    st.caption(
        f"Fit on the training digits and find the neighbours of {cache.TIMED_QUERIES} "
        "UCI test digits, measured on this server (one run each). With 64 features, "
        "trees rarely beat brute force: they shine with few features and many samples."
    )
    key = (settings.source, settings.p, settings.n_neighbors, settings.weights)
    if st.button("Time the four search algorithms", icon=":material/timer:"):
        state.remember_timing_request(key)
    if state.timing_requested(key):
        timings = cache.algorithm_timings(*key)
        timings_table(timings, settings.algorithm)


def load_uploaded_model() -> None:
    """The model uploader's callback: validate the file before it replaces anything."""
    upload = st.session_state.get("model_upload")
    if upload is None:
        return
    try:
        model = model_from_bytes(upload.getvalue(), upload.name)
    except PickleRefusedError as exc:
        state.flash(VIEW, "error", str(exc))
        return
    except ModelFileError as exc:
        state.flash(VIEW, "error", f"That model cannot be used: {exc}")
        return
    from digits_knn.search.neighbors import index_of_classifier

    index = index_of_classifier(model)
    X, _ = fitted_digits(model)  # whole numbers 0..16: checked by model_from_bytes
    state.use_uploaded_model(
        state.UploadedModel(
            model, upload.name, index, counts_to_bitmap(X.astype(np.int64))
        )
    )
    state.flash(VIEW, "success", f"Using {upload.name} in the drawing view.")


def model_file_ui(settings: ModelSettings, data: cache.TrainingData) -> None:
    """Download the sidebar's model as skops; upload one (validated) to use it."""
    st.subheader("Save or load a model")
    cols = st.columns(2)
    with cols[0]:
        st.download_button(
            "Download this model (.skops)",
            # Written when clicked, not on every run.
            data=lambda: model_to_bytes(cache.classifier_for(data, settings)),
            file_name=f"digits-knn-k{settings.n_neighbors}-p{settings.p:g}.skops",
            mime="application/octet-stream",
            icon=":material/download:",
            on_click="ignore",
        )
        st.caption(
            "The skops format keeps a model without code: loading it builds only the "
            "types a KNN is made of. `python -m digits_knn load FILE` reads it too."
        )
    with cols[1]:
        st.file_uploader(
            "Use a model file (.skops) for your predictions",
            type=["skops", "pkl", "pickle", "joblib"],
            key="model_upload",
            on_change=load_uploaded_model,
            help="Checked before use: only the types of a KNN, fitted on the 64 block "
            "counts, with labels 0-9. Only your session uses it.",
        )
        state.show_flashes(VIEW)


def section_ui() -> str:
    """Which part of the view to show below the accuracy."""
    section = st.segmented_control(
        "Look closer",
        SECTIONS,
        default=PER_DIGIT,
        required=True,
        key="model_section",
        help="Precision, recall, the confusion matrix and the mistakes per test set; "
        "the four search algorithms timed; the model as a file.",
    )
    return PER_DIGIT if section is None else section


@until_ready
def view() -> None:
    settings = current_settings()
    data = cache.training_data(settings.source, cache_drawings.drawings())
    scores = cache.scores_for(data, settings)
    accuracy_ui(scores)
    sources_ui(settings)
    section = section_ui()
    if section == SEARCH_SPEED:
        speed_ui(settings)
    elif section == MODEL_FILE:
        model_file_ui(settings, data)
    else:
        details_ui(scores)


if __name__ == "__main__":
    view()
