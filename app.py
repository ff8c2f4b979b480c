"""digits-knn: draw a digit and watch a k-nearest-neighbours classifier decide.

Run with ``python3 run.py app`` (or ``streamlit run app.py`` inside the venv).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import streamlit as st

from digits_knn.data import (
    TRAINING_SOURCES,
    UCI_TEST,
    USER_SOURCE,
    TrainingSet,
    load_split,
    load_split_bitmaps,
    load_training_set,
    load_xy,
    select_examples,
)
from digits_knn.evaluation import AlgorithmTiming, Evaluation, evaluate, time_algorithms
from digits_knn.model import (
    DEFAULT_N_NEIGHBORS,
    DEFAULT_P,
    DEFAULT_WEIGHTS,
    DRAWING_ALGORITHM,
    Explanation,
    explain,
    fit_model,
    fitted_digits,
)
from digits_knn.novelty import (
    DigitCheck,
    DigitDetector,
    default_detector,
    drawing_shape,
)
from digits_knn.persistence import (
    ModelFileError,
    PickleRefusedError,
    model_from_bytes,
    model_to_bytes,
)
from digits_knn.plotting import (
    confusion_chart,
    grid_heatmap,
    plot_digits,
    render_bitmap,
    render_counts,
    render_probabilities,
    validation_curve_chart,
)
from digits_knn.preprocessing import (
    DrawingError,
    ImageFileError,
    bitmap_to_features,
    canvas_to_bitmap,
    load_image,
)
from digits_knn.selection import (
    SearchResult,
    check_cv,
    grid_search,
    make_param_grid,
    results_table,
    results_to_csv,
)
from digits_knn.store import (
    DB_ENV,
    CsvImportError,
    DrawingStore,
    StoreError,
    counts_to_bitmap,
    default_db_path,
    encode_png,
)

if TYPE_CHECKING:
    from sklearn.neighbors import KNeighborsClassifier

st.set_page_config(page_title="digits-knn", page_icon="✏️", layout="wide")

CANVAS_SIZE = 280  # pixels on screen, standing for the 32x32 bitmap
STROKE_WIDTH = 22
ALGORITHM_LABELS = {
    "kd_tree": "KD-tree",
    "ball_tree": "Ball tree",
    "brute": "Brute force",
    "auto": "Auto (scikit-learn picks)",
}
WEIGHT_LABELS = {
    "uniform": "Uniform: one neighbour, one vote",
    "distance": "Distance: nearer neighbours count more",
}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "bmp", "gif"]
VIEWS = ["Model", "Tune", "Dataset", "My drawings", "How KNN works"]
MAX_K = 100
# Drawn digits are recognised far better with drawn digits in the training data
# (benchmarks/drawn_accuracy.py: 0.972 vs 0.900), so the page learns from both, and
# from the drawings its users add ("your drawings", kept in a SQLite file). On
# those 13,429 digits in 64 dimensions a KD-tree scores the 1,858 test digits in about
# 1.5 s and brute force in 0.1 s, so the page searches by brute force unless the
# learner picks a tree (the tutorial's KD-tree is one click away; the Model tab times
# all four).
PAGE_DEFAULT_SOURCE = USER_SOURCE
PAGE_DEFAULT_ALGORITHM = DRAWING_ALGORITHM
TIMED_QUERIES = 100
TUNE_P_CHOICES = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
CANVAS_TOOLBAR_FIX = Path(__file__).parent / "assets" / "canvas_toolbar.html"
MAX_SHOWN_DRAWINGS = 200
ADMIN_ENV = "DIGITS_KNN_ADMIN"


def secret(name: str) -> Any:
    """A value from ``.streamlit/secrets.toml``; None if there is no such file or key."""
    try:
        return st.secrets.get(name)
    except FileNotFoundError:
        return None


def db_path() -> str:
    """Where the drawings live: $DIGITS_KNN_DB, else ``drawings_db`` in
    ``.streamlit/secrets.toml``, else ``data/drawings.sqlite3`` in the repository."""
    return os.environ.get(DB_ENV) or secret("drawings_db") or str(default_db_path())


def is_admin() -> bool:
    """$DIGITS_KNN_ADMIN=1 or ``admin = true`` in secrets: may delete anyone's drawings."""
    flag = os.environ.get(ADMIN_ENV, "").strip().lower()
    return flag in ("1", "true", "yes") or secret("admin") is True


def session_id() -> str:
    """An anonymous id for this browser session, to know whose drawings are whose."""
    if "session_id" not in st.session_state:
        st.session_state.session_id = uuid.uuid4().hex
    return str(st.session_state.session_id)


