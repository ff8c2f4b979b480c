"""The shipped model and digit check on pen collections they never learnt from:
accuracy and false alarms on real digits (zeros apart), and letters flagged.

    .venv/bin/python benchmarks/digit_check_collections.py [--pen varied]

Collections, read from ``../shared/data`` at run time and drawn as canvas strokes
(``benchmarks/collections_data.py``, cached in ``artifacts/cache/``):

- **DigiLeTs** (77 writers; no licence stated: measured, never shipped): 3,850 digits
  and 20,020 letters;
- **Chars74K** hand-drawn (55 writers): 550 digits and 2,860 letters (once the digit
  check learns from its letters, only the writers it did not learn from count:
  ``--writers odd``);
- **UJI Pen Characters** (11 writers): 220 digits and 1,144 letters.

Letters written like digits (O o I l S Z s z b g q B) are left out of the letters.
The model is the drawing view's (the page's training data, k=7, distance votes); the
digit check is the shipped one (``digits_knn/_data/shape_reference.npz``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import numpy as np
from collections_data import (
    LOOK_ALIKES,
    letters_collection,
    letters_collection_shapes,
    uji,
    uji_shapes,
)

from digits_knn.beyond.novelty import default_detector
from digits_knn.datasets.training import DEFAULT_SOURCE, load_training_set
from digits_knn.search.model import DRAWING_N_NEIGHBORS, DRAWING_WEIGHTS
from digits_knn.search.neighbors import fit_index

COLLECTIONS = ("digilets", "chars74k", "uji")


def arrays(name: str, pen: str) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    if name == "uji":
        return uji(pen), uji_shapes(pen)
    return letters_collection(name, pen), letters_collection_shapes(name, pen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pen",
        action="append",
        help="how the characters are drawn (default: varied pens, then the app's pen "
        "at 70%% and at 30%% of the canvas)",
    )
    parser.add_argument(
        "--write-docs", action="store_true", help="write docs/digit-check.md's table"
    )
    parser.add_argument(
        "--writers",
        choices=("all", "odd"),
        default="all",
        help="Chars74K's writers measured: all, or the odd ones (when the digit check "
        "learnt from the even ones)",
    )
    args = parser.parse_args()
    training = load_training_set(DEFAULT_SOURCE)
    index = fit_index(training.X_train, training.y_train, p=2)
    detector = default_detector()
    lines = [
        "| collection | drawn with | digits | accuracy | digits flagged | zeros flagged "
        "| worst writer's digits flagged | letters (look-alikes out) | letters flagged |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    print("\n".join(lines))
    pens = args.pen or ["varied", "app pen, 70%", "app pen, 30%"]
    for name, pen in ((n, p) for n in COLLECTIONS for p in pens):
        drawn, shapes = arrays(name, pen)
        chars, writers = drawn["char"], drawn["writer"]
        keep = np.ones(len(chars), bool)
        if name == "chars74k" and args.writers == "odd":
            keep = writers % 2 == 1
        digits = keep & np.char.isdigit(chars)
        letters = keep & ~np.char.isdigit(chars) & ~np.isin(chars, list(LOOK_ALIKES))
        y = np.array([int(c) if c.isdigit() else -1 for c in chars])
        dist, ind = index.kneighbors(drawn["X"][digits], DRAWING_N_NEIGHBORS)
        proba = index.predict_proba_from(dist, ind, weights=DRAWING_WEIGHTS)
        right = (np.asarray(index.classes)[proba.argmax(axis=1)] == y[digits]).mean()
        usable = ~np.isnan(shapes["S"]).any(axis=1)
        flagged = np.zeros(len(chars), bool)
        flagged[usable] = ~detector.is_digit(shapes["S"][usable])
        zeros = digits & (y == 0)
        per_writer = [
            flagged[digits & (writers == w)].mean() for w in np.unique(writers[digits])
        ]
        label = (
            f"{name} (odd writers)"
            if name == "chars74k" and args.writers == "odd"
            else name
        )
        lines.append(
            f"| {label} | {pen} | {digits.sum():,} | {right:.3f} "
            f"| {flagged[digits].mean():.3f} | {flagged[zeros].mean():.3f} "
            f"| {max(per_writer):.3f} | {letters.sum():,} | {flagged[letters].mean():.3f} |"
        )
        print(lines[-1], flush=True)
    if args.write_docs:
        from docblocks import write_block

        command = "benchmarks/digit_check_collections.py" + (
            " --writers odd" if args.writers == "odd" else ""
        )
        write_block(
            ROOT / "docs" / "digit-check.md",
            "collections",
            f"`{command}`\n\n" + "\n".join(lines),
        )


if __name__ == "__main__":
    main()
