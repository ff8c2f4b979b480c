"""Generate ``digits_knn/_data/shape_reference.npz``: shapes of digits and non-digits.

The reference of "that's not a digit" (:mod:`digits_knn.beyond.novelty`): the shape features
(:func:`digits_knn.features.shapes.drawing_shape`) of
- each of the 7,494 UCI pendigits trajectories (E. Alpaydin and F. Alimoglu, Bogazici
  University, 1998, ``pendigits-orig.tra``, CC BY 4.0; 30 writers) drawn twice as
  canvas strokes: with a wide range of pen widths (5..36 px) and sizes (30%..95% of
  the canvas), so that thin, thick, small and large drawings all have company, and
  with the app's own 22 px pen at 25%..95% of the canvas (a small digit drawn with it
  is thick for its size, and was flagged most often);
- each of the 1,797 UCI optdigits scans behind ``load_digits`` (E. Alpaydin and
  C. Kaynak, CC BY 4.0; shipped in ``optdigits_bitmaps.npz``) placed on a canvas;
- the first 10,000 MNIST training digits (Y. LeCun, C. Cortes, C. J. C. Burges, CC BY-SA
  3.0) through the canvas path: the shapes derived from them are shared under CC BY-SA
  3.0 too;
- 300 generated non-digits of each kind (:data:`digits_knn.features.strokes.NON_DIGIT_KINDS`),
  seeded apart from those ``benchmarks/drawn_accuracy.py`` measures on;
- letters: the 40 upper- and lower-case letters that are not written like digits
  (all but :data:`digits_knn.beyond.novelty.LOOK_ALIKE_LETTERS`) in seven Hershey fonts
  (:data:`digits_knn.datasets.corpora.HERSHEY_FONTS`; A. V. Hershey, 1967, free to use; read
  with the ``Hershey-Fonts`` package, MIT, from ``requirements-dev.txt``), each drawn
  12 times bent, sheared and shaken as a hand draws
  (:func:`digits_knn.features.strokes.bend_strokes`) with varied pens and sizes. UJI's
  handwritten letters stay out: they only measure the detector;
- real handwritten letters and digits: Chars74K's hand-drawn characters (T. E. de
  Campos, B. R. Babu, M. Varma, VISAPP 2009; tablet strokes, JSON conversion by
  A. Parrish) of its even-numbered writers (27 of 55; the odd ones are held out to
  measure on), each drawn twice (varied pens; the app's pen): the 40 letters not
  written like digits as negatives, the digits as positives (grouped by writer).
Stored compactly (the unit-length orientation histogram as uint8 steps of 1/255, the
global measures as float16), with the labels, the kind of each row, writer groups, the
detector's networks (:class:`digits_knn.beyond.shape_nets.ShapeNet`, trained here on every row)
and its threshold, calibrated here (99% of the reference digits, each scored without
its own writer's digits and by networks that never saw its writer, pass). About ten
minutes on two cores.

Usage::

    python scripts/make_shape_reference.py [../shared/data]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digits_knn.beyond.novelty import (
    N_NETS,
    NON_DIGIT_LETTERS,
    REFERENCE_KINDS,
    fit_detector,
    is_digit_kind,
)
from digits_knn.beyond.shape_nets import nets_to_arrays
from digits_knn.datasets.corpora import (
    HandPen,
    NonDigitPen,
    VariedPen,
    draw_mnist,
    hershey_letters,
    read_chars74k,
    read_idx,
    shapes_all,
)
from digits_knn.datasets.uci import load_bitmaps, load_xy
from digits_knn.features.canvas import STROKE_WIDTH
from digits_knn.features.preprocessing import bitmap_to_canvas
from digits_knn.features.shapes import N_MEASURES, N_SHAPE_FEATURES
from digits_knn.features.strokes import NON_DIGIT_KINDS, parse_unipen

DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
TARGET = ROOT / "digits_knn" / "_data" / "shape_reference.npz"
PEN_SEED, APP_PEN_SEED, NON_DIGIT_SEED, LETTER_SEED = 20261125, 20261202, 1, 8
CHARS74K_SEED = 20261208
STYLE = {"widths": (5.0, 36.0), "fractions": (0.3, 0.95)}
APP_PEN = {
    "widths": (float(STROKE_WIDTH), float(STROKE_WIDTH)),
    "fractions": (0.25, 0.95),
}
N_MNIST = 10_000
NON_DIGITS_PER_KIND = 300
DRAWINGS_PER_LETTER = 12


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    pen = parse_unipen((folder / "pendigits-orig.tra").read_text())
    trajectories = [(i, d.strokes) for i, d in enumerate(pen)]
    parts = {
        "pen digit": np.vstack(
            [
                shapes_all(trajectories, VariedPen(PEN_SEED, **STYLE)),
                shapes_all(trajectories, VariedPen(APP_PEN_SEED, **APP_PEN)),
            ]
        ),
        "UCI scan": shapes_all(list(load_bitmaps()), bitmap_to_canvas),
        "MNIST digit": shapes_all(
            list(read_idx(folder / "mnist" / "train-images-idx3-ubyte.gz")[:N_MNIST]),
            draw_mnist,
        ),
    }
    kinds = [k for k in NON_DIGIT_KINDS for _ in range(NON_DIGITS_PER_KIND)]
    parts["non-digit"] = shapes_all(
        list(enumerate(kinds)), NonDigitPen(NON_DIGIT_SEED, **STYLE)
    )
    fonts = hershey_letters(NON_DIGIT_LETTERS)
    drawn_letters = [
        (i * DRAWINGS_PER_LETTER + j, letter.strokes)
        for i, letter in enumerate(fonts)
        for j in range(DRAWINGS_PER_LETTER)
    ]
    parts["letter"] = shapes_all(drawn_letters, HandPen(LETTER_SEED, **STYLE))
    chars74k = [
        c
        for c in read_chars74k(folder / "letters" / "chars74k_json" / "char74k.json")
        if c.writer % 2 == 0
    ]
    written = {
        "written letter": [c for c in chars74k if c.char in NON_DIGIT_LETTERS],
        "written digit": [c for c in chars74k if c.char.isdigit()],
    }
    for name, chars in written.items():
        items = [(i, c.strokes) for i, c in enumerate(chars)]
        parts[name] = np.vstack(
            [
                shapes_all(items, VariedPen(CHARS74K_SEED, y_up=False, **STYLE)),
                shapes_all(items, VariedPen(CHARS74K_SEED + 1, y_up=False, **APP_PEN)),
            ]
        )
    mnist_y = read_idx(folder / "mnist" / "train-labels-idx1-ubyte.gz")[:N_MNIST]
    labels = {
        "pen digit": np.tile([d.label for d in pen], 2),
        "UCI scan": load_xy()[1],
        "MNIST digit": mnist_y,
        "non-digit": np.full(len(kinds), -1),
        "letter": np.full(len(drawn_letters), -1),
        "written letter": np.full(2 * len(written["written letter"]), -1),
        "written digit": np.tile([int(c.char) for c in written["written digit"]], 2),
    }
    X, y, kind, groups = [], [], [], []
    for name, shapes in parts.items():
        drawn = ~np.isnan(shapes).any(axis=1)  # refused drawings have no shape
        X.append(shapes[drawn])
        y.append(labels[name][drawn])
        kind.append(np.full(drawn.sum(), REFERENCE_KINDS.index(name)))
        writers = None
        if name == "pen digit":
            writers = np.tile([d.writer for d in pen], 2)
        elif name == "written digit":  # Chars74K's writers, numbered after UCI's 30
            writers = np.tile([100 + c.writer for c in written[name]], 2)
        groups.append(writers[drawn] if writers is not None else np.zeros(drawn.sum()))
    stacked, y_all = np.vstack(X), np.concatenate(y)
    kind_all, groups_all = np.concatenate(kind), np.concatenate(groups).astype(np.int64)
    # Writers unknown (scans, MNIST, non-digits): a group of their own each.
    unknown = groups_all == 0
    groups_all[unknown] = -1 - np.arange(unknown.sum())
    n_orient = N_SHAPE_FEATURES - N_MEASURES
    orientations = np.round(stacked[:, :n_orient] * 255).astype(np.uint8)
    measures = stacked[:, n_orient:].astype(np.float16)
    # Calibrate on the values as stored, which is what the app loads.
    shipped = np.hstack([orientations / 255.0, measures.astype(np.float64)])
    digit = is_digit_kind(kind_all)
    detector = fit_detector(
        shipped[digit], groups_all[digit], shipped[~digit], n_nets=N_NETS
    )
    np.savez_compressed(
        TARGET,
        orientations=orientations,
        measures=measures,
        labels=y_all.astype(np.int8),
        kind=kind_all.astype(np.uint8),
        groups=groups_all.astype(np.int32),
        threshold=np.float64(detector.threshold),
        spreads=np.array(detector.spreads),
        **nets_to_arrays(detector.nets),
    )
    print(
        f"wrote {TARGET} ({TARGET.stat().st_size:,} bytes, {len(y_all):,} shapes, "
        f"threshold {detector.threshold:.4f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
