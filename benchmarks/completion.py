"""How well does KNN regression finish a digit? RMSE per block count, against baselines.

    .venv/bin/python benchmarks/completion.py [--half lower] [--write-docs]

For each half (lower, upper, left, right) and each test set, the 32 hidden block counts
(0..16) of every test digit are predicted from its 32 visible ones by:

- the default completion: a ``KNeighborsRegressor`` with k and weights chosen by
  leave-writer-out cross-validation on its training data (what the page and
  ``python -m digits_knn complete`` use);
- the training digits' mean hidden half (knowing nothing);
- a ridge regression from the visible counts (the linear baseline, alpha = 1);
- the mean hidden half of the training digits of the test digit's own true class
  (knowing the label, which the others do not).

Each method learns from the tutorial's data (its 1,437 training scans) and from the
page's (91,413 digits); ``complete``'s default picks one of the two by the kind of the
file's digits (:mod:`digits_knn.beyond.input_kind`). Test sets:

- *UCI test scans*: the tutorial's 360 test scans (its split is random, so their
  writers also wrote training scans: scans of unseen writers do worse);
- *pen digits, unseen writers*: the pen digits of UCI pendigits, each writer fold
  completed from training data without that fold's writers;
- *MNIST test writers*: MNIST's 10,000 test digits, through the canvas path.

Prints one Markdown table; ``--write-docs`` writes it into docs/finishing.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import numpy as np
from docblocks import write_block
from sklearn.linear_model import Ridge

from digits_knn.beyond.completion import (
    HALVES,
    choose_completion,
    fit_completer,
    hidden_features,
    rmse_per_count,
    visible_features,
)
from digits_knn.commands.complete import kind_of
from digits_knn.datasets.training import (
    DEFAULT_SOURCE,
    DRAWN_TEST,
    MNIST_TEST,
    UCI_TEST,
    load_training_set,
    writer_groups,
)

DOC = ROOT / "docs" / "finishing.md"
METHODS = ("KNN (CV)", "training mean", "ridge", "true-class mean")


def baselines(
    X: np.ndarray, y: np.ndarray, Xt: np.ndarray, yt: np.ndarray, half: str
) -> dict[str, np.ndarray]:
    """Predicted hidden halves of ``Xt`` by each baseline fitted on ``X, y``."""
    visible, hidden = visible_features(half), hidden_features(half)
    train_hidden = X[:, hidden].astype(np.float64)
    ridge = Ridge(alpha=1.0, solver="svd").fit(
        X[:, visible].astype(np.float64), train_hidden
    )
    class_means = np.stack([train_hidden[y == c].mean(axis=0) for c in range(10)])
    return {
        "training mean": np.broadcast_to(
            train_hidden.mean(axis=0), (len(Xt), len(hidden))
        ),
        "ridge": ridge.predict(Xt[:, visible].astype(np.float64)),
        "true-class mean": class_means[yt],
    }


def score_line(
    X: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    Xt: np.ndarray,
    yt: np.ndarray,
    half: str,
    *,
    train_folds: np.ndarray | None = None,
    test_folds: np.ndarray | None = None,
) -> tuple[dict[str, float], str]:
    """RMSE of every method on one test set; test digits with a writer fold are
    completed from training data without that fold."""
    hidden = hidden_features(half)
    choice = choose_completion(X, groups, half)
    predicted = {name: np.empty((len(Xt), len(hidden))) for name in METHODS}
    fold_values = [-1] if test_folds is None else sorted(set(test_folds.tolist()))
    for fold in fold_values:
        mine = np.ones(len(Xt), bool) if test_folds is None else test_folds == fold
        keep = np.ones(len(X), bool)
        if fold >= 0 and train_folds is not None:
            keep = train_folds != fold
        completer = fit_completer(
            X[keep], half, n_neighbors=choice.n_neighbors, weights=choice.weights
        )
        predicted["KNN (CV)"][mine] = completer.predict(Xt[mine])[:, hidden]
        for name, values in baselines(
            X[keep], y[keep], Xt[mine], yt[mine], half
        ).items():
            predicted[name][mine] = values
    true = Xt[:, hidden]
    scores = {name: rmse_per_count(values, true) for name, values in predicted.items()}
    return scores, f"k={choice.n_neighbors}, {choice.weights}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=HALVES, action="append")
    parser.add_argument("--write-docs", action="store_true", help=f"write {DOC.name}")
    args = parser.parse_args()
    halves = args.half or list(HALVES)

    data = {
        "uci": load_training_set("uci"),
        DEFAULT_SOURCE: load_training_set(DEFAULT_SOURCE),
    }
    tests = data[DEFAULT_SOURCE].tests
    lines = [
        ("UCI test scans", tests[UCI_TEST], False),
        ("pen digits, unseen writers", tests[DRAWN_TEST], True),
        ("MNIST test writers", tests[MNIST_TEST], False),
    ]
    out = [
        "| half | test set | **`complete`'s default** (source chosen) | KNN, page data "
        "| KNN, tutorial data | ridge, page data | ridge, tutorial data | training mean "
        "| true-class mean | default beats every baseline |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    print("\n".join(out), flush=True)
    started = time.perf_counter()
    for half in halves:
        for name, test, by_writer in lines:
            scores = {}
            for source, training in data.items():
                pen_folds = by_writer and source != "uci"
                scores[source], _ = score_line(
                    training.X_train,
                    training.y_train,
                    writer_groups(training),
                    test.X,
                    test.y,
                    half,
                    train_folds=training.folds if pen_folds else None,
                    test_folds=test.folds if pen_folds else None,
                )
            chosen = kind_of(data[DEFAULT_SOURCE], half, test.X)[0]
            default = scores[chosen]["KNN (CV)"]
            page, uci = scores[DEFAULT_SOURCE], scores["uci"]
            baselines = [
                page["ridge"],
                uci["ridge"],
                scores[chosen]["training mean"],
                scores[chosen]["true-class mean"],
            ]
            beats = "yes" if default < min(baselines) else "**no**"
            line = (
                f"| {half} | {name} ({len(test):,}) | **{default:.2f}** ({chosen}) "
                f"| {page['KNN (CV)']:.2f} | {uci['KNN (CV)']:.2f} | {page['ridge']:.2f} "
                f"| {uci['ridge']:.2f} | {scores[chosen]['training mean']:.2f} "
                f"| {scores[chosen]['true-class mean']:.2f} | {beats} |"
            )
            out.append(line)
            print(line, flush=True)
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if args.write_docs:
        write_block(DOC, "completion", "\n".join(out))


if __name__ == "__main__":
    main()
