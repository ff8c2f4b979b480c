"""Generate ``digits_knn/_data/pendigits_drawn.npz``: UCI pen digits drawn on the canvas.

Source: UCI Machine Learning Repository, "Pen-Based Recognition of Handwritten Digits"
(E. Alpaydin and F. Alimoglu, Bogazici University, 1998), file ``pendigits-orig.tra``:
7,494 digits written with a stylus by 30 writers, licensed CC BY 4.0.

Each trajectory is drawn the way the app's canvas draws strokes (round caps and joins)
``RENDERS`` times for training, with pens, sizes and slants varied as
:data:`digits_knn.datasets.corpora.PEN_TRAIN_STYLE` says, and once more, seeded apart, for
testing (:data:`digits_knn.datasets.corpora.PEN_TEST_STYLE`); every drawing is reduced by the very
path a user's drawing takes (:func:`digits_knn.features.preprocessing.canvas_to_bitmap`, then
the 4x4 block counts). What ships: the 64 block counts, the 32x32 bitmaps (bit-packed),
the labels, the writer ids and which rendering each row is. ``RENDERS`` was chosen by
``benchmarks/source_mix.py``.

Usage::

    python scripts/make_pendigits.py [../shared/data/pendigits-orig.tra]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digits_knn.datasets.corpora import (
    PEN_TEST_SEED,
    PEN_TEST_STYLE,
    PEN_TRAIN_SEED,
    PEN_TRAIN_STYLE,
    VariedPen,
    reduce_all,
)
from digits_knn.features.preprocessing import bitmap_to_features
from digits_knn.features.strokes import parse_unipen

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "pendigits-orig.tra"
TARGET = ROOT / "digits_knn" / "_data" / "pendigits_drawn.npz"
RENDERS = 4


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    digits = parse_unipen(source.read_text())
    n = len(digits)
    items = [
        (r * n + i, d.strokes) for r in range(RENDERS) for i, d in enumerate(digits)
    ]
    train = reduce_all(items, VariedPen(PEN_TRAIN_SEED, **PEN_TRAIN_STYLE))
    test = reduce_all(
        [(i, d.strokes) for i, d in enumerate(digits)],
        VariedPen(PEN_TEST_SEED, **PEN_TEST_STYLE),
    )
    labels = np.array([d.label for d in digits], dtype=np.uint8)
    writers = np.array([d.writer for d in digits], dtype=np.uint8)
    np.savez_compressed(
        TARGET,
        features=bitmap_to_features(train).astype(np.uint8),
        packed=np.packbits(train.reshape(len(train), -1), axis=1),
        labels=np.tile(labels, RENDERS),
        writers=np.tile(writers, RENDERS),
        renders=np.repeat(np.arange(RENDERS, dtype=np.uint8), n),
        test_features=bitmap_to_features(test).astype(np.uint8),
        test_packed=np.packbits(test.reshape(len(test), -1), axis=1),
        test_labels=labels,
        test_writers=writers,
    )
    print(f"wrote {TARGET} ({TARGET.stat().st_size:,} bytes, {len(train):,} + {n:,})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
