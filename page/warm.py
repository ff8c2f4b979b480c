"""A fresh server gets ready for its first stroke in the background.

A server's first visitor sees the canvas about a second before the run that sent it
has loaded the library and the training digits, and may draw at once. What the first
stroke's answer needs beyond that run (the digit check's reference digits and networks,
the image code of SciPy) is loaded here, on a thread of its own started as soon as
the canvas is out, so that the stroke finds it ready instead of loading it. Nothing
waits for this thread: a run that needs something before it is ready loads it
itself (the caches hold one copy whoever loads it first).
"""

from __future__ import annotations

import logging
import threading

_started = threading.Event()
logger = logging.getLogger("digits_knn.page")


def _load() -> None:
    try:
        from digits_knn.features import shapes  # noqa: F401 - SciPy's image code, imported once
        from page import cache

        cache.digit_detector()
    except Exception:  # the runs that need it will load it and report the error
        logger.exception("warming up the server failed")


def warm_up() -> None:
    """Start the warm-up thread, once per server process (later calls do nothing)."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_load, name="digits-knn warm-up", daemon=True).start()
