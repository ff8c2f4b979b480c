"""The command line's ``compare``: the KNN beside the tutorial's KNN, the grid-searched
KNN, HOG features, an SVM, a random forest and a logistic regression, on a training
source's digits (the page's by default) and the same test digits.

    python -m digits_knn compare [--source uci] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from digits_knn.beyond.compare import HELD_OUT_FOLD, comparison_tests, fit_contenders
from digits_knn.beyond.scores import score_contenders
from digits_knn.commands.drawings import DB_HELP
from digits_knn.commands.options import training_from_args
from digits_knn.datasets.training import DEFAULT_SOURCE, TRAINING_SOURCES
from digits_knn.search.model import DRAWING_N_NEIGHBORS, DRAWING_WEIGHTS


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

    training = training_from_args(args)
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
            f"\nTraining source: {args.source}. Every model learns without the pen "
            f"writers of fold {HELD_OUT_FOLD} and is tested on their drawn digits and "
            "on the UCI test split; its settings are chosen by cross-validation on its "
            "training digits (setup); size: the fitted model pickled (a KNN's is its "
            "training digits, kept by row and by column)."
        )
    return 0


def add_compare_command(commands: Any) -> None:
    """Add ``compare`` to the command line's subcommands."""
    p = commands.add_parser(
        "compare",
        help="the KNN beside HOG+KNN, an SVM, a random forest, a logistic regression",
        description="Fit seven models on a training source's digits (without one fold "
        "of pen writers; the costly ones on a sample holding all the tutorial's scans "
        "and the rest evenly from the other sources): the app's KNN, the tutorial's "
        "KNN, the KNN its grid search picks, a KNN on HOG features, an RBF SVM, a "
        "random forest and a logistic regression, each one's settings chosen by "
        "cross-validation grouped by writer on its training digits. Print, per "
        "model, the accuracy on the UCI test split and on the held-out writers' drawn "
        "digits, the fit time, the time to predict one digit and the size. About a "
        "minute (seconds with --source uci); progress on stderr.",
    )
    p.add_argument(
        "--source",
        default=DEFAULT_SOURCE,
        choices=list(TRAINING_SOURCES),
        help="training data, as for evaluate: uci, the tutorial's 1,437 scans (the "
        "tutorial's next steps, done); uci+drawn; uci+drawn+mnist, the page's; "
        "uci+drawn+mnist+yours, that plus the drawings users added (--db) (default: "
        "%(default)s)",
    )
    p.add_argument("--db", default=None, metavar="PATH_OR_URL", help=DB_HELP)
    p.add_argument(
        "--json",
        action="store_true",
        help="one JSON list, an object per model: model, setup, training_digits, "
        "accuracy (per test set), fit_seconds, predict_ms, size_bytes",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_compare)
