"""The drawings' administrator: a person who signs in with a password, not a server switch.

The server keeps only a salted hash of the password (PBKDF2-HMAC-SHA256, in the form
``pbkdf2_sha256$<iterations>$<salt>$<hash>``, made by ``python -m digits_knn
admin-hash``). A try is compared in constant time, and :class:`SignInLimiter` allows a
few wrong tries per minute for the whole server, so guessing is slow for everyone.
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
#: Wrong passwords allowed per :data:`WINDOW` seconds, for the whole server.
MAX_FAILURES = 5
WINDOW = 60.0


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


class SignInLimiter:
    """At most ``max_failures`` wrong passwords per ``window`` seconds, server-wide.

    Thread-safe; one instance is shared by every session. Time is ``time.monotonic``
    unless the caller passes ``now`` (tests).

    Examples
    --------
    >>> limiter = SignInLimiter(max_failures=2, window=60)
    >>> limiter.failed(now=0.0); limiter.failed(now=1.0)
    >>> limiter.wait_seconds(now=30.0), limiter.wait_seconds(now=61.0)
    (30.0, 0.0)
    """

    def __init__(
        self, *, max_failures: int = MAX_FAILURES, window: float = WINDOW
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: deque[float] = deque()
        self._lock = threading.Lock()

    def _forget_old(self, now: float) -> None:
        while self._failures and self._failures[0] <= now - self.window:
            self._failures.popleft()

    def wait_seconds(self, *, now: float | None = None) -> float:
        """0 if a try is allowed now, else how long until the next one is."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._forget_old(now)
            if len(self._failures) < self.max_failures:
                return 0.0
            return self._failures[0] + self.window - now

    def failed(self, *, now: float | None = None) -> None:
        """Count one wrong password."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._forget_old(now)
            self._failures.append(now)
