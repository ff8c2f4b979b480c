"""The tutorial's own commands: ``evaluate`` (fit, score on the test split and on
every collection) and ``grid-search`` (the cross-validated search over k and p)."""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.commands.options import (
    CLIError,
    fit_with_args,
    training_from_args,
)
from digits_knn.datasets.training import (
    TrainingSet,
    load_tests,
    load_training_set,
    sample_rows,
    writer_groups,
)
from digits_knn.datasets.uci import load_split
from digits_knn.search.neighbors import fit_index, index_of_classifier
from digits_knn.tuning.evaluation import (
    evaluate,
    format_confusion,
    held_out_neighbors,
    held_out_scores,
)
from digits_knn.tuning.grids import make_param_grid
from digits_knn.tuning.selection import grid_search, grid_search_sklearn, results_table


def describe(model: KNeighborsClassifier) -> str:
    return (
        f"k={model.n_neighbors} p={model.p:g} algorithm={model.algorithm} "
        f"weights={model.weights}"
    )


def print_evaluation(model: KNeighborsClassifier, training: TrainingSet | None) -> None:
    """The tutorial's test accuracy and report, then every collection's accuracy.

    ``training``: what the model learnt from (its pen writers are then each scored
    with their own fold left out); None for a loaded model, whose data is unknown.
    """
    split = load_split()
    result = evaluate(model, split.X_test, split.y_test)
    print(f"model: {describe(model)}, {model.n_samples_fit_:,} training digits")
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
    print_evaluation(fit_with_args(args, training), training)
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
