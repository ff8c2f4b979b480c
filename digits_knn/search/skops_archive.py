"""A skops file of a KNN read as data: nothing in it is built, imported or run.

A skops file is a ZIP holding ``schema.json`` (the object tree, as JSON) and one ``.npy``
file per array. :func:`skops.io.load` rebuilds every object of the tree, the KNN's
search tree included, from whatever arrays the file holds: scikit-learn's ``KDTree``
and ``BallTree`` trust their saved index and node arrays, so a file whose indices were
set out of bounds is loaded without complaint and crashes the process at its first
query. This module never calls it. It reads the schema as JSON, refuses any type that a
KNN is not made of, and takes out only public data: the hyperparameters, the training
digits and their labels, each checked (shape, type, range). The caller fits a new model
on them (:func:`digits_knn.search.persistence.model_from_bytes`), so every search structure
in use was built by this project.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from digits_knn.features.preprocessing import MAX_COUNT, N_FEATURES

#: Types a saved KNN's schema may name. The trees and metrics are skipped, not built.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "sklearn.neighbors._classification.KNeighborsClassifier",
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
        "sklearn.metrics._dist_metrics.ManhattanDistance64",
        "sklearn.metrics._dist_metrics.MinkowskiDistance64",
        "sklearn.metrics._dist_metrics.ChebyshevDistance64",
    }
)
#: Plain containers and values of the schema (skops's own node kinds).
_PLAIN_NODES = {
    ("builtins", "dict", "DictNode"),
    ("builtins", "list", "ListNode"),
    ("builtins", "tuple", "TupleNode"),
    ("builtins", "str", "JsonNode"),
    ("builtins", "str", "TypeNode"),  # a dict's key type
    ("numpy", "ndarray", "NdArrayNode"),
}
_KNN = "sklearn.neighbors._classification.KNeighborsClassifier"
#: Most training digits a loaded model may hold (the page's own model: about 91,000).
MAX_TRAINING_DIGITS = 200_000
#: Largest ``schema.json`` read (bytes); the page's model's is about 10 KB.
MAX_SCHEMA_BYTES = 1 * 2**20
#: The metrics a digits KNN may use, as the Minkowski p they stand for.
METRIC_P = {
    "minkowski": None,
    "euclidean": 2,
    "l2": 2,
    "manhattan": 1,
    "l1": 1,
    "cityblock": 1,
}


class ArchiveError(ValueError):
    """A skops archive that is not a usable digits KNN; the message says why."""


class UntrustedTypesError(ArchiveError):
    """A schema naming types a KNN is not made of (listed in :attr:`untrusted`)."""

    def __init__(self, untrusted: list[str]) -> None:
        super().__init__(", ".join(untrusted))
        self.untrusted = untrusted


@dataclass(frozen=True)
class SavedKNN:
    """What a saved KNN contributes: checked training digits and hyperparameters.

    Attributes
    ----------
    X : ndarray of shape (n, 64), float64, whole numbers in 0..16
    y : ndarray of shape (n,), int64 in 0..9
    n_neighbors : int >= 1
    p : number (checked again by the fit)
    algorithm, weights : str (checked again by the fit)
    metric : str, one of :data:`METRIC_P`
    """

    X: np.ndarray
    y: np.ndarray
    n_neighbors: Any
    p: Any
    algorithm: Any
    weights: Any
    metric: Any = "minkowski"


def _type_name(node: dict[str, Any]) -> str:
    module, name = node.get("__module__"), node.get("__class__")
    content = node.get("content")
    if node.get("__loader__") in ("FunctionNode", "MethodNode") and isinstance(
        content, dict
    ):
        module = content.get("module_path", module)
        name = content.get("function", name)
    return f"{module}.{name}"


def untrusted_types(schema: Any) -> list[str]:
    """Every type the schema names beyond plain values and :data:`TRUSTED_TYPES`.

    Walks the JSON only (iteratively: a deeply nested schema cannot exhaust the stack).
    """
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if "__loader__" in node or "__class__" in node:
            key = (
                node.get("__module__"),
                node.get("__class__"),
                node.get("__loader__"),
            )
            name = _type_name(node)
            if key not in _PLAIN_NODES and not (
                node.get("__loader__") == "ObjectNode" and name in TRUSTED_TYPES
            ):
                found.add(name)
        stack.extend(v for k, v in node.items() if not k.startswith("__"))
    return sorted(found)


def _json_value(node: Any, field: str) -> Any:
    """A plain value of the schema (a ``JsonNode``), as Python."""
    if (
        not isinstance(node, dict)
        or node.get("__loader__") != "JsonNode"
        or not isinstance(node.get("content"), str)
    ):
        raise ArchiveError(f"its {field} is not a plain value")

    def refuse(constant: str) -> None:
        raise ArchiveError(f"its {field} is {constant}")

    try:
        return json.loads(node["content"], parse_constant=refuse)
    except json.JSONDecodeError:
        raise ArchiveError(f"its {field} is not readable") from None


def read_npy(raw: bytes, field: str) -> np.ndarray:
    """A ``.npy`` file's array, its header checked against its length; no pickles.

    Raises
    ------
    ArchiveError
        A damaged header, an object or structured type, or a length that is not the
        header's shape times its item size.
    """
    f = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ArchiveError(f"its {field} has an unknown array format {version}")
    except ArchiveError:
        raise
    except Exception as exc:  # numpy raises several kinds on a damaged header
        raise ArchiveError(f"its {field} is not a readable array ({exc})") from None
    if dtype.hasobject or dtype.kind not in "biuf" or dtype.fields is not None:
        raise ArchiveError(f"its {field} holds {dtype}, not numbers")
    if any(n < 0 for n in shape):
        raise ArchiveError(f"its {field} has a negative shape {shape}")
    count = math.prod(shape)
    if count * dtype.itemsize != len(raw) - f.tell():
        raise ArchiveError(f"its {field} is cut short or padded (shape {shape})")
    array = np.frombuffer(raw, dtype=dtype, count=count, offset=f.tell())
    return array.reshape(shape, order="F" if fortran else "C")


def _array(
    archive: zipfile.ZipFile, fields: dict[str, Any], field: str, *, missing: str
) -> np.ndarray:
    node = fields.get(field)
    if node is None:
        raise ArchiveError(missing)
    if (
        not isinstance(node, dict)
        or node.get("__loader__") != "NdArrayNode"
        or node.get("type") != "numpy"
        or not isinstance(node.get("file"), str)
    ):
        raise ArchiveError(f"its {field} is not a stored array")
    try:
        raw = archive.read(node["file"])
    except KeyError:
        raise ArchiveError(f"its {field} refers to a missing file") from None
    return read_npy(raw, field)


def _check_digits(X: np.ndarray, codes: np.ndarray, classes: np.ndarray) -> None:
    if X.ndim != 2 or X.shape[1] != N_FEATURES:
        n = X.shape[1] if X.ndim == 2 else "?"
        raise ArchiveError(
            f"it was fitted on {n} features, not the {N_FEATURES} block counts of a "
            "digit"
        )
    if not 1 <= len(X) <= MAX_TRAINING_DIGITS:
        raise ArchiveError(
            f"it holds {len(X):,} training digits (1..{MAX_TRAINING_DIGITS:,} allowed)"
        )
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        raise ArchiveError("its training digits hold NaN or infinite values")
    if X.min() < 0 or X.max() > MAX_COUNT or not np.array_equal(np.rint(X), X):
        raise ArchiveError("its training digits are not block counts 0..16")
    if classes.ndim != 1 or classes.dtype.kind not in "iu" or len(classes) == 0:
        raise ArchiveError("its labels are not whole numbers")
    if (
        classes.min() < 0
        or classes.max() > 9
        or len(np.unique(classes)) != len(classes)
    ):
        raise ArchiveError(f"it predicts labels {classes[:12]}, not digits 0..9")
    if codes.shape != (len(X),) or codes.dtype.kind not in "iu":
        raise ArchiveError("its labels do not match its training digits")
    if codes.min() < 0 or codes.max() >= len(classes):
        raise ArchiveError("its labels point outside its classes")


def read_knn(data: bytes, *, max_unpacked: int) -> SavedKNN:
    """The training digits and hyperparameters of a skops file of a digits KNN.

    Parameters
    ----------
    data : bytes
        The file's content (a ZIP).
    max_unpacked : int
        Largest total size of its members once unpacked (bytes): a zip bomb is refused
        before anything is decompressed.

    Returns
    -------
    SavedKNN

    Raises
    ------
    UntrustedTypesError
        The schema names a type a KNN is not made of (a callable, another estimator).
    ArchiveError
        Anything else that is not a fitted digits KNN, said in a phrase that follows
        "the file ...": "it was never fitted", "its training digits hold NaN ...".
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            if unpacked > max_unpacked:
                raise ArchiveError(
                    f"it unpacks to {unpacked / 2**20:,.0f} MB, more than the "
                    f"{max_unpacked // 2**20} MB a digits model may: not opened"
                )
            schema_info = archive.getinfo("schema.json")
            if schema_info.file_size > MAX_SCHEMA_BYTES:
                raise ArchiveError("its schema is too large for a KNN")
            schema = json.loads(archive.read(schema_info))
            untrusted = untrusted_types(schema)
            if untrusted:
                raise UntrustedTypesError(untrusted)
            return _read_fields(archive, schema)
    except ArchiveError:
        raise
    except KeyError:
        raise ArchiveError("it has no skops schema") from None
    except Exception as exc:  # zipfile and json raise many kinds on a crafted archive
        raise ArchiveError(f"it is damaged ({type(exc).__name__}: {exc})") from None


