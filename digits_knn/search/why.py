"""Why a neighbour is near: each of the 64 blocks' share of the Minkowski distance.

A KNN's distance between a drawing ``x`` and a training digit ``n`` is
``(sum_i |x_i - n_i|**p) ** (1/p)`` over the 64 block counts. Each block contributes
``|x_i - n_i|**p`` to the sum: its share of the sum says which blocks make the
difference (the blocks where the two agree contribute nothing). The shares of the
nearest neighbour and of the nearest digit of another class, side by side, show what
separates the drawing from the runner-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from digits_knn.features.preprocessing import GRID_SIZE, N_FEATURES

if TYPE_CHECKING:
    from digits_knn.search.neighbors import NeighborIndex

#: Rows and columns of the 8x8 grid named as a person reads a digit: three bands each.
_BANDS = (("top", range(0, 3)), ("middle", range(3, 5)), ("bottom", range(5, 8)))
_SIDES = (("left", range(0, 3)), ("centre", range(3, 5)), ("right", range(5, 8)))


def _region_name(band: str, side: str) -> str:
    """ "top-left", "top", ..., "centre", ..., "bottom-right"."""
    if band == "middle":
        return side
    return band if side == "centre" else f"{band}-{side}"


@dataclass(frozen=True)
class BlockShares:
    """Where the distance between a drawing and one training digit comes from.

    Attributes
    ----------
    shares : ndarray of shape (8, 8), float64 in 0..1
        Each block's ``|x_i - n_i|**p`` over their sum: they sum to 1 (all 0 when
        the two are identical).
    power_sum : float >= 0
        ``sum_i |x_i - n_i|**p``: the distance to the power p.
    p : float >= 1
    region : str
        The part of the grid (of nine: "top-left" .. "bottom-right", the middle one
        "centre") holding the largest share; "" when the two are identical.
    region_share : float in 0..1
        That part's share.
    """

    shares: np.ndarray
    power_sum: float
    p: float
    region: str
    region_share: float

    @property
    def distance(self) -> float:
        """The Minkowski distance itself, ``power_sum ** (1/p)``."""
        return float(self.power_sum ** (1.0 / self.p))


def block_shares(x: np.ndarray, neighbor: np.ndarray, p: float) -> BlockShares:
    """Each block's share of the Minkowski distance between two digits.

    Parameters
    ----------
    x, neighbor : ndarray of shape (64,), block counts in 0..16
    p : float >= 1
        The sidebar's Minkowski p.

    Returns
    -------
    BlockShares

    Raises
    ------
    ValueError
        Another shape, or p < 1.
    """
    x = np.asarray(x, dtype=np.float64)
    n = np.asarray(neighbor, dtype=np.float64)
    if x.shape != (N_FEATURES,) or n.shape != (N_FEATURES,):
        raise ValueError(f"expected two rows of 64 counts, got {x.shape} and {n.shape}")
    if not p >= 1:
        raise ValueError(f"p must be at least 1, got {p}")
    powers = np.abs(x - n) ** p
    total = float(powers.sum())
    shares = (powers / total if total > 0 else powers * 0.0).reshape(
        GRID_SIZE, GRID_SIZE
    )
    region, share = "", 0.0
    if total > 0:
        parts = {
            _region_name(band, side): float(
                shares[np.ix_(list(rows), list(cols))].sum()
            )
            for band, rows in _BANDS
            for side, cols in _SIDES
        }
        region, share = max(parts.items(), key=lambda item: item[1])
    return BlockShares(shares, total, float(p), region, share)


def why_sentence(
    label: int,
    compared: BlockShares,
    other_label: int | None,
    other: BlockShares | None,
    *,
    compared_name: str | None = None,
) -> str:
    """One sentence built from the numbers: where the drawing differs from a
    neighbour, and what separates it from the nearest digit of another class.

    Parameters
    ----------
    label : int, the predicted digit ("your 7")
    compared : the shares against the neighbour looked at
    other_label, other : the nearest digit of another class and its shares, if any
    compared_name : how to name the neighbour (default: "the nearest <label>")

    Examples
    --------
    >>> x = np.zeros(64); one = np.zeros(64); one[0] = 4
    >>> seven = np.zeros(64); seven[63] = 2
    >>> text = why_sentence(7, block_shares(x, seven, 2), 1, block_shares(x, one, 2))
    >>> text.split("; ")[0]
    'Your 7 is 2.0 from the nearest 7, the largest part (100%) in the bottom-right blocks'
    >>> text.split("; ")[1]
    'the nearest 1 is 4.0 away, and the top-left blocks (100% of that) separate your 7 from it.'
    """
    name = compared_name or f"the nearest {label}"
    if not compared.region:
        head = f"Your {label} is identical to {name} in all 64 blocks"
    else:
        head = (
            f"Your {label} is {compared.distance:.1f} from {name}, the largest part "
            f"({compared.region_share:.0%}) in the {compared.region} blocks"
        )
    if other is None or other_label is None:
        return head + "."
    return (
        f"{head}; the nearest {other_label} is {other.distance:.1f} away, and the "
        f"{other.region} blocks ({other.region_share:.0%} of that) separate your "
        f"{label} from it."
    )


def nearest_of_another_class(
    index: NeighborIndex, x: np.ndarray, label: int
) -> int | None:
    """The row of the training digit nearest to ``x`` whose label is not ``label``;
    None if every training digit carries ``label``.

    Searched among the 64 nearest, then 8 times as many at a time: a clear digit may
    have thousands of its own class nearer than any other.

    Parameters
    ----------
    index : NeighborIndex
    x : ndarray of shape (64,), block counts in 0..16
    label : int in 0..9, the predicted digit
    """
    k = min(64, index.n_samples)
    while True:
        _, rows = index.query(x, k)
        others = np.flatnonzero(index.label_of(rows) != label)
        if len(others):
            return int(rows[others[0]])
        if k == index.n_samples:
            return None
        k = min(8 * k, index.n_samples)
