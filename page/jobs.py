"""Long computations on their own server thread, so that leaving a view loses nothing.

A Streamlit run stops as soon as its user leaves the view, draws again or closes the
tab; a fit made inside the run stops with it, and the next visitor starts it over
(Beyond KNN's four models take about half a minute). A :class:`Job` runs on a thread
of its own instead: it goes on whatever the runs do, and it is cached like a fitted
model (``st.cache_resource``), so whoever opens the view next finds the same job,
with its progress bar where it stands.

No run waits for a job (:func:`result_of`): a run that waited would hold every stroke
of its session behind it (Streamlit queues a fragment's rerun behind a full run), so
the drawing would wait for a view it does not need. The view shows the job's progress
and ends; the browser reruns the progress bar alone until the job is done, then the
page.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

import streamlit as st

if TYPE_CHECKING:
    from streamlit.runtime.caching.cache_utils import CachedFunc

T = TypeVar("T")
P = ParamSpec("P")

#: How often a job's progress bar is redrawn, by a fragment the browser reruns
#: (seconds).
POLL_SECONDS = 0.3


class NotReady(Exception):
    """A view needs a job's result that is not ready: its progress bar is shown, and
    the view ends (caught by :func:`until_ready`)."""


def until_ready(view: Callable[[], None]) -> Callable[[], None]:
    """``view``, ending quietly where it needs a job that is not done yet."""

    @functools.wraps(view)
    def show() -> None:
        with contextlib.suppress(NotReady):
            view()

    return show


class JobCancelled(Exception):
    """Raised in a cancelled job's thread at its next :meth:`Job.report`."""


class Job(Generic[T]):
    """``work(job)`` running on its own (daemon) thread from the moment it is made.

    ``work`` reports its progress with :meth:`report`; it must not call Streamlit (no
    run is behind the thread). A job dropped from its cache is :meth:`cancel`-led: it
    stops at its next report instead of running on for nobody.
    """

    def __init__(self, text: str, work: Callable[[Job[T]], T]) -> None:
        self.text = text
        self.fraction = 0.0
        self._cancelled = threading.Event()
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
        """Progress so far: ``fraction`` 0..1 of the work, and what it is doing.

        Raises
        ------
        JobCancelled
            The job was cancelled: the work stops here.
        """
        if self._cancelled.is_set():
            raise JobCancelled(self.text)
        self.fraction = min(max(fraction, 0.0), 1.0)
        if text is not None:
            self.text = text

    def cancel(self) -> None:
        """Stop the work at its next :meth:`report` (nothing if it is done)."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def done(self) -> bool:
        return self._future.done()

    def join(self, timeout: float | None = None) -> bool:
        """Wait (off a page's run: a worker thread, a script) until the job is done."""
        try:
            self._future.exception(timeout=timeout)
        except TimeoutError:
            return False
        return True

    def failed(self) -> bool:
        return self._future.done() and self._future.exception() is not None

    def result(self) -> T:
        """The work's return value (raises what the work raised)."""
        return self._future.result()


class Slots:
    """At most ``limit`` jobs of one kind at once on this server; the others queue, in
    order, each saying in its progress text how many are ahead of it.

    Examples
    --------
    >>> slots = Slots(1)
    >>> def work(job):
    ...     with slots.slot(job):
    ...         return "done"
    >>> Job("a", work).result()
    'done'
    """

    def __init__(self, limit: int, what: str = "jobs") -> None:
        self.limit = limit
        self.what = what
        self._running = 0
        self._queue: deque[Job[Any]] = deque()
        self._changed = threading.Condition()

    def ahead_of(self, job: Job[Any]) -> int:
        """How many jobs run or queue before ``job`` (0: it runs)."""
        with self._changed:
            return self._queue.index(job) + self._running if job in self._queue else 0

    @contextlib.contextmanager
    def slot(self, job: Job[Any]) -> Iterator[None]:
        """Wait for a free slot (reporting the queue), then hold it while inside."""
        with self._changed:
            self._queue.append(job)
            try:
                while self._queue[0] is not job or self._running >= self.limit:
                    ahead = self._queue.index(job) + self._running
                    job.report(
                        0.0,
                        f"Waiting: {ahead} {self.what} ahead of this one (this server "
                        f"runs {self.limit} at a time)…",
                    )
                    self._changed.wait(timeout=POLL_SECONDS)
            finally:
                self._queue.remove(job)
                self._changed.notify_all()
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()


def wait(job: Job[T], forget: Callable[[], None]) -> T:
    """The job's result, blocking until it is ready (a script or a test: never in a
    page's run, which must not wait: see :func:`result_of`).

    ``forget`` empties the cache that holds the job: called if the work failed, so
    that the next visit tries again instead of showing the same error for ever.
    """
    job.join()
    if job.failed():
        forget()
    return job.result()


@st.fragment(run_every=POLL_SECONDS)
def _follow(job: Job[Any]) -> None:
    """The job's progress bar, redrawn every :data:`POLL_SECONDS` by the browser's
    own timer (a short run of this fragment alone); once the job is done, the whole
    page runs again and shows its result."""
    if job.done():
        st.rerun()
    st.progress(job.fraction, text=job.text)


def result_of(
    cached_job: CachedFunc[P, Job[T]], *args: P.args, **kwargs: P.kwargs
) -> T:
    """The result of the cached job ``cached_job(*args, **kwargs)``, if it is done.

    If it is not, the job's progress bar is drawn and :class:`NotReady` raised: the
    view ends there (:func:`until_ready`), the run goes on with the rest of the page
    and ends at once, so a stroke on the canvas is never queued behind the job; the
    bar's fragment reruns the page when the job is done.

    If its work failed, that one job is forgotten (``cached_job.clear`` with the same
    arguments), the jobs cached for other arguments kept, and its error raised.
    """
    job = cached_job(*args, **kwargs)
    if not job.done():
        _follow(job)
        raise NotReady(job.text)
    if job.failed():
        cached_job.clear(*args, **kwargs)
    return job.result()
