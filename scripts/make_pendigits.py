"""Generate ``digits_knn/_data/pendigits_drawn.npz``: UCI pen digits drawn on the canvas.

Source: UCI Machine Learning Repository, "Pen-Based Recognition of Handwritten Digits"
(E. Alpaydin and F. Alimoglu, Bogazici University, 1998), file ``pendigits-orig.tra``:
7,494 digits written with a stylus by 30 writers, licensed CC BY 4.0.

Each trajectory is drawn the way the app's canvas draws strokes
(:func:`digits_knn.strokes.render_varied`: round caps and joins, seeded variation of
size, position and pen width), ``RENDERS`` times with different variation, and reduced
by the very path a user's drawing takes (:func:`digits_knn.preprocessing.canvas_to_bitmap`,
then the 4x4 block counts). What ships: the 64 block counts, the 32x32 bitmaps
(bit-packed), the labels, the writer ids and which rendering each row is.

Usage::

    python scripts/make_pendigits.py [../shared/data/pendigits-orig.tra]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digits_knn.preprocessing import bitmap_to_features, canvas_to_bitmap  # noqa: E402
from digits_knn.strokes import parse_unipen, render_varied  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "pendigits-orig.tra"
TARGET = ROOT / "digits_knn" / "_data" / "pendigits_drawn.npz"
RENDERS = 2
SEED = 20261124


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    digits = parse_unipen(source.read_text())
    rng = np.random.default_rng(SEED)
    bitmaps, labels, writers, renders = [], [], [], []
    for render in range(RENDERS):
        for digit in digits:
            bitmaps.append(canvas_to_bitmap(render_varied(digit.strokes, rng)))
            labels.append(digit.label)
            writers.append(digit.writer)
            renders.append(render)
    stacked = np.array(bitmaps)
    np.savez_compressed(
        TARGET,
        features=bitmap_to_features(stacked).astype(np.uint8),
        packed=np.packbits(stacked.reshape(len(stacked), -1), axis=1),
        labels=np.array(labels, dtype=np.uint8),
        writers=np.array(writers, dtype=np.uint8),
        renders=np.array(renders, dtype=np.uint8),
    )
    print(
        f"wrote {TARGET} ({TARGET.stat().st_size:,} bytes, {len(stacked):,} drawings)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
