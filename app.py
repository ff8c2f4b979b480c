"""digits-knn: draw a digit and watch a k-nearest-neighbours classifier decide.

The page's table of contents. Run with ``python3 run.py app`` (or ``streamlit run
app.py`` inside the venv). The views live in ``page/views/``, the cached data and
models they share in ``page/cache.py``, each session's state in ``page/state.py``.
"""

from __future__ import annotations

import streamlit as st

from page.views import drawing_and_links, follows_drawing, navigation

st.set_page_config(page_title="digits-knn", layout="wide")
st.title("✏️ digits-knn")
st.caption(
    "Draw a digit and watch a k-nearest-neighbours classifier decide, and see why."
)

current_view = navigation()
drawing_and_links(current_view)  # the canvas first; a stroke reruns it (and a follower)
# The tab's icon after the canvas: Streamlit checks an emoji against its emoji
# catalogue, whose loading took 0.1 s of a server's first run.
st.set_page_config(page_icon="✏️")
# The sidebar after the canvas: its module loads NumPy and the library, 0.3-0.5 s of a
# fresh server's first run that the canvas no longer waits for.
from page import sidebar  # noqa: E402

settings = sidebar.model_ui()
sidebar.training_data_ui(settings)  # it loads the training data
if not follows_drawing(current_view):
    current_view.run()
