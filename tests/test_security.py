"""The security review's findings on the drawings' database and the server's settings,
one test each (each failed before its fix): secrets stay secret, every wait is
bounded, a broken setting is an error, not a silent fallback."""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from digits_knn.commands.cli import main
from digits_knn.datasets.training import USER_SOURCE
from digits_knn.drawings import config
from digits_knn.drawings.backends import display_location, parse_postgres_url
from digits_knn.drawings.config import ConfigError
from digits_knn.drawings.database import UNAVAILABLE, StoreUnavailableError
from digits_knn.drawings.store import DrawingStore
from page.cache_drawings import Drawings

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "s3cr%zzet"
BITMAP = np.eye(32, dtype=bool)

#: Malformed or unusable URLs, each holding a password that must never be shown.
BAD_URLS = [
    f"postgresql://ann:{PASSWORD}@127.0.0.1/db",  # a malformed percent escape
    "postgresql://ann:hunter2secret@127.0.0.1:abc/db",  # a port that is no number
    "postgresql://ann:hunter2secret@127.0.0.1:99999/db",  # out of range
    "postgres://ann:hunter2secret@[::1:5432/db",  # an unclosed IPv6 bracket
    "postgresql://ann:hunter2secret@127.0.0.1:1/db",  # nobody listens there
    "postgresql://ann:hunter2secret@127.0.0.1:1/db?bogus_option=1",
    "postgresql://ann:hunter2secret@127.0.0.1:1/db?sslmode=hunter2secret",
    "postgresql://ann:p%40hunter2secret@127.0.0.1:1/db",  # an escaped @
    "mysql://ann:hunter2secret@127.0.0.1/db",  # another database
    "postgresql://ann@127.0.0.1:1/db?password=hunter2secret&sslmode=hunter2secret",
]


def _secrets_of(url: str) -> list[str]:
    return ["hunter2secret", "s3cr%zzet", "s3cr", "p@hunter2secret"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_bad_url_never_shows_its_password(url: str) -> None:
    with pytest.raises(StoreUnavailableError) as info:
        DrawingStore(url, timeout=1)
    error = info.value
    assert str(error) == UNAVAILABLE  # what a visitor may read
    for secret in _secrets_of(url):
        assert secret not in error.detail
        assert secret not in display_location(url)
    problem = Drawings(url, None, None, error.detail)
    assert problem.problem_for(admin=False) == UNAVAILABLE.capitalize() + "."
    assert "ann" not in str(problem.problem_for(admin=False))


def test_the_percent_escape_error_is_redacted_but_kept_for_the_admin() -> None:
    """The driver's own message named the password: 'invalid percent-encoded token:
    "s3cr%zzet"'. The admin still learns what is wrong."""
    with pytest.raises(StoreUnavailableError) as info:
        DrawingStore(f"postgresql://ann:{PASSWORD}@host/db")
    assert "percent-encoded" in info.value.detail
    assert PASSWORD not in info.value.detail


def test_a_port_that_is_no_number_is_an_error_not_a_traceback() -> None:
    """urlsplit's .port raised ValueError (a traceback on every run)."""
    assert display_location("postgresql://ann:pw@db:abc/x") == (
        "postgresql://(a URL that cannot be read)"
    )
    with pytest.raises(StoreUnavailableError) as info:
        DrawingStore("postgresql://ann:pw@db:abc/x")
    assert "port 'abc'" in info.value.detail


def test_urls_are_read_by_libpq_rules() -> None:
    params = parse_postgres_url(
        "postgresql://ann:p%40ss@db:5433/digits?sslmode=require"
    )
    assert params == {
        "user": "ann",
        "password": "p@ss",
        "host": "db",
        "port": "5433",
        "dbname": "digits",
        "sslmode": "require",
    }
    assert display_location("postgresql://ann:p%40ss@db:5433/digits") == (
        "postgresql://ann@db:5433/digits"
    )


def test_the_cli_names_the_problem_without_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["drawings", "count", "--db", BAD_URLS[0]]) == 1
    err = capsys.readouterr().err
    assert "percent-encoded" in err
    assert PASSWORD not in err


