"""The page's views, one module each; :data:`VIEWS` lists them in the order shown.

The drawing view (:mod:`page.views.drawing`) is always on top; below it the view the
user picked, each with its own URL (``/model``, ``/tune``, ...). Only the view on screen
runs. To add a view: write its module here (functions, then ``view()`` under
``if __name__ == "__main__":``) and add a line to :data:`VIEWS`.

A view that shows something of the drawing (``follows_drawing``) reruns with it on
each stroke: its ``view()`` is a fragment keyed :data:`FOLLOWER` that reads
:func:`page.state.current_drawing`, and the drawing view's input callbacks rerun the
two fragments, the drawing first (:func:`rerun_drawing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from page import state

if TYPE_CHECKING:
    from streamlit.navigation.page import StreamlitPage

HERE = Path(__file__).resolve().parent
#: Fragment keys: the drawing view, and the view below it that follows the drawing.
DRAWING = "drawing"
FOLLOWER = "follows-drawing"


@dataclass(frozen=True)
class View:
    """One view below the drawing: its label, module file, URL path and icon."""

    title: str
    module: str
    url_path: str
    icon: str
    follows_drawing: bool = False

    def page(self, *, default: bool = False) -> StreamlitPage:
        return st.Page(
            HERE / self.module,
            title=self.title,
            icon=self.icon,
            url_path=self.url_path,
            default=default,
        )


VIEWS = (
    View("Model", "model.py", "model", ":material/analytics:"),
    View("Tune", "tune.py", "tune", ":material/tune:"),
    View("Dataset", "dataset.py", "dataset", ":material/grid_view:"),
    View("My drawings", "my_drawings.py", "my-drawings", ":material/draw:"),
    View("Finish my digit", "finish.py", "finish", ":material/auto_fix_high:", True),
    View("Map", "neighbourhood_map.py", "map", ":material/scatter_plot:", True),
    View("Beyond KNN", "beyond.py", "beyond", ":material/compare_arrows:", True),
    View("How KNN works", "how_knn_works.py", "how-knn-works", ":material/school:"),
)


def navigation() -> StreamlitPage:
    """Register the views (the first is the default, at the page's root URL)."""
    pages = [view.page(default=i == 0) for i, view in enumerate(VIEWS)]
    current = st.navigation(pages, position="hidden")
    followed = any(v.follows_drawing and v.title == current.title for v in VIEWS)
    state.set_drawing_followed(followed)
    return current


def rerun_drawing() -> None:
    """An input callback of the drawing view: rerun it, and the view below if that
    follows the drawing (otherwise the drawing view alone reruns, as by default)."""
    if state.drawing_followed():
        st.rerun([DRAWING, FOLLOWER])


def navigation_ui(current: StreamlitPage) -> None:
    """A row of links to the views, the current one marked, like tabs."""
    with st.container(horizontal=True, gap="small"):
        for i, view in enumerate(VIEWS):
            here = view.title == current.title
            st.page_link(
                view.page(default=i == 0),
                label=f"**{view.title}**" if here else view.title,
                icon=view.icon,
            )
