"""digits-knn: k-nearest neighbours on the UCI handwritten digits, explained.

The library behind the app and the command line; it never imports Streamlit.
"""

from digits_knn.data import Split, load_bitmaps, load_split, load_xy, split_xy
from digits_knn.evaluation import Evaluation, evaluate
from digits_knn.model import (
    Explanation,
    HyperparameterError,
    Neighbor,
    explain,
    fit_model,
)
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

__all__ = [
    "DrawingError",
    "Evaluation",
    "Explanation",
    "HyperparameterError",
    "ImageFileError",
    "ModelFileError",
    "Neighbor",
    "SearchResult",
    "Split",
    "UntrustedModelError",
    "bitmap_to_features",
    "canvas_to_bitmap",
    "canvas_to_features",
    "evaluate",
    "explain",
    "fit_model",
    "grid_search",
    "load_bitmaps",
    "load_image",
    "load_model",
    "load_split",
    "load_xy",
    "save_model",
    "split_xy",
    "tutorial_param_grid",
]
