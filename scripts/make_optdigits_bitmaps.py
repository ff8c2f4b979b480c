"""Generate ``digits_knn/_data/optdigits_bitmaps.npz`` from the UCI original bitmaps.

Source: UCI Machine Learning Repository, "Optical Recognition of Handwritten Digits"
(E. Alpaydin and C. Kaynak, Bogazici University, 1998), file ``optdigits-orig.windep``,
licensed CC BY 4.0. Its 1,797 32x32 bitmaps are, in order, the digits behind
``sklearn.datasets.load_digits``: counting the ink of each 4x4 block gives ``load_digits``
exactly (checked by this script before it writes anything).

Usage::

    python scripts/make_optdigits_bitmaps.py [../shared/data/optdigits-orig.windep]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "optdigits-orig.windep"
TARGET = ROOT / "digits_knn" / "_data" / "optdigits_bitmaps.npz"
HEADER_LINES = 21
SIZE = 32


def parse_windep(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse the UCI ``.windep`` text into bitmaps (n, 32, 32) bool and labels (n,)."""
    lines = text.splitlines()[HEADER_LINES:]
    bitmaps, labels = [], []
    for start in range(0, len(lines) - SIZE, SIZE + 1):
        rows = lines[start : start + SIZE]
        bitmaps.append([[ch == "1" for ch in row.strip()] for row in rows])
        labels.append(int(lines[start + SIZE]))
    return np.array(bitmaps, dtype=bool), np.array(labels, dtype=np.uint8)


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    bitmaps, labels = parse_windep(source.read_text())
    digits = load_digits()
    counts = bitmaps.reshape(-1, 8, 4, 8, 4).sum(axis=(2, 4)).reshape(-1, 64)
    if not (
        np.array_equal(counts, digits.data) and np.array_equal(labels, digits.target)
    ):
        print("error: the bitmaps do not reduce to load_digits()", file=sys.stderr)
        return 1
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        TARGET,
        packed=np.packbits(bitmaps.reshape(len(bitmaps), -1), axis=1),
        labels=labels,
    )
    print(f"wrote {TARGET} ({TARGET.stat().st_size:,} bytes, {len(bitmaps)} bitmaps)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
