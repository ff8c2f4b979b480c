"""digits-knn: draw a digit and watch a k-nearest-neighbours classifier decide.

The page's table of contents. Run with ``python3 run.py app`` (or ``streamlit run
app.py`` inside the venv). The views live in ``page/views/``, the cached data and
models they share in ``page/cache.py``, each session's state in ``page/state.py``.
"""

from __future__ import annotations

import streamlit as st

from page import sidebar
from page.views import drawing, navigation, navigation_ui

st.set_page_config(page_title="digits-knn", page_icon="✏️", layout="wide")
st.title("✏️ digits-knn")
st.caption(
    "Draw a digit and watch a k-nearest-neighbours classifier decide, and see why."
)

settings = sidebar.model_ui()
current_view = navigation()
drawing.view(settings)
sidebar.training_data_ui(settings)  # after the canvas: it loads the training data
st.divider()
navigation_ui(current_view)
current_view.run()
