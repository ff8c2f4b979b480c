"""The top of the drawing view: the canvas, or an uploaded picture instead.

It goes out before anything that imports NumPy or the rest of the library: in a
fresh server's first run those imports took 0.3-0.5 s, and the canvas waited for them
(docs/speed.md, "First canvas"; ``tests/test_package.py`` keeps this module light).
:mod:`page.views.drawing` draws the prediction and its neighbours after it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from digits_knn.features.canvas import CANVAS_SIZE, STROKE_WIDTH
from page import state
from page.workarounds import component_code_preload

if TYPE_CHECKING:
    import numpy as np
    from streamlit.delta_generator import DeltaGenerator

UPLOAD_TYPES = ["png", "jpg", "jpeg", "bmp", "gif"]
CANVAS_TOOLBAR_FIX = (
    Path(__file__).resolve().parents[2] / "assets" / "canvas_toolbar.html"
)
#: The name streamlit-drawable-canvas registers its component under.
CANVAS_COMPONENT = "streamlit-drawable-canvas.streamlit_drawable_canvas"


@functools.cache
def canvas_head() -> str:
    """What goes out just before the canvas: the start of its code's download, and the
    toolbar's fix (once per server process: neither changes while it runs)."""
    return component_code_preload(CANVAS_COMPONENT) + CANVAS_TOOLBAR_FIX.read_text()


def canvas_ui() -> np.ndarray | None:
    """The drawing canvas; returns its RGBA image (None before the first stroke)."""
    from streamlit_drawable_canvas import st_canvas  # raises outside a Streamlit run

    st.html(canvas_head(), unsafe_allow_javascript=True)
    result = st_canvas(
        stroke_width=STROKE_WIDTH,
        stroke_color="#000000",
        background_color="#FFFFFF",
        height=CANVAS_SIZE,
        width=CANVAS_SIZE,
        drawing_mode="freedraw",
        return_image_data=True,
        key=state.canvas_key(),
    )
    st.button(
        "Clear the canvas",
        on_click=state.clear_canvas,
        icon=":material/ink_eraser:",
        key="clear_canvas",
    )
    image: np.ndarray | None = result.image_data
    return image


def upload_ui() -> np.ndarray | None:
    """A photo or scan of one digit instead of a drawing."""
    upload = st.file_uploader(
        "A picture of one handwritten digit: ink on paper, or chalk on a board",
        type=UPLOAD_TYPES,
        key="upload",
    )
    if upload is None:
        return None
    from page.cache import uploaded_image  # NumPy, PIL

    image, note = uploaded_image(upload.getvalue())
    if image is None:
        st.error(f"That file cannot be used: {note}")
        return None
    if note:
        st.info(note, icon=":material/invert_colors:")
    st.image(image, caption=upload.name, width=CANVAS_SIZE)
    return image


def uploaded_model_banner(uploaded: state.UploadedModel | None) -> None:
    """While an uploaded model is in use: say so, and offer the way back."""
    if uploaded is None:
        return
    model = uploaded.model
    cols = st.columns([3, 1])
    cols[0].info(
        f"Predicting with the uploaded model **{uploaded.name}** (k={model.n_neighbors}"
        f", p={model.p:g}, {model.n_samples_fit_:,} training digits), not the "
        "sidebar's.",
        icon=":material/upload_file:",
    )
    cols[1].button("Use the sidebar's model", on_click=state.forget_uploaded_model)


def input_ui() -> np.ndarray | None:
    """Draw or upload; returns the image (None if there is nothing yet)."""
    source = st.segmented_control(
        "Input",
        ["Draw", "Upload"],
        default="Draw",
        required=True,
        key="input_source",
        label_visibility="collapsed",
    )
    return upload_ui() if source == "Upload" else canvas_ui()


def show() -> tuple[np.ndarray | None, DeltaGenerator]:
    """The uploaded model's banner, then the input on the left.

    Returns the input's image (None if there is nothing yet) and the column beside
    it, where the prediction goes. The canvas goes out before anything else on the
    page (the sidebar is drawn after the drawing view): on a fresh server the first
    session sees it before NumPy and the library are loaded, and the server then
    leaves the browser alone for :data:`FIRST_CANVAS_QUIET` to fetch its code.
    """
    if state.take_full_rerun_request():
        st.rerun()  # a drawing was added: the whole page follows the new data
    with st.container():  # always here, so the canvas below keeps its place
        uploaded_model_banner(state.uploaded_model())
    left, right = st.columns([1, 2], gap="large")
    with left:
        image = input_ui()
    return image, right
