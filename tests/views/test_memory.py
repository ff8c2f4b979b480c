"""The server hands freed arrays back to the system (glibc's allocator, Linux)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Frees 80 MB of 2 MB arrays, each followed by a small one that stays, after one
#: 8 MB block was freed (which makes glibc raise its mmap threshold above 2 MB).
#: Prints the resident MB before, at the peak and after.
FRAGMENTS = """
import os, sys
import numpy as np
if sys.argv[1] == "page":
    import page  # noqa: F401  (sets the allocator up, as the server does)
def rss():
    for line in open(f"/proc/{os.getpid()}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
np.ones(8 << 20, np.uint8)
before = rss()
big, small = [], []
for _ in range(40):
    big.append(np.ones(2 << 20, np.uint8))
    small.append(np.ones(1000, np.uint8))
peak = rss()
del big
print(before, peak, rss())
"""


def resident_after_freeing(mode: str) -> tuple[float, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", FRAGMENTS, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    before, peak, after = map(float, out)
    return before, peak, after


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="glibc's allocator: Linux only"
)
def test_importing_the_page_makes_freed_arrays_leave_the_process() -> None:
    before, peak, kept = resident_after_freeing("plain")
    assert peak - before > 70
    assert kept - before > 70  # glibc's defaults keep them in the heap
    before, peak, after = resident_after_freeing("page")
    assert peak - before > 70
    assert after - before < 10
