"""Fixtures of the page's AppTest suites: a stand-in canvas and cold caches."""

from __future__ import annotations

import sys
import types

import pytest
import streamlit as st

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
