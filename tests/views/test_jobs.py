"""Long fits on their own thread: leaving a view mid-fit loses nothing."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from digits_knn.datasets.training import DEFAULT_SOURCE
from digits_knn.search.model import DEFAULT_P
from digits_knn.tuning import selection
from page import cache, cache_views
from page.jobs import Job, JobCancelled, Slots, wait
from page.state import Grid
from tests.conftest import STROKE_DIGITS, draw_strokes
from tests.views.apptest import metric, start
from tests.views.test_tune_view import RUN


def until(condition: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def never() -> None:
    raise AssertionError("forgotten, but the job did not fail")


def test_a_job_works_on_its_own_thread_and_reports_its_progress() -> None:
    release = threading.Event()
    threads: list[str] = []

    def work(job: Job[int]) -> int:
        threads.append(threading.current_thread().name)
        job.report(0.5, "Half way…")
        assert release.wait(30)
        return 42

    job = Job("Starting…", work)
    until(lambda: job.fraction == 0.5)
    assert job.text == "Half way…"
    assert not job.done()
    assert threads == ["digits-knn job: Starting…"]
    release.set()
    assert wait(job, forget=never) == 42
    assert job.done()
    assert not job.failed()


def test_a_failed_job_is_forgotten_so_the_next_visit_tries_again() -> None:
    forgotten: list[bool] = []
    job: Job[float] = Job("Dividing…", lambda job: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        wait(job, forget=lambda: forgotten.append(True))
    assert forgotten == [True]


def test_beyond_knns_fit_goes_on_when_its_visitor_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A visitor opens Beyond KNN and leaves while its models are fitted (the run
    that asked is gone); the next visitor waits for the same fit, made once."""
    real_fit = cache_views.fit_contenders
    release = threading.Event()
    fits: list[Any] = []

    def slow_fit(*args: Any, **kwargs: Any) -> Any:
        fits.append(kwargs.get("only"))
        assert release.wait(60)
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(cache_views, "fit_contenders", slow_fit)
    cache_views.other_models_job.clear()
    job = cache_views.other_models_job(DEFAULT_SOURCE)  # the first visitor, gone
    until(lambda: len(fits) == 1)
    assert not job.done()
    assert cache_views.other_models_job(DEFAULT_SOURCE) is job
    release.set()
    at = start(draw_strokes(STROKE_DIGITS[4]), view="beyond")  # the next visitor
    assert not at.exception
    assert len(at.table) == 1  # the models' table
    others = [only for only in fits if only != ("KNN",)]  # the sidebar's KNN apart
    assert others == [cache_views.OTHER_MODELS]  # fitted once, for both visitors
    assert cache_views.other_models_job(DEFAULT_SOURCE) is job


def test_the_model_views_neighbour_search_goes_on_when_its_visitor_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The test digits' neighbours (the Model view's scores, seconds on a fresh
    server) were searched inside the run: a visitor who left mid-search made the
    next one start over. Now the search goes on, and the next visitor waits for it."""
    real_search = cache.held_out_neighbors
    release = threading.Event()
    searches: list[int] = []

    def slow_search(*args: Any, **kwargs: Any) -> Any:
        if "progress" in kwargs:  # the shipped digits' search (not the users' part)
            searches.append(args[2])
            assert release.wait(60)
        return real_search(*args, **kwargs)

    monkeypatch.setattr(cache, "held_out_neighbors", slow_search)
    for cached in (
        cache.shipped_held_out_neighbors_job,
        cache.held_out_neighbors_for,
        cache.held_out_scores_for,
    ):
        cached.clear()
    key = cache.shipped(DEFAULT_SOURCE)
    # the first visitor, gone:
    job = cache.shipped_held_out_neighbors_job(key, DEFAULT_P)
    until(lambda: len(searches) == 1)
    assert not job.done()
    release.set()
    at = start(None)  # the next visitor, on the Model view (the default)
    assert not at.exception
    assert any(m.label == "Test accuracy" for m in at.metric)
    assert job.done()
    assert searches == [cache.MAX_K]  # searched once, for both visitors
    assert cache.shipped_held_out_neighbors_job(key, DEFAULT_P) is job


def test_a_grid_search_goes_on_when_its_visitor_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A learner runs a grid search and leaves the Tune view before it is done (on the
    page's data it takes tens of seconds): the search goes on, and whoever runs the
    same grid next gets its result without searching again."""
    real_search = selection.grid_search
    release = threading.Event()
    searches: list[int] = []

    def slow_search(*args: Any, **kwargs: Any) -> Any:
        searches.append(len(args[2]))  # the grid's candidates
        assert release.wait(60)
        return real_search(*args, **kwargs)

    monkeypatch.setattr(selection, "grid_search", slow_search)
    cache_views.grid_search_job.clear()
    first = start(None, view="tune")
    first.button(key=RUN).click()
    # One run, not followed (the visitor leaves): it ends at once with the progress
    # bar, the search still going on.
    AppTest._run.original(first, first._tree.get_widget_states())  # type: ignore[attr-defined]
    assert not first.exception
    assert first.get("progress")
    until(lambda: len(searches) == 1)
    release.set()
    second = start(None, view="tune")
    second.button(key=RUN).click().run()
    assert not second.exception
    assert metric(second, "Best parameters").startswith("k=")
    assert len(searches) == 1  # searched once, for both visitors


