"""Saving and loading fitted models.

The tutorial saves its model with :mod:`pickle`. Loading a pickle runs whatever code the
file holds, so a pickle from anyone but yourself can take over your machine. The default
format here is therefore ``skops`` (:mod:`skops.io`). Files are written with skops, but
read without its loader: skops rebuilds the saved search tree from the file's own index
arrays, which scikit-learn trusts, so a tampered file could crash the server at its first
query. :mod:`digits_knn.search.skops_archive` reads the schema as JSON, refuses any type a KNN
is not made of, and takes out only the training digits, labels and hyperparameters;
every model is then fitted anew here. Pickle stays available, for files you made
yourself and name explicitly (refitted the same way).
"""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np

from digits_knn.features.preprocessing import N_FEATURES
from digits_knn.search.model import HyperparameterError, fit_model, fitted_digits
from digits_knn.search.skops_archive import (
    TRUSTED_TYPES as TRUSTED_TYPES,
    ArchiveError,
    SavedKNN,
    UntrustedTypesError,
    read_knn,
)

if TYPE_CHECKING:
    from sklearn.neighbors import KNeighborsClassifier

ModelFormat = Literal["skops", "pickle"]
FORMATS: tuple[ModelFormat, ...] = get_args(ModelFormat)
DEFAULT_FORMAT: ModelFormat = "skops"

PICKLE_WARNING = (
    "Loading a pickle runs any code the file contains: only load pickles you made "
    "yourself. Files from anyone else belong in the skops format."
)


class ModelFileError(ValueError):
    """A model file that is missing, corrupt, or not a KNN model of the 64 digit features."""


class UntrustedModelError(ModelFileError):
    """A skops file that holds types outside :data:`TRUSTED_TYPES`; nothing was loaded.

    Attributes
    ----------
    untrusted : list of str
        The fully qualified names of the refused types.
    """

    def __init__(self, path: str, untrusted: list[str]) -> None:
        super().__init__(
            f"{path} holds types that are not part of a KNN model and were not "
            f"loaded: {', '.join(untrusted)}"
        )
        self.untrusted = untrusted


def _check_format(fmt: str) -> ModelFormat:
    if fmt not in FORMATS:
        raise ValueError(f"unknown model format {fmt!r}; choose one of {FORMATS}")
    return fmt


def save_model(
    model: KNeighborsClassifier,
    path: str | os.PathLike[str],
    *,
    format: str = DEFAULT_FORMAT,  # noqa: A002 - the CLI's --format
) -> Path:
    """Write a fitted model to ``path``.

    Parameters
    ----------
    model : fitted KNeighborsClassifier
    path : file path; its folder must exist
    format : {"skops", "pickle"}, default "skops"

    Returns
    -------
    Path
        The path written.
    """
    fmt = _check_format(format)
    target = Path(path)
    if not target.parent.is_dir():
        raise ModelFileError(f"folder {target.parent} does not exist")
    if fmt == "skops":
        import skops.io as sio  # here, not at import: it pulls in scikit-learn

        sio.dump(model, target, compression=zipfile.ZIP_DEFLATED)
    else:
        with target.open("wb") as f:
            pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
    return target


def validate_model(model: object, source: str = "the file") -> KNeighborsClassifier:
    """Check that ``model`` is a fitted KNN over the 64 digit features, labels in 0..9.

    Raises
    ------
    ModelFileError
    """
    from sklearn.neighbors import KNeighborsClassifier

    if not isinstance(model, KNeighborsClassifier):
        raise ModelFileError(
            f"{source} holds a {type(model).__name__}, not a KNeighborsClassifier"
        )
    if not hasattr(model, "classes_") or not hasattr(model, "n_samples_fit_"):
        raise ModelFileError(f"{source} holds a KNN that was never fitted")
    if getattr(model, "n_features_in_", None) != N_FEATURES:
        raise ModelFileError(
            f"{source} was fitted on {getattr(model, 'n_features_in_', '?')} features, "
            f"not the {N_FEATURES} block counts of a digit"
        )
    classes = np.asarray(model.classes_)
    if classes.dtype.kind not in "iu" or classes.min() < 0 or classes.max() > 9:
        raise ModelFileError(f"{source} predicts labels {classes}, not digits 0..9")
    return model


