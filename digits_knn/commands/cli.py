"""Command line: ``python -m digits_knn COMMAND``, the tutorial from a terminal."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.beyond.novelty import default_detector
from digits_knn.commands.compare import add_compare_command
from digits_knn.commands.complete import add_complete_command
from digits_knn.commands.drawings import DB_HELP, add_admin_commands
from digits_knn.datasets.training import (
    TRAINING_SOURCES,
    USER_SOURCE,
    TrainingSet,
    load_split,
    load_tests,
    load_training_set,
    load_xy,
    sample_rows,
    writer_groups,
)
from digits_knn.drawings.backends import is_url
from digits_knn.drawings.config import ConfigError, drawings_location
from digits_knn.drawings.exchange import CsvImportError
from digits_knn.drawings.store import (
    DrawingStore,
    StoreError,
    StoreUnavailableError,
    UserDigits,
)
from digits_knn.features.photo import as_dark_on_light
from digits_knn.features.preprocessing import (
    DrawingError,
    ImageFileError,
    canvas_to_features,
    load_image,
)
from digits_knn.features.shapes import drawing_shape
from digits_knn.plotting import plot_digits
from digits_knn.search.model import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    DEFAULT_N_NEIGHBORS,
    DEFAULT_P,
    DEFAULT_WEIGHTS,
    DRAWING_ALGORITHM,
    DRAWING_N_NEIGHBORS,
    DRAWING_WEIGHTS,
    WEIGHTS,
    HyperparameterError,
    explain,
    fit_model,
)
from digits_knn.search.neighbors import fit_index, index_of_classifier
from digits_knn.search.persistence import (
    DEFAULT_FORMAT,
    FORMATS,
    PICKLE_WARNING,
    ModelFileError,
    load_model,
    save_model,
)
from digits_knn.tuning.evaluation import (
    evaluate,
    format_confusion,
    held_out_neighbors,
    held_out_scores,
)
from digits_knn.tuning.selection import (
    TUTORIAL_K_RANGE,
    TUTORIAL_P_VALUES,
    grid_search,
    grid_search_sklearn,
    make_param_grid,
    results_table,
)

EXIT_USAGE = 2
#: show-digits draws at most this many digits (a 10-column grid).
MAX_SHOWN_DIGITS = 100


class CLIError(Exception):
    """An error to print as one line on stderr, without a traceback."""


def _k_range(text: str) -> tuple[int, int, int]:
    parts = text.split(":")
    try:
        numbers = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected START:STOP[:STEP] of whole numbers, got {text!r}"
        ) from None
    if len(numbers) == 2:
        return numbers[0], numbers[1], 1
    if len(numbers) == 3:
        return numbers[0], numbers[1], numbers[2]
    raise argparse.ArgumentTypeError(f"expected START:STOP[:STEP], got {text!r}")


def _digit_count(text: str) -> int:
    """``--count`` of show-digits: a whole number 1..MAX_SHOWN_DIGITS (argparse's own
    ``choices`` check lists every allowed value in its message)."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number 1..{MAX_SHOWN_DIGITS}, got {text!r}"
        ) from None
    if not 1 <= count <= MAX_SHOWN_DIGITS:
        raise argparse.ArgumentTypeError(f"must be 1..{MAX_SHOWN_DIGITS}, got {count}")
    return count


def _add_model_options(
    parser: argparse.ArgumentParser, *, drawing: bool = False
) -> None:
    """k, p, algorithm, source, weights: the tutorial's defaults, or with ``drawing``
    the app's drawing view's (k=7, distance votes, brute force, every training source
    and the users' drawings)."""
    group = parser.add_argument_group(
        "model (the app's drawing view's by default)"
        if drawing
        else "model (the tutorial's by default)"
    )
    group.add_argument(
        "--k",
        type=int,
        default=DRAWING_N_NEIGHBORS if drawing else DEFAULT_N_NEIGHBORS,
        help="number of neighbours that vote (default: %(default)s)",
    )
    group.add_argument(
        "--p",
        type=float,
        default=DEFAULT_P,
        help="Minkowski p >= 1: 1 Manhattan, 2 Euclidean (default: %(default)g)",
    )
    group.add_argument(
        "--algorithm",
        default=DRAWING_ALGORITHM if drawing else DEFAULT_ALGORITHM,
        choices=ALGORITHMS,
        help="neighbour search (default: %(default)s)",
    )
    group.add_argument(
        "--source",
        default=USER_SOURCE if drawing else "uci",
        choices=list(TRAINING_SOURCES),
        help="training data: uci, the tutorial's UCI optdigits split; uci+drawn, that "
        "plus the UCI pen digits of 30 writers drawn as canvas strokes; "
        "uci+drawn+mnist, that plus MNIST's 60,000 training digits; "
        "uci+drawn+mnist+yours, that plus the drawings users added in the app (--db) "
        "(default: %(default)s)",
    )
    group.add_argument(
        "--db",
        default=None,
        metavar="PATH_OR_URL",
        help=DB_HELP,
    )
    group.add_argument(
        "--weights",
        default=DRAWING_WEIGHTS if drawing else DEFAULT_WEIGHTS,
        choices=WEIGHTS,
        help="how neighbours' votes count (default: %(default)s)",
    )


