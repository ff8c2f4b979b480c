"""Fixtures of the page's AppTest suites: a stand-in canvas and cold caches."""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Iterator
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from digits_knn.beyond import compare, projection
from page import cache_views
from page.jobs import POLL_SECONDS
from tests.test_compare import SMALL, SMALL_GRIDS
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
def jobs_followed_as_the_browser_does() -> Iterator[None]:
    """A view whose job is not done shows its progress and stops; in the browser, the
    progress bar's fragment reruns on a timer until the job is done, then the page
    runs again. AppTest has no timer: each run is followed by runs every
    ``POLL_SECONDS`` while a job's progress bar is on the page."""
    original = AppTest._run

    def run_and_follow(self: AppTest, *args: Any, **kwargs: Any) -> AppTest:
        result = original(self, *args, **kwargs)
        deadline = time.monotonic() + 300
        while self.get("progress") and not self.exception:
            assert time.monotonic() < deadline, "a job never finished"
            time.sleep(POLL_SECONDS)
            result = original(self, self._tree.get_widget_states())
        return result

    run_and_follow.original = original  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AppTest, "_run", run_and_follow)
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
        patch.setattr(compare, "GRIDS", SMALL_GRIDS)
        patch.setattr(compare, "CV_SAMPLE", 600)
        patch.setattr(compare, "SEARCH_SAMPLE", 1000)
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
