"""How well does the page recognise handwriting of people it never saw? One table.

    .venv/bin/python benchmarks/drawn_accuracy.py [--k 7] [--weights distance]

Accuracy, per training source, of the page's model (k=7, distance votes, Euclidean
distance on the 64 block counts), on:

- pen digits of unseen UCI pendigits writers: every trajectory drawn once more (seeded
  apart from the training renderings, pens of 5..36 px at 30%..95% of the canvas) and
  scored with its writer's fold of 6 writers left out of the training digits; also the
  same digits drawn with the app's 22 px pen at 70% and at 30% of the canvas;
- MNIST's 10,000 test digits (writers none of its training digits come from), through
  the canvas path;
- UJI Pen Characters' 220 digits (11 writers, another tablet; never trained on, never
  used to choose anything), drawn like the pen digits, and with the app's pen;
- DigiLeTs' 3,850 digits (77 writers; no licence stated: measured here, never shipped)
  and Chars74K's hand-drawn digits of its odd-numbered writers (the digit check learns
  from the even ones), drawn like the pen digits;
- the tutorial's 360 UCI test scans placed on a canvas and normalised again, and the
  UCI test split itself.

Then "that doesn't look like a digit" (:mod:`digits_knn.beyond.novelty`): the share flagged of
each collection's real digits (the detector refitted per writer fold without that
fold's pen writers and without the UCI test scans, so every digit is one it never saw),
of generated non-digits per kind (seeded apart from the detector's own), and of UJI's,
DigiLeTs' and Chars74K's (odd writers) letters, leaving out the look-alikes (O o I l S
Z s z b g q B); zeros apart too, the digit most often flagged. What no detector learnt
from (MNIST's 10,000 test digits, UJI, the UCI test scans, the non-digits) is scored by
each of the five, and the shares averaged; the lowest and highest detector's are printed
beside them. Last, how far the threshold alone could take UJI's letters: every
detector's threshold moved by one shift, the shift chosen *with hindsight* on the real
digits measured here (the most letters flagged with every real-digit row at most 0.02).
Not a setting to ship (it is chosen on the measured rows): it says whether a better
threshold could reach a target, or only better opinions could.

The collections are read from ``../shared/data`` and drawn by
``benchmarks/collections_data.py`` (cached in ``artifacts/cache/``); the training data
is the shipped one (``digits_knn/_data/``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from collections_data import (
    LOOK_ALIKES,
    SHAPES,
    cached,
    letters_collection,
    letters_collection_shapes,
    mnist_shapes,
    pen_digits,
    pen_shapes,
    uci_scans_on_canvas,
    uci_shapes,
    uji,
    uji_shapes,
    unseen_font_letter_shapes,
)

from digits_knn.beyond.novelty import (
    N_NETS,
    REFERENCE_KINDS,
    DigitDetector,
    fit_detector,
    load_shape_reference,
)
from digits_knn.datasets.corpora import UNSEEN_FONTS, NonDigitPen, shapes_all
from digits_knn.datasets.training import (
    MNIST_TEST,
    PEN_FOLDS,
    TRAINING_SOURCES,
    UCI_TEST,
    USER_SOURCE,
    Collection,
    load_training_set,
    pen_fold,
)
from digits_knn.datasets.uci import load_split
from digits_knn.features.strokes import NON_DIGIT_KINDS
from digits_knn.search.model import DRAWING_N_NEIGHBORS, DRAWING_WEIGHTS
from digits_knn.search.neighbors import fit_index
from digits_knn.tuning.evaluation import held_out_neighbors, held_out_scores

NON_DIGITS_PER_KIND = 100
NON_DIGIT_SEED = 0  # the detector's reference uses seed 1
MNIST_TEST_DIGITS = 10_000  # all of them: 2,000 left a flagged share's error at +-0.003


def collection(
    arrays: dict[str, np.ndarray], rows: np.ndarray, folds: bool
) -> Collection:
    n = int(rows.sum())
    labels = arrays["y"][rows] if "y" in arrays else arrays["char"][rows].astype(int)
    return Collection(
        X=arrays["X"][rows],
        y=np.asarray(labels),
        packed=arrays["packed"][rows],
        folds=pen_fold(arrays["writer"][rows]) if folds else np.full(n, -1),
    )


def test_sets() -> dict[str, Collection]:
    split = load_split()
    shipped = load_training_set("uci").tests
    sets: dict[str, Collection] = {}
    for pen in ("varied", "app pen, 70%", "app pen, 30%"):
        drawn = pen_digits(pen)
        name = "pen digits, unseen writers" + ("" if pen == "varied" else f" ({pen})")
        sets[name] = collection(drawn, np.ones(len(drawn["y"]), bool), folds=True)
    sets[MNIST_TEST] = shipped[MNIST_TEST]
    for pen in ("varied", "app pen, 70%", "app pen, 30%"):
        chars = uji(pen)
        digits = np.char.isdigit(chars["char"])
        name = "UJI digits" + ("" if pen == "varied" else f" ({pen})")
        sets[name] = collection(chars, digits, folds=False)
    for name, label in (
        ("digilets", "DigiLeTs digits"),
        ("chars74k", "Chars74K digits"),
    ):
        chars = letters_collection(name)
        digits = np.char.isdigit(chars["char"])
        if name == "chars74k":  # the digit check learns from its even writers
            digits &= chars["writer"] % 2 == 1
            label += " (odd writers)"
        sets[label] = collection(chars, digits, folds=False)
    canvas = uci_scans_on_canvas()
    sets["UCI test scans on a canvas"] = collection(
        canvas, np.ones(len(canvas["y"]), bool), folds=False
    )
    sets[UCI_TEST] = shipped[UCI_TEST]
    del split
    return sets


def accuracy(k: int, weights: str) -> None:
    sets = test_sets()
    print(f"Accuracy (k={k}, {weights} votes, p=2):\n")
    print("| training data | " + " | ".join(sets) + " |")
    print("| --- " * (len(sets) + 1) + "|")
    for source, label in TRAINING_SOURCES.items():
        if source == USER_SOURCE:
            continue
        training = load_training_set(source)
        index = fit_index(training.X_train, training.y_train, p=2, folds=training.folds)
        neighbors = held_out_neighbors(index, sets, k)
        scores = held_out_scores(index, sets, neighbors, n_neighbors=k, weights=weights)
        print(
            f"| {label} ({len(training.y_train):,}) | "
            + " | ".join(f"{scores[name].accuracy:.3f}" for name in sets)
            + " |"
        )


def non_digit_shapes() -> dict[str, np.ndarray]:
    def make() -> dict[str, np.ndarray]:
        kinds = [k for k in NON_DIGIT_KINDS for _ in range(NON_DIGITS_PER_KIND)]
        style = {"widths": (5.0, 36.0), "fractions": (0.3, 0.95)}
        return {
            "S": shapes_all(
                list(enumerate(kinds)), NonDigitPen(NON_DIGIT_SEED, **style)
            ),
            "kind": np.array(kinds),
        }

    return cached(f"{SHAPES}-nondigits-{NON_DIGITS_PER_KIND}-{NON_DIGIT_SEED}", make)


def by_fold(margins: list[np.ndarray]) -> str:
    """The lowest and the highest share flagged among the folds' detectors."""
    shares = [float((m > 0).mean()) for m in margins]
    return f"{min(shares):.3f} - {max(shares):.3f}"