def _add_format_option(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument(
        "--format",
        default=DEFAULT_FORMAT,
        choices=FORMATS,
        help=f"file format to {verb} (default: %(default)s). {PICKLE_WARNING}",
    )


def _user_digits(args: argparse.Namespace) -> UserDigits | None:
    """The users' drawings for the source that includes them; None without a database."""
    if args.source != USER_SOURCE:
        return None
    location = args.db or drawings_location()
    if not is_url(location) and not Path(location).is_file():
        if args.db:
            raise StoreError(f"{location}: no such database")
        return None
    return DrawingStore(location).training_digits()


def _fit_from_args(args: argparse.Namespace) -> KNeighborsClassifier:
    return _fit(args, training_from_args(args))


def training_from_args(args: argparse.Namespace) -> TrainingSet:
    """The training set of ``--source`` (with the users' drawings of ``--db``)."""
    return load_training_set(args.source, _user_digits(args))


def _fit(args: argparse.Namespace, training: TrainingSet) -> KNeighborsClassifier:
    return fit_model(
        training.X_train,
        training.y_train,
        n_neighbors=args.k,
        p=args.p,
        algorithm=args.algorithm,
        weights=args.weights,
    )


def _describe(model: KNeighborsClassifier) -> str:
    return (
        f"k={model.n_neighbors} p={model.p:g} algorithm={model.algorithm} "
        f"weights={model.weights}"
    )


def _print_evaluation(
    model: KNeighborsClassifier, training: TrainingSet | None
) -> None:
    """The tutorial's test accuracy and report, then every collection's accuracy.

    ``training``: what the model learnt from (its pen writers are then each scored
    with their own fold left out); None for a loaded model, whose data is unknown.
    """
    split = load_split()
    result = evaluate(model, split.X_test, split.y_test)
    print(f"model: {_describe(model)}, {model.n_samples_fit_:,} training digits")
    print(
        f"test accuracy: {result.accuracy:.4f} "
        f"({result.n_test - len(result.misclassified)}/{result.n_test})"
    )
    print("confusion matrix (rows: true digit, columns: predicted):")
    print(format_confusion(result.confusion))
    print("digit  precision  recall")
    for digit, (pr, rc) in enumerate(zip(result.precision, result.recall, strict=True)):
        print(f"{digit:5d}  {pr:9.3f}  {rc:6.3f}")
    # Every collection, pen writers each scored with their fold left out of training.
    if training is None:
        index, tests = index_of_classifier(model), load_tests()
        print("accuracy per collection (the model's training digits are unknown):")
    else:
        index = fit_index(
            training.X_train,
            training.y_train,
            p=float(model.p),
            algorithm="brute",
            folds=training.folds,
        )
        tests = training.tests
        print("accuracy per collection (writers the model never saw):")
    k, weights = int(model.n_neighbors), str(model.weights)
    neighbors = held_out_neighbors(index, tests, k)
    scores = held_out_scores(index, tests, neighbors, n_neighbors=k, weights=weights)
    for name, found in scores.items():
        print(f"  {name}: {found.accuracy:.4f} ({found.n_test:,} digits)")


def cmd_evaluate(args: argparse.Namespace) -> int:
    training = training_from_args(args)
    _print_evaluation(_fit(args, training), training)
    return 0


def _print_progress(done: int, total: int) -> None:
    print(
        f"grid search: {done}/{total} pieces of work done", file=sys.stderr, flush=True
    )


def _tune_data(
    args: argparse.Namespace,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, str]:
    """The digits to cross-validate on: X, y, writer groups (or None) and a note."""
    if args.source == "uci":
        split = load_split()
        return split.X_train, split.y_train, None, "the tutorial's training split"
    if args.sample < 2 * args.cv:
        raise CLIError(f"--sample must be at least {2 * args.cv} digits")
    training = load_training_set(args.source)
    rows = sample_rows(len(training.y_train), args.sample)
    note = (
        f"{len(rows):,} of the {len(training.y_train):,} {args.source} training "
        "digits, folds grouped by pen writer"
    )
    return (
        training.X_train[rows],
        training.y_train[rows],
        writer_groups(training)[rows],
        note,
    )


def cmd_grid_search(args: argparse.Namespace) -> int:
    split = load_split()
    X, y, groups, note = _tune_data(args)
    if groups is not None and args.engine == "sklearn":
        raise CLIError("--engine sklearn runs the tutorial's search: use --source uci")
    k_start, k_stop, k_step = args.k_range
    grid = make_param_grid(k_start, k_stop, k_step, args.p_values, args.weights)
    n_candidates = len(grid["n_neighbors"]) * len(grid["p"]) * len(args.weights)
    print(
        f"grid search ({args.engine} engine): {n_candidates} candidates x {args.cv} "
        f"folds on {note}",
        file=sys.stderr,
    )
    start = time.perf_counter()
    # Progress: joblib's own report for GridSearchCV, one line per piece for the engine.
    result = (
        grid_search_sklearn(
            X,
            y,
            grid,
            cv=args.cv,
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet else 5,
        )
        if args.engine == "sklearn"
        else grid_search(
            X,
            y,
            grid,
            cv=args.cv,
            n_jobs=args.n_jobs,
            progress=None if args.quiet else _print_progress,
            groups=groups,
        )
    )
    elapsed = time.perf_counter() - start
    print("   k      p  weights   mean CV accuracy     std  rank")
    for row in results_table(result):
        print(
            f"{row['n_neighbors']:4d} {row['p']:6g}  {row['weights']:8s}"
            f"  {row['mean_test_score']:16.4f}  {row['std_test_score']:6.4f} "
            f"{row['rank_test_score']:5d}"
        )
    best = result.best_params
    test = evaluate(result.best_estimator, split.X_test, split.y_test)
    print(
        f"best parameters: n_neighbors={best['n_neighbors']} p={best['p']}"
        + (f" weights={best['weights']}" if "weights" in best else "")
    )
    print(f"best cross-validated accuracy: {result.best_score:.4f}")
    print(f"best model's test accuracy: {test.accuracy:.4f}")
    print(f"search time: {elapsed:.2f} s", file=sys.stderr)
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    model = (
        load_model(args.model, format=args.format)
        if args.model
        else _fit_from_args(args)
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
    model = _fit_from_args(args)
    path = save_model(model, args.path, format=args.format)
    print(f"saved {_describe(model)} to {path} ({args.format})")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    model = load_model(args.path, format=args.format)
    print(f"loaded {args.path} ({args.format})")
    _print_evaluation(model, None)
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
    _add_model_options(p)
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
        type=_k_range,
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
    _add_format_option(p, "read --model as")
    _add_model_options(p, drawing=True)
    p.set_defaults(func=cmd_predict)

    p = commands.add_parser(
        "save",
        help="fit a model and save it",
        description="Fit on the tutorial's training split (--source adds more "
        "training data) and save the model.",
    )
    p.add_argument("path", metavar="PATH")
    _add_format_option(p, "write")
    _add_model_options(p)
    p.set_defaults(func=cmd_save)

    p = commands.add_parser(
        "load",
        help="load a saved model and score it",
        description="Load a model (skops by default, trusted types only) and score it "
        "on the tutorial's test split.",
    )
    p.add_argument("path", metavar="PATH")
    _add_format_option(p, "read")
    p.set_defaults(func=cmd_load)

    p = commands.add_parser(
        "show-digits",
        help="save the tutorial's figure of the first digits",
        description="Save a PNG of the first digits of the data set with their labels.",
    )
    p.add_argument("out", metavar="OUT.png")
    p.add_argument(
        "--count",
        type=_digit_count,
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
