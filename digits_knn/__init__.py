"""digits-knn: k-nearest neighbours on the UCI handwritten digits, explained.

The library behind the app and the command line; it never imports Streamlit. Importing
the package imports none of its modules: each public name below loads its module when
it is first used (``digits_knn.fit_model``, ``from digits_knn import fit_model``), and
``import digits_knn.features.canvas`` loads only the canvas's plain numbers. The app puts its
canvas on screen before NumPy and the rest of the library are loaded
(``benchmarks/latency.py`` measures the first canvas); the modules import
scikit-learn, SciPy's image code, matplotlib and skops inside the functions that use
them, so the app's first drawing does not wait for those either.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as type checkers and editors see them
    from digits_knn.beyond.completion import (
        Completer as Completer,
        choose_completion as choose_completion,
        fit_completer as fit_completer,
    )
    from digits_knn.beyond.novelty import (
        DigitDetector as DigitDetector,
        default_detector as default_detector,
    )
    from digits_knn.beyond.projection import DigitMap as DigitMap, fit_map as fit_map
    from digits_knn.datasets.training import (
        Collection as Collection,
        PenDigits as PenDigits,
        TrainingSet as TrainingSet,
        load_mnist as load_mnist,
        load_pen_digits as load_pen_digits,
        load_training_set as load_training_set,
        load_uji_digits as load_uji_digits,
    )
    from digits_knn.datasets.uci import (
        Split as Split,
        load_bitmaps as load_bitmaps,
        load_split as load_split,
        load_xy as load_xy,
        split_xy as split_xy,
    )
    from digits_knn.drawings.exchange import CsvImportError as CsvImportError
    from digits_knn.drawings.store import (
        DrawingStore as DrawingStore,
        StoreError as StoreError,
    )
    from digits_knn.features.images import (
        ImageFileError as ImageFileError,
        load_image as load_image,
    )
    from digits_knn.features.preprocessing import (
        DrawingError as DrawingError,
        bitmap_to_features as bitmap_to_features,
        canvas_to_bitmap as canvas_to_bitmap,
        canvas_to_features as canvas_to_features,
    )
    from digits_knn.features.shapes import (
        drawing_shape as drawing_shape,
        shape_features as shape_features,
    )
    from digits_knn.features.strokes import (
        PenDigit as PenDigit,
        parse_unipen as parse_unipen,
        render_strokes as render_strokes,
    )
    from digits_knn.search.model import (
        Explanation as Explanation,
        HyperparameterError as HyperparameterError,
        Neighbor as Neighbor,
        fit_model as fit_model,
    )
    from digits_knn.search.neighbors import (
        NeighborIndex as NeighborIndex,
        explain as explain,
        fit_index as fit_index,
    )
    from digits_knn.search.persistence import (
        ModelFileError as ModelFileError,
        UntrustedModelError as UntrustedModelError,
        load_model as load_model,
        save_model as save_model,
    )
    from digits_knn.tuning.evaluation import (
        Evaluation as Evaluation,
        evaluate as evaluate,
        score as score,
    )
    from digits_knn.tuning.grids import tutorial_param_grid as tutorial_param_grid
    from digits_knn.tuning.selection import (
        SearchResult as SearchResult,
        grid_search as grid_search,
    )

#: Each module's public names, exported here.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "beyond.completion": ("Completer", "choose_completion", "fit_completer"),
    "datasets.training": (
        "Collection",
        "PenDigits",
        "TrainingSet",
        "load_mnist",
        "load_pen_digits",
        "load_training_set",
        "load_uji_digits",
    ),
    "datasets.uci": (
        "Split",
        "load_bitmaps",
        "load_split",
        "load_xy",
        "split_xy",
    ),
    "tuning.evaluation": ("Evaluation", "evaluate", "score"),
    "drawings.exchange": ("CsvImportError",),
    "search.model": (
        "Explanation",
        "HyperparameterError",
        "Neighbor",
        "fit_model",
    ),
    "search.neighbors": ("NeighborIndex", "explain", "fit_index"),
    "beyond.novelty": ("DigitDetector", "default_detector"),
    "search.persistence": (
        "ModelFileError",
        "UntrustedModelError",
        "load_model",
        "save_model",
    ),
    "features.preprocessing": (
        "DrawingError",
        "bitmap_to_features",
        "canvas_to_bitmap",
        "canvas_to_features",
    ),
    "features.images": ("ImageFileError", "load_image"),
    "beyond.projection": ("DigitMap", "fit_map"),
    "tuning.selection": ("SearchResult", "grid_search"),
    "tuning.grids": ("tutorial_param_grid",),
    "features.shapes": ("drawing_shape", "shape_features"),
    "drawings.store": ("DrawingStore", "StoreError"),
    "features.strokes": ("PenDigit", "parse_unipen", "render_strokes"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_MODULE_OF, key=lambda name: (name[0].islower(), name))


def __getattr__(name: str) -> Any:
    """A public name, its module imported on first use (PEP 562)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
