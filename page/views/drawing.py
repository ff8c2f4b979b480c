"""Drawing view: the prediction for the drawing (or upload) above, and the neighbours
behind it. The canvas itself is :mod:`page.views.canvas`, sent before this module
(NumPy, the library) is imported.

It sits above every other view and reruns alone on each stroke (``st.fragment``).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from digits_knn.datasets.training import USER_SOURCE, Pictures
from digits_knn.drawings.exchange import encode_png
from digits_knn.drawings.store import DrawingStore, StoreError
from digits_knn.features.canvas import CANVAS_SIZE
from digits_knn.features.prepared import image_digest
from digits_knn.plotting import (
    bitmap_png,
    counts_png,
    png_bytes,
    render_probabilities,
)
from digits_knn.search.model import Explanation
from page import cache, cache_drawings, state
from page.figures import figure, gallery
from page.sidebar import current_settings

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

    from digits_knn.beyond.novelty import DigitCheck
    from digits_knn.search.neighbors import NeighborIndex

VIEW = "drawing"


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
        "**That doesn't look like a digit.** Its shape is far from the digits the "
        "model knows and near the scribbles, stars and letters it was shown as "
        "non-digits, and a small neural network trained on the same shapes agrees: "
        f"together, more so than for 99% of real digits (score {check.score:.2f}, "
        f"digits up to {check.threshold:.2f}). A KNN always answers with the closest "
        "digit it knows; here is what it would say anyway.",
        icon=":material/help:",
    )


def prediction_ui(explanation: Explanation, weights: str) -> None:
    """The prediction, then its confidence and the votes' probabilities."""
    st.metric(
        "Prediction",
        str(explanation.label),
        help="The digit most of the k nearest training digits carry.",
    )
    st.markdown(
        f"Confidence **{explanation.confidence:.0%}**. {votes_text(explanation, weights)}"
    )
    st.html(
        figure(
            png_bytes(render_probabilities(explanation.probabilities)),
            "Probability of each digit: the share of the k votes (or of their "
            "weights) it got",
            width=CANVAS_SIZE * 2,
            pixelated=False,
        )
    )


def model_input_figures(
    bitmap: np.ndarray, features: np.ndarray, neighbor_features: np.ndarray
) -> list[str]:
    """The three pictures of what the model sees (cached: a k move redraws none)."""
    return [
        figure(
            bitmap_png(bitmap, scale=6, grid=True), "Your drawing, normalised to 32x32"
        ),
        figure(counts_png(features), "Ink per 4x4 block: 64 numbers 0..16"),
        figure(counts_png(neighbor_features), "The nearest training digit"),
    ]


#: How the neighbours' origins are tagged under their pictures.
ORIGIN_TAGS = {"drawn digits": "drawn", "MNIST": "MNIST", "your drawings": "yours"}


def neighbor_figures(explanation: Explanation, pictures: Pictures) -> list[str]:
    figures = []
    for n in explanation.neighbors:
        tag = ORIGIN_TAGS.get(pictures.origin(n.index))
        caption = f"{n.label} · d={n.distance:.1f}" + (f" · {tag}" if tag else "")
        figures.append(figure(bitmap_png(pictures.bitmap(n.index)), caption, width=72))
    return figures


def explanation_ui(
    explanation: Explanation,
    pictures: Pictures,
    legend: str,
    bitmap: np.ndarray,
    features: np.ndarray,
    nearest: np.ndarray,
) -> None:
    """What the model sees, and the neighbours behind the prediction: one element
    (:mod:`page.figures` says why)."""
    k = len(explanation.neighbors)
    st.html(
        gallery(
            model_input_figures(bitmap, features, nearest), title="What the model sees"
        )
        + gallery(
            neighbor_figures(explanation, pictures),
            title="The nearest training digit"
            if k == 1
            else f"The {k} nearest training digits",
            note="Nearest first; d is the distance between the 64 block counts. "
            + legend,
        )
    )