@st.cache_resource(show_spinner=False)
def drawing_store(path: str) -> DrawingStore:
    """The shared store of user drawings (safe to share: a connection per call)."""
    return DrawingStore(path)


def current_store() -> DrawingStore:
    return drawing_store(db_path())


def data_version(source: str) -> int:
    """The store's version if the source includes user drawings, else 0."""
    return current_store().version() if source == USER_SOURCE else 0


@st.cache_resource(show_spinner="Loading the training digits…", max_entries=4)
def training_set(source: str, version: int) -> TrainingSet:
    """The training digits of a source at one version of the user drawings."""
    if source != USER_SOURCE:
        return load_training_set(source)
    return load_training_set(source, current_store().training_digits())


@st.cache_resource(show_spinner="Fitting the KNN…", max_entries=64)
def fitted_model(
    n_neighbors: int, p: float, algorithm: str, weights: str, source: str, version: int
) -> KNeighborsClassifier:
    """The model for one setting, fitted once and shared by every user: never mutate it.

    ``version`` is the user drawings' version: each change refits once, for everyone.
    """
    training = training_set(source, version)
    return fit_model(
        training.X_train,
        training.y_train,
        n_neighbors=n_neighbors,
        p=p,
        algorithm=algorithm,
        weights=weights,
    )


@st.cache_resource(show_spinner="Learning what digits look like…")
def digit_detector() -> DigitDetector:
    """'Is it a digit at all?', calibrated once on the shipped reference digits."""
    return default_detector()


@st.cache_data(show_spinner="Scoring the 360 test digits…", max_entries=64)
def test_scores(
    n_neighbors: int, p: float, algorithm: str, weights: str, source: str, version: int
) -> dict[str, Evaluation]:
    """Scores of one setting's model on each source's held-out digits."""
    model = fitted_model(n_neighbors, p, algorithm, weights, source, version)
    return {
        name: evaluate(model, test.X, test.y)
        for name, test in training_set(source, version).tests.items()
    }


