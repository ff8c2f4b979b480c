"""The page's views, one module each; :data:`VIEWS` lists them in the order shown.

The drawing view (:mod:`page.views.canvas`, then :mod:`page.views.drawing`) is always
on top; below it the view the user picked, each with its own URL (``/model``,
``/tune``, ...). Only the view on screen runs. To add a view: write its module here
(functions, then ``view()`` under ``if __name__ == "__main__":``) and add a line to
:data:`VIEWS`.

A stroke reruns the drawing view and the links to the views (one fragment,
:func:`drawing_and_links`). A view that shows something of the drawing
(``follows_drawing``) is drawn inside that fragment, below the links, so that a stroke
reruns it in the same run; the other views run outside it, once per full run. (Two
fragments rerun by the canvas's callback took two runs per stroke: a callback's
targeted rerun stops the run the stroke started and starts another, and the browser
redraws the page at each start.) A following view's own ``view()`` is a fragment too
(:data:`FOLLOWER`), nested: its widgets rerun it alone.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from page import warm
from page.views import canvas

if TYPE_CHECKING:
    from streamlit.navigation.page import StreamlitPage

HERE = Path(__file__).resolve().parent
#: Fragment keys: the drawing view and the links (with a view that follows the
#: drawing), and that view's own.
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
        # No icon here: the links show it (navigation_ui). A page's icon is also the
        # tab's until app.py sets its own after the canvas, and a Material icon is
        # fetched from fonts.gstatic.com, which a classroom offline does not reach.
        return st.Page(
            HERE / self.module,
            title=self.title,
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
    return st.navigation(pages, position="hidden")


def follows_drawing(current: StreamlitPage) -> bool:
    """Whether the view on screen shows something of the drawing."""
    return _view_of(current).follows_drawing


def _view_of(current: StreamlitPage) -> View:
    return next(view for view in VIEWS if view.title == current.title)


@st.fragment(key=DRAWING)
def drawing_and_links(current: StreamlitPage) -> None:
    """The drawing view and the links to the views; below them ``current`` too if it
    follows the drawing, so that a stroke reruns it in the same run.

    Always this one fragment, whichever view is open: the canvas and the links keep
    their place on the page when the user switches views (the canvas is not rebuilt).
    """
    image, beside = canvas.show()  # before NumPy and the library are imported
    warm.warm_up()  # a fresh server loads what the first stroke needs, meanwhile
    from page.views import drawing

    drawing.show(image, beside)
    st.divider()
    navigation_ui(current)
    view = _view_of(current)
    if view.follows_drawing:
        # Its module's view(), not current.run(): Streamlit runs a page at most once
        # per run, and not from a fragment's rerun.
        importlib.import_module(f"{__name__}.{Path(view.module).stem}").view()


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
