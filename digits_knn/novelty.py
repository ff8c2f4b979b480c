"""Is it a digit at all? KNN as an outlier detector.

The tutorial notes that nearest neighbours also detect outliers: a drawing whose nearest
training digits are all far away is unlike any digit the model knows. The score here is
the mean Euclidean distance to the 5 nearest training digits (in the 64 block counts),
whatever the classifier's own k and p, and the threshold is a high percentile of that
score for real digits, calibrated as if they came from a new writer: a training digit is
scored against the training digits of *other* writers only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digits_knn.selection import minkowski_power_sums

#: How many nearest training digits the score averages over.
NOVELTY_NEIGHBORS = 5
#: Share of real digits (by other writers) that must pass as digits.
ACCEPT_QUANTILE = 0.99
#: Training digits scored to set the threshold (a seeded sample).
CALIBRATION_SIZE = 3000


@dataclass(frozen=True)
class DigitDetector:
    """Flags drawings that are too far from every training digit to be a digit.

    Attributes
    ----------
    X_ref : ndarray of shape (n, 64)
        The training digits.
    threshold : float
        Scores above this are "not a digit".
    n_neighbors : int
    """

    X_ref: np.ndarray
    threshold: float
    n_neighbors: int = NOVELTY_NEIGHBORS

    def scores(self, X: np.ndarray) -> np.ndarray:
        """Mean distance to the ``n_neighbors`` nearest training digits.

        Parameters
        ----------
        X : ndarray of shape (n_queries, 64) or (64,)

        Returns
        -------
        ndarray of shape (n_queries,), floats >= 0
        """
        X = np.atleast_2d(X)
        sq = minkowski_power_sums(X, self.X_ref, 2)
        nearest = np.partition(sq, self.n_neighbors - 1, axis=1)[:, : self.n_neighbors]
        return np.sqrt(nearest).mean(axis=1)

    def is_digit(self, X: np.ndarray) -> np.ndarray:
        """``True`` where the score is at most the threshold; shape (n_queries,)."""
        return self.scores(X) <= self.threshold


def fit_detector(
    X_train: np.ndarray,
    groups: np.ndarray,
    *,
    n_neighbors: int = NOVELTY_NEIGHBORS,
    quantile: float = ACCEPT_QUANTILE,
    calibration_size: int = CALIBRATION_SIZE,
    random_state: int = 0,
) -> DigitDetector:
    """Calibrate a :class:`DigitDetector` on training digits.

    Parameters
    ----------
    X_train : ndarray of shape (n, 64)
    groups : ndarray of shape (n,)
        Who wrote each digit: when a digit is scored for calibration, digits of the same
        group are left out, as for a writer the model has never seen. Use a distinct
        value per row where the writer is unknown.
    n_neighbors : int, default 5
    quantile : float in (0, 1), default 0.99
        Share of the calibration digits that pass.
    calibration_size : int, default 3000
    random_state : int, default 0

    Returns
    -------
    DigitDetector
    """
    X_train = np.asarray(X_train, dtype=np.float64)
    groups = np.asarray(groups)
    rng = np.random.default_rng(random_state)
    rows = rng.choice(
        len(X_train), size=min(calibration_size, len(X_train)), replace=False
    )
    sq = minkowski_power_sums(X_train[rows], X_train, 2)
    sq[groups[rows][:, None] == groups[None, :]] = np.inf
    nearest = np.partition(sq, n_neighbors - 1, axis=1)[:, :n_neighbors]
    scores = np.sqrt(nearest).mean(axis=1)
    return DigitDetector(
        X_ref=X_train,
        threshold=float(np.quantile(scores, quantile)),
        n_neighbors=n_neighbors,
    )
