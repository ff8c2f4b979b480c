"""digits-knn: draw a digit and watch a k-nearest-neighbours classifier decide.

The page's table of contents. Run with ``python3 run.py app`` (or ``streamlit run
app.py`` inside the venv). The views live in ``page/views/``, the cached data and
models they share in ``page/cache.py``, each session's state in ``page/state.py``.
"""

from __future__ import annotations

import streamlit as st

from page import sidebar
from page.views import (
    drawing,
    drawing_and_view,
    follows_drawing,
    navigation,
    navigation_ui,
)

st.set_page_config(page_title="digits-knn", page_icon="✏️", layout="wide")
st.title("✏️ digits-knn")
st.caption(
    "Draw a digit and watch a k-nearest-neighbours classifier decide, and see why."
)

settings = sidebar.model_ui()
current_view = navigation()
if follows_drawing(current_view):  # Finish my digit, Map, Beyond KNN
    drawing_and_view(settings, current_view)  # a stroke reruns all of it
    sidebar.training_data_ui(settings)
else:
    drawing.view(settings)  # a stroke reruns the drawing view alone
    sidebar.training_data_ui(settings)  # after the canvas: it loads the training data
    st.divider()
    navigation_ui(current_view)
    current_view.run()
