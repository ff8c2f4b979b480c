"""The command line's ``complete``: finish half-hidden digits with KNN regression.

    python -m digits_knn complete --csv IN.csv [--out OUT.csv] [--half lower]

Each input row holds a digit's 64 block counts (0..16, row-major); the hidden half's
values are ignored. Each output row holds the same 64 counts with the hidden half
replaced by the prediction (3 decimals), in the same order; a header only if the input
had one. A bad input is one line on stderr naming the row, exit status 1, and no
output file (the file is written whole, then moved into place).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from digits_knn.beyond.completion import (
    HALVES,
    Completer,
    choose_completion,
    fit_completer,
    hidden_features,
)
from digits_knn.beyond.input_kind import fit_kind_detector, looks_like_scans
from digits_knn.datasets.training import (
    DEFAULT_SOURCE,
    TRAINING_SOURCES,
    USER_SOURCE,
    TrainingSet,
    load_training_set,
    writer_groups,
)
from digits_knn.drawings.exchange import CsvImportError, parse_counts_csv
from digits_knn.search.model import WEIGHTS

#: ``--source auto``: the source chosen by the kind of the file's digits.
AUTO = "auto"


def completed_csv(
    X: np.ndarray, completed: np.ndarray, half: str, header: list[str] | None
) -> str:
    """CSV text: ``X``'s rows with the hidden half taken from ``completed``.

    Parameters
    ----------
    X : ndarray of shape (n, 64), int: the input counts (written as they were)
    completed : ndarray of shape (n, 64), float: the predictions (3 decimals)
    header : the input's header cells, written back first; None for none
    """
    hidden = set(hidden_features(half).tolist())
    lines = [",".join(header)] if header is not None else []
    for given, predicted in zip(X, completed, strict=True):
        cells = [
            f"{predicted[j]:.3f}" if j in hidden else str(int(given[j]))
            for j in range(len(given))
        ]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` all at once: a temporary file beside it, then a
    rename, so that nothing half-written is ever left under ``path``."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def completer_for(
    training: TrainingSet, half: str, n_neighbors: int | None, weights: str | None
) -> tuple[Completer, str]:
    """A completer of ``half`` on ``training``'s digits, and how k was chosen."""
    if n_neighbors is None or weights is None:
        choice = choose_completion(training.X_train, writer_groups(training), half)
        n_neighbors = n_neighbors or choice.n_neighbors
        weights = weights or choice.weights
        how = (
            f"chosen by leave-writer-out validation on {choice.n_queries:,} of the "
            f"{len(training.y_train):,} training digits"
        )
    else:
        how = "as given"
    completer = fit_completer(
        training.X_train, half, n_neighbors=n_neighbors, weights=weights
    )
    return completer, how


def kind_of(page: TrainingSet, half: str, X: np.ndarray) -> tuple[str, str]:
    """``--source auto``: the tutorial's scans ("uci") if most rows of ``X`` look like
    scans (:mod:`digits_knn.beyond.input_kind`, learnt on ``page``, the page's
    digits), else the page's source; and why, in words."""
    scans, n_scans = looks_like_scans(fit_kind_detector(page, half), X)
    why = f" ({n_scans:,} of {len(X):,} rows look like scans)"
    return ("uci" if scans else page.source), why


def training_for(source: str, half: str, X: np.ndarray) -> tuple[TrainingSet, str]:
    """The training digits to finish ``X`` from (``--source``; "auto" by kind, the
    page's digits read once), and why, in words."""
    if source != AUTO:
        return load_training_set(source), ""
    page = load_training_set(DEFAULT_SOURCE)
    if len(X) == 0:
        return page, ""
    chosen, why = kind_of(page, half, X)
    return (page if chosen == page.source else load_training_set(chosen)), why


def cmd_complete(args: argparse.Namespace) -> int:
    path = Path(args.csv)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CsvImportError(f"cannot read {path}: {exc.strerror or exc}") from None
    X, header = parse_counts_csv(data)
    if args.out is not None:
        out = Path(args.out)
        if not out.parent.is_dir():
            raise CsvImportError(f"cannot write {out}: no folder {out.parent}")
    training, kind = training_for(args.source, args.half, X)
    completer, how = completer_for(training, args.half, args.k, args.weights)
    text = completed_csv(X, completer.predict(X), args.half, header)
    if not args.quiet:
        print(
            f"completed the {args.half} half of {len(X):,} digits from {training.source}"
            f"{kind}: "
            f"k={completer.n_neighbors}, {completer.weights} weights ({how})",
            file=sys.stderr,
        )
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_whole(Path(args.out), text)
    return 0


def add_complete_command(commands: Any) -> None:
    """Add ``complete`` to the command line's subcommands."""
    p = commands.add_parser(
        "complete",
        help="finish half-hidden digits by KNN regression",
        description="Predict the hidden half of each digit's 64 block counts from "
        "the visible half with a KNeighborsRegressor (k and weights chosen by "
        "cross-validation grouped by writer, unless given). Input: a CSV, each row "
        "64 counts 0..16 row-major (the hidden half's values are ignored), an "
        "optional header. Output: the same rows, hidden half replaced by the "
        "prediction (3 decimals). A bad row: one line on stderr, exit status 1, no "
        "output file.",
    )
    p.add_argument("--csv", required=True, metavar="IN.csv", help="digits to finish")
    p.add_argument(
        "--out", metavar="OUT.csv", help="where to write them (default: stdout)"
    )
    p.add_argument(
        "--half",
        default=HALVES[0],
        choices=HALVES,
        help="the half to predict (default: %(default)s)",
    )
    p.add_argument(
        "--source",
        default=AUTO,
        choices=[AUTO, *(s for s in TRAINING_SOURCES if s != USER_SOURCE)],
        help="training digits (default: auto: the tutorial's 1,437 scans, uci, if "
        f"most rows look like scans, else the page's {DEFAULT_SOURCE}; digits are "
        "finished best from their own kind)",
    )
    p.add_argument("--k", type=int, help="neighbours averaged (default: by CV)")
    p.add_argument("--weights", choices=WEIGHTS, help="(default: by CV)")
    p.add_argument("--quiet", action="store_true", help="no note on stderr")
    p.set_defaults(func=cmd_complete)
