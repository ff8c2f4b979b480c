"""Generate ``digits_knn/_data/uji_digits.npz``: UJI Pen Characters' digits, drawn.

Source: UCI Machine Learning Repository, "UJI Pen Characters" (D. Llorens, F. Prat,
A. Marzal, J. M. Vilar, Universitat Jaume I), version 1: 11 writers on another tablet,
licensed CC BY 4.0. Only the 220 digits ship, as test digits: the app never trains on
them, so they measure how it does on writers and hardware it has never seen.

Each digit is drawn like a canvas drawing with varied pens and sizes
(:data:`digits_knn.datasets.corpora.PEN_TEST_STYLE`, seeded by its place among all the
characters, as ``benchmarks/collections_data.py`` draws them) and normalised by the path
a user's drawing takes.

Usage::

    python scripts/make_uji.py [../shared/data/uji_v1]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digits_knn.datasets.corpora import PEN_TEST_STYLE, VariedPen, read_uji, reduce_all
from digits_knn.features.preprocessing import bitmap_to_features

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "uji_v1"
TARGET = ROOT / "digits_knn" / "_data" / "uji_digits.npz"
SEED = 11


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    chars = read_uji(folder)
    digits = [(i, c) for i, c in enumerate(chars) if c.char.isdigit()]
    bitmaps = reduce_all(
        [(i, c.strokes) for i, c in digits],
        VariedPen(SEED, y_up=False, **PEN_TEST_STYLE),
    )
    np.savez_compressed(
        TARGET,
        features=bitmap_to_features(bitmaps).astype(np.uint8),
        packed=np.packbits(bitmaps.reshape(len(bitmaps), -1), axis=1),
        labels=np.array([int(c.char) for _, c in digits], dtype=np.uint8),
        writers=np.array([c.writer for _, c in digits], dtype=np.uint8),
    )
    print(f"wrote {TARGET} ({TARGET.stat().st_size:,} bytes, {len(digits)} digits)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
