"""The map of the digits as an interactive chart: a Vega-Lite spec for the browser.

A plain dict, built in well under a millisecond (an Altair chart of the same takes
about a tenth of a second to build and validate). The data sit in three named datasets
("points", "near", "drawing") and the rest of the spec depends only on the axis titles
and size: from one stroke to the next only the small "near" and "drawing" datasets
change, so a browser that keeps the chart (Streamlit does when the spec is the same)
replaces those and does not draw the whole chart again; the zoom stays too.
Hovering a training digit shows its picture and label; the wheel zooms, dragging pans.

The chart is drawn on a canvas, not as SVG: Vega's default makes an SVG element, with
an accessibility label, for each of the training digits, and redrawing them after each
stroke slowed the stroke's prediction by 0.05-0.09 of the bare canvas page's time
(README, "Finishing a digit", "The map on a canvas").
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np

from digits_knn.plotting import bitmap_png

#: Digit colours: the same digit, the same colour, in every layer.
DIGIT_SCALE = {"domain": list(range(10)), "scheme": "category10"}


def picture_url(bitmap: np.ndarray) -> str:
    """A 32x32 bitmap as a PNG data URL (a tooltip shows it as the digit's picture)."""
    png = bitmap_png(bitmap, scale=2)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@dataclass(frozen=True)
class MapPoints:
    """The training digits a map shows: positions, labels and tooltips.

    Attributes
    ----------
    rows : list of dict
        One per digit: ``x``, ``y`` (map coordinates), ``digit``, ``origin``, ``image``
        (a PNG data URL). Shared by every chart drawn from them, never changed.
    """

    rows: list[dict[str, Any]]


def map_points(
    xy: np.ndarray, labels: np.ndarray, origins: list[str], bitmaps: np.ndarray
) -> MapPoints:
    """The rows of :class:`MapPoints`.

    Parameters
    ----------
    xy : ndarray of shape (n, 2)
    labels : ndarray of shape (n,)
    origins : list of n str (the collection of each digit)
    bitmaps : ndarray of shape (n, 32, 32), bool
    """
    return MapPoints(
        [
            {
                "x": round(float(x), 3),
                "y": round(float(y), 3),
                "digit": int(label),
                "origin": origin,
                "image": picture_url(bitmap),
            }
            for (x, y), label, origin, bitmap in zip(
                xy, labels, origins, bitmaps, strict=True
            )
        ]
    )


def map_spec(
    points: MapPoints,
    *,
    drawing: np.ndarray | None = None,
    neighbors: np.ndarray | None = None,
    neighbor_labels: np.ndarray | None = None,
    axis_titles: tuple[str, str] = ("component 1", "component 2"),
    width: int = 620,
    height: int = 460,
    points_data: Any = None,
) -> dict[str, Any]:
    """A scatter plot of the training digits, the drawing and its k nearest.

    Parameters
    ----------
    points : the training digits shown, coloured by digit
    drawing : ndarray of shape (2,), optional
        The drawing's place on the map: a black cross.
    neighbors : ndarray of shape (k, 2), optional
        Its k nearest training digits (found in 64-d), ringed in black, each joined
        to the drawing by a line.
    neighbor_labels : ndarray of shape (k,)
    axis_titles, width, height : of the chart
    points_data : table-like, optional
        ``points`` as the caller keeps them for the browser (a pandas DataFrame made
        once, say); default: ``points.rows``.

    Returns
    -------
    dict
        A Vega-Lite v5 spec (``st.vega_lite_chart`` draws it).
    """
    x_axis = {"field": "x", "type": "quantitative", "title": axis_titles[0]}
    y_axis = {"field": "y", "type": "quantitative", "title": axis_titles[1]}
    colour = {
        "field": "digit",
        "type": "nominal",
        "scale": DIGIT_SCALE,
        "legend": {"orient": "right", "title": "digit"},
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"name": "points"},
            "mark": {"type": "circle", "size": 28, "opacity": 0.55},
            "params": [{"name": "zoom", "select": "interval", "bind": "scales"}],
            "encoding": {
                "x": x_axis,
                "y": y_axis,
                "color": colour,
                "tooltip": [
                    {"field": "image", "type": "nominal"},
                    {"field": "digit", "type": "nominal"},
                    {"field": "origin", "type": "nominal"},
                ],
            },
        }
    ]
    near: list[dict[str, Any]] = []
    here: list[dict[str, float]] = []
    if drawing is not None and neighbors is not None and neighbor_labels is not None:
        near = [
            {
                "x": round(float(x), 3),
                "y": round(float(y), 3),
                "x2": round(float(drawing[0]), 3),
                "y2": round(float(drawing[1]), 3),
                "digit": int(label),
                "rank": rank,
            }
            for rank, ((x, y), label) in enumerate(
                zip(neighbors, neighbor_labels, strict=True), start=1
            )
        ]
        here = [{"x": round(float(drawing[0]), 3), "y": round(float(drawing[1]), 3)}]
    layers += [
        {
            "data": {"name": "near"},
            "mark": {"type": "rule", "color": "#333333", "opacity": 0.6},
            "encoding": {
                "x": x_axis,
                "y": y_axis,
                "x2": {"field": "x2"},
                "y2": {"field": "y2"},
            },
        },
        {
            "data": {"name": "near"},
            "mark": {
                "type": "point",
                "filled": True,
                "size": 160,
                "stroke": "black",
                "strokeWidth": 2,
                "opacity": 1,
            },
            "encoding": {
                "x": x_axis,
                "y": y_axis,
                "color": colour,
                "tooltip": [
                    {"field": "rank", "type": "ordinal", "title": "neighbour"},
                    {"field": "digit", "type": "nominal"},
                ],
            },
        },
        {
            "data": {"name": "drawing"},
            "mark": {
                "type": "point",
                "shape": "cross",
                "filled": True,
                "size": 420,
                "color": "black",
                "opacity": 1,
            },
            "encoding": {
                "x": x_axis,
                "y": y_axis,
                "tooltip": {"value": "your drawing"},
            },
        },
    ]
    return {
        "width": width,
        "height": height,
        # On a canvas (vega-embed reads usermeta.embedOptions; Streamlit switches to a
        # canvas itself only above 2,000 rows), and no accessibility label per mark:
        # with 1,500 points they are noise to a screen reader, and the page says in
        # words where the drawing lands.
        "usermeta": {"embedOptions": {"renderer": "canvas"}},
        "config": {"mark": {"aria": False}},
        "layer": layers,
        "datasets": {
            "points": points.rows if points_data is None else points_data,
            "near": near,
            "drawing": here,
        },
    }
