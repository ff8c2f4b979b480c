"""digits-knn: draw a digit and watch a k-nearest-neighbours classifier decide.

Run with ``python3 run.py app`` (or ``streamlit run app.py`` inside the venv).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import streamlit as st

from digits_knn.data import (
    DEFAULT_SOURCE,
    TRAINING_SOURCES,
    UCI_TEST,
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
)
from digits_knn.novelty import (
    DigitCheck,
    DigitDetector,
    default_detector,
    drawing_shape,
)
from digits_knn.plotting import (
    confusion_chart,
    grid_heatmap,
    plot_digits,
    render_bitmap,
    render_counts,
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
VIEWS = ["Model", "Tune", "Dataset", "How KNN works"]
MAX_K = 100
# Drawn digits are recognised far better with drawn digits in the training data
# (benchmarks/drawn_accuracy.py: 0.972 vs 0.900), so the page learns from both. On
# those 13,429 digits in 64 dimensions a KD-tree scores the 1,858 test digits in about
# 1.5 s and brute force in 0.1 s, so the page searches by brute force unless the
# learner picks a tree (the tutorial's KD-tree is one click away; the Model tab times
# all four).
PAGE_DEFAULT_SOURCE = DEFAULT_SOURCE
PAGE_DEFAULT_ALGORITHM = DRAWING_ALGORITHM
TIMED_QUERIES = 100
TUNE_P_CHOICES = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
CANVAS_TOOLBAR_FIX = Path(__file__).parent / "assets" / "canvas_toolbar.html"


@st.cache_resource(show_spinner="Fitting the KNN…", max_entries=64)
def fitted_model(
    n_neighbors: int, p: float, algorithm: str, weights: str, source: str
) -> KNeighborsClassifier:
    """The model for one setting, fitted once and shared by every user: never mutate it."""
    training = load_training_set(source)
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
    n_neighbors: int, p: float, algorithm: str, weights: str, source: str
) -> dict[str, Evaluation]:
    """Scores of one setting's model on each source's held-out digits."""
    model = fitted_model(n_neighbors, p, algorithm, weights, source)
    return {
        name: evaluate(model, test.X, test.y)
        for name, test in load_training_set(source).tests.items()
    }


@st.cache_data(show_spinner="Timing the four search algorithms…", max_entries=64)
def algorithm_timings(
    n_neighbors: int, p: float, weights: str, source: str
) -> list[AlgorithmTiming]:
    training = load_training_set(source)
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
        int(n_neighbors), float(p), str(algorithm), str(weights), source
    )


def training_data_ui(source: str) -> None:
    """Sidebar: what the model learnt from (drawn after the canvas: it loads the data)."""
    training = load_training_set(source)
    sizes = ", ".join(f"{n:,} {name}" for name, n in training.sizes.items())
    st.sidebar.caption(
        f"Trained on {sizes}. UCI optdigits: the tutorial's 80% split "
        "(random_state=1337). Drawn digits: UCI pendigits writers 1-24, drawn as "
        "canvas strokes; writers 25-30 are kept for testing."
    )


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
    st.bar_chart(
        {"probability": list(explanation.probabilities)},
        x_label="digit",
        y_label="probability",
        height=180,
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


def neighbors_ui(explanation: Explanation, source: str) -> None:
    training = load_training_set(source)
    n_uci = training.sizes["UCI optdigits"]
    st.subheader(f"The {len(explanation.neighbors)} nearest training digits")
    st.caption(
        "Nearest first; d is the distance between the 64 block counts; "
        "'drawn' marks a drawn pen digit, the others are UCI scans."
    )
    st.image(
        [
            render_bitmap(training.bitmaps_train[n.index], scale=2)
            for n in explanation.neighbors
        ],
        caption=[
            f"{n.label} · d={n.distance:.1f}" + (" · drawn" if n.index >= n_uci else "")
            for n in explanation.neighbors
        ],
        width=72,
    )


@st.fragment
def drawing_view(settings: ModelSettings) -> None:
    """Draw (or upload), then the prediction and its neighbours: reruns alone per stroke."""
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
        explanation = explain(fitted_model(*settings), features)
        not_a_digit_ui(digit_detector().check(drawing_shape(image)))
        prediction_ui(explanation, settings.weights)
    training = load_training_set(settings.source)
    nearest = training.X_train[explanation.neighbors[0].index]
    model_input_ui(bitmap, features, nearest)
    neighbors_ui(explanation, settings.source)


MAX_SHOWN_MISTAKES = 60


def model_view(settings: ModelSettings) -> None:
    scores = test_scores(*settings)
    tests = load_training_set(settings.source).tests
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
        settings.n_neighbors, settings.p, settings.weights, settings.source
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
    training_data_ui(settings.source)
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
            how_knn_works_view()


main()