@pytest.mark.parametrize("url", BAD_URLS[:3])
def test_the_page_shows_a_visitor_no_password_and_no_traceback(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.views.apptest import start

    monkeypatch.setenv("DIGITS_KNN_DB", url)
    at = start(None, view="my_drawings")
    at.radio(key="source").set_value(USER_SOURCE).run()
    assert not at.exception
    shown = " ".join(str(e.value) for e in [*at.error, *at.sidebar.error])
    assert "unavailable" in shown
    assert not re.search("hunter2|s3cr|ann@|ann:", shown)


# --- settings -----------------------------------------------------------------------


def test_a_broken_secrets_file_is_an_error_not_a_silent_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo in secrets.toml made a server quietly use a local SQLite file: two
    servers of one class could write to two databases."""
    monkeypatch.delenv("DIGITS_KNN_DB", raising=False)
    folder = tmp_path / ".streamlit"
    folder.mkdir()
    (folder / "secrets.toml").write_text('drawings_db = "postgresql://x:pw@db/d\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.drawings_location([folder])
    (folder / "secrets.toml").write_text("drawings_db = 5\n")
    with pytest.raises(ConfigError, match="must be a string"):
        config.drawings_location([folder])
    (folder / "secrets.toml").write_text('drawings_db = "/srv/d.sqlite3"\n')
    assert config.drawings_location([folder]) == "/srv/d.sqlite3"
    monkeypatch.setenv("DIGITS_KNN_DB", "/env/wins.sqlite3")
    (folder / "secrets.toml").write_text("broken = \n")
    assert config.drawings_location([folder]) == "/env/wins.sqlite3"


def test_the_page_and_the_cli_resolve_the_same_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """store.py read the TOML itself, the page used st.secrets: one place now."""
    from tests.views.apptest import start

    monkeypatch.delenv("DIGITS_KNN_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".streamlit").mkdir()
    db = tmp_path / "from-secrets.sqlite3"
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f'drawings_db = "{db}"\n')
    DrawingStore(db).add(5, BITMAP, session_id="x")
    assert main(["drawings", "count", "--json"]) == 0
    assert '"count": 1' in capsys.readouterr().out
    at = start(None, view="my_drawings")
    assert any("1 drawing on this server" in c.value for c in at.caption)
    (tmp_path / ".streamlit" / "secrets.toml").write_text("drawings_db = \n")
    assert main(["drawings", "count"]) == 1
    assert "not valid TOML" in capsys.readouterr().err
    broken = start(None, view="my_drawings")
    assert not broken.exception
    assert any("unavailable" in e.value for e in broken.error)


def test_gitignore_keeps_the_secrets_out_of_git() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".streamlit/secrets.toml" in ignored


def test_the_readme_puts_no_password_on_a_command_line() -> None:
    """A password on a command line lands in the shell's history and in ps."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh|console)?\n(.*?)```", readme, flags=re.S)
    for block in blocks:
        for line in block.splitlines():
            if line.lstrip().startswith("#"):
                continue
            assert not re.search(r"postgres(ql)?://[^:/@\s]+:[^@\s]+@", line), line


# --- bounded waits ------------------------------------------------------------------


def test_a_full_disk_reports_itself_not_a_failed_rollback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite rolls back by itself on SQLITE_FULL: the store's own ROLLBACK then failed
    with 'cannot rollback - no transaction is active', hiding the real error."""
    store = DrawingStore(tmp_path / "d.sqlite3")
    real = store.backend.connect

    def small_disk(timeout: float) -> Any:
        conn = real(timeout)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(type(store.backend), "connect", lambda self, t: small_disk(t))
    with pytest.raises(StoreUnavailableError) as info:
        store.add(3, BITMAP, session_id="x", png=bytes(200_000))
    assert "full" in info.value.detail
    assert "rollback" not in info.value.detail


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def add_while_locked(store: DrawingStore) -> StoreUnavailableError:
    """Add a drawing to a store whose database another program has locked: the error
    it gives up with, within 20 s (the store's timeout; before the fix, 60 s)."""
    outcome: list[BaseException | int] = []

    def add() -> None:
        try:
            outcome.append(store.add(3, BITMAP, session_id="x"))
        except StoreUnavailableError as exc:
            outcome.append(exc)

    writer = threading.Thread(target=add)
    writer.start()
    writer.join(timeout=20)
    assert not writer.is_alive(), "the write waited past 20 s"
    assert isinstance(outcome[0], StoreUnavailableError)
    return outcome[0]


def test_the_timeout_given_is_honoured_by_every_write(tmp_path: Path) -> None:
    """The page passes 2 s; adds and deletes waited the default 60 s for a lock."""
    path = tmp_path / "d.sqlite3"
    store = DrawingStore(path, timeout=0.5)
    holder = _hold_write_lock(path)
    try:
        error = add_while_locked(store)
    finally:
        holder.rollback()
        holder.close()
    assert "locked" in error.detail


class _Blocking:
    """A connection whose first query waits until released (a stalled server)."""

    def __init__(self, release: threading.Event, entered: threading.Event) -> None:
        self.release, self.entered = release, entered

    def execute(self, *_: Any) -> Any:
        self.entered.set()
        self.release.wait(timeout=30)
        raise sqlite3.OperationalError("the server went away")

    def close(self) -> None:
        pass


def test_one_stalled_read_does_not_hold_every_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """version() held a process-wide lock during its query: one stalled read froze
    every session's next stroke."""
    store = DrawingStore(tmp_path / "d.sqlite3")
    release, entered = threading.Event(), threading.Event()
    real = store.backend.connect
    handed = []

    def connect(timeout: float) -> Any:
        if not handed:
            handed.append(1)
            return _Blocking(release, entered)
        return real(timeout)

    monkeypatch.setattr(type(store.backend), "connect", lambda self, t: connect(t))

    def read() -> None:
        with pytest.raises(StoreUnavailableError):
            store.version()

    stalled = threading.Thread(target=read)
    stalled.start()
    assert entered.wait(timeout=10)
    try:
        assert store.version() == 0  # answered while the other read is stuck
    finally:
        release.set()
        stalled.join(timeout=10)
    assert store.version() == 0


def test_postgresql_connections_bound_every_statement_and_probe_the_server(
    postgres_url: str,
) -> None:
    from tests.conftest import create_database, drop_database

    url = create_database(postgres_url)
    try:
        store = DrawingStore(url, timeout=1.5)
        with store._connect() as conn:
            assert conn.execute("SHOW statement_timeout").fetchone()[0] == "1500ms"
            assert conn.execute("SHOW lock_timeout").fetchone()[0] == "1500ms"
            params = conn.info.get_parameters()
            assert params["keepalives"] == "1"
            assert int(params["tcp_user_timeout"]) == 1500
        import psycopg

        # Another program holds the table: a write waits at most the timeout.
        with psycopg.connect(url, autocommit=True) as holder:
            holder.execute("BEGIN")
            holder.execute("LOCK TABLE drawings IN ACCESS EXCLUSIVE MODE")
            try:
                error = add_while_locked(store)
            finally:
                holder.execute("ROLLBACK")
        assert "timeout" in error.detail
        store.close()
    finally:
        drop_database(postgres_url, url)