def flagged_share(margins: list[np.ndarray], shift: float = 0.0) -> float:
    """Share flagged over every detector's rows, the thresholds moved by ``shift``."""
    return float((np.concatenate(margins) > shift).mean())


def best_shift(
    real: dict[str, list[np.ndarray]], target: list[np.ndarray], limit: float = 0.02
) -> tuple[float, float]:
    """The most any one threshold could flag of ``target`` with every real-digit row
    at most ``limit``, the threshold chosen with hindsight on those very rows.

    Each detector's threshold is moved by the same shift, in the units of its score (the
    real digits' spread): returns (shift, share of ``target`` flagged).
    """
    rows = [np.concatenate(m) for m in real.values()]
    letters = np.concatenate(target)
    allowed = [
        (float(s), float((letters > s).mean()))
        for s in np.linspace(-1.5, 1.5, 601)
        if all((r > s).mean() <= limit for r in rows)
    ]
    return max(allowed, key=lambda x: x[1], default=(float("nan"), float("nan")))


def novelty(n_nets: int = N_NETS) -> None:
    """The "not a digit" table (see the module's docstring), for the detector with
    ``n_nets`` networks (0: the distances alone)."""
    reference = load_shape_reference()
    split = load_split()
    uci_row = np.cumsum(reference.kind == REFERENCE_KINDS.index("UCI scan")) - 1
    uci_test = (reference.kind == REFERENCE_KINDS.index("UCI scan")) & np.isin(
        uci_row, split.idx_test
    )
    digit, negative = reference.is_digit, ~reference.is_digit
    pen_writer = np.where(reference.groups > 0, reference.groups, 0)
    ref_fold = np.where(reference.groups > 0, pen_fold(pen_writer), -1)

    def drawn(S: np.ndarray) -> np.ndarray:
        return S[~np.isnan(S).any(axis=1)]

    def margins(detector: DigitDetector, S: np.ndarray) -> np.ndarray:
        """Each drawn shape's score minus the threshold: flagged where above 0."""
        return detector.scores(drawn(S)) - detector.threshold

    # Pen digits: each fold's digits by the detector that never saw their writers. The
    # collections no detector learnt from (MNIST's test writers, UJI, the UCI test scans,
    # the generated shapes, letters): by each of the five detectors, averaged, so the
    # figure is not one detector's (networks' seeds, calibration sample) luck.
    flagged: dict[str, list[np.ndarray]] = {}
    queries_by_fold = {
        pen: pen_shapes(pen) for pen in ("varied", "app pen, 70%", "app pen, 30%")
    }
    strangers = {
        MNIST_TEST: mnist_shapes("test", MNIST_TEST_DIGITS)["S"],
        "UCI test scans on a canvas": uci_shapes()["S"][split.idx_test],
    }
    extra_letters: dict[str, np.ndarray] = {}
    uj = uji_shapes("varied")
    uji_digit = np.char.isdigit(uj["char"])
    letters = ~uji_digit & ~np.isin(uj["char"], list(LOOK_ALIKES))
    strangers["UJI digits"] = uj["S"][uji_digit]
    for name, label in (("digilets", "DigiLeTs"), ("chars74k", "Chars74K")):
        shapes = letters_collection_shapes(name)
        held_out = np.ones(len(shapes["char"]), bool)
        if name == "chars74k":  # the digit check learns from its even writers
            held_out = shapes["writer"] % 2 == 1
            label += " (odd writers)"
        is_digit = np.char.isdigit(shapes["char"]) & held_out
        zero = held_out & (shapes["char"] == "0")
        strangers[f"{label} digits"] = shapes["S"][is_digit]
        strangers[f"{label} zeros"] = shapes["S"][zero]
        others = held_out & ~np.char.isdigit(shapes["char"])
        extra_letters[f"{label} letters"] = shapes["S"][
            others & ~np.isin(shapes["char"], list(LOOK_ALIKES))
        ]
    non_digits = non_digit_shapes()
    not_digits = {
        **{
            kind: non_digits["S"][non_digits["kind"] == kind]
            for kind in NON_DIGIT_KINDS
        },
        "all generated": non_digits["S"],
        "letters of unseen fonts": unseen_font_letter_shapes()["S"],
        "UJI letters": uj["S"][letters],
        **extra_letters,
    }
    caught: dict[str, list[np.ndarray]] = {}
    for fold in range(PEN_FOLDS):
        keep = digit & ~uci_test & (ref_fold != fold)
        detector = fit_detector(
            reference.X[keep],
            reference.groups[keep],
            reference.X[negative],
            n_nets=n_nets,
        )
        for pen, shapes in queries_by_fold.items():
            mine = pen_fold(shapes["writer"]) == fold
            name = "pen digits, unseen writers" + (
                "" if pen == "varied" else f" ({pen})"
            )
            flagged.setdefault(name, []).append(margins(detector, shapes["S"][mine]))
        for name, S in strangers.items():
            flagged.setdefault(name, []).append(margins(detector, S))
        for name, S in not_digits.items():
            caught.setdefault(name, []).append(margins(detector, S))
    chars = uj["char"][letters][~np.isnan(uj["S"][letters]).any(axis=1)]
    uji_letters = np.mean([m > 0 for m in caught["UJI letters"]], axis=0)
    per_letter = {c: uji_letters[chars == c].mean() for c in np.unique(chars)}
    print("\n'That doesn't look like a digit': share flagged\n")
    print(
        "| real digits (lower is better) | flagged | fold detectors: lowest - highest |"
    )
    print("| --- | --- | --- |")
    for name, values in flagged.items():
        print(f"| {name} | {flagged_share(values):.3f} | {by_fold(values)} |")
    names = list(not_digits)
    print("\n| not digits (higher is better) | " + " | ".join(names) + " |")
    print("| --- " * (len(names) + 1) + "|")
    print(
        "| flagged | "
        + " | ".join(f"{flagged_share(caught[n]):.3f}" for n in names)
        + " |"
    )
    print(
        "| fold detectors: lowest - highest | "
        + " | ".join(by_fold(caught[n]) for n in names)
        + " |"
    )
    print(
        f"\n(unseen fonts: {', '.join(UNSEEN_FONTS)}.) UJI letters flagged, per letter:"
    )
    print(
        " ".join(
            f"{c} {v:.2f}" for c, v in sorted(per_letter.items(), key=lambda cv: cv[1])
        )
    )
    shift, best = best_shift(flagged, caught["UJI letters"])
    print(
        "\nThe most any threshold could do, chosen with hindsight on the rows above "
        f"(every real-digit row at most 0.02): UJI letters {best:.3f}, each detector's "
        f"threshold moved by {shift:+.3f}; there: "
        + ", ".join(f"{k} {flagged_share(m, shift):.3f}" for k, m in flagged.items())
        + f", all generated {flagged_share(caught['all generated'], shift):.3f}, "
        f"letters of unseen fonts {flagged_share(caught['letters of unseen fonts'], shift):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=DRAWING_N_NEIGHBORS)
    parser.add_argument("--weights", default=DRAWING_WEIGHTS)
    parser.add_argument("--skip-novelty", action="store_true")
    parser.add_argument(
        "--skip-accuracy", action="store_true", help="only the 'not a digit' table"
    )
    parser.add_argument(
        "--nets",
        type=int,
        default=N_NETS,
        help="networks in the 'not a digit' detector (0: the distances alone)",
    )
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="write the tables into docs/training-data.md (all of them: no --skip-*)",
    )
    args = parser.parse_args()
    printed = io.StringIO()
    with contextlib.redirect_stdout(Tee(sys.stdout, printed)):
        if not args.skip_accuracy:
            accuracy(args.k, args.weights)
        if not args.skip_novelty:
            novelty(args.nets)
    if args.write_docs:
        from docblocks import write_block

        write_block(
            Path(__file__).resolve().parents[1] / "docs" / "training-data.md",
            "drawn-accuracy",
            f"`benchmarks/drawn_accuracy.py{' --skip-novelty' if args.skip_novelty else ''}"
            f"{' --skip-accuracy' if args.skip_accuracy else ''}`\n\n"
            + printed.getvalue().strip(),
        )


class Tee(io.TextIOBase):
    """Writes to several streams at once (the terminal, and the text for the docs)."""

    def __init__(self, *streams: Any) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


if __name__ == "__main__":
    main()
