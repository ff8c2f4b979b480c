"""Generate ``digits_knn/_data/shape_reference.npz``: what real digits look like as drawn.

The reference of "that's not a digit" (:mod:`digits_knn.novelty`): the
:func:`~digits_knn.novelty.shape_features` of
- each of the 7,494 UCI pendigits trajectories (E. Alpaydin and F. Alimoglu, Bogazici
  University, 1998, ``pendigits-orig.tra``, CC BY 4.0; 30 writers) drawn once as canvas
  strokes with a wide range of pen widths (5..36 px) and sizes (30%..95% of the
  canvas), so that thin, thick, small and large drawings all have company;
- each of the 1,797 UCI optdigits scans behind ``load_digits`` (E. Alpaydin and
  C. Kaynak, CC BY 4.0; shipped in ``optdigits_bitmaps.npz``) placed on a canvas.
Stored compactly (the unit-length orientation histogram as uint8 steps of 1/255, the
global measures as float16) with the labels, the writer ids (0 for scans) and, for scans, the
index in ``load_digits`` (-1 for pen digits).

Usage::

    python scripts/make_shape_reference.py [../shared/data/pendigits-orig.tra]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digits_knn.data import load_bitmaps, load_xy  # noqa: E402
from digits_knn.novelty import N_MEASURES, N_SHAPE_FEATURES, drawing_shape  # noqa: E402
from digits_knn.preprocessing import bitmap_to_canvas  # noqa: E402
from digits_knn.strokes import parse_unipen, render_varied  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "pendigits-orig.tra"
TARGET = ROOT / "digits_knn" / "_data" / "shape_reference.npz"
SEED = 20261125
PEN_WIDTHS = (5.0, 36.0)
SIZES = (0.3, 0.95)


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    digits = parse_unipen(source.read_text())
    rng = np.random.default_rng(SEED)
    shapes = [
        drawing_shape(
            render_varied(digit.strokes, rng, widths=PEN_WIDTHS, fractions=SIZES)
        )
        for digit in digits
    ]
    _, y_uci = load_xy()
    shapes += [drawing_shape(bitmap_to_canvas(bitmap)) for bitmap in load_bitmaps()]
    n_pen = len(digits)
    stacked = np.array(shapes)
    n_orient = N_SHAPE_FEATURES - N_MEASURES
    np.savez_compressed(
        TARGET,
        orientations=np.round(stacked[:, :n_orient] * 255).astype(np.uint8),
        measures=stacked[:, n_orient:].astype(np.float16),
        labels=np.concatenate([[d.label for d in digits], y_uci]).astype(np.uint8),
        writers=np.concatenate(
            [[d.writer for d in digits], np.zeros(len(y_uci))]
        ).astype(np.uint8),
        uci_index=np.concatenate([np.full(n_pen, -1), np.arange(len(y_uci))]).astype(
            np.int16
        ),
    )
    print(f"wrote {TARGET} ({TARGET.stat().st_size:,} bytes, {len(shapes):,} shapes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
