"""Nothing in the page's request path sleeps or waits for a job: a run that waited
would hold its session's next stroke behind it."""

from __future__ import annotations

import ast
import inspect
import threading
import time
from pathlib import Path

import pytest

from page.jobs import Job
from tests.conftest import STROKE_DIGITS, draw_strokes
from tests.views.apptest import metric, start

ROOT = Path(__file__).resolve().parents[2]


def test_no_sleep_anywhere_in_the_page() -> None:
    """The pauses added to meet a 'canvas on screen' figure are gone for good."""
    sleeps = []
    for path in [ROOT / "app.py", *sorted((ROOT / "page").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "sleep":
                sleeps.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Name) and node.id == "sleep":
                sleeps.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert sleeps == []


def test_a_run_never_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    """First run, a stroke, a k move, every view: time.sleep is never called from
    the page's code (only from the test's own job-following harness)."""
    callers: list[str] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        frame = inspect.stack()[1]
        if "/page/" in frame.filename or frame.filename.endswith("app.py"):
            callers.append(f"{frame.filename}:{frame.lineno}")
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    at = start(draw_strokes(STROKE_DIGITS[7]))
    assert metric(at, "Prediction") == "7"
    at.slider(key="n_neighbors").set_value(3).run()
    assert callers == []


RELEASE = threading.Event()
PENDING: Job[int] = Job("Counting…", lambda job: 41 + int(RELEASE.wait()))


def _script() -> None:
    import streamlit as st

    from page.jobs import result_of, until_ready
    from tests.views.test_no_waiting import PENDING

    @st.cache_resource
    def the_job():
        return PENDING

    @until_ready
    def view():
        st.write(f"result {result_of(the_job)}")

    st.write("before")
    view()
    st.write("after")


def test_a_view_shows_a_running_job_and_stops_instead_of_waiting() -> None:
    """result_of: a job not done is its progress bar and the end of the run, at once
    (the run would otherwise wait for RELEASE, past AppTest's timeout)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_script, default_timeout=20)
    run_once = AppTest._run.original  # type: ignore[attr-defined]
    run_once(at)
    assert not at.exception
    assert [m.value for m in at.markdown] == ["before", "after"]
    (bar,) = at.get("progress")
    assert "Counting" in bar.proto.text
    RELEASE.set()
    assert PENDING.join(timeout=10)
    run_once(at)
    assert [m.value for m in at.markdown] == ["before", "result 42", "after"]
    assert not at.get("progress")
