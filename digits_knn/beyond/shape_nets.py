"""The digit check's second opinion: small neural networks (one hidden layer) that tell
the shape features of digits from those of non-digits, kept as plain arrays (the
shipped file holds their weights, not a pickle)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

#: Hidden units of each network.
NET_HIDDEN = 128


#: The networks' L2 penalty (scikit-learn's ``alpha``).
NET_ALPHA = 1e-2


#: Passes over the data each network is trained for (at most: it stops sooner once
#: its loss stops improving).
NET_EPOCHS = 300


@dataclass(frozen=True, eq=False)
class ShapeNet:
    """A one-hidden-layer network's opinion of a shape: the log-odds that it is not a
    digit. Trained by :func:`fit_shape_net` (scikit-learn's ``MLPClassifier`` on
    standardised features); evaluated here in NumPy, so the page needs no model file.

    Attributes
    ----------
    mean, scale : ndarray of shape (n_features,)
        The standardisation: ``(X - mean) / scale``.
    hidden_weights : ndarray of shape (n_features, n_hidden)
    hidden_bias : ndarray of shape (n_hidden,)
    output_weights : ndarray of shape (n_hidden,)
    output_bias : float
    """

    mean: np.ndarray
    scale: np.ndarray
    hidden_weights: np.ndarray
    hidden_bias: np.ndarray
    output_weights: np.ndarray
    output_bias: float

    def logits(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of "not a digit" for each row of X (n, n_features); shape (n,)."""
        Z = (np.atleast_2d(X) - self.mean) / self.scale
        hidden = np.maximum(Z @ self.hidden_weights + self.hidden_bias, 0.0)
        return np.asarray(hidden @ self.output_weights + self.output_bias)


def fit_shape_net(X: np.ndarray, y: np.ndarray, random_state: int = 0) -> ShapeNet:
    """Train a :class:`ShapeNet` (ReLU, :data:`NET_HIDDEN` units, L2 :data:`NET_ALPHA`,
    at most :data:`NET_EPOCHS` epochs).

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
    y : ndarray of shape (n,)
        1 for a non-digit, 0 for a digit.
    random_state : int
        The network's initial weights and batches.
    """
    from sklearn.exceptions import ConvergenceWarning  # scripts and tests only
    from sklearn.neural_network import MLPClassifier

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0  # as scikit-learn's StandardScaler
    net = MLPClassifier(
        (NET_HIDDEN,), alpha=NET_ALPHA, max_iter=NET_EPOCHS, random_state=random_state
    )
    with warnings.catch_warnings():  # the epochs are the setting measured, not a cap
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit((X - mean) / scale, y)
    return ShapeNet(
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        hidden_weights=net.coefs_[0].astype(np.float32),
        hidden_bias=net.intercepts_[0].astype(np.float32),
        output_weights=net.coefs_[1][:, 0].astype(np.float32),
        output_bias=float(net.intercepts_[1][0]),
    )


def mean_logits(nets: tuple[ShapeNet, ...], X: np.ndarray) -> np.ndarray:
    """The networks' mean log-odds of "not a digit"; shape (n,)."""
    return np.mean([net.logits(X) for net in nets], axis=0)


#: The arrays of :class:`ShapeNet` as stored, stacked over the networks.
_NET_FIELDS = (
    "mean",
    "scale",
    "hidden_weights",
    "hidden_bias",
    "output_weights",
    "output_bias",
)


def nets_to_arrays(nets: tuple[ShapeNet, ...]) -> dict[str, np.ndarray]:
    """The networks as arrays for ``np.savez`` (``net_<field>``, networks first)."""
    return {
        f"net_{name}": np.stack([np.asarray(getattr(net, name)) for net in nets])
        for name in _NET_FIELDS
    }


def nets_from_arrays(data: Mapping[str, np.ndarray]) -> tuple[ShapeNet, ...]:
    """The inverse of :func:`nets_to_arrays` (no ``net_`` arrays: no networks)."""
    if "net_mean" not in data:
        return ()
    stacked = {name: np.asarray(data[f"net_{name}"]) for name in _NET_FIELDS}
    return tuple(
        ShapeNet(
            mean=stacked["mean"][i],
            scale=stacked["scale"][i],
            hidden_weights=stacked["hidden_weights"][i],
            hidden_bias=stacked["hidden_bias"][i],
            output_weights=stacked["output_weights"][i],
            output_bias=float(stacked["output_bias"][i]),
        )
        for i in range(len(stacked["mean"]))
    )
