"""Which kind of digits a file holds: scans like the tutorial's, or drawn ones.

A digit is finished best from digits of its own kind (``benchmarks/completion.py``):
the tutorial's scans from the tutorial's 1,437 scans (lower half: RMSE 2.93 on its test
split), and from the page's 85,000 digits, mostly pen-drawn and MNIST, 3.79, worse
than a ridge regression fitted on the scans. The nearest training digits do not tell
the kind apart (MNIST, the dense part, is nearest to most scans), and half a digit
tells it only about two times in three. A file, though, is usually of one kind:
:func:`looks_like_scans` asks a classifier of each row's visible half and takes the
majority, right for every test collection here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from digits_knn.beyond.completion import check_counts, visible_features
from digits_knn.features.preprocessing import MAX_COUNT

if TYPE_CHECKING:
    from digits_knn.datasets.training import TrainingSet

#: Training digits per kind the classifier learns from (all the scans: 1,437).
PER_KIND = 8000


def kind_features(X: np.ndarray, half: str) -> np.ndarray:
    """What the classifier reads: the visible half's 32 counts and how often each
    value 0..16 occurs among them (thick scanned strokes fill blocks; thin pen
    strokes leave them partly filled).

    Returns
    -------
    ndarray of shape (n, 49), float32
    """
    visible = np.asarray(X)[:, visible_features(half)].astype(np.float32)
    shares = np.stack(
        [(visible == v).mean(axis=1) for v in range(MAX_COUNT + 1)], axis=1
    )
    return np.hstack([visible, shares]).astype(np.float32)


@dataclass(frozen=True)
class KindDetector:
    """A classifier of one row's visible half: a scan (True) or not.

    Attributes
    ----------
    half : the hidden half (the rest is read)
    model : a fitted scikit-learn classifier of :func:`kind_features`
    """

    half: str
    model: Any

    def is_scan(self, X: np.ndarray) -> np.ndarray:
        """Each row's kind: ndarray of shape (n,), bool (True: a scan)."""
        X = check_counts(X)
        return np.asarray(self.model.predict(kind_features(X, self.half)), dtype=bool)


def fit_kind_detector(
    training: TrainingSet, half: str, *, seed: int = 0
) -> KindDetector:
    """Learn scans from the rest on ``training``: its "UCI optdigits" rows against the
    others, up to :data:`PER_KIND` of each (balanced by weight).

    Raises
    ------
    ValueError
        ``training`` holds only one kind.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    from digits_knn.datasets.training import UCI_DIGITS

    scan = np.asarray([name == UCI_DIGITS for name in training.sizes])[
        training.row_sources()
    ]
    if scan.all() or not scan.any():
        raise ValueError("telling scans apart needs training digits of both kinds")
    rng = np.random.default_rng(seed)
    rows = np.concatenate(
        [
            rng.choice(
                np.flatnonzero(scan == kind),
                min(PER_KIND, int((scan == kind).sum())),
                replace=False,
            )
            for kind in (True, False)
        ]
    )
    model = HistGradientBoostingClassifier(
        max_iter=200, class_weight="balanced", random_state=seed
    )
    model.fit(kind_features(training.X_train[rows], half), scan[rows])
    return KindDetector(half, model)


def looks_like_scans(detector: KindDetector, X: np.ndarray) -> tuple[bool, int]:
    """Whether most rows of ``X`` look like scans, and how many do.

    Parameters
    ----------
    X : ndarray of shape (n, 64), n >= 1, block counts 0..16

    Returns
    -------
    scans : bool, more than half of the rows
    n_scans : int, the rows that look like scans
    """
    votes = detector.is_scan(X)
    return bool(votes.sum() * 2 > len(votes)), int(votes.sum())
