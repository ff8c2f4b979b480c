"""How well does KNN regression finish a digit? RMSE per block count, against baselines.

    PYTHONPATH=. .venv/bin/python benchmarks/completion.py [--half lower]

For each half (lower, upper, left, right) and each test set, the 32 hidden block counts
(0..16) of every test digit are predicted from its 32 visible ones by:

- the default completion: a ``KNeighborsRegressor`` with k and weights chosen by
  leave-writer-out cross-validation on its training data (what the page and
  ``python -m digits_knn complete`` use);
- the training digits' mean hidden half (knowing nothing);
- a ridge regression from the visible counts (the linear baseline, alpha = 1);
- the mean hidden half of the training digits of the test digit's own true class
  (knowing the label, which the others do not).

Training data and test sets, the same for every method on a line:

- *UCI test scans, tutorial data*: the tutorial's 360 test scans, trained on its 1,437
  training scans (the page's "UCI optdigits" source);
- *UCI test scans, page data*: the same scans, trained on the page's 91,413 digits;
- *drawn digits, unseen writers*: the pen digits of UCI pendigits, each writer fold
  completed from training data without that fold's writers;
- *MNIST test writers*: MNIST's 10,000 test digits, through the canvas path.

Prints one Markdown table (the README's).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.linear_model import Ridge

from digits_knn.completion import (
    HALVES,
    choose_completion,
    fit_completer,
    hidden_features,
    rmse_per_count,
    visible_features,
)
from digits_knn.data import (
    DEFAULT_SOURCE,
    DRAWN_TEST,
    MNIST_TEST,
    UCI_TEST,
    load_training_set,
    writer_groups,
)

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
    args = parser.parse_args()
    halves = args.half or list(HALVES)

    uci = load_training_set("uci")
    page = load_training_set(DEFAULT_SOURCE)
    tests = page.tests
    lines = [
        ("UCI test scans, tutorial data", uci, tests[UCI_TEST], False),
        ("UCI test scans, page data", page, tests[UCI_TEST], False),
        ("drawn digits, unseen writers", page, tests[DRAWN_TEST], True),
        ("MNIST test writers", page, tests[MNIST_TEST], False),
    ]
    print(
        "| half | test set (training data) | KNN (CV) | k, weights | training mean "
        "| ridge | true-class mean | KNN beats ridge |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    started = time.perf_counter()
    for half in halves:
        for name, training, test, by_writer in lines:
            scores, setting = score_line(
                training.X_train,
                training.y_train,
                writer_groups(training),
                test.X,
                test.y,
                half,
                train_folds=training.folds if by_writer else None,
                test_folds=test.folds if by_writer else None,
            )
            cells = " | ".join(f"{scores[m]:.2f}" for m in METHODS[1:])
            beats = "yes" if scores["KNN (CV)"] < scores["ridge"] else "**no**"
            print(
                f"| {half} | {name} ({len(test):,}) | **{scores['KNN (CV)']:.2f}** "
                f"| {setting} | {cells} | {beats} |",
                flush=True,
            )
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
