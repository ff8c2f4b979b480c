"""The command line's ``compare``: the KNN beside HOG features, an SVM, a random forest
and a logistic regression, on the page's training data and test digits.

    python -m digits_knn compare [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from digits_knn.compare import (
    HELD_OUT_FOLD,
    comparison_tests,
    fit_contenders,
    score_contenders,
)
from digits_knn.data import DEFAULT_SOURCE, load_training_set
from digits_knn.model import DRAWING_N_NEIGHBORS, DRAWING_WEIGHTS


def table(scores: list[dict[str, Any]]) -> str:
    """The comparison as a Markdown table (the README's)."""
    tests = list(scores[0]["accuracy"])
    lines = [
        "| model | training digits | "
        + " | ".join(tests)
        + " | fit | predict one digit | size | setup |",
        "| --- | ---: | "
        + " | ".join("---:" for _ in tests)
        + " | ---: | ---: | ---: | --- |",
    ]
    for s in scores:
        accuracy = " | ".join(f"{s['accuracy'][t]:.1%}" for t in tests)
        lines.append(
            f"| {s['model']} | {s['training_digits']:,} | {accuracy} "
            f"| {s['fit_seconds']:.1f} s | {s['predict_ms']:.1f} ms "
            f"| {s['size_bytes'] / 2**20:.1f} MB | {s['setup']} |"
        )
    return "\n".join(lines)


def cmd_compare(args: argparse.Namespace) -> int:
    def say(message: str) -> None:
        if not args.quiet:
            print(f"{message}…", file=sys.stderr, flush=True)

    training = load_training_set(DEFAULT_SOURCE)
    contenders = fit_contenders(
        training,
        n_neighbors=DRAWING_N_NEIGHBORS,
        weights=DRAWING_WEIGHTS,
        progress=say,
    )
    scores = [
        s.as_dict()
        for s in score_contenders(contenders, comparison_tests(training), progress=say)
    ]
    if args.json:
        print(json.dumps(scores))
    else:
        print(table(scores))
        print(
            f"\nEvery model learns without the pen writers of fold {HELD_OUT_FOLD} and is "
            "tested on their drawn digits and on the UCI test split; size: the fitted "
            "model pickled (a KNN's is its training digits, kept by row and by column)."
        )
    return 0


def add_compare_command(commands: Any) -> None:
    """Add ``compare`` to the command line's subcommands."""
    p = commands.add_parser(
        "compare",
        help="the KNN beside HOG+KNN, an SVM, a random forest, a logistic regression",
        description="Fit five models on the page's training data (without one fold of "
        "pen writers; the costly ones on a stated sample) and print, per model, the "
        "accuracy on the UCI test split and on the held-out writers' drawn digits, "
        "the fit time, the time to predict one digit and the size. About a minute; "
        "progress on stderr.",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="one JSON list, an object per model: model, setup, training_digits, "
        "accuracy (per test set), fit_seconds, predict_ms, size_bytes",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_compare)