def compared_neighbor_ui(explanation: Explanation) -> int:
    """Which of the k neighbours to explain (the nearest unless the user picks)."""
    choices = list(range(len(explanation.neighbors)))
    picked = st.selectbox(
        "Compare your drawing with",
        choices,
        format_func=lambda i: (
            f"neighbour #{i + 1}: a {explanation.neighbors[i].label}"
            + f", d={explanation.neighbors[i].distance:.1f}"
            + (" (the nearest)" if i == 0 else "")
        ),
        key=f"why-{state.canvas_generation()}",
    )
    return 0 if picked is None else int(picked)


def why_ui(
    explanation: Explanation, index: NeighborIndex, features: np.ndarray
) -> None:
    """Why a neighbour is near: each block's share of the distance to it, and to the
    nearest digit of another class, with one sentence built from the numbers."""
    from digits_knn.plotting import shares_png
    from digits_knn.search.why import (
        block_shares,
        nearest_of_another_class,
        why_sentence,
    )

    st.subheader("Why they are near", anchor=False)
    chosen = compared_neighbor_ui(explanation)
    neighbor = explanation.neighbors[chosen]
    shares = block_shares(features, index.row(neighbor.index), index.p)
    other_row = nearest_of_another_class(index, features, explanation.label)
    other_label = (
        None if other_row is None else int(index.label_of(np.array([other_row]))[0])
    )
    other = (
        None
        if other_row is None
        else block_shares(features, index.row(other_row), index.p)
    )
    figures = [
        figure(
            shares_png(shares.shares),
            f"Your drawing against neighbour #{chosen + 1} (a {neighbor.label}): "
            f"% of d^p per block",
        )
    ]
    if other is not None:
        figures.append(
            figure(
                shares_png(other.shares),
                f"Against the nearest {other_label}: % of d^p per block",
            )
        )
    st.html(
        gallery(
            figures,
            note=f"Each block adds |yours - theirs|^p to the distance to the power p "
            f"(p={index.p:g}); deeper orange blocks make more of the difference, white "
            "ones agree.",
        )
    )
    name = (
        f"the nearest {neighbor.label}"
        if chosen == 0
        else f"neighbour #{chosen + 1} (a {neighbor.label})"
    )
    st.markdown(
        why_sentence(explanation.label, shares, other_label, other, compared_name=name)
    )


def add_drawing(
    store: DrawingStore | None,
    image: np.ndarray,
    bitmap: np.ndarray,
    label: int | None,
) -> None:
    """Store the drawing as a training digit (the add button's callback)."""
    if label is None:
        state.flash(VIEW, "error", "Pick the digit this drawing is first.")
        return
    if store is None:
        state.flash(VIEW, "error", "Not added: the drawings' database is unavailable.")
        return
    me = state.session_id()
    # A photo is kept only as its normalised 32x32 bitmap (said beside the button);
    # a drawing keeps its canvas. One drawing is added once, however often the
    # button is pressed: the row's unique id is the session's and the image's.
    photo = st.session_state.get("input_source") == "Upload"
    try:
        store.add(
            label,
            bitmap,
            session_id=me,
            png=None if photo else encode_png(image),
            uid=hashlib.blake2b(
                f"{me}:{image_digest(image)}".encode(), digest_size=16
            ).hexdigest(),
        )
    except StoreError as exc:
        state.flash(VIEW, "error", f"Not added: {exc}")
        return
    source = st.session_state.get("source")
    if source != USER_SOURCE:
        state.flash(
            VIEW,
            "warning",
            f"Added as {label}. The sidebar's model does not learn from your "
            "drawings: choose 'UCI optdigits + drawn digits + your drawings' to use "
            "them.",
        )
    else:
        state.flash(
            VIEW,
            "success",
            f"Added as {label}: the model now includes it. With uniform votes it is "
            "one vote of k; add a few more, or lower k, to see it win.",
        )
    state.request_full_rerun()  # every view follows: sizes, scores, My drawings


