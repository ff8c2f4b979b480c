"""What the command line's commands share: the model's options (k, p, the search, the
training source and the drawings' database), reading them into a training set and a
fitted model, and the argument types and errors of the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from sklearn.neighbors import KNeighborsClassifier

from digits_knn.commands.drawings import DB_HELP
from digits_knn.datasets.training import (
    TRAINING_SOURCES,
    USER_SOURCE,
    TrainingSet,
    load_training_set,
)
from digits_knn.drawings.backends import is_url
from digits_knn.drawings.config import drawings_location
from digits_knn.drawings.store import (
    DrawingStore,
    StoreError,
    UserDigits,
)
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
    fit_model,
)
from digits_knn.search.persistence import (
    DEFAULT_FORMAT,
    FORMATS,
    PICKLE_WARNING,
)

EXIT_USAGE = 2
#: show-digits draws at most this many digits (a 10-column grid).
MAX_SHOWN_DIGITS = 100


class CLIError(Exception):
    """An error to print as one line on stderr, without a traceback."""


def k_range(text: str) -> tuple[int, int, int]:
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


def digit_count(text: str) -> int:
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


def add_model_options(
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


def add_format_option(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument(
        "--format",
        default=DEFAULT_FORMAT,
        choices=FORMATS,
        help=f"file format to {verb} (default: %(default)s). {PICKLE_WARNING}",
    )


def user_digits(args: argparse.Namespace) -> UserDigits | None:
    """The users' drawings for the source that includes them; None without a database."""
    if args.source != USER_SOURCE:
        return None
    location = args.db or drawings_location()
    if not is_url(location) and not Path(location).is_file():
        if args.db:
            raise StoreError(f"{location}: no such database")
        return None
    return DrawingStore(location).training_digits()


def fit_from_args(args: argparse.Namespace) -> KNeighborsClassifier:
    return fit_with_args(args, training_from_args(args))


def training_from_args(args: argparse.Namespace) -> TrainingSet:
    """The training set of ``--source`` (with the users' drawings of ``--db``)."""
    return load_training_set(args.source, user_digits(args))


def fit_with_args(
    args: argparse.Namespace, training: TrainingSet
) -> KNeighborsClassifier:
    return fit_model(
        training.X_train,
        training.y_train,
        n_neighbors=args.k,
        p=args.p,
        algorithm=args.algorithm,
        weights=args.weights,
    )
