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

Then the tutorial's UCI test scans placed on a 280x280 canvas and sent through the
drawing's whole path, scored by a model trained on each source.

Then "that's not a digit" (:mod:`digits_knn.novelty`), which does not depend on the
classifier's training source: per writer fold, a detector calibrated on the shapes of the
other writers' drawn digits and of the UCI training scans; printed, the share flagged of
the unseen writers' real digits (drawn with pens of 5..36 px at 30%..95% of the canvas),
of the UCI test scans, of the unseen writers' digits drawn with one fixed pen and size
(thin, thick, small, large), and of generated non-digits (``--non-digits`` of each kind
in :data:`digits_knn.strokes.NON_DIGIT_KINDS`, drawn like a canvas; those the
reduction already refuses, as a dot or a painted canvas, count as flagged).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.model_selection import GroupKFold

from digits_knn.data import (
    load_bitmaps,
    load_drawn_digits,
    load_split,
    load_training_set,
)
from digits_knn.evaluation import evaluate, format_confusion
from digits_knn.model import fit_model
from digits_knn.novelty import (
    N_SHAPE_FEATURES,
    drawing_shape,
    fit_detector,
    load_shape_reference,
)
from digits_knn.preprocessing import (
    DrawingError,
    bitmap_to_canvas,
    canvas_to_features,
)
from digits_knn.strokes import (
    NON_DIGIT_KINDS,
    non_digit_strokes,
    parse_unipen,
    render_strokes,
    render_varied,
)

DEFAULT_PENDIGITS = (
    Path(__file__).resolve().parents[2] / "shared/data/pendigits-orig.tra"
)


def non_digit_shapes(per_kind: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Shape features of generated non-digits, per kind (those the reduction accepts)."""
    rng = np.random.default_rng(seed)
    out = {}
    for kind in NON_DIGIT_KINDS:
        rows = []
        for _ in range(per_kind):
            image = render_varied(non_digit_strokes(kind, rng), rng)
            try:
                canvas_to_features(image)
            except DrawingError:
                continue  # refused before the model: counts as flagged
            rows.append(drawing_shape(image))
        out[kind] = np.array(rows).reshape(-1, N_SHAPE_FEATURES)
    return out


#: Fixed pens and sizes for the unseen writers' digits: (pen px, larger side / canvas).
PENS = {
    "app pen 22px, 70%": (22, 0.7),
    "thin 6px, 70%": (6, 0.7),
    "thick 40px, 70%": (40, 0.7),
    "small 22px, 30%": (22, 0.3),
    "large 10px, 95%": (10, 0.95),
}


def novelty(args: argparse.Namespace) -> None:
    """Print the "that's not a digit" figures (see the module's docstring)."""
    reference = load_shape_reference()
    split = load_split()
    in_train = np.isin(reference.uci_index, split.idx_train)
    in_test = np.isin(reference.uci_index, split.idx_test)
    pen_rows = np.flatnonzero(reference.uci_index < 0)
    pen_digits = parse_unipen(args.pendigits.read_text()) if args.pendigits else []
    non_digits = non_digit_shapes(args.non_digits)
    real, uci, fixed = [], [], {name: [] for name in PENS}
    fake: dict[str, list[float]] = {kind: [] for kind in non_digits}
    for _, test_rows in GroupKFold(args.folds).split(
        pen_rows, groups=reference.groups[pen_rows]
    ):
        test = pen_rows[test_rows]
        writers = np.unique(reference.groups[test])
        train = (reference.uci_index < 0) & ~np.isin(reference.groups, writers)
        train |= in_train
        detector = fit_detector(reference.X[train], reference.groups[train])
        real.append(1 - detector.is_digit(reference.X[test]).mean())
        uci.append(1 - detector.is_digit(reference.X[in_test]).mean())
        for kind, X_fake in non_digits.items():
            flagged = (~detector.is_digit(X_fake)).sum() if len(X_fake) else 0
            fake[kind].append(
                (args.non_digits - len(X_fake) + flagged) / args.non_digits
            )
        chosen = [d for d in pen_digits if d.writer in writers][:: args.every]
        for name, (width, fraction) in PENS.items():
            if not chosen:
                break
            X = np.array(
                [
                    drawing_shape(
                        render_strokes(d.strokes, width=width, height_fraction=fraction)
                    )
                    for d in chosen
                ]
            )
            fixed[name].append(1 - detector.is_digit(X).mean())
    print(f"not a digit ({args.folds} writer folds; share flagged, lower is better):")
    print(f"  real digits of unseen writers: {np.mean(real):.3f}")
    print(f"  UCI optdigits test scans:      {np.mean(uci):.3f}")
    for name, values in fixed.items():
        if values:
            print(f"  unseen writers, {name + ':':22s} {np.mean(values):.3f}")
    print("not a digit: generated non-digits flagged (higher is better):")
    print(
        "  "
        + ", ".join(f"{k} {np.mean(v):.2f}" for k, v in fake.items())
        + f"; all {np.mean([np.mean(v) for v in fake.values()]):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--non-digits", type=int, default=200, help="per kind")
    parser.add_argument(
        "--pendigits",
        type=Path,
        default=DEFAULT_PENDIGITS if DEFAULT_PENDIGITS.is_file() else None,
        help="pendigits-orig.tra, for the fixed-pen rows (default: ../shared/data)",
    )
    parser.add_argument("--every", type=int, default=4, help="fixed-pen subsample")
    args = parser.parse_args()
    split = load_split()
    drawn = load_drawn_digits()
    first = np.flatnonzero(drawn.renders == 0)
    for source in ("uci", "uci+drawn"):
        fold_scores, confusion, uci_scores = [], np.zeros((10, 10), dtype=int), []
        for _, test_rows in GroupKFold(args.folds).split(
            first, drawn.y[first], drawn.writers[first]
        ):
            test = first[test_rows]
            test_writers = np.unique(drawn.writers[test])
            X_train, y_train = split.X_train, split.y_train
            if source == "uci+drawn":
                train = ~np.isin(drawn.writers, test_writers)
                X_train = np.vstack([X_train, drawn.X[train]])
                y_train = np.concatenate([y_train, drawn.y[train]])
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
    scans_on_canvas(args.k)
    novelty(args)


def scans_on_canvas(k: int) -> None:
    """UCI test scans placed on a 280x280 canvas, through the drawing's whole path."""
    split = load_split()
    bitmaps = load_bitmaps()
    X = np.array(
        [canvas_to_features(bitmap_to_canvas(bitmaps[i])) for i in split.idx_test]
    )
    print(f"UCI test scans placed on a canvas (k={k}, the page's preprocessing):")
    for source in ("uci", "uci+drawn"):
        training = load_training_set(source)
        model = fit_model(training.X_train, training.y_train, n_neighbors=k)
        print(f"  trained on {source!r}: {model.score(X, split.y_test):.4f}")


if __name__ == "__main__":
    main()
