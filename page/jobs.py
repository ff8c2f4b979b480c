"""Long computations on their own server thread, so that leaving a view loses nothing.

A Streamlit run stops as soon as its user leaves the view, draws again or closes the
tab; a fit made inside the run stops with it, and the next visitor starts it over
(Beyond KNN's four models take about half a minute). A :class:`Job` runs on a thread
of its own instead: it goes on whatever the runs do, and it is cached like a fitted
model (``st.cache_resource``), so whoever opens the view next waits for the same job,
with its progress bar where it stands.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Generic, ParamSpec, TypeVar

import streamlit as st

if TYPE_CHECKING:
    from streamlit.runtime.caching.cache_utils import CachedFunc

T = TypeVar("T")
P = ParamSpec("P")

#: How often a waiting run redraws the progress bar (seconds).
POLL_SECONDS = 0.2


class Job(Generic[T]):
    """``work(job)`` running on its own (daemon) thread from the moment it is made.

    ``work`` reports its progress with :meth:`report`; it must not call Streamlit (no
    run is behind the thread).
    """

    def __init__(self, text: str, work: Callable[[Job[T]], T]) -> None:
        self.text = text
        self.fraction = 0.0
        self._future: Future[T] = Future()
        threading.Thread(
            target=self._run, args=(work,), name=f"digits-knn job: {text}", daemon=True
        ).start()

    def _run(self, work: Callable[[Job[T]], T]) -> None:
        try:
            self._future.set_result(work(self))
        except BaseException as exc:  # handed to whoever waits for the result
            self._future.set_exception(exc)

    def report(self, fraction: float, text: str | None = None) -> None:
        """Progress so far: ``fraction`` 0..1 of the work, and what it is doing."""
        self.fraction = min(max(fraction, 0.0), 1.0)
        if text is not None:
            self.text = text

    def done(self) -> bool:
        return self._future.done()

    def failed(self) -> bool:
        return self._future.done() and self._future.exception() is not None

    def result(self) -> T:
        """The work's return value (raises what the work raised)."""
        return self._future.result()


def wait(job: Job[T], forget: Callable[[], None]) -> T:
    """The job's result; until it is ready, a progress bar that follows it.

    ``forget`` empties the cache that holds the job: called if the work failed, so
    that the next visit tries again instead of showing the same error for ever.
    """
    if not job.done():
        bar = st.progress(job.fraction, text=job.text)
        while not job.done():
            time.sleep(POLL_SECONDS)
            bar.progress(job.fraction, text=job.text)
        bar.empty()
    if job.failed():
        forget()
    return job.result()


def result_of(
    cached_job: CachedFunc[P, Job[T]], *args: P.args, **kwargs: P.kwargs
) -> T:
    """The result of the cached job ``cached_job(*args, **kwargs)`` (:func:`wait`).

    If its work failed, that one job is forgotten (``cached_job.clear`` with the same
    arguments), the jobs cached for other arguments kept.
    """
    return wait(cached_job(*args, **kwargs), lambda: cached_job.clear(*args, **kwargs))
