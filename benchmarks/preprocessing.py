"""Measure the choices in ``canvas_to_bitmap`` (run on demand, not a test).

    .venv/bin/python benchmarks/preprocessing.py [--shared ../shared] [--n 2000]

For each variant of the normaliser it prints:
- round trip: the tutorial's test digits, their sharp 32x32 originals redrawn on a
  280x280 canvas and reduced again, scored by the tutorial's model (k=20, kd_tree, p=2;
  96.9% on the original features): how much of the UCI shape survives the normaliser;
- pen-drawn: UCI pendigits trajectories (30 writers, ``shared/data/pendigits-orig.tra``)
  drawn as canvas strokes of two pen widths, scored by a model fitted on all of
  ``load_digits``: how well drawings of real people are brought to the UCI shape.
The variants: the digit's width scaled to NIST's 20 columns, with the aspect ratio kept,
or both (thin characters keep their aspect); with or without NIST's stroke-thickness
rule; with or without slant correction by image moments (NIST's form system deskewed
the characters before normalising). The shipped choice is all three. "1s 28px" is the
accuracy on the pen-drawn 1s alone and "a |" the digit predicted for one plain
vertical stroke, the simplest 1 a user draws.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

import digits_knn.features.preprocessing as pp
from digits_knn.datasets.uci import load_bitmaps, load_split, load_xy
from digits_knn.search.model import fit_model

ROOT = Path(__file__).resolve().parents[1]
CANVAS = 280

Stroke = list[tuple[int, int]]


def read_pendigits(path: Path) -> list[tuple[int, list[Stroke]]]:
    """(label, strokes) per digit of a UNIPEN pendigits file; y points up."""
    digits: list[tuple[int, list[Stroke]]] = []
    stroke: Stroke | None = None
    for line in path.read_text().splitlines():
        if line.startswith(".SEGMENT"):
            digits.append((int(line.split('"')[1]), []))
        elif line.startswith(".PEN_DOWN"):
            stroke = []
            digits[-1][1].append(stroke)
        elif line.startswith(".PEN_UP"):
            stroke = None
        elif stroke is not None and line.strip() and not line.startswith("."):
            x, y = line.split()[:2]
            stroke.append((int(x), int(y)))
    return digits


def draw(strokes: list[Stroke], width: int) -> np.ndarray:
    """Strokes as the canvas draws them: round caps and joins, black on white."""
    points = np.concatenate([np.array(s, dtype=float) for s in strokes if s])
    lo, hi = points.min(axis=0), points.max(axis=0)
    scale = 0.7 * CANVAS / max(float((hi - lo).max()), 1.0)
    image = Image.new("RGBA", (CANVAS, CANVAS), "white")
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        xy = [
            (0.15 * CANVAS + (x - lo[0]) * scale, 0.15 * CANVAS + (hi[1] - y) * scale)
            for x, y in stroke
        ]
        if len(xy) > 1:
            pen.line(xy, fill="black", width=width, joint="curve")
        for x, y in xy[:1] + xy[-1:]:
            pen.ellipse(
                [x - width / 2, y - width / 2, x + width / 2, y + width / 2], "black"
            )
    return np.asarray(image)


def keep_aspect(height: int, width: int) -> tuple[int, int]:
    scale = pp.BITMAP_SIZE / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def nist_box(height: int, width: int) -> tuple[int, int]:
    return pp.BITMAP_SIZE, pp.NIST_WIDTH


VARIANTS: dict[str, tuple[Callable[[int, int], tuple[int, int]], bool, bool]] = {
    "aspect kept, thickness rule": (keep_aspect, True, False),
    "NIST 20x32, thickness rule": (nist_box, True, False),
    "NIST unless thin, thickness rule": (pp._target_size, True, False),
    "NIST unless thin, no thickness rule": (pp._target_size, False, False),
    "shipped: deskew, NIST unless thin, thickness": (pp._target_size, True, True),
    "deskew, NIST unless thin, no thickness rule": (pp._target_size, False, True),
}


def features_of(images: list[np.ndarray]) -> np.ndarray:
    return np.array([pp.canvas_to_features(image) for image in images])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--n", type=int, default=2000, help="pen digits to draw")
    args = parser.parse_args()
    source = args.shared / "data" / "pendigits-orig.tra"
    if not source.is_file():
        raise SystemExit(f"{source} not found: pass --shared PATH")

    split = load_split()
    tutorial = fit_model(split.X_train, split.y_train)
    X, y = load_xy()
    full = fit_model(X, y)
    bitmaps = load_bitmaps()
    canvases = []
    for i in split.idx_test:
        canvas = np.full((CANVAS, CANVAS, 4), 255, dtype=np.uint8)
        big = np.kron(bitmaps[i], np.ones((7, 7), dtype=bool))
        canvas[28:252, 28:252][big] = (0, 0, 0, 255)
        canvases.append(canvas)
    pen = read_pendigits(source)
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(pen), size=min(args.n, len(pen)), replace=False)
    labels = np.array([pen[i][0] for i in chosen])
    drawn = {w: [draw(pen[i][1], w) for i in chosen] for w in (14, 28)}

    original_size, original_thickness = pp._target_size, pp._even_thickness
    original_deskew = pp.deskew
    baseline = tutorial.score(split.X_test, split.y_test)
    print(f"tutorial model on the original test features: {baseline:.3f}")
    columns = ("round trip", "pen 14px", "pen 28px", "1s 28px", "a |", "ms/img")
    print(f"{'variant':46s} " + " ".join(f"{c:>10s}" for c in columns))
    for name, (size_rule, thickness, slant) in VARIANTS.items():
        pp._target_size = size_rule  # type: ignore[assignment]
        pp.deskew = original_deskew if slant else (lambda m: m)  # type: ignore[assignment]
        pp._even_thickness = original_thickness if thickness else (lambda b: b)  # type: ignore[assignment]
        start = time.perf_counter()
        round_trip = tutorial.score(features_of(canvases), split.y_test)
        elapsed = (time.perf_counter() - start) / len(canvases) * 1000
        scores = [full.score(features_of(drawn[w]), labels) for w in (14, 28)]
        ones = labels == 1
        ones_28 = full.score(
            features_of([drawn[28][i] for i in np.flatnonzero(ones)]), labels[ones]
        )
        bar = full.predict(features_of([draw([[(0, 0), (0, 100)]], 28)]))[0]
        print(
            f"{name:46s} {round_trip:10.3f} {scores[0]:10.3f} {scores[1]:10.3f}"
            f" {ones_28:10.3f} {bar:>10d} {elapsed:10.2f}"
        )
    pp._target_size, pp._even_thickness = original_size, original_thickness
    pp.deskew = original_deskew  # type: ignore[assignment]
    print(f"({len(chosen)} pen digits of 30 writers, drawn on {CANVAS}x{CANVAS})")


if __name__ == "__main__":
    main()
