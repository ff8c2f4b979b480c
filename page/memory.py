"""How the server process hands freed memory back to the system (glibc's allocator).

The page allocates and frees large arrays on every run (a canvas image, the distances
to ninety thousand digits, pictures) on several threads. By default glibc keeps such
blocks inside its heaps once one has been freed (it raises its mmap threshold up to
32 MB) and gives every thread that allocates at once an arena of its own, so the
server's resident memory grows with each session and each run's peak and does not come
back down. Measured with ``benchmarks/latency.py``'s sessions (the README's "Speed"):
411 MB after the run with glibc's defaults, about 320 MB with these settings, and no
slower strokes or slider moves (measured in turn, against a server without them).
"""

from __future__ import annotations

import ctypes

#: ``mallopt`` parameters (glibc's malloc.h).
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

#: Blocks of at least this size (a test set's neighbour lists, a load's temporary
#: arrays) are mapped on their own and unmapped when freed, instead of the threshold
#: rising with every free; a run's smaller arrays (a canvas image is 0.3 MB) are
#: reused from the heaps, as before.
MMAP_THRESHOLD = 1024 * 1024
#: Heaps shared by the server's threads.
ARENA_MAX = 2


def return_freed_memory() -> bool:
    """Set glibc's allocator to give large freed blocks back and to share few heaps.

    Returns whether it took effect: False on a C library other than glibc (macOS,
    musl), where nothing is changed.
    """
    try:
        # The C library already loaded in this process (``find_library`` would start a
        # subprocess: 45 ms of the server's start-up).
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_ARENA_MAX, ARENA_MAX)
    )