def add_drawing_ui(
    store: DrawingStore | None,
    image: np.ndarray,
    bitmap: np.ndarray,
    prediction: int,
) -> None:
    """'Add to the training set': a popover with 'as [0-9]' (pre-filled with the
    prediction) and the button. Closed, its ten choices are not drawn on each stroke.
    What the last addition did shows above it, where the open popover cannot hide it."""
    state.show_flashes(VIEW)
    with st.popover(
        "Add to the training set",
        icon=":material/add:",
        help="KNN learns by keeping examples: the drawing joins 'your drawings', "
        "shared by everyone on this server, and the next prediction uses it.",
    ):
        if st.session_state.get("input_source") == "Upload":
            st.caption(
                "Only the photo's 32x32 black-and-white digit is kept, as the model "
                "sees it; the photo itself is not stored."
            )
        label = st.segmented_control(
            "Add this drawing to the training set as",
            list(range(10)),
            default=prediction,
            required=True,
            key=f"add-label-{state.canvas_generation()}-{prediction}",
        )
        st.button(
            "Add to the training set" if label is None else f"Add as {label}",
            on_click=add_drawing,
            args=(store, image, bitmap, label),
            disabled=label is None or store is None,
            help=None
            if store is not None
            else "The drawings' database is unavailable.",
            icon=":material/add:",
            key="add_drawing",
        )


def current_drawing(
    image: np.ndarray,
    bitmap: np.ndarray,
    features: np.ndarray,
    explanation: Explanation,
    index: NeighborIndex,
    uploaded: state.UploadedModel | None,
) -> state.CurrentDrawing:
    """What the views that follow the drawing need of it."""
    rows = [n.index for n in explanation.neighbors]
    return state.CurrentDrawing(
        image=image,
        bitmap=bitmap,
        features=features,
        label=explanation.label,
        confidence=explanation.confidence,
        neighbor_rows=tuple(rows) if uploaded is None else None,
        neighbor_features=np.stack([index.row(r) for r in rows]),
        neighbor_labels=np.array([n.label for n in explanation.neighbors]),
    )


def show(image: np.ndarray | None, beside: DeltaGenerator) -> None:
    """The prediction and its neighbours, for the image of the input above
    (:func:`page.views.canvas.show`): the prediction in ``beside``, the column next
    to the canvas, the rest below."""
    uploaded = state.uploaded_model()
    settings = current_settings()
    drawings = cache_drawings.drawings()
    state.set_current_drawing(None)  # until this run has a usable one
    with beside:
        if image is None:
            st.metric("Prediction", "–")
            st.info(
                "Upload a picture of one digit."
                if st.session_state.get("input_source") == "Upload"
                else "Draw a digit on the canvas, 0 to 9, as large as the canvas."
            )
            return
        prepared = cache.drawing(image)  # once per new image, shared below
        if prepared.bitmap is None or prepared.features is None:
            st.metric("Prediction", "–")
            st.info(str(prepared.problem))
            return
        bitmap, features = prepared.bitmap, prepared.features
        if uploaded is None:
            data = cache.training_data(settings.source, drawings)
            index = cache.index_for(data, settings)
            explanation = index.explain(
                features, n_neighbors=settings.n_neighbors, weights=settings.weights
            )
            pictures = data.pictures()
            legend = (
                "'drawn' marks a drawn pen digit, 'MNIST' an MNIST digit, 'yours' a "
                "drawing users added; the others are UCI scans."
            )
            weights = settings.weights
        else:
            index = uploaded.index
            explanation = index.explain(
                features,
                n_neighbors=int(uploaded.model.n_neighbors),
                weights=str(uploaded.model.weights),
            )
            pictures = Pictures((("uploaded model", uploaded.bitmaps),))
            legend = f"Digits of the uploaded model {uploaded.name}, drawn from their counts."
            weights = str(uploaded.model.weights)
        state.set_current_drawing(
            current_drawing(image, bitmap, features, explanation, index, uploaded)
        )
        warning = st.empty()  # above the prediction, filled last
        prediction_ui(explanation, weights)
        add_drawing_ui(drawings.store, image, bitmap, explanation.label)
    nearest = index.row(explanation.neighbors[0].index)
    explanation_ui(explanation, pictures, legend, bitmap, features, nearest)
    why_ui(explanation, index, features)
    # The slowest check comes last: the prediction and its neighbours are out first.
    with warning:
        not_a_digit_ui(cache.digit_check(prepared))
