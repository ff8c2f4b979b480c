"""The sidebar: the KNN's settings and its training data, shared by every view."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from digits_knn.datasets.training import TRAINING_SOURCES, USER_SOURCE
from digits_knn.search.model import (
    DEFAULT_P,
    DRAWING_ALGORITHM,
    DRAWING_N_NEIGHBORS,
    DRAWING_WEIGHTS,
)
from page import cache, cache_drawings, state
from page.cache import MAX_K

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


@dataclass(frozen=True)
class ModelSettings:
    """The sidebar's choices: plain values, the key of every cached result."""

    n_neighbors: int
    p: float
    algorithm: str
    weights: str
    source: str


#: What the sidebar starts with. Drawn digits are recognised far better with drawn
#: digits in the training data (benchmarks/drawn_accuracy.py), so the page learns from
#: them and from the drawings its users add; on that much data brute force searches
#: fastest (the Model view times all four algorithms, and the tutorial's KD-tree is one
#: click away).
DEFAULT_SETTINGS = ModelSettings(
    n_neighbors=DRAWING_N_NEIGHBORS,
    p=DEFAULT_P,
    algorithm=DRAWING_ALGORITHM,
    weights=DRAWING_WEIGHTS,
    source=USER_SOURCE,
)


def model_ui() -> ModelSettings:
    """Sidebar: the KNN's hyperparameters and its training data."""
    st.sidebar.header("Model")
    st.sidebar.slider(
        "k: neighbours that vote",
        min_value=1,
        max_value=MAX_K,
        value=DEFAULT_SETTINGS.n_neighbors,
        key="n_neighbors",
        help="The tutorial uses k=20; 7 with distance votes did best on writers the "
        "model never saw (cross-validated). Small k follows every quirk of the "
        "training digits; large k smooths over them.",
    )
    st.sidebar.slider(
        "p: Minkowski distance",
        min_value=1.0,
        max_value=5.0,
        value=DEFAULT_SETTINGS.p,
        step=0.5,
        key="p",
        help="p=1 adds up the differences of the 64 block counts (Manhattan, L1); p=2 "
        "is the straight-line distance (Euclidean, L2); larger p lets the biggest "
        "difference dominate.",
    )
    st.sidebar.selectbox(
        "Neighbour search",
        list(ALGORITHM_LABELS),
        index=list(ALGORITHM_LABELS).index(DEFAULT_SETTINGS.algorithm),
        format_func=ALGORITHM_LABELS.__getitem__,
        key="algorithm",
        help="How the nearest digits are found: it changes the speed, not the answer "
        "(up to neighbours at exactly equal distance). The tutorial uses a KD-tree; "
        "with 64 features brute force is faster here (the Model view times all four).",
    )
    st.sidebar.radio(
        "Votes",
        list(WEIGHT_LABELS),
        index=list(WEIGHT_LABELS).index(DEFAULT_SETTINGS.weights),
        format_func=WEIGHT_LABELS.__getitem__,
        key="weights",
    )
    st.sidebar.header("Training data")
    st.sidebar.radio(
        "The model learns from",
        list(TRAINING_SOURCES),
        index=list(TRAINING_SOURCES).index(DEFAULT_SETTINGS.source),
        format_func=TRAINING_SOURCES.__getitem__,
        key="source",
        help="The scanned forms behind the tutorial's digits look different from "
        "digits drawn with a mouse or a finger: compare the two in the Model view.",
    )
    return current_settings()


def current_settings() -> ModelSettings:
    """The settings the sidebar shows in this run.

    The drawing view reads them before :func:`model_ui` draws the sidebar (the canvas
    goes out first): in a session's first run the widgets do not exist yet, and their
    defaults are the settings.
    """
    state = st.session_state
    default = DEFAULT_SETTINGS
    return ModelSettings(
        n_neighbors=int(state.get("n_neighbors", default.n_neighbors)),
        p=float(state.get("p", default.p)),
        algorithm=str(state.get("algorithm", default.algorithm)),
        weights=str(state.get("weights", default.weights)),
        source=str(state.get("source", default.source)),
    )


def apply_best(params: dict[str, object]) -> None:
    """Set the sidebar to a grid search's best parameters (a button's callback)."""
    st.session_state["n_neighbors"] = int(str(params["n_neighbors"]))
    st.session_state["p"] = float(str(params["p"]))
    st.session_state["weights"] = str(params.get("weights", "uniform"))


def training_data_ui(settings: ModelSettings) -> None:
    """Sidebar: what the model learnt from, and whether the drawings are available."""
    drawings = cache_drawings.drawings()
    data = cache.training_data(settings.source, drawings)
    sizes = ", ".join(f"{n:,} {name}" for name, n in data.sizes.items())
    caption = (
        f"Trained on {sizes}. UCI optdigits: the tutorial's 80% split "
        "(random_state=1337). Drawn digits: the 30 UCI pendigits writers' digits, each "
        "drawn 4 times as canvas strokes. MNIST: its 60,000 training digits, about 250 "
        "writers, through the canvas path."
    )
    if data.source == USER_SOURCE:
        caption += " Your drawings: what users of this app added (My drawings view)."
    st.sidebar.caption(caption)
    if data.source == USER_SOURCE and drawings.problem is not None:
        st.sidebar.warning(
            "The users' drawings are unavailable right now, so the model learns from "
            "the shipped digits only. "
            + str(drawings.problem_for(admin=state.is_admin())),
            icon=":material/database_off:",
        )
