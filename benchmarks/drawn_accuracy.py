"""How well drawn digits of unseen writers are recognised, per training source.

    .venv/bin/python benchmarks/drawn_accuracy.py [--k 20] [--folds 5]

The drawn digits are UCI pendigits trajectories of 30 writers drawn as canvas strokes
(``digits_knn/_data/pendigits_drawn.npz``). Writers are split into ``--folds`` groups
(never by sample: the same writer on both sides flatters the figure); each group is
tested, on the first drawing of each of its digits, by a model trained on:
- "uci": the tutorial's UCI optdigits training split only;
- "uci+drawn": that plus both drawings of every digit of the other writers.
Printed: mean accuracy over the folds, accuracy per digit, and the confusion matrix
(all folds together) for each source, and the tutorial's UCI test split for reference.

Then "that's not a digit" (:mod:`digits_knn.novelty`, calibrated on each fold's
training digits): the share of real digits of the unseen writers wrongly flagged, and
the share of generated non-digits (``--non-digits`` of each kind in
:data:`digits_knn.strokes.NON_DIGIT_KINDS`, drawn like a canvas) flagged.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.model_selection import GroupKFold

from digits_knn.data import load_drawn_digits, load_split
from digits_knn.evaluation import evaluate, format_confusion
from digits_knn.model import fit_model
from digits_knn.novelty import fit_detector
from digits_knn.preprocessing import DrawingError, canvas_to_features
from digits_knn.strokes import NON_DIGIT_KINDS, non_digit_strokes, render_varied


def non_digit_features(per_kind: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Block counts of generated non-digits, per kind (those the reduction accepts)."""
    rng = np.random.default_rng(seed)
    out = {}
    for kind in NON_DIGIT_KINDS:
        rows = []
        for _ in range(per_kind):
            strokes = non_digit_strokes(kind, rng)
            try:
                rows.append(canvas_to_features(render_varied(strokes, rng)))
            except DrawingError:
                continue  # refused before the model: counts as flagged
        out[kind] = np.array(rows).reshape(-1, 64)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--non-digits", type=int, default=200, help="per kind")
    args = parser.parse_args()
    non_digits = non_digit_features(args.non_digits)
    split = load_split()
    drawn = load_drawn_digits()
    first = np.flatnonzero(drawn.renders == 0)
    for source in ("uci", "uci+drawn"):
        fold_scores, confusion, uci_scores = [], np.zeros((10, 10), dtype=int), []
        real_flagged, fake_flagged = [], {kind: [] for kind in non_digits}
        for _, test_rows in GroupKFold(args.folds).split(
            first, drawn.y[first], drawn.writers[first]
        ):
            test = first[test_rows]
            test_writers = np.unique(drawn.writers[test])
            X_train, y_train = split.X_train, split.y_train
            groups = -1 - np.arange(len(y_train))
            if source == "uci+drawn":
                train = ~np.isin(drawn.writers, test_writers)
                X_train = np.vstack([X_train, drawn.X[train]])
                y_train = np.concatenate([y_train, drawn.y[train]])
                groups = np.concatenate([groups, drawn.writers[train]])
            detector = fit_detector(X_train, groups)
            real_flagged.append(1 - detector.is_digit(drawn.X[test]).mean())
            for kind, X_fake in non_digits.items():
                refused = args.non_digits - len(X_fake)
                flagged = (~detector.is_digit(X_fake)).sum() if len(X_fake) else 0
                fake_flagged[kind].append((refused + flagged) / args.non_digits)
            model = fit_model(X_train, y_train, n_neighbors=args.k, algorithm="brute")
            result = evaluate(model, drawn.X[test], drawn.y[test])
            fold_scores.append(result.accuracy)
            confusion += result.confusion
            uci_scores.append(evaluate(model, split.X_test, split.y_test).accuracy)
        per_digit = np.diag(confusion) / confusion.sum(axis=1)
        print(f"training source {source!r}, k={args.k}, {args.folds} writer folds:")
        print(
            f"  drawn digits of unseen writers: {np.mean(fold_scores):.4f} "
            f"(folds {', '.join(f'{s:.3f}' for s in fold_scores)})"
        )
        print(f"  UCI optdigits test split:       {np.mean(uci_scores):.4f}")
        print(
            "  per digit: " + "  ".join(f"{d}:{a:.3f}" for d, a in enumerate(per_digit))
        )
        print("  confusion (rows: true digit, columns: predicted), all folds:")
        print("  " + format_confusion(confusion).replace("\n", "\n  "))
        print(
            f"  not-a-digit: real digits of unseen writers flagged {np.mean(real_flagged):.3f}"
        )
        print(
            "  not-a-digit: generated non-digits flagged "
            + ", ".join(f"{k} {np.mean(v):.2f}" for k, v in fake_flagged.items())
            + f"; all {np.mean([np.mean(v) for v in fake_flagged.values()]):.3f}"
        )


if __name__ == "__main__":
    main()
