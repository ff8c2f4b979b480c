"""Model view: how well the sidebar's model does on held-out digits, how fast each
search is, and its model file (save it, or load one)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from digits_knn.data import UCI_TEST
from digits_knn.evaluation import AlgorithmTiming, Evaluation
from digits_knn.persistence import (
    ModelFileError,
    PickleRefusedError,
    model_from_bytes,
    model_to_bytes,
)
from digits_knn.plotting import bitmap_png, confusion_spec
from digits_knn.preprocessing import MAX_COUNT, counts_to_bitmap
from page import cache, state
from page.sidebar import ALGORITHM_LABELS, ModelSettings, current_settings

VIEW = "model"
MAX_SHOWN_MISTAKES = 60


def accuracy_ui(scores: dict[str, Evaluation]) -> None:
    """One metric per test set."""
    cols = st.columns(len(scores))
    for col, (name, result) in zip(cols, scores.items(), strict=True):
        label = "Test accuracy" if name == UCI_TEST else name.capitalize()
        col.metric(
            label,
            f"{result.accuracy:.2%}",
            help=f"{name}: {result.n_test - len(result.misclassified)} of "
            f"{result.n_test} recognised.",
        )
    st.caption(
        "Test accuracy: the tutorial's 360 UCI test digits. Drawn digits: 1,498 digits "
        "drawn by six pen writers that no training set includes."
    )


def details_ui(scores: dict[str, Evaluation], data: cache.TrainingData) -> None:
    """Precision and recall per digit, the confusion matrix and the mistakes."""
    name = st.radio("Details for", list(scores), horizontal=True, key="model_test_set")
    result, test = scores[name], data.shipped.tests[name]
    cols = st.columns([1, 2])
    with cols[0]:
        st.dataframe(
            {
                "digit": list(range(10)),
                "precision": result.precision,
                "recall": result.recall,
            },
            hide_index=True,
            column_config={
                "precision": st.column_config.NumberColumn(format="%.3f"),
                "recall": st.column_config.NumberColumn(format="%.3f"),
            },
        )
    with cols[1]:
        st.markdown("**Confusion matrix**: true digit (rows) vs predicted")
        st.vega_lite_chart(confusion_spec(result.confusion), width="content")
    wrong = result.misclassified
    st.subheader(f"The {len(wrong)} misclassified test digits")
    if len(wrong) > MAX_SHOWN_MISTAKES:
        st.caption(f"The first {MAX_SHOWN_MISTAKES} of them.")
    shown = wrong[:MAX_SHOWN_MISTAKES]
    if len(shown):
        st.image(
            [bitmap_png(test.bitmaps[i]) for i in shown],
            caption=[f"{test.y[i]} taken for {result.y_pred[i]}" for i in shown],
            width=72,
            output_format="PNG",
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
    from digits_knn.neighbors import index_of_classifier

    index = index_of_classifier(model)
    X = np.clip(np.rint(model._fit_X), 0, MAX_COUNT).astype(np.int64)
    state.use_uploaded_model(
        state.UploadedModel(model, upload.name, index, counts_to_bitmap(X))
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


def view() -> None:
    settings = current_settings()
    data = cache.training_data(settings.source, cache.drawings())
    scores = cache.scores_for(data, settings)
    accuracy_ui(scores)
    details_ui(scores, data)
    speed_ui(settings)
    model_file_ui(settings, data)


if __name__ == "__main__":
    view()
