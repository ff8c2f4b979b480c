"""Write every command's ``--help`` into docs/cli.md, so that the page never drifts
from the command line (``tests/test_docs.py`` fails when it does).

    .venv/bin/python scripts/write_cli_docs.py
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from docblocks import write_block

DOC = ROOT / "docs" / "cli.md"
#: argparse wraps help to the terminal's width: fixed, so that every machine writes
#: the same text.
WIDTH = "88"


def help_of(argv: list[str]) -> str:
    """What ``python -m digits_knn ARGV --help`` prints."""
    from digits_knn.commands.cli import main

    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main([*argv, "--help"])
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before
    return out.getvalue().rstrip()


def commands() -> list[str]:
    """The command line's commands, in the order of its own help."""
    from digits_knn.commands.cli import build_parser

    parser = build_parser()
    for action in parser._actions:  # argparse keeps subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    raise RuntimeError("the command line has no commands")


def cli_docs() -> str:
    """The block: the overall help, then each command's."""
    parts = ["```text\n" + help_of([]) + "\n```"]
    for command in commands():
        parts.append(f"### `{command}`\n\n```text\n" + help_of([command]) + "\n```")
    return "\n\n".join(parts)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    write_block(DOC, "help", cli_docs(), stamp=False)


if __name__ == "__main__":
    main()
