"""Helpers to drive the page headless with Streamlit's AppTest; drawings are injected.

The canvas component only runs in a browser, so ``streamlit_drawable_canvas`` is
replaced by a stand-in that returns the drawing a test puts in ``FakeCanvas.drawings``
under the canvas's key. The real component is driven with the mouse in ``test_e2e.py``.
"""

from __future__ import annotations

import html
import re
import types
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from digits_knn.datasets.training import DEFAULT_SOURCE, UCI_TEST, load_training_set
from digits_knn.search.model import DRAWING_N_NEIGHBORS, DRAWING_WEIGHTS, fit_model
from digits_knn.tuning.evaluation import evaluate

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
#: The views below the drawing, by the name of their module in page/views/.
VIEW_FILES = (
    "model",
    "tune",
    "dataset",
    "my_drawings",
    "finish",
    "neighbourhood_map",
    "beyond",
    "how_knn_works",
)


class FakeCanvas:
    """Stands in for ``st_canvas``: returns ``drawings[key]`` (None if absent)."""

    drawings: ClassVar[dict[str, np.ndarray | None]] = {}
    calls: ClassVar[list[dict[str, Any]]] = []

    @classmethod
    def st_canvas(cls, **kwargs: Any) -> types.SimpleNamespace:
        cls.calls.append(kwargs)
        return types.SimpleNamespace(image_data=cls.drawings.get(kwargs["key"]))


def start(drawing: np.ndarray | None = None, view: str | None = None) -> AppTest:
    """Open the page (with ``drawing`` on the canvas), on ``view`` if given."""
    FakeCanvas.drawings["canvas-0"] = drawing
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    if view is not None:
        open_view(at, view)
    return at


def open_view(at: AppTest, view: str) -> AppTest:
    """Switch to a view below the drawing, as its link does."""
    at.switch_page(f"page/views/{view}.py").run()
    assert not at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert len(values) == 1, f"{label!r} metrics: {values}"
    return str(values[0])


def subheaders(at: AppTest) -> list[str]:
    """Subheaders, and the titles of the figure galleries in ``st.html``."""
    titles = [
        html.unescape(title)
        for element in at.html
        for title in re.findall(r"<h3[^>]*>(.*?)</h3>", element.value)
    ]
    return [s.value for s in at.subheader] + titles


def captions_of_images(at: AppTest) -> list[str]:
    return [
        image.caption for element in at.get("image") for image in element.proto.imgs
    ]


def captions_of_figures(at: AppTest) -> list[str]:
    """Captions of the pictures shown as figures in ``st.html`` (page.figures)."""
    return [
        html.unescape(caption)
        for element in at.html
        for caption in re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", element.value)
    ]


def popovers(at: AppTest) -> dict[str, Block]:
    """The page's popovers (closed or open), by label."""
    found: dict[str, Block] = {}
    stack: list[Any] = [at._tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Block) and node.type == "popover":
            found[node.proto.popover.label] = node
        stack.extend(getattr(node, "children", {}).values())
    return found


def accuracy_for(source: str = DEFAULT_SOURCE, **params: Any) -> str:
    """Test accuracy on the UCI test split, by scikit-learn's own KNN, as the page
    formats it (the page's defaults: k=7, distance votes, brute-force search)."""
    training = load_training_set(source)
    params = {
        "algorithm": "brute",
        "n_neighbors": DRAWING_N_NEIGHBORS,
        "weights": DRAWING_WEIGHTS,
        **params,
    }
    model = fit_model(training.X_train, training.y_train, **params)
    test = training.tests[UCI_TEST]
    return f"{evaluate(model, test.X, test.y).accuracy:.2%}"
