"""The drawings' database underneath the store: opening SQLite or PostgreSQL through
:mod:`digits_knn.drawings.backends`, one connection per piece of work, transactions
that queue instead of failing, the version number every app server keys its model on,
and the admin's sign-in tries counted in the database (so every server shares them).
Errors become :class:`StoreUnavailableError`, whose text tells a visitor nothing of
the server.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from digits_knn.drawings.admin import WINDOW, wait_after
from digits_knn.drawings.backends import LocationError, SQLiteBackend, backend_for

#: How long a writer waits for another's transaction before giving up (seconds).
BUSY_TIMEOUT = 60.0
#: How long the version check waits for a locked database (seconds).
READ_TIMEOUT = 2.0
#: Idle connections kept for :meth:`DrawingStore.version`, at most.
MAX_IDLE_CONNECTIONS = 4
#: What a visitor is told when the database fails: nothing of the server's.
UNAVAILABLE = "the drawings' database is unavailable right now"

logger = logging.getLogger(__name__)


class StoreError(ValueError):
    """A drawing or a file the store refuses, with a message for the user."""


class StoreLimitError(StoreError):
    """More drawings than the store keeps, in all or from one visit."""


class StoreUnavailableError(StoreError):
    """The database cannot be opened, read or written.

    ``str(error)`` is :data:`UNAVAILABLE`, fit for any visitor; :attr:`detail` says
    what failed and where (the location without its password, the driver's first
    line with the password removed), for the server's log, the command line and a
    signed-in admin.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(UNAVAILABLE)
        self.detail = detail


