"""Marked blocks in docs/ that a benchmark writes: figures are never copied by hand.

A block is the lines between ``<!-- begin NAME: benchmarks/SCRIPT.py -->`` and
``<!-- end NAME -->``. :func:`write_block` replaces its content with what the script
measured, under a line that says when and on what machine; ``tests/test_docs.py``
checks that every block is closed and names a script that exists.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN = re.compile(
    r"<!-- begin (?P<name>[\w-]+): (?P<script>(?:benchmarks|scripts)/[\w/]+\.py) -->"
)


def machine() -> str:
    """This machine in a few words: cores, memory, Python."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = ""
    return (
        f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def write_block(path: Path, name: str, body: str, *, stamp: bool = True) -> None:
    """Replace block ``name`` of ``path`` with ``body`` under a dated line (none if
    not ``stamp``: text that is not measured, such as ``--help``).

    Raises
    ------
    KeyError
        ``path`` has no such block.
    """
    text = path.read_text()
    pattern = re.compile(
        rf"(<!-- begin {re.escape(name)}: (?:benchmarks|scripts)/[\w/]+\.py -->\n)(.*?)"
        rf"(<!-- end {re.escape(name)} -->)",
        flags=re.S,
    )
    if not pattern.search(text):
        raise KeyError(f"{path} has no block {name!r}")
    dated = f"_Measured {datetime.date.today():%Y-%m-%d} on {machine()}._\n\n"
    head = dated if stamp else ""
    new = pattern.sub(
        lambda m: m.group(1) + head + body.rstrip() + "\n" + m.group(3), text
    )
    path.write_text(new)
    print(f"wrote block {name!r} of {path.relative_to(ROOT)}")
