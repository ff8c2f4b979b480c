"""Where the drawings' SQL runs: an SQLite file (the default) or a PostgreSQL server.

:class:`digits_knn.drawings.store.DrawingStore` writes its SQL once, with ``?`` parameters and
explicit transactions on autocommit connections; a back end opens those connections,
says how a writer's transaction begins, and creates the tables in its own types.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

#: TCP keepalives on PostgreSQL connections: first probe after this many idle seconds,
#: then one every interval; the connection is dropped after this many unanswered.
KEEPALIVE_IDLE = 10
KEEPALIVE_INTERVAL = 5
KEEPALIVE_COUNT = 3
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
    """CREATE TABLE IF NOT EXISTS sign_in_tries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL
    )""",
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
    """CREATE TABLE IF NOT EXISTS sign_in_tries (
        id BIGSERIAL PRIMARY KEY,
        at DOUBLE PRECISION NOT NULL
    )""",
)


class LocationError(ValueError):
    """A drawings location that is neither a file path nor a usable PostgreSQL URL.

    Its message never holds the URL's password.
    """


def is_url(location: str) -> bool:
    """Whether ``location`` looks like a URL (``scheme://...``), not a file path."""
    return "://" in location


def _password_forms(location: str) -> set[str]:
    """The password of a URL as it may appear in a message: as written, and decoded.

    Read from the text itself (between ``user:`` and the last ``@`` of the part before
    the path), so that it is found even in a URL that cannot be parsed.
    """
    forms: set[str] = set()
    rest = location.split("://", 1)[-1]
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    userinfo = authority.rsplit("@", 1)[0] if "@" in authority else ""
    if ":" in userinfo:
        written = userinfo.split(":", 1)[1]
        forms |= {written, unquote(written)}
    for param in rest.split("?", 1)[1].split("&") if "?" in rest else ():
        key, _, value = param.partition("=")
        if key == "password":  # a password given as a parameter
            forms |= {value, unquote(value)}
    return {form for form in forms if form}


def redact(text: str, location: str) -> str:
    """``text`` with the password of ``location`` (a URL) replaced by ``***``.

    Examples
    --------
    >>> redact('invalid percent-encoded token: "s3cr%zzet"',
    ...        "postgresql://ann:s3cr%zzet@host/db")
    'invalid percent-encoded token: "***"'
    """
    for form in sorted(_password_forms(location), key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def parse_postgres_url(url: str) -> dict[str, str]:
    """A PostgreSQL URL's connection parameters, read by libpq's rules (psycopg's
    ``conninfo_to_dict``), each port checked.

    Raises
    ------
    LocationError
        A URL libpq cannot read (a bad percent escape, an unclosed IPv6 bracket) or a
        port that is not a number 1..65535; the message holds no password.
    """
    from psycopg import Error
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    except Error as exc:
        reason = redact(
            str(exc).strip().splitlines()[0] if str(exc).strip() else "", url
        )
        raise LocationError(f"the PostgreSQL URL cannot be read: {reason}") from None
    for port in params.get("port", "").split(","):
        if port and not (port.isdigit() and 1 <= int(port) <= 65535):
            raise LocationError(
                f"the PostgreSQL URL's port {port!r} is not a number 1..65535"
            )
    return params


def display_location(location: str) -> str:
    """``location`` fit to show an admin: a URL without its password.

    Examples
    --------
    >>> display_location("postgresql://ann:secret@db:5432/digits")
    'postgresql://ann@db:5432/digits'
    >>> display_location("data/drawings.sqlite3")
    'data/drawings.sqlite3'
    """
    if not is_url(location):
        return location
    scheme = location.split("://", 1)[0].lower()
    try:
        params = parse_postgres_url(location)
    except LocationError:
        return f"{scheme}://(a URL that cannot be read)"
    user = f"{params['user']}@" if params.get("user") else ""
    port = f":{params['port']}" if params.get("port") else ""
    return f"{scheme}://{user}{params.get('host', '')}{port}/{params.get('dbname', '')}"


@dataclass(frozen=True)
class SQLiteBackend:
    """An SQLite file: WAL, ``synchronous=FULL``, writers queue on a busy timeout."""

    path: Path
    name = "sqlite"
    param = "?"
    begin_write = "BEGIN IMMEDIATE"  # the write lock at once: writers queue, no upgrade
    #: Run first in a transaction that must see and change a table alone.
    serialize = "SELECT 1"  # BEGIN IMMEDIATE already does
    schema = _SQLITE_SCHEMA
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def display(self) -> str:
        return str(self.path)

    def redact(self, text: str) -> str:
        """Nothing secret in a file path."""
        return text

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
    serialize = "SELECT pg_advisory_xact_lock(20242)"
    schema = _POSTGRES_SCHEMA

    @property
    def location(self) -> str:
        return self.url

    @property
    def display(self) -> str:
        return display_location(self.url)

    def redact(self, text: str) -> str:
        """``text`` without the URL's password."""
        return redact(text, self.url)

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        import psycopg

        return (psycopg.Error,)

    def prepare(self) -> None:
        """Nothing to create before connecting."""

    def connect(self, timeout: float) -> Any:
        import psycopg

        conn = psycopg.connect(
            self.url,
            autocommit=True,
            connect_timeout=max(2, round(timeout)),
            # A server that stops answering (a cut network, a frozen host) is given
            # up on by the kernel: keepalive probes on an idle connection, and a
            # limit on data left unacknowledged while a query is sent.
            keepalives=1,
            keepalives_idle=KEEPALIVE_IDLE,
            keepalives_interval=KEEPALIVE_INTERVAL,
            keepalives_count=KEEPALIVE_COUNT,
            tcp_user_timeout=max(1000, int(timeout * 1000)),
        )
        try:
            # Wait for another writer's row lock, or for any one statement, at most
            # this long, as SQLite's busy timeout; commits wait for the disk.
            conn.execute(f"SET lock_timeout = {int(timeout * 1000)}")
            conn.execute(f"SET statement_timeout = {int(timeout * 1000)}")
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
            f"a {scheme}:// URL is neither a file path nor a postgresql:// URL"
        )
    parse_postgres_url(text)
    return PostgresBackend(text)
