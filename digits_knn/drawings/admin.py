"""The drawings' administrator: a person who signs in with a password, not a server switch.

The server keeps only a salted hash of the password (PBKDF2-HMAC-SHA256, in the form
``pbkdf2_sha256$<iterations>$<salt>$<hash>``, made by ``python -m digits_knn
admin-hash``). A try is compared in constant time. Tries are counted before the
password is checked, in the drawings' database where every server sees them
(:meth:`digits_knn.drawings.store.DrawingStore.claim_sign_in`): a few are free, then each waits
longer (:func:`wait_after`), never more than a minute, so guessing is slow and costs
little CPU, and strangers cannot lock the admin out for longer than that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

#: The hash's scheme name, the first field of an encoded hash.
SCHEME = "pbkdf2_sha256"
#: PBKDF2 rounds for new hashes (OWASP's 2023 advice for PBKDF2-HMAC-SHA256).
ITERATIONS = 600_000
#: Tries allowed without waiting per :data:`WINDOW` seconds, for every server at once.
FREE_TRIES = 5
#: How far back tries are counted (seconds).
WINDOW = 15 * 60.0
#: Longest wait after a try, however many were made: strangers guessing cannot lock
#: the admin out for longer than this (seconds).
MAX_WAIT = 60.0


class AdminConfigError(ValueError):
    """A configured password hash that cannot be used, with the reason."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(
    password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None
) -> str:
    """A salted hash of ``password`` to put in the secrets, as one string.

    Parameters
    ----------
    password : str, not empty
    iterations : int >= 1, default 600,000
    salt : bytes, optional
        16 random bytes unless given (give one only to reproduce a hash).

    Examples
    --------
    >>> encoded = hash_password("correct horse", iterations=1000)
    >>> encoded.startswith("pbkdf2_sha256$1000$"), verify_password("correct horse", encoded)
    (True, True)
    """
    if not password:
        raise ValueError("the password is empty")
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{SCHEME}${iterations}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` is the one ``encoded`` was made from (constant-time compare).

    Raises
    ------
    AdminConfigError
        ``encoded`` is not a hash made by :func:`hash_password`.
    """
    try:
        scheme, rounds, salt_b64, digest_b64 = encoded.strip().split("$")
        iterations = int(rounds)
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(digest_b64, validate=True)
    except ValueError:
        raise AdminConfigError(
            "the admin password hash is not in the form "
            f"{SCHEME}$<iterations>$<salt>$<hash>; make one with "
            "`python -m digits_knn admin-hash`"
        ) from None
    if scheme != SCHEME or iterations < 1 or not salt or not expected:
        raise AdminConfigError(
            f"the admin password hash must be {SCHEME} with iterations >= 1"
        )
    tried = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return hmac.compare_digest(tried, expected)


def wait_after(tries: list[float], now: float) -> float:
    """Seconds until the next sign-in try is allowed, given the recent ones.

    Every try counts, right or wrong (it is counted before the password is checked,
    so sessions trying at once cannot each slip one past the limit). The first
    :data:`FREE_TRIES` in :data:`WINDOW` seconds wait for nothing; after that each
    waits twice as long after the last try as the one before, at most
    :data:`MAX_WAIT`.

    Parameters
    ----------
    tries : list of float
        When the tries of the last :data:`WINDOW` seconds were made (any order).
    now : float

    Examples
    --------
    >>> wait_after([0.0] * 4, now=0.0), wait_after([0.0] * 5, now=0.0)
    (0.0, 1.0)
    >>> wait_after([0.0] * 7, now=1.0), wait_after([0.0] * 50, now=30.0)
    (3.0, 30.0)
    """
    recent = [t for t in tries if t > now - WINDOW]
    if len(recent) < FREE_TRIES:
        return 0.0
    delay = min(MAX_WAIT, 2.0 ** (len(recent) - FREE_TRIES))
    return max(0.0, max(recent) + delay - now)


class SignInLimiter:
    """The sign-in tries of one server (:func:`wait_after`), for when the drawings'
    database, which counts them for every server, cannot be reached.

    Thread-safe; one instance is shared by every session. Time is ``time.time``
    unless the caller passes ``now`` (tests).

    Examples
    --------
    >>> limiter = SignInLimiter()
    >>> [limiter.claim(now=0.0) for _ in range(6)]
    [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    """

    def __init__(self) -> None:
        self._tries: deque[float] = deque()
        self._lock = threading.Lock()

    def claim(self, *, now: float | None = None) -> float:
        """Count a try before its password is checked: 0 if it may go ahead, else
        how many seconds to wait (and the try is not counted)."""
        now = time.time() if now is None else now
        with self._lock:
            while self._tries and self._tries[0] <= now - WINDOW:
                self._tries.popleft()
            wait = wait_after(list(self._tries), now)
            if wait == 0:
                self._tries.append(now)
            return wait

    def succeeded(self) -> None:
        """The admin signed in: the count starts over."""
        with self._lock:
            self._tries.clear()
