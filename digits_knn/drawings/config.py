"""Where the server's settings come from: the environment, then the secrets, then defaults.

The page and the command line resolve the drawings' database and the admin password
here, the same way: ``$DIGITS_KNN_DB`` / ``$DIGITS_KNN_ADMIN_HASH`` first, then
``drawings_db`` / ``admin_password_hash`` in Streamlit's ``secrets.toml``
(``./.streamlit/`` first, then ``~/.streamlit/``, as Streamlit reads them), then the
default (a local SQLite file; no admin). A secrets file that exists but cannot be read
is an error (:class:`ConfigError`), never a silent fallback: two servers of one class
must not end up writing to two different databases because one of them has a typo in
its secrets.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Environment variable holding the drawings' location (a path or a PostgreSQL URL).
DB_ENV = "DIGITS_KNN_DB"
#: Environment variable holding the admin password's hash (wins over the secrets).
ADMIN_HASH_ENV = "DIGITS_KNN_ADMIN_HASH"
#: The secrets' keys.
DB_SECRET = "drawings_db"
ADMIN_HASH_SECRET = "admin_password_hash"
#: The repository a source checkout runs from (the folder holding ``pyproject.toml``).
_CHECKOUT = Path(__file__).resolve().parents[2]
DB_FILE = "drawings.sqlite3"


class ConfigError(ValueError):
    """A settings file that exists but cannot be used; the message says which and why.

    It names a file of the server's, so the page shows it to a signed-in admin and
    the server log only; a visitor is told that the drawings are unavailable.
    """


def secrets_folders() -> tuple[Path, ...]:
    """The folders whose ``secrets.toml`` is read, the first found winning per key."""
    return (Path.cwd() / ".streamlit", Path.home() / ".streamlit")


def read_secrets(folders: Sequence[Path] | None = None) -> dict[str, Any]:
    """The keys of every ``secrets.toml`` in ``folders`` (earlier folders win).

    Raises
    ------
    ConfigError
        A secrets file that exists but cannot be read or is not valid TOML (its path
        and TOML's line and column; never the file's content).
    """
    merged: dict[str, Any] = {}
    for folder in reversed(tuple(folders or secrets_folders())):
        path = folder / "secrets.toml"
        if not path.exists():
            continue
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ConfigError(f"{path} cannot be read: {reason}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return merged


def default_db_path(package_root: Path = _CHECKOUT) -> Path:
    """Where the drawings live unless told otherwise.

    ``$DIGITS_KNN_DB`` if set; else, in a source checkout (``package_root`` holds
    ``pyproject.toml``), ``data/drawings.sqlite3`` in the repository; else (the package
    installed, in site-packages, which is no place for a user's data)
    ``$XDG_DATA_HOME/digits-knn/drawings.sqlite3``, by default under
    ``~/.local/share``.
    """
    configured = os.environ.get(DB_ENV)
    if configured:
        return Path(configured)
    if (package_root / "pyproject.toml").is_file():
        return package_root / "data" / DB_FILE
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "digits-knn" / DB_FILE


def _setting(env: str, secret: str, folders: Sequence[Path] | None) -> str | None:
    value = os.environ.get(env)
    if value:
        return value
    found = read_secrets(folders).get(secret)
    if found is None or found == "":
        return None
    if not isinstance(found, str):
        raise ConfigError(f"{secret} in secrets.toml must be a string")
    return found


def drawings_location(folders: Sequence[Path] | None = None) -> str:
    """The drawings' database: ``$DIGITS_KNN_DB``, else ``drawings_db`` in the
    secrets, else :func:`default_db_path`'s file.

    Raises
    ------
    ConfigError
        A secrets file that cannot be read (when the environment does not decide).
    """
    return _setting(DB_ENV, DB_SECRET, folders) or str(default_db_path())


def admin_password_hash(folders: Sequence[Path] | None = None) -> str | None:
    """The admin password's hash: ``$DIGITS_KNN_ADMIN_HASH``, else
    ``admin_password_hash`` in the secrets; None if no admin is configured.

    Raises
    ------
    ConfigError
        A secrets file that cannot be read (when the environment does not decide).
    """
    return _setting(ADMIN_HASH_ENV, ADMIN_HASH_SECRET, folders)
