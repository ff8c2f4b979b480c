"""Chalk on a board: how many generated light-on-dark photos of digits are read right.

    .venv/bin/python benchmarks/chalk_photos.py [--n 400]

For test digits of two collections (the tutorial's UCI test scans; pen digits of
unseen writers), each 32x32 bitmap is photographed as chalk on a board
(:func:`digits_knn.features.photo.chalk_photo`: soft light strokes on a dark board, sensor
noise) three ways: even light, uneven light, uneven light inside a light frame. Each
photo goes through what the page's upload and ``predict`` do
(:func:`digits_knn.features.photo.as_dark_on_light`, then the drawing path) and the drawing
view's model. Beside it, the same digits on paper (the bitmap on a white canvas): the
photo's share right should match the paper's. Issue 37's target: >= 0.95.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import numpy as np

from digits_knn.datasets.training import (
    DEFAULT_SOURCE,
    DRAWN_TEST,
    UCI_TEST,
    load_training_set,
)
from digits_knn.features.photo import as_dark_on_light, chalk_photo
from digits_knn.features.preprocessing import (
    DrawingError,
    bitmap_to_canvas,
    canvas_to_features,
)
from digits_knn.search.model import (
    DRAWING_ALGORITHM,
    DRAWING_N_NEIGHBORS,
    DRAWING_WEIGHTS,
    fit_model,
)

KINDS = {
    "even light": {"frame": False, "uneven": False},
    "uneven light": {"frame": False, "uneven": True},
    "uneven light, framed": {"frame": True, "uneven": True},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="digits per collection")
    args = parser.parse_args()
    training = load_training_set(DEFAULT_SOURCE)
    model = fit_model(
        training.X_train,
        training.y_train,
        n_neighbors=DRAWING_N_NEIGHBORS,
        algorithm=DRAWING_ALGORITHM,
        weights=DRAWING_WEIGHTS,
    )
    print(
        "| test digits | on paper | "
        + " | ".join(f"chalk, {k}" for k in KINDS)
        + " | inverted | ms per photo |"
    )
    print("| --- | ---: | " + " | ".join("---:" for _ in KINDS) + " | ---: | ---: |")
    for name in (UCI_TEST, DRAWN_TEST):
        test = training.tests[name]
        rng = np.random.default_rng(0)
        rows = rng.choice(len(test), min(args.n, len(test)), replace=False)
        paper = np.mean(
            [
                model.predict(
                    canvas_to_features(bitmap_to_canvas(test.bitmap(r)))[None]
                )[0]
                == test.y[r]
                for r in rows
            ]
        )
        cells, inverted, seconds = [], 0, 0.0
        for options in KINDS.values():
            right = 0
            for r in rows:
                photo = chalk_photo(test.bitmap(r), rng, **options)
                started = time.perf_counter()
                ready = as_dark_on_light(photo)
                seconds += time.perf_counter() - started
                inverted += ready.notice is not None
                try:
                    features = canvas_to_features(ready.image)
                except DrawingError:
                    continue
                right += model.predict(features[None])[0] == test.y[r]
            cells.append(right / len(rows))
        photos = len(rows) * len(KINDS)
        print(
            f"| {name} ({len(rows):,}) | {paper:.3f} | "
            + " | ".join(f"**{c:.3f}**" for c in cells)
            + f" | {inverted / photos:.3f} | {1000 * seconds / photos:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