def test_a_failed_grid_search_is_forgotten_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A grid whose search failed is searched again on the next visit; the other grids'
    results stay."""
    real_search = selection.grid_search

    def search(*args: Any, **kwargs: Any) -> Any:
        if kwargs["cv"] == 4:
            raise MemoryError("no room for it")
        return real_search(*args, **kwargs)

    monkeypatch.setattr(selection, "grid_search", search)
    cache_views.grid_search_job.clear()
    good = Grid(k_range=(1, 4, 1), p_values=(2.0,), weights=("uniform",), folds=3)
    bad = Grid(k_range=(1, 4, 1), p_values=(2.0,), weights=("uniform",), folds=4)
    good_job, bad_job = (
        cache_views.grid_search_job(good),
        cache_views.grid_search_job(bad),
    )
    assert good_job.join(timeout=120)
    assert bad_job.join(timeout=120)
    assert cache_views.grid_results(good).best_params["n_neighbors"] in (1, 2, 3)
    with pytest.raises(MemoryError):
        cache_views.grid_results(bad)
    assert cache_views.grid_search_job(good) is good_job
    assert cache_views.grid_search_job(bad) is not bad_job  # tried again


def test_at_most_limit_jobs_run_at_once_and_the_others_queue_in_order() -> None:
    """Every distinct grid started a search on all cores; nothing bounded how many."""
    slots = Slots(1, "grid searches")
    release = threading.Event()
    running: list[str] = []
    most = [0]
    lock = threading.Lock()

    def work(name: str) -> Any:
        def run(job: Job[str]) -> str:
            with slots.slot(job):
                with lock:
                    running.append(name)
                    most[0] = max(most[0], len(running))
                assert release.wait(30)
                with lock:
                    running.remove(name)
            return name

        return run

    first = Job("first", work("first"))
    until(lambda: running == ["first"])
    second = Job("second", work("second"))
    until(lambda: second.text.startswith("Waiting: 1 grid searches ahead"))
    third = Job("third", work("third"))
    until(lambda: third.text.startswith("Waiting: 2 grid searches ahead"))
    assert slots.ahead_of(third) == 2
    release.set()
    assert [wait(j, forget=never) for j in (first, second, third)] == [
        "first",
        "second",
        "third",
    ]
    assert most[0] == 1


def test_a_job_dropped_from_its_cache_stops() -> None:
    """A job dropped from the cache kept running (and holding its slot)."""
    steps: list[int] = []

    def work(job: Job[None]) -> None:
        for step in range(10_000):
            job.report(step / 10_000)
            steps.append(step)
            time.sleep(0.001)

    job = Job("Long…", work)
    until(lambda: len(steps) > 5)
    cache_views._cancel(job)  # what the grid search cache's on_release does
    until(job.done)
    assert job.failed()
    with pytest.raises(JobCancelled):
        job.result()
    assert len(steps) < 10_000
