"""The baseline for ``benchmarks/latency.py``: a page holding only the canvas.

It shows a Python-computed result (the number of ink pixels) in an ``st.metric``
labelled "Prediction", inside a fragment, exactly as the app does, with nothing else:
the latency of the component and of Streamlit themselves.
"""

import streamlit as st
from streamlit_drawable_canvas import st_canvas


def clear_canvas() -> None:
    st.session_state.canvas_key = st.session_state.get("canvas_key", 0) + 1


@st.fragment
def drawing_view() -> None:
    result = st_canvas(
        stroke_width=22,
        stroke_color="#000000",
        background_color="#FFFFFF",
        height=280,
        width=280,
        return_image_data=True,
        key=f"canvas-{st.session_state.get('canvas_key', 0)}",
    )
    st.button("Clear the canvas", on_click=clear_canvas)
    image = result.image_data
    ink = 0 if image is None else int((image[..., :3].mean(axis=2) < 128).sum())
    st.metric("Prediction", str(ink) if ink else "–")


drawing_view()
