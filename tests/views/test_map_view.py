"""Map: the training digits in 2-D, the drawing and its k nearest highlighted."""

from __future__ import annotations

import json
import re
from typing import Any

from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from tests.conftest import STROKE_DIGITS, draw_strokes
from tests.views.apptest import FakeCanvas, start


def chart(at: AppTest) -> dict[str, Any]:
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec: dict[str, Any] = json.loads(charts[0].proto.spec)
    return spec


def datasets(at: AppTest) -> dict[str, list[dict[str, Any]]]:
    """The chart's named datasets (sent beside the spec as Arrow), as rows."""
    (element,) = at.get("vega_lite_chart")
    return {
        d.name: convert_arrow_bytes_to_pandas_df(d.data.data).to_dict("records")
        for d in element.proto.datasets
    }


def text(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_the_drawing_and_its_neighbours_are_highlighted() -> None:
    at = start(draw_strokes(STROKE_DIGITS[7]), view="neighbourhood_map")
    spec = chart(at)
    # Drawn on a canvas: 1,500 SVG elements slowed every stroke (digits_knn.beyond.map_chart).
    assert spec["usermeta"]["embedOptions"]["renderer"] == "canvas"
    layers = spec["layer"]
    assert [layer["data"]["name"] for layer in layers] == [
        "points",
        "near",
        "near",
        "drawing",
    ]
    data = datasets(at)
    points, neighbours, drawing = data["points"], data["near"], data["drawing"]
    lines = neighbours
    assert len(points) == 1500
    assert {"x", "y", "digit", "origin", "image"} <= set(points[0])
    assert points[0]["image"].startswith("data:image/png;base64,")
    assert len(neighbours) == 7
    assert all(n["digit"] == 7 for n in neighbours)  # the 7 nearest of a drawn 7
    assert len(drawing) == 1
    # Every line runs from a neighbour to the drawing.
    assert all((line["x2"], line["y2"]) == pytest_approx(drawing[0]) for line in lines)
    found = re.search(r"\*\*(\d) of the 7\*\* are among its 7 nearest", text(at))
    assert found, text(at)
    assert "neighbours on the map are not always neighbours" in text(at)


def pytest_approx(point: dict[str, float]) -> tuple[float, float]:
    return (round(point["x"], 3), round(point["y"], 3))


def test_pca_and_nca_maps_and_the_metric_line() -> None:
    at = start(draw_strokes(STROKE_DIGITS[0]), view="neighbourhood_map")
    assert chart(at)["layer"][0]["encoding"]["x"]["title"] == "NCA component 1"
    at.button_group(key="map_method").set_value("pca").run()
    assert not at.exception
    assert chart(at)["layer"][0]["encoding"]["x"]["title"] == "principal component 1"
    line = re.search(
        r"right \*\*(\d+)%\*\* of the time on the 64 raw counts, \*\*(\d+)%\*\* on NCA"
        r"'s 2 dimensions and \*\*(\d+)%\*\* on PCA",
        text(at),
    )
    assert line, text(at)
    raw, nca, pca = (int(v) for v in line.groups())
    assert raw > nca > pca  # the learnt metric keeps more than PCA; 64-d keeps most
    # and the words say what the figures show
    assert "NCA keeps more of what a KNN needs than PCA does" in text(at)
    assert "yet 2 numbers cannot hold what 64 do" in text(at)


def test_without_a_drawing_the_map_shows_the_training_digits() -> None:
    at = start(None, view="neighbourhood_map")
    data = datasets(at)
    assert len(data["points"]) == 1500
    assert not data.get("near")
    assert not data.get("drawing")
    assert any("Draw a digit above" in i.value for i in at.info)


def test_only_the_highlights_change_from_one_drawing_to_the_next() -> None:
    """The spec stays the same: the browser keeps the chart (and its zoom) and
    replaces only the small datasets of the drawing and its neighbours."""
    at = start(None, view="neighbourhood_map")
    empty = chart(at)
    FakeCanvas.drawings["canvas-0"] = draw_strokes(STROKE_DIGITS[4])
    at.run()
    assert chart(at) == empty
    assert len(datasets(at)["near"]) == 7
