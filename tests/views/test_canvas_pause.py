"""The pause after a session's first canvas: the browser starts the canvas's code
before the rest of the page arrives (page.views.canvas, docs/speed.md, "First canvas")."""

from __future__ import annotations

import threading
import time

import pytest

from page.views import canvas as canvas_view
from tests.views.apptest import start

PAUSE = 0.0123  # a value no other code sleeps for


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The canvas's pauses (either length), as they happen; every sleep shortened."""
    real_sleep = time.sleep
    seen: list[float] = []

    def sleep(seconds: float) -> None:
        if seconds in (
            canvas_view.SESSION_CANVAS_QUIET,
            canvas_view.FIRST_CANVAS_QUIET,
        ):
            seen.append(seconds)
        real_sleep(min(seconds, PAUSE))

    monkeypatch.setattr(time, "sleep", sleep)
    return seen


def test_each_session_pauses_once_after_its_first_canvas(
    monkeypatch: pytest.MonkeyPatch, pauses: list[float]
) -> None:
    shown_before = threading.Event()
    shown_before.set()  # the server has sent a canvas before: a later visitor
    monkeypatch.setattr(canvas_view, "_canvas_sent", shown_before)
    monkeypatch.setattr(canvas_view, "SESSION_CANVAS_QUIET", PAUSE)
    at = start(None)
    assert pauses == [PAUSE]
    at.slider(key="n_neighbors").set_value(3).run()  # the same session again
    assert not at.exception
    assert pauses == [PAUSE]
    start(None)  # another visitor
    assert pauses == [PAUSE, PAUSE]


def test_the_servers_first_canvas_pauses_longer(
    monkeypatch: pytest.MonkeyPatch, pauses: list[float]
) -> None:
    monkeypatch.setattr(canvas_view, "_canvas_sent", threading.Event())  # none sent yet
    start(None)
    start(None)
    assert pauses[0] == canvas_view.FIRST_CANVAS_QUIET
    assert canvas_view.FIRST_CANVAS_QUIET not in pauses[1:]
