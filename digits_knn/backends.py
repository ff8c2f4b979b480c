"""Where the drawings' SQL runs: an SQLite file (the default) or a PostgreSQL server.

:class:`digits_knn.store.DrawingStore` writes its SQL once, with ``?`` parameters and
explicit transactions on autocommit connections; a back end opens those connections,
says how a writer's transaction begins, and creates the tables in its own types.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: URL schemes of a PostgreSQL server.
POSTGRES_SCHEMES = ("postgresql", "postgres")

_SQLITE_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS drawings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE,
        label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
        features BLOB NOT NULL CHECK (length(features) = 64),
        bitmap BLOB NOT NULL CHECK (length(bitmap) = 128),
        png BLOB,
        created_at REAL NOT NULL,
        session_id TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('drawn', 'imported'))
    )""",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT INTO meta VALUES ('version', 0) ON CONFLICT DO NOTHING",
)

_POSTGRES_SCHEMA = (
    # Two servers creating the tables at once would collide in the catalogue: the
    # first takes this lock (until its transaction ends), the second then finds them.
    "SELECT pg_advisory_xact_lock(20241) ",
    """CREATE TABLE IF NOT EXISTS drawings (
        id BIGSERIAL PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
        features BYTEA NOT NULL CHECK (length(features) = 64),
        bitmap BYTEA NOT NULL CHECK (length(bitmap) = 128),
        png BYTEA,
        created_at DOUBLE PRECISION NOT NULL,
        session_id TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('drawn', 'imported'))
    )""",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    "INSERT INTO meta VALUES ('version', 0) ON CONFLICT DO NOTHING",
)


class LocationError(ValueError):
    """A drawings location that is neither a file path nor a PostgreSQL URL."""


def is_url(location: str) -> bool:
    """Whether ``location`` looks like a URL (``scheme://...``), not a file path."""
    return "://" in location


def display_location(location: str) -> str:
    """``location`` fit to show: a URL without its password.

    Examples
    --------
    >>> display_location("postgresql://ann:secret@db:5432/digits")
    'postgresql://ann@db:5432/digits'
    >>> display_location("data/drawings.sqlite3")
    'data/drawings.sqlite3'
    """
    if not is_url(location):
        return location
    parts = urlsplit(location)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


@dataclass(frozen=True)
class SQLiteBackend:
    """An SQLite file: WAL, ``synchronous=FULL``, writers queue on a busy timeout."""

    path: Path
    name = "sqlite"
    param = "?"
    begin_write = "BEGIN IMMEDIATE"  # the write lock at once: writers queue, no upgrade
    schema = _SQLITE_SCHEMA
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    @property
    def location(self) -> str:
        return str(self.path)

    def prepare(self) -> None:
        """Create the file's folder (before the first connection)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def connect(self, timeout: float) -> Any:
        conn = sqlite3.connect(
            self.path,
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,  # the version connection is used under a lock
        )
        try:
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def first_connection(self, conn: Any) -> None:
        conn.execute("PRAGMA journal_mode=WAL")


@dataclass(frozen=True)
class PostgresBackend:
    """A PostgreSQL server (psycopg 3); every server of a class may share it."""

    url: str
    name = "postgresql"
    param = "%s"
    begin_write = "BEGIN"
    schema = _POSTGRES_SCHEMA

    @property
    def location(self) -> str:
        return self.url

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        import psycopg

        return (psycopg.Error,)

    def prepare(self) -> None:
        """Nothing to create before connecting."""

    def connect(self, timeout: float) -> Any:
        import psycopg

        conn = psycopg.connect(
            self.url, autocommit=True, connect_timeout=max(2, round(timeout))
        )
        try:
            # Wait for another writer's row lock at most this long, as SQLite's
            # busy timeout; commits wait for the disk (the server's default).
            conn.execute(f"SET lock_timeout = {int(timeout * 1000)}")
            conn.execute("SET synchronous_commit = on")
        except psycopg.Error:
            conn.close()
            raise
        return conn

    def first_connection(self, conn: Any) -> None:
        """Nothing to set once per database."""


Backend = SQLiteBackend | PostgresBackend


def backend_for(location: str | os.PathLike[str]) -> Backend:
    """The back end of a drawings location: a ``postgresql://`` URL or a file path.

    Raises
    ------
    LocationError
        A URL of another scheme (``mysql://``, ``http://``, ...).
    """
    text = os.fspath(location)
    if not is_url(text):
        return SQLiteBackend(Path(text))
    scheme = text.split("://", 1)[0].lower()
    if scheme not in POSTGRES_SCHEMES:
        raise LocationError(
            f"{display_location(text)} is neither a file path nor a postgresql:// URL"
        )
    return PostgresBackend(text)
