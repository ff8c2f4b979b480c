"""Fixtures of the page's AppTest suites: a stand-in canvas and cold caches."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest
import streamlit as st

from digits_knn import compare, projection
from page import cache_views
from page.views import canvas as canvas_view
from tests.test_compare import HOG, SMALL
from tests.views.apptest import FakeCanvas


@pytest.fixture(autouse=True)
def fake_canvas(monkeypatch: pytest.MonkeyPatch) -> type[FakeCanvas]:
    """``streamlit_drawable_canvas`` replaced: the canvas only runs in a browser."""
    module = types.ModuleType("streamlit_drawable_canvas")
    module.st_canvas = FakeCanvas.st_canvas  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "streamlit_drawable_canvas", module)
    FakeCanvas.drawings = {}
    FakeCanvas.calls = []
    return FakeCanvas


@pytest.fixture(autouse=True, scope="package")
def no_pause_per_session() -> Iterator[None]:
    """Each AppTest is a new session: without this, each would pause after its first
    canvas for a browser that is not there (tests/views/test_canvas_pause.py checks
    the pause itself)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(canvas_view, "SESSION_CANVAS_QUIET", 0.0)
        yield


@pytest.fixture(autouse=True, scope="package")
def components_scanned_once() -> Iterator[None]:
    """Each new AppTest scans every installed package's metadata for Streamlit
    components (about 0.7 s here, most of a warm page run); the installed packages do
    not change during the tests, so the first scan's result is given to the others."""
    from streamlit.components.v2 import manifest_scanner

    found = manifest_scanner.scan_component_manifests()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            manifest_scanner, "scan_component_manifests", lambda *_, **__: found
        )
        yield


@pytest.fixture
def fresh_caches() -> None:
    """A cold server: Streamlit's caches outlive an AppTest (streamlit issue 9139).

    Only for tests about the caches themselves: the others share the shipped digits'
    searches (keyed by their settings) as the users of one server do, and each test's
    own drawings live in their own database, which is part of every key that reads
    them.
    """
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True, scope="package")
def small_models() -> Iterator[None]:
    """Beyond KNN's models and the map's NCA and accuracy line on small samples: the
    page's code in seconds, not a minute (the e2e suite runs them at full size). The
    caches holding them are emptied before and after the page's tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compare, "SAMPLES", SMALL)
        patch.setattr(compare, "HOG_CANDIDATES", (HOG,))
        patch.setattr(projection, "NCA_SAMPLE", 500)
        patch.setattr(projection, "ACCURACY_SAMPLE", 400)
        forget = (
            cache_views.other_models_job,
            cache_views.knn_model,
            cache_views.digit_map,
            cache_views.map_coordinates,
            cache_views.points,
            cache_views.points_frame,
            cache_views.metric_accuracies_job,
        )
        for cached in forget:
            cached.clear()
        yield
        for cached in forget:
            cached.clear()
