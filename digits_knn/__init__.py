"""digits-knn: k-nearest neighbours on the UCI handwritten digits, explained.

The library behind the app and the command line; it never imports Streamlit. The
modules import scikit-learn, SciPy's image code, matplotlib and skops inside the
functions that use them, so importing the package is quick and the app puts its canvas
on screen before they load (``benchmarks/latency.py`` measures the first canvas).
"""

from __future__ import annotations

from digits_knn.completion import Completer, choose_completion, fit_completer
from digits_knn.data import (
    Collection,
    PenDigits,
    Split,
    TrainingSet,
    load_bitmaps,
    load_mnist,
    load_pen_digits,
    load_split,
    load_training_set,
    load_uji_digits,
    load_xy,
    split_xy,
)
from digits_knn.evaluation import Evaluation, evaluate, score
from digits_knn.exchange import CsvImportError
from digits_knn.model import (
    Explanation,
    HyperparameterError,
    Neighbor,
    explain,
    fit_model,
)
from digits_knn.neighbors import NeighborIndex, fit_index
from digits_knn.novelty import DigitDetector, default_detector
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
from digits_knn.projection import DigitMap, fit_map
from digits_knn.selection import SearchResult, grid_search, tutorial_param_grid
from digits_knn.shapes import drawing_shape, shape_features
from digits_knn.store import DrawingStore, StoreError
from digits_knn.strokes import PenDigit, parse_unipen, render_strokes

__all__ = [
    "Collection",
    "Completer",
    "CsvImportError",
    "DigitDetector",
    "DigitMap",
    "DrawingError",
    "DrawingStore",
    "Evaluation",
    "Explanation",
    "HyperparameterError",
    "ImageFileError",
    "ModelFileError",
    "Neighbor",
    "NeighborIndex",
    "PenDigit",
    "PenDigits",
    "SearchResult",
    "Split",
    "StoreError",
    "TrainingSet",
    "UntrustedModelError",
    "bitmap_to_features",
    "canvas_to_bitmap",
    "canvas_to_features",
    "choose_completion",
    "default_detector",
    "drawing_shape",
    "evaluate",
    "explain",
    "fit_completer",
    "fit_index",
    "fit_map",
    "fit_model",
    "grid_search",
    "load_bitmaps",
    "load_image",
    "load_mnist",
    "load_model",
    "load_pen_digits",
    "load_split",
    "load_training_set",
    "load_uji_digits",
    "load_xy",
    "parse_unipen",
    "render_strokes",
    "save_model",
    "score",
    "shape_features",
    "split_xy",
    "tutorial_param_grid",
]
