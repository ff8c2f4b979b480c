"""Finish my digit: KNN regression predicts the hidden half of the drawing.

Follows the drawing stroke by stroke: drawn after the drawing view, in the same run
(see :mod:`page.views`).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from digits_knn.beyond.completion import (
    HALVES,
    Completer,
    Completion,
    CompletionChoice,
    hidden_pixels,
    rmse_per_count,
)
from digits_knn.features.preprocessing import (
    DrawingError,
    Part,
    bitmap_to_features,
    unpack_bitmaps,
)
from digits_knn.plotting import bitmap_png, png_bytes, render_counts, render_grey
from digits_knn.search.model import WEIGHTS
from page import cache, cache_views, state
from page.figures import figure, gallery
from page.jobs import until_ready
from page.sidebar import WEIGHT_LABELS, current_settings
from page.views import FOLLOWER

#: What is left on screen when a half is hidden.
VISIBLE: dict[str, Part] = {
    "lower": "upper",
    "upper": "lower",
    "left": "right",
    "right": "left",
}
WHOLE, HALF_ONLY = "whole", "half"
PICTURE_WIDTH = 192


def half_ui() -> str:
    """Which half to hide (and predict)."""
    half = st.segmented_control(
        "Hide the",
        list(HALVES),
        default=HALVES[0],
        required=True,
        format_func=lambda h: f"{h} half",
        key="finish_half",
    )
    return str(half)


def drawn_ui(half: str) -> bool:
    """Whether the user drew only the visible half (True) or a whole digit."""
    choice = st.radio(
        "On the canvas is",
        [WHOLE, HALF_ONLY],
        format_func=lambda c: (
            f"a whole digit: the page hides its {half} half"
            if c == WHOLE
            else f"only the {VISIBLE[half]} half of a digit, drawn on purpose"
        ),
        key="finish_drawn",
        horizontal=True,
    )
    return choice == HALF_ONLY


def setting_ui(choice: CompletionChoice, source: str) -> tuple[int, str]:
    """k and the weights: what cross-validation picked, or the user's."""
    cols = st.columns([2, 2, 3])
    k = cols[0].slider(
        "k: neighbours averaged",
        1,
        50,
        value=choice.n_neighbors,
        key=f"finish_k_{source}_{choice.half}",
    )
    options: list[str] = list(WEIGHTS)
    weights = cols[1].radio(
        "Weights",
        options,
        index=options.index(choice.weights),
        format_func=lambda w: WEIGHT_LABELS[w].split(":")[0],
        key=f"finish_weights_{source}_{choice.half}",
    )
    cols[2].caption(
        f"Cross-validation picked **k={choice.n_neighbors}, {choice.weights} weights** "
        f"(the defaults here): completing {choice.n_queries:,} training digits from "
        f"the others, each writer's own digits left out, it had the lowest error, "
        f"{choice.rmse:.2f} per block count."
    )
    return int(k), str(weights)


def pictures_ui(
    bitmap: np.ndarray,
    features: np.ndarray,
    completion: Completion,
    packed: np.ndarray,
    completer: Completer,
    only_half: bool,
) -> None:
    """Visible half, the prediction (counts and picture), and the truth."""
    half = completer.half
    hidden_px = hidden_pixels(half)
    shown = np.where(hidden_px, 0.0, bitmap)
    finished = np.where(hidden_px, completion.picture(packed), bitmap)
    figures = [
        figure(
            png_bytes(render_grey(shown, hidden=hidden_px)),
            f"What the model is given: the {VISIBLE[half]} half (32 counts)",
            width=PICTURE_WIDTH,
            wrap=True,
        ),
        figure(
            png_bytes(
                render_counts(completion.features, cell=24, hidden=completion.hidden)
            ),
            f"Predicted: the {half} half's 32 counts, the neighbours' weighted mean",
            width=PICTURE_WIDTH,
            wrap=True,
        ),
        figure(
            png_bytes(render_grey(finished, hidden=hidden_px)),
            "Predicted, drawn: the neighbours' own 32x32 pictures, same weights",
            width=PICTURE_WIDTH,
            wrap=True,
        ),
    ]
    if not only_half:
        figures.append(
            figure(
                png_bytes(render_counts(features, cell=24, hidden=completion.hidden)),
                "The truth: your drawing's own counts",
                width=PICTURE_WIDTH,
                wrap=True,
            )
        )
    st.html(gallery(figures))  # one element, pictures inline: page.figures says why
    if only_half:
        st.info(
            f"You drew only the {VISIBLE[half]} half, so there is no truth to compare "
            "with: the prediction is the page's guess of the rest.",
            icon=":material/help:",
        )
        return
    hidden = completion.hidden.ravel()
    error = rmse_per_count(completion.features[hidden], features[hidden])
    baseline = rmse_per_count(completer.mean_hidden, features[hidden])
    st.markdown(
        f"On your drawing the prediction is off by **{error:.2f}** per block count "
        f"(root mean square, counts 0..16); the training digits' average {half} half "
        f"would be off by {baseline:.2f}."
    )


def neighbors_ui(
    completion: Completion, labels: np.ndarray, bitmaps: list[np.ndarray]
) -> None:
    k = len(completion.neigh_ind)
    st.markdown(
        f"**The {k} training digits whose halves were averaged**, nearest first by "
        "the visible half; w is each one's share of the average."
    )
    st.html(
        gallery(
            figure(bitmap_png(b), f"{label} · w={w:.2f}", width=72)
            for b, label, w in zip(bitmaps, labels, completion.weights, strict=True)
        )
    )


INTRO = (
    "KNN also **regresses**: it finds the training digits whose visible half is "
    "closest to yours and averages their other half, nearer ones weighing more. "
    "This is the tutorial's *regression*, with 32 block counts to predict instead of "
    "one number. A whole drawing is normalised as always, then half of it is hidden. "
    "A half drawn on purpose is scaled as the whole digit would be and placed in its "
    "half of the 32x32 bitmap (its slant is not corrected), not stretched into a "
    "whole digit."
)


@st.fragment(key=FOLLOWER)
@until_ready
def view() -> None:
    settings = current_settings()
    source = cache.shipped(settings.source)
    st.subheader("Finish my digit")
    st.markdown(INTRO)
    left, right = st.columns([4, 5])
    with left:
        half = half_ui()
    with right:
        only_half = drawn_ui(half)
    choice = cache_views.completion_choice(source, half)
    k, weights = setting_ui(choice, source)
    drawing = state.current_drawing()
    if drawing is None:
        st.info(
            "Draw a digit on the canvas above (or only its "
            f"{VISIBLE[half]} half): the page finishes it here."
        )
        return
    bitmap, features = drawing.bitmap, drawing.features
    if only_half:
        try:
            bitmap = cache.drawing(drawing.image).part_bitmap(VISIBLE[half])
        except DrawingError as exc:
            st.info(str(exc))
            return
        features = bitmap_to_features(bitmap)
    completer = cache_views.completer(source, half, k, weights)
    completion = completer.complete(features)
    training = cache.shipped_training(source)
    packed = training.packed_train[completion.neigh_ind]
    pictures_ui(bitmap, features, completion, packed, completer, only_half)
    neighbors_ui(
        completion,
        training.y_train[completion.neigh_ind],
        list(unpack_bitmaps(packed)),
    )
    st.caption(
        f"The completion learns from the {len(training.y_train):,} shipped training "
        "digits of the sidebar's source (your drawings apart). "
        "`python -m digits_knn complete --csv IN.csv` does the same for a file; "
        "`benchmarks/completion.py` measures it against a ridge regression."
    )


if __name__ == "__main__":
    view()
