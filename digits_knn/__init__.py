"""digits-knn: k-nearest neighbours on the UCI handwritten digits, explained.

The library behind the app and the command line; it never imports Streamlit.

Its public names load on first use (PEP 562): scikit-learn, matplotlib and skops take
about two seconds to import, and the app puts its canvas on screen before it needs
them. For the same reason the modules import scikit-learn and matplotlib inside the
functions that use them (``benchmarks/latency.py`` measures the first canvas).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_PUBLIC = {
    "digits_knn.data": [
        "Split",
        "TrainingSet",
        "load_bitmaps",
        "load_drawn_digits",
        "load_split",
        "load_training_set",
        "load_xy",
        "split_xy",
    ],
    "digits_knn.evaluation": ["Evaluation", "evaluate"],
    "digits_knn.model": [
        "Explanation",
        "HyperparameterError",
        "Neighbor",
        "explain",
        "fit_model",
    ],
    "digits_knn.novelty": ["DigitDetector", "default_detector", "drawing_shape"],
    "digits_knn.persistence": [
        "ModelFileError",
        "UntrustedModelError",
        "load_model",
        "save_model",
    ],
    "digits_knn.preprocessing": [
        "DrawingError",
        "ImageFileError",
        "bitmap_to_features",
        "canvas_to_bitmap",
        "canvas_to_features",
        "load_image",
    ],
    "digits_knn.selection": ["SearchResult", "grid_search", "tutorial_param_grid"],
    "digits_knn.store": ["CsvImportError", "DrawingStore", "StoreError"],
    "digits_knn.strokes": ["PenDigit", "parse_unipen", "render_strokes"],
}
_MODULE_OF = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = [
    "CsvImportError",
    "DigitDetector",
    "DrawingError",
    "DrawingStore",
    "Evaluation",
    "Explanation",
    "HyperparameterError",
    "ImageFileError",
    "ModelFileError",
    "Neighbor",
    "PenDigit",
    "SearchResult",
    "Split",
    "StoreError",
    "TrainingSet",
    "UntrustedModelError",
    "bitmap_to_features",
    "canvas_to_bitmap",
    "canvas_to_features",
    "default_detector",
    "drawing_shape",
    "evaluate",
    "explain",
    "fit_model",
    "grid_search",
    "load_bitmaps",
    "load_drawn_digits",
    "load_image",
    "load_model",
    "load_split",
    "load_training_set",
    "load_xy",
    "parse_unipen",
    "render_strokes",
    "save_model",
    "split_xy",
    "tutorial_param_grid",
]

if TYPE_CHECKING:
    from digits_knn.data import (
        Split,
        TrainingSet,
        load_bitmaps,
        load_drawn_digits,
        load_split,
        load_training_set,
        load_xy,
        split_xy,
    )
    from digits_knn.evaluation import Evaluation, evaluate
    from digits_knn.model import (
        Explanation,
        HyperparameterError,
        Neighbor,
        explain,
        fit_model,
    )
    from digits_knn.novelty import DigitDetector, default_detector, drawing_shape
    from digits_knn.persistence import (
        ModelFileError,
        UntrustedModelError,
        load_model,
        save_model,
    )
    from digits_knn.preprocessing import (
        DrawingError,
        ImageFileError,
        bitmap_to_features,
        canvas_to_bitmap,
        canvas_to_features,
        load_image,
    )
    from digits_knn.selection import SearchResult, grid_search, tutorial_param_grid
    from digits_knn.store import CsvImportError, DrawingStore, StoreError
    from digits_knn.strokes import PenDigit, parse_unipen, render_strokes


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'digits_knn' has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
