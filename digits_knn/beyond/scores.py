"""Beyond KNN's scores: each fitted model's accuracy on each test set, its time to
predict one digit and its size (a line of the table), and each model's answer for one
drawing."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from digits_knn.beyond.compare import Contender
from digits_knn.beyond.findings import ModelFigures
from digits_knn.datasets.training import (
    Collection,
)


@dataclass(frozen=True)
class Score:
    """One model's line of the table.

    Attributes
    ----------
    name, note, n_train, fit_seconds : as :class:`Contender`
    accuracy : dict of test set name to accuracy, 0..1
    predict_ms : median time to predict one digit (HOG features included), ms
    size_bytes : the fitted model, pickled
    """

    name: str
    note: str
    n_train: int
    fit_seconds: float
    accuracy: dict[str, float]
    predict_ms: float
    size_bytes: int

    def figures(self) -> ModelFigures:
        """The row as :mod:`digits_knn.beyond.findings` reads it."""
        return ModelFigures(
            self.name,
            self.n_train,
            self.fit_seconds,
            self.predict_ms,
            self.size_bytes / 2**20,
            self.accuracy,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "setup": self.note,
            "training_digits": self.n_train,
            "accuracy": {name: round(a, 4) for name, a in self.accuracy.items()},
            "fit_seconds": round(self.fit_seconds, 3),
            "predict_ms": round(self.predict_ms, 3),
            "size_bytes": self.size_bytes,
        }


def score_contenders(
    contenders: Sequence[Contender],
    tests: dict[str, Collection],
    *,
    timed: int = 30,
    progress: Callable[[str], None] | None = None,
) -> list[Score]:
    """Accuracy of each model on each test set, and its time to predict one digit
    (median over ``timed`` single digits)."""
    say = progress or (lambda message: None)
    scores = []
    for contender in contenders:
        say(f"{contender.name}: scoring")
        accuracy = {}
        for name, test in tests.items():
            bitmaps = test.bitmaps if contender.uses_hog else np.empty(0)
            proba = contender.predict_proba(test.X, bitmaps)
            predicted = np.asarray(contender.model.classes_)[proba.argmax(axis=1)]
            accuracy[name] = float((predicted == test.y).mean())
        first = next(iter(tests.values()))
        times = []
        for row in range(min(timed, len(first))):
            bitmap = first.bitmaps[row : row + 1] if contender.uses_hog else np.empty(0)
            started = time.perf_counter()
            contender.predict_proba(first.X[row : row + 1], bitmap)
            times.append(1000 * (time.perf_counter() - started))
        scores.append(
            Score(
                contender.name,
                contender.note,
                contender.n_train,
                contender.fit_seconds,
                accuracy,
                float(np.median(times)),
                contender.size_bytes,
            )
        )
    return scores


@dataclass(frozen=True)
class Guess:
    """One model's answer for one drawing: the digit and its probability."""

    name: str
    label: int
    confidence: float


def predict_drawing(
    contenders: Sequence[Contender], features: np.ndarray, bitmap: np.ndarray
) -> list[Guess]:
    """Every model's prediction for one drawing (64 counts and its 32x32 bitmap)."""
    X = np.asarray(features).reshape(1, -1)
    bitmaps = np.asarray(bitmap, dtype=bool)[None]
    guesses = []
    for contender in contenders:
        proba = contender.predict_proba(X, bitmaps)[0]
        best = int(np.argmax(proba))
        label = int(np.asarray(contender.model.classes_)[best])
        guesses.append(Guess(contender.name, label, float(proba[best])))
    return guesses
