"""Map: where the drawing lands among the training digits, in two dimensions.

Follows the drawing stroke by stroke: drawn after the drawing view, in the same run
(see :mod:`page.views`).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from digits_knn.beyond.findings import metric_finding
from digits_knn.beyond.map_chart import map_spec
from digits_knn.beyond.projection import (
    ACCURACY_FOLDS,
    ACCURACY_SAMPLE,
    METHODS,
    NCA_SAMPLE,
    nearest_on_map,
)
from page import cache, cache_views, state
from page.cache_views import MAP_POINTS
from page.jobs import until_ready
from page.sidebar import current_settings
from page.views import FOLLOWER

METHOD_LABELS = {
    "nca": "NCA: the projection learnt for KNN",
    "pca": "PCA: the directions of most variation",
}
AXIS_TITLES = {
    "nca": ("NCA component 1", "NCA component 2"),
    "pca": ("principal component 1", "principal component 2"),
}


def method_ui() -> str:
    method = st.segmented_control(
        "Projection",
        list(METHODS),
        default=METHODS[0],
        required=True,
        format_func=METHOD_LABELS.__getitem__,
        key="map_method",
    )
    return str(method)


def accuracy_ui(source: str) -> None:
    """One line: KNN accuracy on the raw counts against each map (same folds)."""
    scores = cache_views.metric_accuracies(source)
    st.markdown(metric_finding(scores, ACCURACY_FOLDS, ACCURACY_SAMPLE))


def kept_text(coords: np.ndarray, here: np.ndarray, neighbors: set[int]) -> str:
    """How many of the neighbours are among the drawing's nearest on the map: its k
    nearest, and its nearest 1% of the training digits."""
    k = len(neighbors)
    wide = max(k, len(coords) // 100)
    nearest = nearest_on_map(
        coords, here, wide
    ).tolist()  # nearest first: k is a prefix
    in_k = len(neighbors & set(nearest[:k]))
    in_wide = len(neighbors & set(nearest))
    return (
        f"On this map **{in_k} of the {k}** are among its {k} nearest, and "
        f"**{in_wide} of the {k}** among its {wide:,} nearest (1% of the training "
        "digits)."
    )


@st.fragment(key=FOLLOWER)
@until_ready
def view() -> None:
    settings = current_settings()
    source = cache.shipped(settings.source)
    st.subheader("Where your drawing lands")
    method = method_ui()
    digit_map = cache_views.digit_map(source, method)
    points = cache_views.points(source, method)
    drawing = state.current_drawing()
    frame = cache_views.points_frame(source, method)
    if drawing is None:
        st.vega_lite_chart(
            map_spec(points, axis_titles=AXIS_TITLES[method], points_data=frame),
            key=f"map-{method}",
        )
        st.info("Draw a digit above to see where it lands and who its neighbours are.")
    else:
        here = digit_map.transform(drawing.features)
        spec = map_spec(
            points,
            drawing=here,
            neighbors=digit_map.transform(drawing.neighbor_features),
            neighbor_labels=drawing.neighbor_labels,
            axis_titles=AXIS_TITLES[method],
            points_data=frame,
        )
        st.vega_lite_chart(spec, key=f"map-{method}")
        k = len(drawing.neighbor_labels)
        if drawing.neighbor_rows is not None:
            coords = cache_views.map_coordinates(source, method)
            st.markdown(
                f"The black cross is your drawing; the ringed points are its **{k} "
                f"nearest training digits**, found in all 64 dimensions. "
                + kept_text(coords, here, set(drawing.neighbor_rows))
            )
    n_train = len(cache.shipped_training(source).y_train)
    fitted = "all of them" if method == "pca" else f"{NCA_SAMPLE:,} of them at random"
    st.caption(
        f"The map shows {MAP_POINTS:,} of the {n_train:,} training digits (hover one "
        f"for its picture; scroll to zoom, drag to pan), projected by {method.upper()} "
        f"fitted on {fitted}. What it cannot show: a KNN measures distance in 64 "
        "dimensions, and squeezing them into 2 puts far-apart digits side by side, "
        "so neighbours on the map are not always neighbours to the model, and the "
        "other way round."
    )
    accuracy_ui(source)


if __name__ == "__main__":
    view()
