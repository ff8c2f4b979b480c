"""Every handwriting collection in ``../shared/data``, through the drawing's path, cached.

Shared by the benchmarks (``drawn_accuracy.py``, ``source_mix.py``): each collection is
drawn or placed on a 280x280 canvas as the app's canvas would hold it, normalised by
:func:`digits_knn.features.preprocessing.canvas_to_bitmap` and reduced to the 64 block counts;
the results are kept in ``artifacts/cache/`` (git-ignored) so that a second run starts at
once. Both cores are used.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digits_knn.beyond.novelty import LOOK_ALIKE_LETTERS, NON_DIGIT_LETTERS
from digits_knn.datasets.corpora import (
    PEN_TEST_SEED,
    PEN_TEST_STYLE,
    UNSEEN_FONTS,
    FixedPen,
    HandPen,
    VariedPen,
    draw_mnist,
    hershey_letters,
    read_chars74k,
    read_digilets,
    read_idx,
    read_uji,
    reduce_all,
)
from digits_knn.datasets.uci import load_bitmaps, load_split
from digits_knn.features.preprocessing import (
    DrawingError,
    bitmap_to_canvas,
    bitmap_to_features,
    canvas_to_bitmap,
)
from digits_knn.features.strokes import parse_unipen

SHARED = ROOT.parent / "shared" / "data"
CACHE = ROOT / "artifacts" / "cache"
MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
#: Pens and sizes of the evaluation drawings: (pen px, larger side / canvas); None for
#: the varied pens of the reference renderings (5..36 px at 30%..95%).
EVAL_PENS: dict[str, tuple[float, float] | None] = {
    "varied": None,
    "app pen, 70%": (22, 0.7),
    "app pen, 30%": (22, 0.3),
}
#: UJI characters that look like digits: left out of the letters counted as non-digits.
LOOK_ALIKES = LOOK_ALIKE_LETTERS
#: Shape caches are named after the code that computes the features, so a change of
#: features remakes them.
SHAPES = (
    "shapes-"
    + hashlib.sha1(
        (ROOT / "digits_knn" / "features" / "shapes.py").read_bytes()
    ).hexdigest()[:8]
)


def cached(
    name: str, make: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """``make()``'s arrays, from ``artifacts/cache/<name>.npz`` if already made."""
    path = CACHE / f"{name}.npz"
    if path.exists():
        with np.load(path) as data:
            return {key: data[key] for key in data.files}
    print(f"[collections] making {name} ...", file=sys.stderr, flush=True)
    arrays = make()
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return arrays


def _bitmaps(items: list[Any], draw: Callable[[Any], np.ndarray]) -> np.ndarray:
    return reduce_all(items, draw)


def _arrays(bitmaps: np.ndarray, **columns: Any) -> dict[str, np.ndarray]:
    return {
        "X": bitmap_to_features(bitmaps).astype(np.uint8),
        "packed": np.packbits(bitmaps.reshape(len(bitmaps), -1), axis=1),
        **{key: np.asarray(value) for key, value in columns.items()},
    }


def pen_trajectories() -> list[Any]:
    return parse_unipen((SHARED / "pendigits-orig.tra").read_text())


def _drawer(pen: str, seed: int, y_up: bool) -> Callable[[Any], np.ndarray]:
    fixed = EVAL_PENS[pen]
    if fixed is None:
        return VariedPen(seed, y_up=y_up, **PEN_TEST_STYLE)
    return FixedPen(fixed[0], fixed[1], y_up=y_up)


def pen_digits(pen: str = "varied") -> dict[str, np.ndarray]:
    """Every UCI pendigits trajectory (30 writers) drawn once with ``pen``."""

    def make() -> dict[str, np.ndarray]:
        digits = pen_trajectories()
        items = [(i, d.strokes) for i, d in enumerate(digits)]
        bitmaps = _bitmaps(items, _drawer(pen, PEN_TEST_SEED, y_up=True))
        return _arrays(
            bitmaps,
            y=[d.label for d in digits],
            writer=[d.writer for d in digits],
        )

    return cached(f"pen-{pen.replace(' ', '').replace(',', '-')}", make)


