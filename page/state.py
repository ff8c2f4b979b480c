"""One browser session's state on the page, behind typed accessors.

Everything the page keeps per user lives in ``st.session_state`` under the keys below,
and is read and written only here (widgets keep their own values under their keys).
A one-off message for the next run ("Added as 7", "Deleted 2 drawings") goes through
:func:`flash` and :func:`show_flashes`: set in a callback or before ``st.rerun()``,
shown once where the view that owns it draws it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import streamlit as st

if TYPE_CHECKING:  # only annotations: the canvas's first run imports no NumPy
    import numpy as np
    from sklearn.neighbors import KNeighborsClassifier

    from digits_knn.search.neighbors import NeighborIndex

_SESSION_ID = "session_id"
_CANVAS = "canvas_generation"
_FLASHES = "flashes"
_UPLOADED = "uploaded_model"
_TUNE_GRID = "tune_grid"
_FULL_RERUN = "full_rerun_requested"
_TIMING = "timing_requested_for"
_ADMIN = "signed_in_as_admin"
_DRAWING = "current_drawing"

FlashKind = Literal["success", "error", "warning", "info"]


def session_id() -> str:
    """An anonymous id for this browser session, to know whose drawings are whose."""
    if _SESSION_ID not in st.session_state:
        st.session_state[_SESSION_ID] = uuid.uuid4().hex
    return str(st.session_state[_SESSION_ID])


def canvas_generation() -> int:
    """Counts the clears: each clear gives the canvas a new key, hence a blank one."""
    return int(st.session_state.get(_CANVAS, 0))


def canvas_key() -> str:
    """The drawing canvas's widget key."""
    return f"canvas-{canvas_generation()}"


def clear_canvas() -> None:
    """A fresh, empty canvas on the next run (the Clear button's callback)."""
    st.session_state[_CANVAS] = canvas_generation() + 1


@dataclass(frozen=True)
class Flash:
    """A message for the next run, shown once by the view named ``view``."""

    view: str
    kind: FlashKind
    text: str


def flash(view: str, kind: FlashKind, text: str) -> None:
    """Leave ``text`` for ``view`` to show on its next run (once)."""
    pending: list[Flash] = st.session_state.setdefault(_FLASHES, [])
    pending.append(Flash(view, kind, text))


def take_flashes(view: str) -> list[Flash]:
    """The messages left for ``view``, removed from the session."""
    pending: list[Flash] = st.session_state.get(_FLASHES, [])
    mine = [f for f in pending if f.view == view]
    st.session_state[_FLASHES] = [f for f in pending if f.view != view]
    return mine


def show_flashes(view: str) -> None:
    """Show (once) the messages left for ``view``."""
    for message in take_flashes(view):
        getattr(st, message.kind)(message.text)


def request_full_rerun() -> None:
    """Ask for the whole page to rerun (from a callback inside the drawing fragment)."""
    st.session_state[_FULL_RERUN] = True


def take_full_rerun_request() -> bool:
    """Whether a full rerun was asked for since the last check."""
    return bool(st.session_state.pop(_FULL_RERUN, False))


@dataclass(frozen=True)
class UploadedModel:
    """A model file a user uploaded: it predicts for this session only.

    Attributes
    ----------
    model : the validated ``KNeighborsClassifier``
    name : the file's name
    index : the model's own neighbour search (its training digits, shared)
    bitmaps : ndarray of shape (n, 32, 32), bool
        Pictures of its training digits, drawn from their 8x8 counts.
    """

    model: KNeighborsClassifier
    name: str
    index: NeighborIndex
    bitmaps: Any


def uploaded_model() -> UploadedModel | None:
    """The model this session uploaded and predicts with, if any."""
    value = st.session_state.get(_UPLOADED)
    return value if isinstance(value, UploadedModel) else None


def use_uploaded_model(uploaded: UploadedModel) -> None:
    st.session_state[_UPLOADED] = uploaded


def forget_uploaded_model() -> None:
    """Back to the sidebar's model."""
    st.session_state.pop(_UPLOADED, None)


@dataclass(frozen=True)
class Grid:
    """A grid search the user asked for: k range, p values, weightings, folds, and
    the digits it cross-validates on (``"uci"``: the tutorial's; ``"page"``: a sample of
    the page's training data, folds grouped by writer)."""

    k_range: tuple[int, int, int]
    p_values: tuple[float, ...]
    weights: tuple[str, ...]
    folds: int
    data: str = "uci"


def tune_grid() -> Grid | None:
    """The last grid this session ran, to show its results again."""
    value = st.session_state.get(_TUNE_GRID)
    return value if isinstance(value, Grid) else None


def remember_tune_grid(grid: Grid) -> None:
    st.session_state[_TUNE_GRID] = grid


def set_widget(key: str, value: object) -> None:
    """Set a widget's value before it is drawn (in a callback)."""
    st.session_state[key] = value


def pop_widget(key: str) -> None:
    """Forget a widget's value: it is drawn with its default next time."""
    st.session_state.pop(key, None)


def remember_timing_request(key: tuple[object, ...]) -> None:
    """The user asked for the search timings of these settings."""
    st.session_state[_TIMING] = key


def timing_requested(key: tuple[object, ...]) -> bool:
    """Whether the timings of these settings were asked for (and so are shown)."""
    return st.session_state.get(_TIMING) == key


def is_admin() -> bool:
    """Whether this session signed in as the drawings' admin (and only this session)."""
    return st.session_state.get(_ADMIN) is True


def sign_in_as_admin() -> None:
    st.session_state[_ADMIN] = True


def sign_out() -> None:
    st.session_state.pop(_ADMIN, None)


@dataclass(frozen=True)
class CurrentDrawing:
    """The drawing on the canvas as the drawing view last saw it, for the views that
    follow it (Finish my digit, the Map, Beyond KNN). Arrays are never copied.

    Attributes
    ----------
    image : ndarray of shape (h, w, 4), uint8: the canvas (or uploaded picture)
    bitmap : ndarray of shape (32, 32), bool: normalised as a whole digit
    features : ndarray of shape (64,), block counts 0..16
    label : the prediction
    confidence : its probability, 0..1
    neighbor_rows : training rows of the k nearest (of the sidebar's training data),
        nearest first; None when an uploaded model predicted
    neighbor_features : ndarray of shape (k, 64): those neighbours' block counts
    neighbor_labels : ndarray of shape (k,)
    """

    image: np.ndarray
    bitmap: np.ndarray
    features: np.ndarray
    label: int
    confidence: float
    neighbor_rows: tuple[int, ...] | None
    neighbor_features: np.ndarray
    neighbor_labels: np.ndarray


def current_drawing() -> CurrentDrawing | None:
    """The drawing the drawing view showed last (None: nothing drawn, or unusable)."""
    value = st.session_state.get(_DRAWING)
    return value if isinstance(value, CurrentDrawing) else None


def set_current_drawing(drawing: CurrentDrawing | None) -> None:
    st.session_state[_DRAWING] = drawing
