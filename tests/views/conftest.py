"""Fixtures of the page's AppTest suites: a stand-in canvas and cold caches."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest
import streamlit as st

from digits_knn import compare
from page import cache_views
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


@pytest.fixture(autouse=True)
def small_comparison(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Beyond KNN's models on small samples: the page's code in seconds, not a minute
    (the e2e suite fits them at full size); forgotten after each test."""
    monkeypatch.setattr(compare, "SAMPLES", SMALL)
    monkeypatch.setattr(compare, "HOG_CANDIDATES", (HOG,))
    cache_views.other_models.clear()
    cache_views.knn_model.clear()
    yield
    cache_views.other_models.clear()
    cache_views.knn_model.clear()