def pen_renders(
    renders: int,
    *,
    widths: tuple[float, float],
    fractions: tuple[float, float],
    slant: float,
    seed: int,
) -> dict[str, np.ndarray]:
    """Training renderings: each trajectory drawn ``renders`` times with varied pens."""

    def make() -> dict[str, np.ndarray]:
        digits = pen_trajectories()
        items = [
            (r * len(digits) + i, d.strokes)
            for r in range(renders)
            for i, d in enumerate(digits)
        ]
        draw = VariedPen(seed, widths=widths, fractions=fractions, slant=slant)
        bitmaps = _bitmaps(items, draw)
        return _arrays(
            bitmaps,
            y=[d.label for _ in range(renders) for d in digits],
            writer=[d.writer for _ in range(renders) for d in digits],
            render=[r for r in range(renders) for _ in digits],
        )

    key = f"pen-train-{renders}x-{widths[0]:g}-{widths[1]:g}-{fractions[0]:g}-"
    key += f"{fractions[1]:g}-{slant:g}-{seed}"
    return cached(key, make)


def mnist(split: str) -> dict[str, np.ndarray]:
    """MNIST's ``"train"`` (60,000) or ``"test"`` (10,000, other writers) digits."""

    def make() -> dict[str, np.ndarray]:
        images_file, labels_file = MNIST_FILES[split]
        images = read_idx(SHARED / "mnist" / images_file)
        labels = read_idx(SHARED / "mnist" / labels_file)
        bitmaps = _bitmaps(list(images), draw_mnist)
        return _arrays(bitmaps, y=labels)

    return cached(f"mnist-{split}", make)


def uji(pen: str = "varied") -> dict[str, np.ndarray]:
    """UJI Pen Characters v1 (11 writers): every digit and letter drawn with ``pen``."""

    def make() -> dict[str, np.ndarray]:
        chars = read_uji(SHARED / "uji_v1")
        items = [(i, c.strokes) for i, c in enumerate(chars)]
        bitmaps = _bitmaps(items, _drawer(pen, 11, y_up=False))
        return _arrays(
            bitmaps,
            char=np.array([c.char for c in chars]),
            writer=[c.writer for c in chars],
        )

    return cached(f"uji-{pen.replace(' ', '').replace(',', '-')}", make)


def uci_scans_on_canvas() -> dict[str, np.ndarray]:
    """The tutorial's 360 UCI test bitmaps placed on a canvas and normalised again."""

    def make() -> dict[str, np.ndarray]:
        split = load_split()
        bitmaps = load_bitmaps()[split.idx_test]
        reduced = np.array([canvas_to_bitmap(bitmap_to_canvas(b)) for b in bitmaps])
        return _arrays(reduced, y=split.y_test)

    return cached("uci-test-on-canvas", make)


class _ShapeJob:
    """A picklable ``lambda item: drawing_shape(draw(item))`` (NaN if refused)."""

    def __init__(self, draw: Callable[[Any], np.ndarray]) -> None:
        self.draw = draw

    def __call__(self, item: Any) -> np.ndarray:
        from digits_knn.features.shapes import N_SHAPE_FEATURES, drawing_shape

        image = self.draw(item)
        try:
            canvas_to_bitmap(image)
            return drawing_shape(image)
        except DrawingError:
            return np.full(N_SHAPE_FEATURES, np.nan)


def _shapes(items: list[Any], draw: Callable[[Any], np.ndarray]) -> np.ndarray:
    with Pool(2) as pool:
        return np.array(pool.map(_ShapeJob(draw), items, chunksize=32))


def pen_shapes(pen: str = "varied") -> dict[str, np.ndarray]:
    """Shape features (:func:`digits_knn.beyond.novelty.drawing_shape`) of :func:`pen_digits`."""

    def make() -> dict[str, np.ndarray]:
        digits = pen_trajectories()
        items = [(i, d.strokes) for i, d in enumerate(digits)]
        return {
            "S": _shapes(items, _drawer(pen, PEN_TEST_SEED, y_up=True)),
            "y": np.array([d.label for d in digits]),
            "writer": np.array([d.writer for d in digits]),
        }

    return cached(f"{SHAPES}-pen-{pen.replace(' ', '').replace(',', '-')}", make)


