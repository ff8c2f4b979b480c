"""Is it a digit at all? KNN as an outlier detector.

The tutorial notes that nearest neighbours also detect outliers: a drawing whose nearest
digits are all far away is unlike any digit the model knows. Here the distance is taken
between the shapes of the ink as drawn (:mod:`digits_knn.features.shapes`), and the score weighs
two neighbourhoods against each other:

    score = mean distance to the 5 nearest real digits
            - mean distance to the 5 nearest known non-digits

so a drawing is flagged when it is far from every digit *and* near the scribbles,
stars, hash signs and letters the detector was shown as non-digits. A second opinion
joins it: a small neural network (:class:`ShapeNet`, one hidden layer) trained on the
same shapes to tell digits from non-digits, whose log-odds are added to the distance
score, each divided by its spread over real digits. The two err on different letters
(the distances let a D or a C pass as a 0, the network a D or an h); together they
flag more letters at the same share of real digits. The threshold is a high
percentile of the score of real digits, calibrated as if they came from a new writer:
a reference digit is scored against the digits of *other* writers only, and by
networks that were trained without its writer's digits.

The reference ships in ``_data/shape_reference.npz`` (``scripts/make_shape_reference.py``):
every UCI pendigits trajectory drawn twice (a wide range of pens and sizes; the app's
own pen at every size), the 1,797 UCI optdigits scans on a canvas, 10,000 MNIST
training digits through the canvas path, generated non-digits
(:func:`digits_knn.features.strokes.non_digit_strokes`, seeded apart from the ones
``benchmarks/drawn_accuracy.py`` measures on) and letters of seven Hershey fonts bent
as a hand draws them (all but :data:`LOOK_ALIKE_LETTERS`), with the networks and the
threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from digits_knn.beyond.shape_nets import (
    ShapeNet,
    fit_shape_net,
    mean_logits,
    nets_from_arrays,
)
from digits_knn.search.distances import squared_euclidean

#: How many nearest shapes each mean distance averages over.
NOVELTY_NEIGHBORS = 5
#: Share of real digits (by other writers) that must pass as digits.
ACCEPT_QUANTILE = 0.99
#: Weight of the distance to the non-digits in the score.
NEGATIVE_WEIGHT = 1.0
#: Reference digits scored to set the threshold (a seeded sample). With 3,000 of the
#: 27,000 the 99th percentile moved with the sample's seed enough to change the share of
#: UJI's digits flagged from 1.4% to 2.3%; from 10,000 on it no longer moves
#: (``benchmarks/drawn_accuracy.py``: the same table with 10,000 and with all).
CALIBRATION_SIZE = 10_000
#: Networks averaged in the second opinion (seeds 0, 1, ...): one network's verdict on
#: a letter moves with its seed; the mean of three moves less.
N_NETS = 3
#: Writer-grouped folds that score the calibration digits with networks that never saw
#: their writer.
NET_FOLDS = 5
_REFERENCE_FILE = "shape_reference.npz"


def mean_nearest(
    X: np.ndarray,
    X_ref: np.ndarray,
    n_neighbors: int,
    *,
    exclude: tuple[np.ndarray, np.ndarray] | None = None,
    ref_norms: np.ndarray | None = None,
) -> np.ndarray:
    """Mean distance of each row of X to its ``n_neighbors`` nearest rows of X_ref.

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
    X_ref : ndarray of shape (n_ref, n_features)
    n_neighbors : int
    exclude : (groups of X, groups of X_ref), optional
        Pairs in the same group are skipped (a writer's own digits).
    ref_norms : ndarray of shape (n_ref,), optional
        ``(X_ref * X_ref).sum(axis=1)``, if already known.

    Returns
    -------
    ndarray of shape (n,), floats >= 0
    """
    if ref_norms is None:
        ref_norms = (X_ref * X_ref).sum(axis=1)
    out = np.empty(len(X))
    chunk = max(1, 2**21 // max(1, len(X_ref)))  # at most 16 MB of distances at once
    for start in range(0, len(X), chunk):
        stop = start + chunk
        sq = squared_euclidean(X[start:stop], X_ref, B_norms=ref_norms)
        if exclude is not None:
            sq[exclude[0][start:stop, None] == exclude[1][None, :]] = np.inf
        nearest = np.partition(sq, n_neighbors - 1, axis=1)[:, :n_neighbors]
        out[start:stop] = np.sqrt(nearest).mean(axis=1)
    return out


@dataclass(frozen=True)
class DigitCheck:
    """Does one drawing look like a digit?

    Attributes
    ----------
    is_digit : bool
    score : float
        How much nearer the drawing's shape is to non-digits than to digits (see the
        module's docstring); higher is less like a digit.
    threshold : float
        The largest score of a digit: 99% of real digits by unseen writers score below.
    """

    is_digit: bool
    score: float
    threshold: float

    def to_dict(self) -> dict[str, bool | float]:
        """JSON-ready: ``is_digit``, ``digit_score``, ``digit_threshold``."""
        return {
            "is_digit": self.is_digit,
            "digit_score": round(self.score, 4),
            "digit_threshold": round(self.threshold, 4),
        }


@dataclass(frozen=True, eq=False)
class DigitDetector:
    """Flags drawings whose shape is unlike every digit and like a non-digit.

    Attributes
    ----------
    digits : ndarray of shape (n, n_features)
        Real digits, in the space the distance is taken in.
    negatives : ndarray of shape (m, n_features)
        Known non-digits (m may be 0: then only the distance to digits counts).
    threshold : float
        Scores above this are "not a digit".
    n_neighbors : int
    negative_weight : float
    nets : tuple of ShapeNet
        The second opinion (none: the score is the distances' alone).
    spreads : (float, float)
        With nets: the spread (standard deviation) over real digits of the distance
        score and of the networks' mean log-odds; each is divided by its own.
    """

    digits: np.ndarray
    negatives: np.ndarray
    threshold: float
    n_neighbors: int = NOVELTY_NEIGHBORS
    negative_weight: float = NEGATIVE_WEIGHT
    nets: tuple[ShapeNet, ...] = ()
    spreads: tuple[float, float] = (1.0, 1.0)
    _norms: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # float32 halves the memory (tens of thousands of 280-long rows) and the
        # distances need no more; |b|^2 of every reference row, once: a drawing's
        # check is then one product.
        digits = np.ascontiguousarray(self.digits, dtype=np.float32)
        negatives = np.ascontiguousarray(self.negatives, dtype=np.float32)
        object.__setattr__(self, "digits", digits)
        object.__setattr__(self, "negatives", negatives)
        norms = ((digits * digits).sum(axis=1), (negatives * negatives).sum(axis=1))
        object.__setattr__(self, "_norms", norms)

    def distance_scores(self, X: np.ndarray) -> np.ndarray:
        """Mean distance to the nearest digits minus that to the nearest non-digits,
        for each row of X (shapes as in :meth:`scores`)."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float32))
        k = self.n_neighbors
        score = mean_nearest(X, self.digits, k, ref_norms=self._norms[0])
        if len(self.negatives) >= k:
            away = mean_nearest(X, self.negatives, k, ref_norms=self._norms[1])
            score = score - self.negative_weight * away
        return score

    def scores(self, X: np.ndarray) -> np.ndarray:
        """The score of each drawing (higher: less like a digit): the distance score,
        plus the networks' log-odds if there are networks, each over its spread.

        Parameters
        ----------
        X : ndarray of shape (n_queries, n_features) or (n_features,)

        Returns
        -------
        ndarray of shape (n_queries,)
        """
        score = self.distance_scores(X)
        if not self.nets:
            return score
        X = np.atleast_2d(np.asarray(X, dtype=np.float32))
        return score / self.spreads[0] + mean_logits(self.nets, X) / self.spreads[1]

    def is_digit(self, X: np.ndarray) -> np.ndarray:
        """``True`` where the score is at most the threshold; shape (n_queries,)."""
        return self.scores(X) <= self.threshold

    def check(self, x: np.ndarray) -> DigitCheck:
        """The verdict on one drawing's shape (shape (n_features,)), on this thread."""
        score = float(self.scores(x)[0])
        return DigitCheck(
            is_digit=score <= self.threshold, score=score, threshold=self.threshold
        )


def fit_detector(
    digits: np.ndarray,
    groups: np.ndarray,
    negatives: np.ndarray | None = None,
    *,
    n_nets: int = 0,
    n_neighbors: int = NOVELTY_NEIGHBORS,
    quantile: float = ACCEPT_QUANTILE,
    negative_weight: float = NEGATIVE_WEIGHT,
    calibration_size: int = CALIBRATION_SIZE,
    random_state: int = 0,
) -> DigitDetector:
    """Calibrate a :class:`DigitDetector` on reference digits.

    Parameters
    ----------
    digits : ndarray of shape (n, n_features)
        Real digits as shape features (or any features).
    groups : ndarray of shape (n,)
        Who wrote each digit: when a digit is scored for calibration, digits of the same
        group are left out, as for a writer the detector has never seen. Use a distinct
        value per row where the writer is unknown.
    negatives : ndarray of shape (m, n_features), optional
        Known non-digits.
    n_nets : int, default 0
        Networks of the second opinion (seeds 0..n_nets-1; needs negatives). Each
        calibration digit is then also scored by networks trained without its
        writer's digits (:data:`NET_FOLDS` folds by writer), which takes minutes on
        the shipped reference.
    n_neighbors : int, default 5
    quantile : float in (0, 1), default 0.99
        Share of the calibration digits that pass.
    negative_weight : float, default 1
    calibration_size : int, default 10,000
    random_state : int, default 0
        The calibration sample.

    Returns
    -------
    DigitDetector
    """
    digits = np.asarray(digits)
    negatives = np.empty((0, digits.shape[1])) if negatives is None else negatives
    if n_nets and len(negatives) == 0:
        raise ValueError("the networks need negatives to learn from")
    detector = DigitDetector(
        digits,
        negatives,
        np.inf,
        n_neighbors=n_neighbors,
        negative_weight=negative_weight,
    )
    groups = np.asarray(groups)
    rng = np.random.default_rng(random_state)
    rows = rng.choice(
        len(digits), size=min(calibration_size, len(digits)), replace=False
    )
    # Scored in float32, as the detector scores drawings.
    reference = detector.digits
    near = mean_nearest(
        reference[rows], reference, n_neighbors, exclude=(groups[rows], groups)
    )
    if len(detector.negatives) >= n_neighbors:
        near -= negative_weight * mean_nearest(
            reference[rows], detector.negatives, n_neighbors
        )
    nets: tuple[ShapeNet, ...] = ()
    spreads = (1.0, 1.0)
    if n_nets:
        X = np.vstack([reference, detector.negatives])
        y = np.r_[np.zeros(len(reference)), np.ones(len(detector.negatives))]
        unseen = _unseen_writer_logits(X, y, groups, rows, n_nets)
        nets = tuple(fit_shape_net(X, y, random_state=seed) for seed in range(n_nets))
        spreads = (float(near.std()), float(unseen.std()))
        near = near / spreads[0] + unseen / spreads[1]
    return DigitDetector(
        reference,
        detector.negatives,
        float(np.quantile(near, quantile)),
        n_neighbors=n_neighbors,
        negative_weight=negative_weight,
        nets=nets,
        spreads=spreads,
    )


def _unseen_writer_logits(
    X: np.ndarray, y: np.ndarray, groups: np.ndarray, rows: np.ndarray, n_nets: int
) -> np.ndarray:
    """The networks' mean log-odds for the digits ``rows`` (the first rows of X are
    the digits, grouped by ``groups``), each from networks trained on the other
    :data:`NET_FOLDS` - 1 folds of writers (non-digits spread over the folds)."""
    from sklearn.model_selection import GroupKFold  # scripts and tests only

    n_digits = len(groups)
    all_groups = np.r_[groups, groups.max() + 1 + np.arange(len(X) - n_digits)]
    logits = np.empty(n_digits)
    for train, test in GroupKFold(NET_FOLDS).split(X, y, all_groups):
        wanted = test[test < n_digits]
        wanted = wanted[np.isin(wanted, rows)]
        nets = tuple(
            fit_shape_net(X[train], y[train], random_state=seed)
            for seed in range(n_nets)
        )
        logits[wanted] = mean_logits(nets, X[wanted])
    return logits[rows]


#: Where each reference shape comes from, as stored in ``kind``: "written letter" and
#: "written digit" are Chars74K's hand-drawn characters (its even-numbered writers).
REFERENCE_KINDS = (
    "pen digit",
    "UCI scan",
    "MNIST digit",
    "non-digit",
    "letter",
    "written letter",
    "written digit",
)
#: The kinds that are not digits: the detector's negatives.
NOT_DIGIT_KINDS = ("non-digit", "letter", "written letter")
#: Letters that are written like digits (O and 0, l and 1, S and 5, b and 6, g and 9,
#: ...): never taught as non-digits, and not counted when letters are measured.
LOOK_ALIKE_LETTERS = frozenset("OoIlSZszbgqB")
#: The 40 letters taught as non-digits: upper and lower case, look-alikes left out.
NON_DIGIT_LETTERS = "".join(
    c
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    if c not in LOOK_ALIKE_LETTERS
)


def is_digit_kind(kind: np.ndarray) -> np.ndarray:
    """Which rows of a reference's ``kind`` (indices into :data:`REFERENCE_KINDS`) are
    real digits; bool, same shape."""
    negatives = [REFERENCE_KINDS.index(name) for name in NOT_DIGIT_KINDS]
    return ~np.isin(kind, negatives)


@dataclass(frozen=True)
class ShapeReference:
    """The shipped reference shapes, and the detector's networks and calibration.

    Attributes
    ----------
    X : ndarray of shape (n, N_SHAPE_FEATURES), float64
    y : ndarray of shape (n,), int
        The digit (-1 for a non-digit).
    kind : ndarray of shape (n,), int
        Index into :data:`REFERENCE_KINDS`.
    groups : ndarray of shape (n,), int
        Writer ids 1..30 for pen digits (both of a trajectory's drawings); a distinct
        negative number for every other row (writers unknown).
    threshold : float
        The shipped detector's threshold, calibrated by the script that made the file.
    nets : tuple of ShapeNet
        The shipped detector's networks (trained on every row).
    spreads : (float, float)
        Their calibration (:class:`DigitDetector`).
    """

    X: np.ndarray
    y: np.ndarray
    kind: np.ndarray
    groups: np.ndarray
    threshold: float
    nets: tuple[ShapeNet, ...] = ()
    spreads: tuple[float, float] = (1.0, 1.0)

    @property
    def is_digit(self) -> np.ndarray:
        return is_digit_kind(self.kind)


def load_shape_reference() -> ShapeReference:
    """The shipped shapes of real digits and of generated non-digits (read each call:
    the app keeps only the detector's own compact copy)."""
    with resources.files("digits_knn._data").joinpath(_REFERENCE_FILE).open("rb") as f:
        data = dict(np.load(f))
    reference = ShapeReference(
        X=np.hstack(
            [data["orientations"] / 255.0, data["measures"].astype(np.float64)]
        ),
        y=data["labels"].astype(np.int64),
        kind=data["kind"].astype(np.int64),
        groups=data["groups"].astype(np.int64),
        threshold=float(data["threshold"]),
        nets=nets_from_arrays(data),
        spreads=(float(data["spreads"][0]), float(data["spreads"][1]))
        if "spreads" in data
        else (1.0, 1.0),
    )
    for array in (reference.X, reference.y, reference.kind, reference.groups):
        array.setflags(write=False)
    return reference


def default_detector() -> DigitDetector:
    """The detector the app and the CLI use: every shipped reference shape, and the
    shipped networks."""
    reference = load_shape_reference()
    digits = reference.is_digit
    return DigitDetector(
        reference.X[digits],
        reference.X[~digits],
        reference.threshold,
        nets=reference.nets,
        spreads=reference.spreads,
    )
