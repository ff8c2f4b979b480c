"""The command line's administration commands: the users' drawings and the admin.

    python -m digits_knn drawings count [--json] | export OUT | import IN.csv | delete ID...
    python -m digits_knn admin-hash [--stdin]

:func:`add_admin_commands` adds them to :mod:`digits_knn.commands.cli`'s parser; errors are
``ValueError`` or :class:`digits_knn.drawings.store.StoreError`, which the command line prints
in one line (exit status 2 and 1).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from digits_knn.drawings.admin import hash_password
from digits_knn.drawings.config import DB_ENV, drawings_location
from digits_knn.drawings.store import DrawingStore

#: Who the drawings imported by the command line belong to (the app's sessions are
#: anonymous ids, so no browser session owns them).
CLI_SESSION = "command-line"
#: Shortest admin password `admin-hash` accepts.
MIN_ADMIN_PASSWORD = 12


def cmd_admin_hash(args: argparse.Namespace) -> int:
    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("admin password: ")
        if getpass.getpass("again: ") != password:
            raise ValueError("the two passwords differ")
    if len(password) < MIN_ADMIN_PASSWORD:
        raise ValueError(
            f"the password has {len(password)} characters; use at least "
            f"{MIN_ADMIN_PASSWORD}"
        )
    print(f'admin_password_hash = "{hash_password(password)}"')
    return 0


#: What --db takes, for every command that reads the drawings.
DB_HELP = (
    "the app's drawings: an SQLite file or a postgresql:// URL (default: as the app: "
    f"${DB_ENV}, else drawings_db in .streamlit/secrets.toml, else "
    "data/drawings.sqlite3 in the repository; installed, ~/.local/share/digits-knn/)"
)


def _store(args: argparse.Namespace) -> DrawingStore:
    return DrawingStore(args.db or drawings_location())


def cmd_drawings_count(args: argparse.Namespace) -> int:
    count = _store(args).count()
    print(json.dumps({"count": count}) if args.json else count)
    return 0


def cmd_drawings_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".zip"):
        raise ValueError(f"{out}: export to a .csv (optdigits lines) or a .zip (PNGs)")
    if not out.parent.is_dir():
        raise ValueError(f"folder {out.parent} does not exist")
    store = _store(args)
    as_csv = out.suffix.lower() == ".csv"
    data = store.export_csv().encode() if as_csv else store.export_zip()
    partial = out.with_name(out.name + ".partial")  # never a half-written file
    partial.write_bytes(data)
    partial.replace(out)
    print(f"wrote {store.count():,} drawings to {out}", file=sys.stderr)
    return 0


def cmd_drawings_import(args: argparse.Namespace) -> int:
    data = Path(args.csv).read_bytes()
    added = _store(args).import_csv(data, session_id=CLI_SESSION)
    print(f"imported {added:,} drawings", file=sys.stderr)
    return 0


def cmd_drawings_delete(args: argparse.Namespace) -> int:
    deleted = _store(args).delete(args.ids, session_id=CLI_SESSION, admin=True)
    print(f"deleted {deleted} of {len(args.ids)} drawings", file=sys.stderr)
    return 0 if deleted == len(set(args.ids)) else 1


def _add_drawings_commands(commands: Any) -> None:
    p = commands.add_parser(
        "drawings",
        help="count, export, import or delete the drawings users added",
        description="The drawings users taught the app, on either back end (SQLite or "
        "PostgreSQL): for admins and scripts, backups and moving from one database "
        "to another (export from one, import into the other).",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser("count", help="how many drawings are stored")
    a.add_argument("--json", action="store_true", help='print {"count": N}')
    a.set_defaults(func=cmd_drawings_count)
    a = actions.add_parser(
        "export",
        help="write every drawing to OUT.csv (UCI optdigits lines) or OUT.zip (PNGs)",
    )
    a.add_argument("out", metavar="OUT")
    a.set_defaults(func=cmd_drawings_export)
    a = actions.add_parser(
        "import",
        help="add the digits of a CSV of UCI optdigits lines; all or nothing",
        description="Add the digits of IN.csv (64 counts 0..16, then the label, per "
        "line; the format `export` writes). Checked like the app's import: any bad "
        "line and nothing is written (exit status 1).",
    )
    a.add_argument("csv", metavar="IN.csv")
    a.set_defaults(func=cmd_drawings_import)
    a = actions.add_parser("delete", help="delete drawings by id (as an admin)")
    a.add_argument("ids", nargs="+", type=int, metavar="ID")
    a.set_defaults(func=cmd_drawings_delete)
    for action in actions.choices.values():
        action.add_argument("--db", default=None, metavar="PATH_OR_URL", help=DB_HELP)


def add_admin_commands(commands: Any) -> None:
    """Add ``admin-hash`` and ``drawings`` to the command line's subparsers."""
    p = commands.add_parser(
        "admin-hash",
        help="make the hash of an admin password for the app's secrets",
        description="Ask for a password (twice) and print the line to put in "
        ".streamlit/secrets.toml (or the value for $DIGITS_KNN_ADMIN_HASH): a salted "
        "PBKDF2-SHA256 hash. Whoever signs in with the password in the My drawings "
        "view may delete anyone's drawings; the server never stores the password.",
    )
    p.add_argument(
        "--stdin",
        action="store_true",
        help="read the password from the first line of standard input (scripts)",
    )
    p.set_defaults(func=cmd_admin_hash)
    _add_drawings_commands(commands)