def mnist_shapes(split: str, n: int) -> dict[str, np.ndarray]:
    """Shape features of the first ``n`` MNIST digits of ``split``."""

    def make() -> dict[str, np.ndarray]:
        images_file, labels_file = MNIST_FILES[split]
        images = read_idx(SHARED / "mnist" / images_file)[:n]
        labels = read_idx(SHARED / "mnist" / labels_file)[:n]
        return {"S": _shapes(list(images), draw_mnist), "y": labels}

    return cached(f"{SHAPES}-mnist-{split}-{n}", make)


def uji_shapes(pen: str = "varied") -> dict[str, np.ndarray]:
    """Shape features of every UJI character drawn with ``pen``."""

    def make() -> dict[str, np.ndarray]:
        chars = read_uji(SHARED / "uji_v1")
        items = [(i, c.strokes) for i, c in enumerate(chars)]
        return {
            "S": _shapes(items, _drawer(pen, 11, y_up=False)),
            "char": np.array([c.char for c in chars]),
            "writer": np.array([c.writer for c in chars]),
        }

    return cached(f"{SHAPES}-uji-{pen.replace(' ', '').replace(',', '-')}", make)


def _characters(name: str) -> list[Any]:
    if name == "chars74k":
        return read_chars74k(SHARED / "letters" / "chars74k_json" / "char74k.json")
    return read_digilets(SHARED / "letters" / "digilets")


def letters_collection(name: str, pen: str = "varied") -> dict[str, np.ndarray]:
    """Chars74K's or DigiLeTs' characters (``name``: "chars74k", "digilets"), digits
    and letters, drawn with ``pen``: bitmaps, and each one's character and writer."""

    def make() -> dict[str, np.ndarray]:
        chars = _characters(name)
        items = [(i, c.strokes) for i, c in enumerate(chars)]
        bitmaps = _bitmaps(items, _drawer(pen, 13, y_up=False))
        return _arrays(
            bitmaps,
            char=np.array([c.char for c in chars]),
            writer=[c.writer for c in chars],
        )

    return cached(f"{name}-{pen.replace(' ', '').replace(',', '-')}", make)


def letters_collection_shapes(name: str, pen: str = "varied") -> dict[str, np.ndarray]:
    """Shape features of :func:`letters_collection`'s characters."""

    def make() -> dict[str, np.ndarray]:
        chars = _characters(name)
        items = [(i, c.strokes) for i, c in enumerate(chars)]
        return {
            "S": _shapes(items, _drawer(pen, 13, y_up=False)),
            "char": np.array([c.char for c in chars]),
            "writer": np.array([c.writer for c in chars]),
        }

    return cached(f"{SHAPES}-{name}-{pen.replace(' ', '').replace(',', '-')}", make)


class _UciCanvas:
    def __call__(self, bitmap: np.ndarray) -> np.ndarray:
        return bitmap_to_canvas(bitmap)


def uci_shapes() -> dict[str, np.ndarray]:
    """Shape features of all 1,797 UCI scans placed on a canvas (``load_digits`` order)."""

    def make() -> dict[str, np.ndarray]:
        from digits_knn.datasets.uci import load_xy

        return {
            "S": _shapes(list(load_bitmaps()), _UciCanvas()),
            "y": load_xy()[1],
        }

    return cached(f"{SHAPES}-uci", make)


def unseen_font_letter_shapes() -> dict[str, np.ndarray]:
    """Shape features of the non-digit letters in the fonts the reference never saw
    (:data:`digits_knn.datasets.corpora.UNSEEN_FONTS`), each drawn 4 times bent by hand (seeded
    apart from the reference's letters)."""

    def make() -> dict[str, np.ndarray]:
        letters = hershey_letters(NON_DIGIT_LETTERS, UNSEEN_FONTS)
        items = [
            (i * 4 + j, letter.strokes)
            for i, letter in enumerate(letters)
            for j in range(4)
        ]
        pen = HandPen(99, widths=(5.0, 36.0), fractions=(0.3, 0.95))
        return {
            "S": _shapes(items, pen),
            "char": np.repeat([letter.char for letter in letters], 4),
            "font": np.repeat([letter.font for letter in letters], 4),
        }

    return cached(f"{SHAPES}-unseen-font-letters", make)