def _read_fields(archive: zipfile.ZipFile, schema: Any) -> SavedKNN:
    if not isinstance(schema, dict) or _type_name(schema) != _KNN:
        raise ArchiveError("it does not hold a KNeighborsClassifier")
    content = schema.get("content")
    if not isinstance(content, dict) or not isinstance(content.get("content"), dict):
        raise ArchiveError("its KNeighborsClassifier has no attributes")
    fields: dict[str, Any] = content["content"]
    never = "it holds a KNN that was never fitted"
    X = _array(archive, fields, "_fit_X", missing=never)
    codes = _array(archive, fields, "_y", missing=never)
    classes = _array(archive, fields, "classes_", missing=never)
    _check_digits(X, codes, classes)
    metric = _json_value(fields.get("metric"), "metric")
    if not isinstance(metric, str) or metric not in METRIC_P:
        raise ArchiveError(
            f"it measures distance with {metric!r}, not a Minkowski distance"
        )
    if _json_value(fields.get("metric_params"), "metric_params") not in (None, {}):
        raise ArchiveError("its metric has extra parameters")
    p = _json_value(fields.get("p"), "p")
    if METRIC_P[metric] is not None:
        p = METRIC_P[metric]
    return SavedKNN(
        X=X.astype(np.float64),
        y=classes.astype(np.int64)[codes],
        n_neighbors=_json_value(fields.get("n_neighbors"), "n_neighbors"),
        p=p,
        algorithm=_json_value(fields.get("algorithm"), "algorithm"),
        weights=_json_value(fields.get("weights"), "weights"),
        metric=metric,
    )