def _first_line(exc: BaseException) -> str:
    """An error's message without the server's multi-line detail."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Database:
    """The drawings' database: connections, transactions and the version number
    (:class:`digits_knn.drawings.store.DrawingStore` is what the app and the command
    line use).

    One instance may be shared by threads (each piece of work opens its own
    connection); any number of processes, or app servers, may use the same database.

    Parameters
    ----------
    location : str or path
        A file path (SQLite; its folder is created if missing) or a
        ``postgresql://user:password@host:port/database`` URL. The tables are created
        if missing.
    timeout : float, default 60
        How long a writer waits for another's lock, and opening for a locked database
        or a server to answer (seconds).

    Raises
    ------
    StoreError
        A location that is neither a path nor a PostgreSQL URL, a folder that cannot be
        created, a server that cannot be reached or refuses the credentials, or a file
        that cannot be opened as this store.
    """

    def __init__(
        self, location: str | os.PathLike[str], *, timeout: float = BUSY_TIMEOUT
    ) -> None:
        try:
            self.backend = backend_for(location)
        except LocationError as exc:
            logger.warning("drawings database: %s", exc)
            raise StoreUnavailableError(str(exc)) from None
        #: Where the drawings are, fit to show an admin (a URL without its password).
        self.location = self.backend.display
        #: The SQLite file, or None on PostgreSQL.
        self.path = (
            self.backend.path if isinstance(self.backend, SQLiteBackend) else None
        )
        #: How long any piece of work waits for a lock or a server (seconds).
        self.timeout = float(timeout)
        # Idle connections for version(): taken and given back without a lock held
        # during a query, so one slow read never queues the other sessions' reads.
        self._idle: list[Any] = []
        self._idle_lock = threading.Lock()
        try:
            self.backend.prepare()
        except OSError as exc:
            raise self._unavailable(
                f"cannot create the folder of {self.location}: {exc.strerror}"
            ) from None
        with self._connect() as conn:
            self.backend.first_connection(conn)
            with self._transaction(conn):
                for statement in self.backend.schema:
                    conn.execute(statement)

    def _unavailable(self, detail: str) -> StoreUnavailableError:
        """The error for a failed database, its detail logged (password removed)."""
        detail = self.backend.redact(detail)
        logger.warning("drawings database: %s", detail)
        return StoreUnavailableError(detail)

    def _sql(self, statement: str) -> str:
        """``statement`` with the back end's parameter marks for its ``?``."""
        return statement.replace("?", self.backend.param)

    @contextmanager
    def _connect(self, *, timeout: float | None = None) -> Iterator[Any]:
        """A connection for one piece of work; a database error becomes a
        :class:`StoreUnavailableError` (a visitor reads only that it is unavailable).

        ``timeout``: how long to wait for another writer's lock, a statement or the
        server (seconds; default: the store's). Readers are not blocked by writers
        (SQLite's WAL, PostgreSQL's snapshots).
        """
        try:
            conn = self.backend.connect(self.timeout if timeout is None else timeout)
        except self.backend.errors as exc:
            raise self._unavailable(
                f"cannot open the database {self.location}: {_first_line(exc)}"
            ) from None
        try:
            yield conn
        except self.backend.errors as exc:
            raise self._unavailable(
                f"the database {self.location} failed: {_first_line(exc)}"
            ) from None
        finally:
            with suppress(*self.backend.errors):
                conn.close()

    @contextmanager
    def _transaction(self, conn: Any) -> Iterator[None]:
        # SQLite's BEGIN IMMEDIATE takes the write lock at once, so two writers queue
        # on the busy timeout instead of failing on a lock upgrade in the middle.
        conn.execute(self.backend.begin_write)
        try:
            yield
        except BaseException:
            # SQLite may have rolled back already (a full disk, an interrupted
            # statement): a second ROLLBACK would fail and hide the real error.
            with suppress(*self.backend.errors):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @staticmethod
    def _bump(conn: Any) -> None:
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")

    def version(self) -> int:
        """A number that changes with every change to the drawings.

        Read on every prediction, so it keeps idle connections for it (opening one
        costs more than the read), one per session reading at the same moment; no
        lock is held while a query runs. It waits at most :data:`READ_TIMEOUT` (or
        the store's timeout, if shorter) for a locked database or a server that does
        not answer before raising :class:`StoreUnavailableError`; a broken connection
        is dropped. The version is the database's, so every app server sharing a
        PostgreSQL database sees a drawing another one added at its next read.
        """
        with self._idle_lock:
            conn = self._idle.pop() if self._idle else None
        try:
            if conn is None:
                conn = self.backend.connect(min(READ_TIMEOUT, self.timeout))
            row = conn.execute(
                "SELECT value FROM meta WHERE key = 'version'"
            ).fetchone()
        except self.backend.errors as exc:
            if conn is not None:
                with suppress(*self.backend.errors):
                    conn.close()
            raise self._unavailable(
                f"the database {self.location} failed: {_first_line(exc)}"
            ) from None
        with self._idle_lock:
            keep = len(self._idle) < MAX_IDLE_CONNECTIONS
            if keep:
                self._idle.append(conn)
        if not keep:
            with suppress(*self.backend.errors):
                conn.close()
        return int(row[0])

    def close(self) -> None:
        """Close the idle connections kept for :meth:`version` (others close after
        use)."""
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            with suppress(*self.backend.errors):
                conn.close()

    def __del__(self) -> None:  # a forgotten store does not leave a connection open
        with suppress(Exception):
            self.close()

    def claim_sign_in(self, *, now: float | None = None) -> float:
        """Count an admin sign-in try before its password is checked, for every
        server sharing this database (:func:`digits_knn.drawings.admin.wait_after`).

        Returns
        -------
        float
            0 if the try may go ahead (it is counted), else the seconds to wait (it
            is not counted).
        """
        now = time.time() if now is None else now
        with self._connect() as conn, self._transaction(conn):
            conn.execute(self.backend.serialize)
            conn.execute(
                self._sql("DELETE FROM sign_in_tries WHERE at <= ?"), (now - WINDOW,)
            )
            tries = [float(r[0]) for r in conn.execute("SELECT at FROM sign_in_tries")]
            wait = wait_after(tries, now)
            if wait == 0:
                conn.execute(
                    self._sql("INSERT INTO sign_in_tries (at) VALUES (?)"), (now,)
                )
        return wait

    def sign_in_succeeded(self) -> None:
        """The admin signed in: the count of tries starts over."""
        with self._connect() as conn:
            conn.execute("DELETE FROM sign_in_tries")
