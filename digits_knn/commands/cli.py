"""Command line: ``python -m digits_knn COMMAND``, the tutorial from a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from digits_knn.beyond.novelty import default_detector
from digits_knn.charts import plot_digits
from digits_knn.commands.compare import add_compare_command
from digits_knn.commands.complete import add_complete_command
from digits_knn.commands.drawings import add_admin_commands
from digits_knn.commands.options import (
    EXIT_USAGE,
    CLIError,
    add_format_option,
    add_model_options,
    digit_count,
    fit_from_args,
    k_range,
)
from digits_knn.commands.tutorial import (
    cmd_evaluate,
    cmd_grid_search,
    describe,
    print_evaluation,
)
from digits_knn.datasets.training import TRAINING_SOURCES, USER_SOURCE
from digits_knn.datasets.uci import load_xy
from digits_knn.drawings.config import ConfigError
from digits_knn.drawings.database import StoreUnavailableError
from digits_knn.drawings.exchange import CsvImportError
from digits_knn.drawings.store import StoreError
from digits_knn.features.images import ImageFileError, load_image
from digits_knn.features.photo import as_dark_on_light
from digits_knn.features.preprocessing import DrawingError, canvas_to_features
from digits_knn.features.shapes import drawing_shape
from digits_knn.search.model import (
    WEIGHTS,
    HyperparameterError,
)
from digits_knn.search.neighbors import explain
from digits_knn.search.persistence import (
    ModelFileError,
    load_model,
    save_model,
)
from digits_knn.tuning.grids import TUTORIAL_K_RANGE, TUTORIAL_P_VALUES


def cmd_predict(args: argparse.Namespace) -> int:
    model = (
        load_model(args.model, format=args.format)
        if args.model
        else fit_from_args(args)
    )
    detector = default_detector()
    failures = 0
    for path in args.images:
        try:
            photo = as_dark_on_light(load_image(path))
            image = photo.image
            features = canvas_to_features(image)
        except (ImageFileError, DrawingError) as exc:
            # An ImageFileError names the file itself; a DrawingError does not.
            where = "" if isinstance(exc, ImageFileError) else f"{path}: "
            print(f"error: {where}{exc}", file=sys.stderr)
            failures += 1
            continue
        explanation = explain(model, features)
        check = detector.check(drawing_shape(image))
        inverted = photo.notice is not None
        if args.json:
            print(
                json.dumps(
                    {
                        "path": path,
                        **explanation.to_dict(),
                        **check.to_dict(),
                        "inverted": inverted,
                    }
                )
            )
        else:
            verdict = "" if check.is_digit else ", does not look like a digit"
            light = ", light ink on dark: read inverted" if inverted else ""
            print(
                f"{path}: {explanation.label} "
                f"({explanation.confidence:.0%}{verdict}{light})"
            )
    return 1 if failures else 0


def cmd_save(args: argparse.Namespace) -> int:
    model = fit_from_args(args)
    path = save_model(model, args.path, format=args.format)
    print(f"saved {describe(model)} to {path} ({args.format})")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    model = load_model(args.path, format=args.format)
    print(f"loaded {args.path} ({args.format})")
    print_evaluation(model, None)
    return 0


def cmd_show_digits(args: argparse.Namespace) -> int:
    X, y = load_xy()
    n = args.count
    fig = plot_digits(X[:n], [f"label {label}" for label in y[:n]])
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CLIError(f"folder {out.parent} does not exist")
    fig.savefig(out, dpi=100)
    print(f"wrote the first {n} digits to {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m digits_knn",
        description="k-nearest neighbours on the UCI handwritten digits: "
        "the scikit-learn tutorial from the command line.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser(
        "evaluate",
        help="test accuracy, confusion matrix and accuracy per collection",
        description="Fit on the tutorial's training split (80%, random_state=1337; "
        "--source adds more training data) and score on its test split: accuracy, "
        "confusion matrix, precision and recall per digit. Then the accuracy on each "
        "collection of writers the model never saw (pen digits scored with their "
        "writer's fold left out of training, MNIST's test writers, UJI's digits).",
    )
    add_model_options(p)
    p.set_defaults(func=cmd_evaluate)

    p = commands.add_parser(
        "grid-search",
        help="cross-validated search over k and p",
        description="Cross-validated search over k, p (and weights) on the training "
        "split, the tutorial's grid by default, then the best model's test accuracy. "
        "Progress on stderr.",
    )
    p.add_argument(
        "--k-range",
        type=k_range,
        default=TUTORIAL_K_RANGE,
        metavar="START:STOP[:STEP]",
        help="values of k, stop excluded (default: 2:20:2)",
    )
    p.add_argument(
        "--p",
        dest="p_values",
        type=float,
        nargs="+",
        default=list(TUTORIAL_P_VALUES),
        metavar="P",
        help="values of p (default: 1 2 3)",
    )
    p.add_argument(
        "--weights",
        nargs="+",
        default=["uniform"],
        choices=WEIGHTS,
        help="vote weightings to try (default: uniform)",
    )
    p.add_argument("--cv", type=int, default=5, help="folds (default: %(default)s)")
    p.add_argument(
        "--engine",
        default="fast",
        choices=("fast", "sklearn"),
        help="fast: this project's engine (one neighbour query per fold and p); "
        "sklearn: the tutorial's GridSearchCV, for comparison. Same table "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        help="parallel pieces of work: threads for the fast engine, processes for "
        "GridSearchCV; -1 = all cores (default)",
    )
    p.add_argument(
        "--source",
        default="uci",
        choices=[s for s in TRAINING_SOURCES if s != USER_SOURCE],
        help="digits to cross-validate on: uci, the tutorial's training split "
        "(stratified folds, as GridSearchCV); any other source, a --sample of its "
        "shipped training digits with each pen writer's digits in one fold "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--sample",
        type=int,
        default=10_000,
        help="digits drawn at random from a source other than uci "
        "(default: %(default)s)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_grid_search)

    p = commands.add_parser(
        "predict",
        help="classify images of handwritten digits",
        description="Classify PNG/JPEG/BMP/GIF images of a dark digit on a light "
        "background (a 280x280 canvas or a photo), one line per image, with the "
        "model and preprocessing of the app's drawing view, and say whether each "
        "looks like a digit at all. Files that cannot be read are reported on "
        "stderr; the exit code is 1 if any failed.",
    )
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per line: path, label, confidence, probabilities, "
        "neighbors (index, label, distance), votes, is_digit, digit_score, "
        "digit_threshold",
    )
    p.add_argument("--model", help="use a saved model instead of fitting one")
    add_format_option(p, "read --model as")
    add_model_options(p, drawing=True)
    p.set_defaults(func=cmd_predict)

    p = commands.add_parser(
        "save",
        help="fit a model and save it",
        description="Fit on the tutorial's training split (--source adds more "
        "training data) and save the model.",
    )
    p.add_argument("path", metavar="PATH")
    add_format_option(p, "write")
    add_model_options(p)
    p.set_defaults(func=cmd_save)

    p = commands.add_parser(
        "load",
        help="load a saved model and score it",
        description="Load a model (skops by default, trusted types only) and score it "
        "on the tutorial's test split.",
    )
    p.add_argument("path", metavar="PATH")
    add_format_option(p, "read")
    p.set_defaults(func=cmd_load)

    p = commands.add_parser(
        "show-digits",
        help="save the tutorial's figure of the first digits",
        description="Save a PNG of the first digits of the data set with their labels.",
    )
    p.add_argument("out", metavar="OUT.png")
    p.add_argument(
        "--count",
        type=digit_count,
        default=10,
        metavar="N",
        help="how many digits, 1..100 (default: %(default)s)",
    )
    p.set_defaults(func=cmd_show_digits)

    add_complete_command(commands)
    add_compare_command(commands)
    add_admin_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except StoreUnavailableError as exc:  # the operator may read the details
        print(f"error: {exc}: {exc.detail}", file=sys.stderr)
        return 1
    except (StoreError, CsvImportError, ConfigError) as exc:  # the data, the setup
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (HyperparameterError, ModelFileError, CLIError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
