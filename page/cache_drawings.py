"""The users' drawings as the page sees them: the shared store (opened once per
location, not retried for a while after it failed), the admin's password hash and
sign-in limiter, and the drawings read as training digits once per version of the
database."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from digits_knn.drawings import config
from digits_knn.drawings.admin import SignInLimiter
from digits_knn.drawings.config import ConfigError
from digits_knn.drawings.database import (
    READ_TIMEOUT,
    UNAVAILABLE,
    StoreUnavailableError,
)
from digits_knn.drawings.store import DrawingStore, UserDigits

if TYPE_CHECKING:
    pass

logger = logging.getLogger("digits_knn.page")


def admin_password_hash() -> str | None:
    """The admin password's hash (:func:`digits_knn.drawings.config.admin_password_hash`);
    None if no admin is configured or the secrets cannot be read (then nobody can
    sign in, and :func:`drawings` reports the broken file)."""
    try:
        return config.admin_password_hash()
    except ConfigError:
        return None


@st.cache_resource(show_spinner=False)
def sign_in_limiter() -> SignInLimiter:
    """This server's count of wrong admin passwords, for when the drawings' database
    (which counts them for every server) is unavailable."""
    return SignInLimiter()


@st.cache_resource(show_spinner=False)
def drawing_store(location: str) -> DrawingStore:
    """The shared store of user drawings (safe to share: a connection per call).

    Raises
    ------
    StoreUnavailableError
        The store cannot be opened; nothing is cached, so a later run tries again.
    """
    return DrawingStore(location, timeout=READ_TIMEOUT)


#: After the store failed, runs within this many seconds do not try it again: a
#: locked database would otherwise hold every stroke of every user for the timeout.
RETRY_AFTER = 10.0


_failures: dict[str, tuple[float, str]] = {}


_failures_lock = threading.Lock()


@dataclass(frozen=True)
class Drawings:
    """The users' drawings as this run sees them.

    Attributes
    ----------
    location : where the store is (a path or a URL; never shown to a visitor)
    store : the store, or None if it cannot be used
    version : its version (changes with every change), or None if unavailable
    problem : the details of why the drawings are unavailable (for the admin and
        the server log; the password of a URL removed); None if they are fine
    """

    location: str
    store: DrawingStore | None
    version: int | None
    problem: str | None

    def problem_for(self, *, admin: bool) -> str | None:
        """``problem`` as this user may read it: the details for the admin only; a
        visitor learns that the drawings are unavailable, nothing of the server."""
        if self.problem is None or admin:
            return self.problem
        return UNAVAILABLE.capitalize() + "."


#: For training data that leaves the users' drawings out.
NO_DRAWINGS = Drawings("", None, None, None)


def drawings() -> Drawings:
    """Open the store and read its version; a broken store is reported, not raised.

    The page must keep drawing and predicting from the shipped digits when the
    drawings' database cannot be opened, read or written, or its settings (the
    secrets file) cannot be read.
    """
    try:
        location = config.drawings_location()
    except ConfigError as exc:
        logger.warning("drawings database: %s", exc)
        return Drawings("", None, None, str(exc))
    with _failures_lock:
        failed = _failures.get(location)
    if failed is not None and time.monotonic() - failed[0] < RETRY_AFTER:
        return Drawings(location, None, None, failed[1])
    try:
        store = drawing_store(location)
        version = store.version()
    except StoreUnavailableError as exc:
        with _failures_lock:
            _failures[location] = (time.monotonic(), exc.detail)
        return Drawings(location, None, None, exc.detail)
    with _failures_lock:
        _failures.pop(location, None)
    return Drawings(location, store, version, None)


@st.cache_resource(show_spinner=False, max_entries=4)
def user_digits(location: str, version: int, _store: DrawingStore) -> UserDigits:
    """Every drawing in the store at ``location``, read at ``version``."""
    return _store.training_digits()