def load_model(
    path: str | os.PathLike[str],
    *,
    format: str = DEFAULT_FORMAT,  # noqa: A002 - the CLI's --format
) -> KNeighborsClassifier:
    """Read a model written by :func:`save_model` and check it is a digits KNN.

    A skops file is read as data, never built as objects (see :func:`model_from_bytes`);
    either format's training digits and hyperparameters are checked and fitted anew.

    Parameters
    ----------
    path : file path
    format : {"skops", "pickle"}, default "skops"
        ``"pickle"`` runs any code the file holds: see :data:`PICKLE_WARNING`.

    Returns
    -------
    KNeighborsClassifier
        Fitted by this project, over 64 features, with labels in 0..9.

    Raises
    ------
    UntrustedModelError
        A skops file holding types beyond :data:`TRUSTED_TYPES` (nothing is built).
    ModelFileError
        A missing, unreadable or corrupt file, or one that holds something else.
    """
    fmt = _check_format(format)
    source = os.fspath(path)
    if not os.path.isfile(source):
        raise ModelFileError(f"{source}: no such file")
    if fmt == "skops":
        try:
            size = os.path.getsize(source)
            if size > MAX_MODEL_BYTES:
                raise ModelFileError(
                    f"{source} is larger than {MAX_MODEL_BYTES // 2**20} MB: "
                    "not a digits model"
                )
            with open(source, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise ModelFileError(f"{source} cannot be read ({exc})") from None
        if data[:1] == b"\x80":
            raise ModelFileError(f"{source} is not a skops model file (a pickle)")
        return _model_from_skops(data, source)
    try:
        with open(source, "rb") as f:
            model = pickle.load(f)  # explicit opt-in: see PICKLE_WARNING
    except (pickle.UnpicklingError, EOFError, ImportError, OSError) as exc:
        raise ModelFileError(f"{source} is not a {fmt} model file ({exc})") from None
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ModelFileError(f"{source} is not a {fmt} model file ({exc})") from None
    model = validate_model(model, source)
    X, y = fitted_digits(model)
    return _refit(
        SavedKNN(
            X=np.asarray(X, dtype=np.float64),
            y=np.asarray(y),
            n_neighbors=model.n_neighbors,
            p=model.p,
            algorithm=str(model.algorithm),
            weights=model.weights,
            metric=model.metric,
        ),
        source,
    )


class PickleRefusedError(ModelFileError):
    """An uploaded pickle: refused without being opened."""


#: Why the app refuses pickles, in words a learner follows.
PICKLE_REFUSAL = (
    "This is a pickle file, and the app does not open pickles from uploads. Loading a "
    "pickle runs whatever code its author put in it: a model file from a stranger "
    "could delete your files or take over the server the moment it is loaded. Save "
    "models in the skops format instead (the download button here, or "
    "`python -m digits_knn save model.skops`): loading one builds only the types a KNN "
    "is made of and refuses anything else."
)
#: Largest model file accepted from an upload (bytes).
MAX_MODEL_BYTES = 25 * 1024 * 1024
#: Largest total size of an uploaded skops archive once unpacked (bytes): a small file
#: may unpack to gigabytes (a zip bomb). The page's own model unpacks to about 6 MB.
MAX_MODEL_UNPACKED_BYTES = 100 * 1024 * 1024


def model_to_bytes(model: KNeighborsClassifier) -> bytes:
    """A fitted model as the bytes of a skops file."""
    import skops.io as sio

    return bytes(sio.dumps(model, compression=zipfile.ZIP_DEFLATED))


def model_from_bytes(
    data: bytes, name: str = "the uploaded file"
) -> KNeighborsClassifier:
    """Load an uploaded skops model, checked before it is used; never a pickle.

    The file is read as data (:func:`digits_knn.search.skops_archive.read_knn`): only its
    training digits (shape (n, 64), whole numbers 0..16), labels (0..9) and
    hyperparameters are taken, checked, and fitted anew here. Nothing the file holds is
    built as an object, so a tampered search tree or index array is never used.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name, for messages.

    Returns
    -------
    KNeighborsClassifier
        Fitted by this project, over 64 features, with labels in 0..9.

    Raises
    ------
    PickleRefusedError
        A pickle (by its first byte or its name): not opened, see :data:`PICKLE_REFUSAL`.
    UntrustedModelError
        A skops file holding types beyond :data:`TRUSTED_TYPES` (nothing is built).
    ModelFileError
        An empty, oversized or corrupt file, or one that holds something else.
    """
    if name.lower().endswith((".pkl", ".pickle", ".joblib")) or data[:1] == b"\x80":
        raise PickleRefusedError(PICKLE_REFUSAL)
    if not data:
        raise ModelFileError(f"{name} is empty")
    if len(data) > MAX_MODEL_BYTES:
        raise ModelFileError(
            f"{name} is larger than {MAX_MODEL_BYTES // 2**20} MB: not a digits model"
        )
    if not data.startswith(b"PK"):
        raise ModelFileError(f"{name} is not a skops model file")
    return _model_from_skops(data, name)


def _model_from_skops(data: bytes, name: str) -> KNeighborsClassifier:
    """A skops file read as data (:func:`digits_knn.search.skops_archive.read_knn`), refitted."""
    try:
        saved = read_knn(data, max_unpacked=MAX_MODEL_UNPACKED_BYTES)
    except UntrustedTypesError as exc:
        raise UntrustedModelError(name, exc.untrusted) from None
    except ArchiveError as exc:
        raise ModelFileError(
            f"{name} is not a skops model file this app can use: {exc}"
        ) from None
    return _refit(saved, name)


def _refit(saved: SavedKNN, name: str) -> KNeighborsClassifier:
    """A new KNN fitted by :func:`digits_knn.search.model.fit_model` on a saved one's data.

    Nothing fitted is taken from the file: the search structure is built here.
    """
    try:
        return fit_model(
            saved.X,
            saved.y,
            n_neighbors=saved.n_neighbors,
            p=saved.p,
            algorithm=saved.algorithm,
            weights=saved.weights,
        )
    except HyperparameterError as exc:
        raise ModelFileError(f"{name} cannot be used: {exc}") from None