@st.cache_data(show_spinner="Timing the four search algorithms…", max_entries=64)
def algorithm_timings(
    n_neighbors: int, p: float, weights: str, source: str, version: int
) -> list[AlgorithmTiming]:
    training = training_set(source, version)
    return time_algorithms(
        training.X_train,
        training.y_train,
        training.tests[UCI_TEST].X[:TIMED_QUERIES],
        n_neighbors=n_neighbors,
        p=p,
        weights=weights,
        repeats=1,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def grid_results(
    k_range: tuple[int, int, int],
    p_values: tuple[float, ...],
    weights: tuple[str, ...],
    folds: int,
) -> SearchResult:
    """Cross-validated scores of one grid, computed once and shared by every user.

    The progress bar lives inside the cached function (Streamlit replays a cached
    function's elements); it is emptied at the end, so a cache hit shows nothing.
    """
    split = load_split()
    grid = make_param_grid(*k_range, list(p_values), list(weights))
    check_cv(split.y_train, grid, folds)  # refuse before the progress bar appears
    bar = st.progress(0.0, text="Cross-validating…")
    result = grid_search(
        split.X_train,
        split.y_train,
        grid,
        cv=folds,
        return_train_score=True,
        progress=lambda done, total: bar.progress(
            done / total, text=f"Cross-validating… {done} of {total} pieces of work"
        ),
    )
    bar.empty()
    return result


def apply_best(params: dict[str, Any]) -> None:
    """Set the sidebar to the grid search's best parameters (runs before the rerun)."""
    st.session_state.n_neighbors = int(params["n_neighbors"])
    st.session_state.p = float(params["p"])
    st.session_state.weights = str(params.get("weights", "uniform"))


class ModelSettings(NamedTuple):
    """The sidebar's choices: plain values, the key of the shared model."""

    n_neighbors: int
    p: float
    algorithm: str
    weights: str
    source: str
    data_version: int

    def now(self) -> ModelSettings:
        """The same settings at the current version of the user drawings."""
        return self._replace(data_version=data_version(self.source))


def model_ui() -> ModelSettings:
    """Sidebar: the KNN's hyperparameters (the tutorial's by default) and its data."""
    st.sidebar.header("Model")
    n_neighbors = st.sidebar.slider(
        "k: neighbours that vote",
        min_value=1,
        max_value=MAX_K,
        value=DEFAULT_N_NEIGHBORS,
        key="n_neighbors",
        help="The tutorial uses k=20. Small k follows every quirk of the training "
        "digits; large k smooths over them.",
    )
    p = st.sidebar.slider(
        "p: Minkowski distance",
        min_value=1.0,
        max_value=5.0,
        value=DEFAULT_P,
        step=0.5,
        key="p",
        help="p=1 adds up the differences of the 64 block counts (Manhattan, L1); p=2 "
        "is the straight-line distance (Euclidean, L2); larger p lets the biggest "
        "difference dominate.",
    )
    algorithm = st.sidebar.selectbox(
        "Neighbour search",
        list(ALGORITHM_LABELS),
        index=list(ALGORITHM_LABELS).index(PAGE_DEFAULT_ALGORITHM),
        format_func=ALGORITHM_LABELS.__getitem__,
        key="algorithm",
        help="How the nearest digits are found: it changes the speed, not the answer "
        "(up to neighbours at exactly equal distance). The tutorial uses a KD-tree; "
        "with 64 features brute force is faster here (the Model tab times all four).",
    )
    weights = st.sidebar.radio(
        "Votes",
        list(WEIGHT_LABELS),
        index=list(WEIGHT_LABELS).index(DEFAULT_WEIGHTS),
        format_func=WEIGHT_LABELS.__getitem__,
        key="weights",
    )
    st.sidebar.header("Training data")
    source = st.sidebar.radio(
        "The model learns from",
        list(TRAINING_SOURCES),
        index=list(TRAINING_SOURCES).index(PAGE_DEFAULT_SOURCE),
        format_func=TRAINING_SOURCES.__getitem__,
        key="source",
        help="The scanned forms behind the tutorial's digits look different from "
        "digits drawn with a mouse or a finger: compare the two in the Model tab.",
    )
    return ModelSettings(
        int(n_neighbors),
        float(p),
        str(algorithm),
        str(weights),
        source,
        data_version(source),
    )


def training_data_ui(settings: ModelSettings) -> None:
    """Sidebar: what the model learnt from (drawn after the canvas: it loads the data)."""
    training = training_set(settings.source, settings.data_version)
    sizes = ", ".join(f"{n:,} {name}" for name, n in training.sizes.items())
    caption = (
        f"Trained on {sizes}. UCI optdigits: the tutorial's 80% split "
        "(random_state=1337). Drawn digits: UCI pendigits writers 1-24, drawn as "
        "canvas strokes; writers 25-30 are kept for testing."
    )
    if settings.source == USER_SOURCE:
        caption += " Your drawings: what users of this app added (My drawings tab)."
    st.sidebar.caption(caption)


def clear_canvas() -> None:
    st.session_state.canvas_key = st.session_state.get("canvas_key", 0) + 1


def canvas_ui() -> np.ndarray | None:
    """The drawing canvas; returns its RGBA image (None before the first stroke)."""
    from streamlit_drawable_canvas import st_canvas  # raises outside a Streamlit run

    st.html(CANVAS_TOOLBAR_FIX, unsafe_allow_javascript=True)
    result = st_canvas(
        stroke_width=STROKE_WIDTH,
        stroke_color="#000000",
        background_color="#FFFFFF",
        height=CANVAS_SIZE,
        width=CANVAS_SIZE,
        drawing_mode="freedraw",
        return_image_data=True,
        key=f"canvas-{st.session_state.get('canvas_key', 0)}",
    )
    st.button("Clear the canvas", on_click=clear_canvas, icon=":material/ink_eraser:")
    return result.image_data


def upload_ui() -> np.ndarray | None:
    """A photo or scan of one digit instead of a drawing."""
    upload = st.file_uploader(
        "A picture of one handwritten digit, dark ink on light paper",
        type=UPLOAD_TYPES,
        key="upload",
    )
    if upload is None:
        return None
    try:
        image = load_image(upload.getvalue())
    except ImageFileError as exc:
        st.error(f"That file cannot be used: {exc}")
        return None
    st.image(image, caption=upload.name, width=CANVAS_SIZE)
    return image


def votes_text(explanation: Explanation, weights: str) -> str:
    k = len(explanation.neighbors)
    parts = []
    for label, count in sorted(explanation.votes.items(), key=lambda kv: -kv[1]):
        part = f"**{label}**: {count} of {k}"
        if weights == "distance":
            part += f" (weight {explanation.weights[label]:.3f})"
        parts.append(part)
    return "Votes: " + ", ".join(parts)


def not_a_digit_ui(check: DigitCheck) -> None:
    """A warning when the drawing is farther from every digit than real digits are."""
    if check.is_digit:
        return
    st.warning(
        "**That doesn't look like a digit.** Its nearest training digits are farther "
        f"away (distance {check.score:.2f}) than those of 99% of real digits by "
        f"writers the model never saw (up to {check.threshold:.2f}). A KNN always "
        "answers with the closest digit it knows; here is what it would say anyway.",
        icon=":material/help:",
    )


def prediction_ui(explanation: Explanation, weights: str) -> None:
    st.metric(
        "Prediction",
        str(explanation.label),
        help="The digit most of the k nearest training digits carry.",
    )
    st.markdown(
        f"Confidence **{explanation.confidence:.0%}**. {votes_text(explanation, weights)}"
    )
    st.image(
        render_probabilities(explanation.probabilities),
        caption="Probability of each digit: the share of the k votes (or of their "
        "weights) it got",
        width=CANVAS_SIZE * 2,
    )


def model_input_ui(
    bitmap: np.ndarray, features: np.ndarray, neighbor_features: np.ndarray
) -> None:
    st.subheader("What the model sees")
    cols = st.columns(3)
    cols[0].image(
        render_bitmap(bitmap, scale=6, grid=True),
        caption="Your drawing, normalised to 32x32",
    )
    cols[1].image(
        render_counts(features), caption="Ink per 4x4 block: 64 numbers 0..16"
    )
    cols[2].image(
        render_counts(neighbor_features), caption="The nearest training digit"
    )


def neighbors_ui(explanation: Explanation, neighbours: Neighbours) -> None:
    st.subheader(f"The {len(explanation.neighbors)} nearest training digits")
    st.caption(
        "Nearest first; d is the distance between the 64 block counts. "
        + neighbours.legend
    )
    st.image(
        [
            render_bitmap(neighbours.bitmaps[n.index], scale=2)
            for n in explanation.neighbors
        ],
        caption=[
            f"{n.label} · d={n.distance:.1f}" + neighbours.origin(n.index)
            for n in explanation.neighbors
        ],
        width=72,
    )


class Neighbours(NamedTuple):
    """The training digits a model's neighbours come from, to show them."""

    X: np.ndarray  # (n, 64)
    bitmaps: np.ndarray  # (n, 32, 32)
    bounds: tuple[tuple[str, int], ...]  # (tag, first index) per source after the first
    legend: str

    def origin(self, index: int) -> str:
        tag = ""
        for name, start in self.bounds:
            if index >= start:
                tag = f" · {name}"
        return tag


def sidebar_neighbours(training: TrainingSet) -> Neighbours:
    n_uci = training.sizes["UCI optdigits"]
    n_drawn = training.sizes.get("drawn digits", 0)
    return Neighbours(
        training.X_train,
        training.bitmaps_train,
        (("drawn", n_uci), ("yours", n_uci + n_drawn)),
        "'drawn' marks a drawn pen digit, 'yours' a drawing users added, the others "
        "are UCI scans.",
    )


def uploaded_neighbours(model: KNeighborsClassifier, name: str) -> Neighbours:
    """An uploaded model's own training digits, pictured from their 8x8 counts."""
    X, _ = fitted_digits(model)
    return Neighbours(
        X,
        counts_to_bitmap(np.clip(np.rint(X), 0, 16).astype(np.int64)),
        (),
        f"Digits of the uploaded model {name}, drawn from their counts.",
    )


def add_drawing(image: np.ndarray, bitmap: np.ndarray, label: int | None) -> None:
    """Store the drawing as a training digit (the add button's callback)."""
    if label is None:
        st.session_state.added = ("error", "Pick the digit this drawing is first.")
        return
    try:
        current_store().add(
            label, bitmap, session_id=session_id(), png=encode_png(image)
        )
    except StoreError as exc:
        st.session_state.added = ("error", f"Not added: {exc}")
        return
    st.session_state.added = ("ok", label)
    st.session_state.rerun_app = True  # every view follows: model, sizes, My drawings


def add_drawing_ui(
    image: np.ndarray, bitmap: np.ndarray, prediction: int, source: str
) -> None:
    """'Add to training set as [0-9]', pre-filled with the prediction."""
    key = f"add-label-{st.session_state.get('canvas_key', 0)}-{prediction}"
    label = st.segmented_control(
        "Add this drawing to the training set as",
        list(range(10)),
        default=prediction,
        required=True,
        key=key,
        help="KNN learns by keeping examples: the drawing joins 'your drawings', "
        "shared by everyone on this server, and the next prediction uses it.",
    )
    st.button(
        "Add to the training set" if label is None else f"Add as {label}",
        on_click=add_drawing,
        args=(image, bitmap, label),
        disabled=label is None,
        icon=":material/add:",
        key="add_drawing",
    )
    added = st.session_state.pop("added", None)
    if added is None:
        return
    kind, value = added
    if kind == "error":
        st.error(value)
        return
    if source != USER_SOURCE:
        st.warning(
            f"Added as {value}. The sidebar's model does not learn from your drawings: "
            "choose 'UCI optdigits + drawn digits + your drawings' to use them."
        )
    else:
        st.success(
            f"Added as {value}: the model now includes it. With uniform votes it is one "
            "vote of k; add a few more, or lower k, to see it win."
        )


@st.fragment
def drawing_view(settings: ModelSettings) -> None:
    """Draw (or upload), then the prediction and its neighbours: reruns alone per stroke."""
    if st.session_state.pop("rerun_app", False):
        st.rerun()  # a drawing was added: the whole page follows the new data
    settings = settings.now()
    uploaded_model_banner()
    source = st.segmented_control(
        "Input",
        ["Draw", "Upload"],
        default="Draw",
        required=True,
        key="input_source",
        label_visibility="collapsed",
    )
    left, right = st.columns([1, 2], gap="large")
    with left:
        image = upload_ui() if source == "Upload" else canvas_ui()
    with right:
        if image is None:
            st.metric("Prediction", "–")
            st.info(
                "Upload a picture of one digit."
                if source == "Upload"
                else "Draw a digit on the canvas, 0 to 9, as large as the canvas."
            )
            return
        try:
            bitmap = canvas_to_bitmap(image)
        except DrawingError as exc:
            st.metric("Prediction", "–")
            st.info(str(exc))
            return
        features = bitmap_to_features(bitmap)
        uploaded = st.session_state.get("uploaded_model")
        if uploaded is None:
            model = fitted_model(*settings)
            neighbours = sidebar_neighbours(
                training_set(settings.source, settings.data_version)
            )
        else:
            model, _, neighbours = uploaded
        explanation = explain(model, features)
        warning = st.empty()  # above the prediction, filled once the prediction is out
        prediction_ui(explanation, settings.weights)
        with warning:
            not_a_digit_ui(digit_detector().check(drawing_shape(image)))
        add_drawing_ui(image, bitmap, explanation.label, settings.source)
    nearest = neighbours.X[explanation.neighbors[0].index]
    model_input_ui(bitmap, features, nearest)
    neighbors_ui(explanation, neighbours)


MAX_SHOWN_MISTAKES = 60


def model_view(settings: ModelSettings) -> None:
    scores = test_scores(*settings)
    tests = training_set(settings.source, settings.data_version).tests
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
    name = st.radio("Details for", list(scores), horizontal=True, key="model_test_set")
    result, test = scores[name], tests[name]
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
        st.altair_chart(confusion_chart(result.confusion), width="content")
    wrong = result.misclassified
    st.subheader(f"The {len(wrong)} misclassified test digits")
    if len(wrong) > MAX_SHOWN_MISTAKES:
        st.caption(f"The first {MAX_SHOWN_MISTAKES} of them.")
    shown = wrong[:MAX_SHOWN_MISTAKES]
    if len(shown):
        st.image(
            [render_bitmap(test.bitmaps[i], scale=2) for i in shown],
            caption=[f"{test.y[i]} taken for {result.y_pred[i]}" for i in shown],
            width=72,
        )
    st.subheader("Search speed")
    st.caption(
        f"Fit on the training digits and find the neighbours of {TIMED_QUERIES} UCI "
        "test digits, measured now on this server (one run each). With 64 features, "
        "trees rarely beat brute force: they shine with few features and many samples."
    )
    timings = algorithm_timings(
        settings.n_neighbors,
        settings.p,
        settings.weights,
        settings.source,
        settings.data_version,
    )
    st.dataframe(
        {
            "algorithm": [
                ALGORITHM_LABELS[t.algorithm]
                + (" ← current" if t.algorithm == settings.algorithm else "")
                for t in timings
            ],
            "runs as": [t.method for t in timings],
            "fit (ms)": [t.fit_seconds * 1000 for t in timings],
            f"query {TIMED_QUERIES} digits (ms)": [
                t.query_seconds * 1000 for t in timings
            ],
        },
        hide_index=True,
        column_config={
            "fit (ms)": st.column_config.NumberColumn(format="%.1f"),
            f"query {TIMED_QUERIES} digits (ms)": st.column_config.NumberColumn(
                format="%.1f"
            ),
        },
    )

    model_file_ui(settings)


def load_uploaded_model() -> None:
    """The model uploader's callback: validate the file before it replaces anything."""
    upload = st.session_state.get("model_upload")
    if upload is None:
        return
    try:
        model = model_from_bytes(upload.getvalue(), upload.name)
    except PickleRefusedError as exc:
        st.session_state.model_upload_error = ("pickle", str(exc))
        return
    except ModelFileError as exc:
        st.session_state.model_upload_error = ("bad", str(exc))
        return
    # Kept in this session with its neighbour pictures, made once per upload.
    st.session_state.uploaded_model = (
        model,
        upload.name,
        uploaded_neighbours(model, upload.name),
    )
    st.session_state.pop("model_upload_error", None)


def use_sidebar_model() -> None:
    st.session_state.pop("uploaded_model", None)


def uploaded_model_banner() -> None:
    """While an uploaded model is in use: say so, and offer the way back."""
    uploaded = st.session_state.get("uploaded_model")
    if uploaded is None:
        return
    model, name, _ = uploaded
    cols = st.columns([3, 1])
    cols[0].info(
        f"Predicting with the uploaded model **{name}** (k={model.n_neighbors}, "
        f"p={model.p:g}, {model.n_samples_fit_:,} training digits), not the sidebar's.",
        icon=":material/upload_file:",
    )
    cols[1].button("Use the sidebar's model", on_click=use_sidebar_model)


def model_file_ui(settings: ModelSettings) -> None:
    """Download the sidebar's model as skops; upload one (validated) to use it."""
    st.subheader("Save or load a model")
    cols = st.columns(2)
    with cols[0]:
        model = fitted_model(*settings)
        st.download_button(
            "Download this model (.skops)",
            data=lambda: model_to_bytes(model),  # written when clicked, not per run
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
        problem = st.session_state.get("model_upload_error")
        if problem is not None:
            kind, message = problem
            if kind == "pickle":
                st.error(message, icon=":material/gpp_bad:")
            else:
                st.error(f"That model cannot be used: {message}")
        elif "uploaded_model" in st.session_state:
            st.success(
                f"Using {st.session_state.uploaded_model[1]} in the drawing view."
            )


def my_drawings_view() -> None:
    """The drawings users added: look, delete, export, import."""
    store = current_store()
    me, admin = session_id(), is_admin()
    drawings = store.drawings(limit=MAX_SHOWN_DRAWINGS)
    total = store.count()
    mine = [d for d in drawings if d.session_id == me]
    st.caption(
        f"{total:,} drawing{'' if total == 1 else 's'} on this server, {len(mine)} "
        "of them added in this browser session. Everyone using this server shares "
        "them (a classroom teaching one model); you can delete the ones you added"
        + (" and, as admin, any other." if admin else ".")
        + f" Stored in `{store.path}`."
    )
    if not drawings:
        st.info(
            "No drawings yet. Draw a digit above and press 'Add as …' to teach the "
            "model your handwriting."
        )
    else:
        if total > len(drawings):
            st.caption(f"The newest {len(drawings)} are shown.")
        st.image(
            [render_bitmap(d.bitmap, scale=2) for d in drawings],
            caption=[
                f"#{d.id}: {d.label}" + (" · yours" if d.session_id == me else "")
                for d in drawings
            ],
            width=72,
        )
        deletable = [d for d in drawings if admin or d.session_id == me]
        labels = {d.id: f"#{d.id}: {d.label}" for d in deletable}
        chosen = st.multiselect(
            "Delete drawings",
            list(labels),
            format_func=labels.__getitem__,
            key="delete_ids",
            placeholder="Pick drawings you added" if not admin else "Pick drawings",
        )
        if st.button(
            f"Delete {len(chosen)} drawing{'s' if len(chosen) != 1 else ''}",
            disabled=not chosen,
            icon=":material/delete:",
            key="delete_drawings",
        ):
            try:
                n = store.delete(chosen, session_id=me, admin=admin)
            except StoreError as exc:
                st.error(str(exc))
            else:
                st.session_state.pop("delete_ids", None)
                st.session_state.deleted = n
                st.rerun()
        if "deleted" in st.session_state:
            st.success(f"Deleted {st.session_state.pop('deleted')} drawing(s).")
        cols = st.columns(2)
        cols[0].download_button(
            "Export as CSV (UCI optdigits: 64 counts, then the label)",
            data=store.export_csv,  # read when clicked
            file_name="digits-knn-drawings.csv",
            mime="text/csv",
            icon=":material/table:",
            on_click="ignore",
        )
        cols[1].download_button(
            "Export the drawings as a ZIP of PNGs",
            data=store.export_zip,
            file_name="digits-knn-drawings.zip",
            mime="application/zip",
            icon=":material/folder_zip:",
            on_click="ignore",
        )
    import_ui(store, me)


def import_ui(store: DrawingStore, me: str) -> None:
    with st.form("import_form", clear_on_submit=True):
        upload = st.file_uploader(
            "Import a CSV of digits (UCI optdigits format: 64 counts 0-16, then the "
            "label 0-9, per line)",
            type=["csv", "txt", "tra", "tes"],
            key="import_csv",
        )
        submitted = st.form_submit_button("Import", icon=":material/upload:")
    if submitted:
        if upload is None:
            st.error("Choose a CSV file first.")
            return
        try:
            n = store.import_csv(upload.getvalue(), session_id=me)
        except CsvImportError as exc:
            st.error(f"Nothing was imported: {exc}")
            return
        st.session_state.imported = n
        st.rerun()
    if "imported" in st.session_state:
        st.success(f"Imported {st.session_state.pop('imported'):,} digits.")


def grid_ui() -> (
    tuple[tuple[int, int, int], tuple[float, ...], tuple[str, ...], int] | None
):
    """The grid to search; returns it when the user runs it, else None."""
    with st.form("tune_form"):
        cols = st.columns(4)
        k_start = cols[0].number_input("k from", 1, MAX_K, 2, key="tune_k_start")
        k_stop = cols[1].number_input(
            "k up to (excluded)", 2, MAX_K + 1, 20, key="tune_k_stop"
        )
        k_step = cols[2].number_input("k step", 1, MAX_K, 2, key="tune_k_step")
        folds = cols[3].number_input("folds", 2, 20, 5, key="tune_folds")
        cols = st.columns(2)
        p_values = cols[0].multiselect(
            "p values", TUNE_P_CHOICES, default=[1.0, 2.0, 3.0], key="tune_p"
        )
        weights = cols[1].multiselect(
            "Votes",
            list(WEIGHT_LABELS),
            default=["uniform"],
            format_func=lambda w: w.capitalize(),
            key="tune_weights",
        )
        run = st.form_submit_button("Run the grid search", type="primary")
    if not run:
        return None
    return (
        (int(k_start), int(k_stop), int(k_step)),
        tuple(sorted(float(p) for p in p_values)),
        tuple(sorted(weights)),
        int(folds),
    )


def tune_view(settings: ModelSettings) -> None:
    st.markdown(
        "Which k and p are best? The tutorial asks `GridSearchCV`: every combination "
        "is scored by cross-validation on its 1,437 UCI training digits (each fold is "
        "held out in turn). This engine gets the same scores much faster: one "
        "neighbour query per fold and p serves every k. The best parameters apply to "
        "the sidebar's model, whatever data it learns from."
    )
    requested = grid_ui()
    if requested is not None:
        try:
            grid_results(*requested)
        except ValueError as exc:
            st.error(f"That grid cannot be searched: {exc}")
            return
        st.session_state.tune_grid = requested
    if "tune_grid" not in st.session_state:
        st.info("Choose a grid and run the search: the tutorial's grid is filled in.")
        return
    result = grid_results(*st.session_state.tune_grid)
    rows = results_table(result)
    best = result.best_params
    split = load_split()
    best_test = evaluate(result.best_estimator, split.X_test, split.y_test).accuracy
    current = test_scores(*settings)[UCI_TEST].accuracy
    cols = st.columns(4)
    cols[0].metric(
        "Best parameters",
        f"k={best['n_neighbors']}, p={best['p']:g}",
        help=f"Votes: {best.get('weights', 'uniform')}",
    )
    cols[1].metric("Best mean CV accuracy", f"{result.best_score:.2%}")
    cols[2].metric(
        "Best model, test accuracy",
        f"{best_test:.2%}",
        delta=f"{(best_test - current) * 100:+.2f} points vs the sidebar's",
        delta_color="normal",
    )
    cols[3].metric("Sidebar model, test accuracy", f"{current:.2%}")
    st.button(
        "Apply the best parameters to the sidebar",
        on_click=apply_best,
        args=(best,),
        icon=":material/check:",
        key="apply_best",
    )
    shown_weights = str(best.get("weights", "uniform"))
    if len({row["weights"] for row in rows}) > 1:
        shown_weights = st.radio(
            "Show the results of",
            sorted({row["weights"] for row in rows}),
            index=sorted({row["weights"] for row in rows}).index(shown_weights),
            horizontal=True,
            key="tune_show_weights",
        )
    left, right = st.columns(2)
    with left:
        st.markdown("**Mean cross-validated accuracy** (hover a cell for its spread)")
        st.altair_chart(grid_heatmap(rows, weights=shown_weights), width="stretch")
    with right:
        st.markdown(
            "**Validation curve**: small k fits the training folds perfectly but "
            "generalises less (over-fitting); large k blurs the digits (under-fitting)."
        )
        st.altair_chart(
            validation_curve_chart(rows, weights=shown_weights), width="stretch"
        )
    st.dataframe(rows, hide_index=True)
    st.download_button(
        "Download the results (CSV)",
        results_to_csv(result),
        file_name="grid_search.csv",
        mime="text/csv",
        icon=":material/download:",
    )


def dataset_view() -> None:
    X, y = load_xy()
    split = load_split()
    train_bitmaps, _ = load_split_bitmaps()
    st.markdown(
        f"{len(y):,} digits written by 13 people, scanned at 32x32 and reduced to 8x8 "
        "block counts by UCI. The tutorial keeps "
        f"{len(split.y_train):,} for training and {len(split.y_test)} for testing."
    )
    st.pyplot(
        plot_digits(X[:10], [f"label {label}" for label in y[:10]]),
        width="stretch",
    )
    st.caption(
        "The tutorial's figure: the first ten digits, as the model sees them (8x8)."
    )
    cols = st.columns([1, 1, 2])
    digit = cols[0].selectbox(
        "Show training digits",
        [None, *range(10)],
        format_func=lambda d: "all digits" if d is None else f"only {d}s",
        key="browse_digit",
    )
    count = cols[1].slider("How many", 10, 200, 40, step=10, key="browse_count")
    sharp = cols[2].toggle("Sharp 32x32 originals", value=True, key="browse_sharp")
    rows = select_examples(split.y_train, digit, count)
    if sharp:
        images = [render_bitmap(train_bitmaps[i], scale=2) for i in rows]
    else:
        images = [render_counts(split.X_train[i], cell=8) for i in rows]
    st.image(images, caption=[str(split.y_train[i]) for i in rows], width=64)


def how_knn_works_view() -> None:
    st.markdown(
        """
**k-nearest neighbours** keeps every training digit. To classify your drawing it finds
the *k* training digits closest to it and lets them vote: the panel *The k nearest
training digits* above shows exactly those, nearest first, and *Votes* counts them.
The probabilities are the vote shares (with *distance* votes, nearer digits weigh more).

**Distance** compares the 64 block counts of two digits (the 8x8 grids above). The
Minkowski distance with exponent *p* is (Σ |aᵢ − bᵢ|ᵖ)^(1/p):
- *p = 1*, Manhattan or L1: the sum of the 64 differences;
- *p = 2*, Euclidean or L2: the straight-line distance, the tutorial's choice;
- larger *p*: the largest single difference counts more and more.

**Search.** *Brute force* measures the distance to all 1,437 training digits. A
*KD-tree* splits the space along one feature at a time, a *ball tree* into nested balls,
so that whole groups of far-away digits can be skipped. They pay off with few features
and many samples; with 64 features they often don't: the *Model* tab times all four on
this server. The answer is the same whichever search finds the neighbours.

**Choosing k.** Small k follows every quirk of the training digits (over-fitting); large
k smooths over real differences (under-fitting). The tutorial's grid search tries k =
2..18 and p = 1..3 with 5-fold cross-validation.
"""
    )


def main() -> None:
    st.title("✏️ digits-knn")
    st.caption(
        "Draw a digit and watch a k-nearest-neighbours classifier decide, and see why."
    )
    settings = model_ui()
    drawing_view(settings)
    training_data_ui(settings)
    st.divider()
    tabs = st.tabs(VIEWS, key="view", on_change="rerun")
    with tabs[0]:
        if tabs[0].open:
            model_view(settings)
    with tabs[1]:
        if tabs[1].open:
            tune_view(settings)
    with tabs[2]:
        if tabs[2].open:
            dataset_view()
    with tabs[3]:
        if tabs[3].open:
            my_drawings_view()
    with tabs[4]:
        if tabs[4].open:
            how_knn_works_view()


main()
