"""Readers of the handwriting collections the shipped data is made from.

Used by ``scripts/`` (to generate ``digits_knn/_data/``) and ``benchmarks/`` (to
measure on collections the app does not ship); nothing here runs in the app.

- MNIST (Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0): the four IDX files,
  28x28 grey scans, white ink on black. :func:`mnist_canvas` turns one into what a
  drawing is on the canvas (dark ink on white, canvas-sized), so that it takes the
  very path a user's drawing takes.
- UJI Pen Characters v1 (D. Llorens, F. Prat, A. Marzal, J. M. Vilar; CC BY 4.0): pen
  trajectories of 11 writers, digits and letters, UNIPEN-like with y pointing down.
- The Hershey fonts (A. V. Hershey, U.S. National Bureau of Standards, 1967; free to
  use, as read by the ``Hershey-Fonts`` package, MIT): letters as pen strokes, y
  pointing down, for the non-digits "is it a digit?" learns from (never UJI's letters,
  which only measure it).
"""

from __future__ import annotations

import gzip
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from digits_knn.features.canvas import CANVAS_SIZE
from digits_knn.features.preprocessing import DrawingError, canvas_to_bitmap
from digits_knn.features.strokes import (
    Stroke,
    bend_strokes,
    render_strokes,
    render_varied,
    unipen_segments,
)

#: IDX magic numbers: unsigned bytes, 3 dimensions (images) / 1 dimension (labels).
_IDX_IMAGES, _IDX_LABELS = 2051, 2049


def read_idx(path: str | Path) -> np.ndarray:
    """Read a (gzipped) IDX file of unsigned bytes: MNIST images or labels.

    Returns
    -------
    ndarray of uint8, shape (n, 28, 28) for images, (n,) for labels

    Raises
    ------
    ValueError
        Not an IDX file of images or labels, or one cut short.
    """
    raw = Path(path).read_bytes()
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    (magic,) = struct.unpack(">I", data[:4])
    if magic == _IDX_IMAGES:
        n, rows, cols = struct.unpack(">III", data[4:16])
        shape: tuple[int, ...] = (n, rows, cols)
        body = data[16:]
    elif magic == _IDX_LABELS:
        (n,) = struct.unpack(">I", data[4:8])
        shape, body = (n,), data[8:]
    else:
        raise ValueError(f"{path} is not an IDX file of images or labels")
    if len(body) != int(np.prod(shape)):
        raise ValueError(f"{path} holds {len(body)} bytes, expected {np.prod(shape)}")
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def mnist_canvas(image: np.ndarray, *, size: int = CANVAS_SIZE) -> np.ndarray:
    """An MNIST digit as a drawing on the canvas: dark ink on white, ``size`` square.

    MNIST digits are anti-aliased white ink on black, 28x28, size-normalised into a
    20x20 box. Inverted and enlarged smoothly (bilinear), they come to the page's
    normalisation as a drawing or a photo would.

    Parameters
    ----------
    image : ndarray of shape (28, 28), uint8, white (255) ink on black (0)
    size : int, default 280

    Returns
    -------
    ndarray of shape (size, size, 4), uint8
        RGBA, like the canvas's image data.
    """
    grey = Image.fromarray(255 - np.asarray(image, dtype=np.uint8), mode="L")
    big = grey.resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(big.convert("RGBA"))


@dataclass(frozen=True)
class PenCharacter:
    """One character written with a pen.

    Attributes
    ----------
    char : str
        What was written ("0".."9", "a".."z", "A".."Z").
    writer : int
    strokes : list of ndarray of shape (n_points, 2)
        x, y with y pointing down.
    """

    char: str
    writer: int
    strokes: list[Stroke]


_SEGMENT = re.compile(r'^\.SEGMENT CHARACTER .*"(.+)"')


def parse_uji(text: str, writer: int) -> list[PenCharacter]:
    """Read one writer's file of UJI Pen Characters v1.

    Examples
    --------
    >>> text = '''.SEGMENT CHARACTER 0 ? "7"
    ... .PEN_DOWN
    ...  10  10
    ...  50  10
    ...  20  90
    ... .PEN_UP'''
    >>> (c,) = parse_uji(text, writer=3)
    >>> c.char, c.writer, c.strokes[0].tolist()
    ('7', 3, [[10, 10], [50, 10], [20, 90]])
    """
    characters = []
    for segment, _, strokes in unipen_segments(text):
        match = _SEGMENT.match(segment)
        if match and strokes:
            characters.append(
                PenCharacter(char=match.group(1), writer=writer, strokes=strokes)
            )
    return characters


def read_uji(folder: str | Path) -> list[PenCharacter]:
    """Every character of every writer's file ``UJIpenchars-wNN.txt`` in ``folder``."""
    characters = []
    for path in sorted(Path(folder).glob("UJIpenchars-w*.txt")):
        writer = int(path.stem.rsplit("w", 1)[1])
        characters += parse_uji(path.read_text(encoding="latin-1"), writer)
    return characters


def read_chars74k(path: str | Path) -> list[PenCharacter]:
    """Chars74K's hand-drawn characters (T. E. de Campos, B. R. Babu, M. Varma; 55
    writers, tablet strokes), from the JSON conversion ``char74k.json``: a key per
    character, 55 samples each (sample ``s`` is writer ``s``), a sample a list of
    strokes of ``[x, y]`` with y down."""
    import json

    data = json.loads(Path(path).read_text())
    return [
        PenCharacter(
            char=char,
            writer=writer,
            strokes=[np.asarray(stroke, dtype=float) for stroke in sample if stroke],
        )
        for char, samples in sorted(data.items())
        for writer, sample in enumerate(samples, start=1)
        if any(sample)
    ]


#: DigiLeTs' recording square, in tablet units (its files give fractions of it).
DIGILETS_UNITS = 2000.0
#: DigiLeTs' symbols in file order: 5 instances each of 0-9, a-z, A-Z.
DIGILETS_SYMBOLS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def read_digilets(
    folder: str | Path, symbols: str = DIGILETS_SYMBOLS
) -> list[PenCharacter]:
    """DigiLeTs' characters (77 writers; no licence stated: measure only), one file per
    writer, as its README says: line 2k holds instance k as groups of ``x y pressure
    pen_down t``, hover points (pressure and pen_down 0) dropped, strokes split where
    the pen went down; y flipped to point down, and x, y (fractions of the recording
    square) back in the tablet's units, 2000 to the square's side (the renderers scale
    a character whose extent is under one unit as if it were one: drawn at 0..1, a
    DigiLeTs digit came out at 40% of its size, a blob at the smaller sizes). Only the
    characters among ``symbols`` are read."""
    characters = []
    for writer, path in enumerate(sorted(Path(folder).iterdir()), start=1):
        lines = path.read_text().split("\n")
        for k in range(5 * len(DIGILETS_SYMBOLS)):
            if DIGILETS_SYMBOLS[k // 5] not in symbols:
                continue
            points = np.array(lines[2 * k].split(), dtype=float).reshape(-1, 5)
            points = points[~((points[:, 2] == 0) & (points[:, 3] == 0))]
            starts = [int(i) for i in np.flatnonzero(points[:, 3]) if i]
            strokes = [
                s[:, :2] * [DIGILETS_UNITS, -DIGILETS_UNITS]
                for s in np.split(points, starts)
                if len(s)
            ]
            if strokes:
                characters.append(
                    PenCharacter(DIGILETS_SYMBOLS[k // 5], writer, strokes)
                )
    return characters


#: How the shipped pen digits are drawn for training: pens of 6..36 px, the digit's
#: larger side 30%..95% of the canvas, slanted by up to ±14 degrees; and for testing:
#: another seed, pens of 5..36 px at 30%..95%. ``benchmarks/source_mix.py`` chose them.
PEN_TRAIN_STYLE: dict[str, Any] = {
    "widths": (6.0, 36.0),
    "fractions": (0.3, 0.95),
    "slant": 0.25,
}
PEN_TRAIN_SEED = 3
PEN_TEST_STYLE: dict[str, Any] = {"widths": (5.0, 36.0), "fractions": (0.3, 0.95)}
PEN_TEST_SEED = 7


class VariedPen:
    """Draws item ``(i, strokes)`` with :func:`render_varied`, seeded by ``(seed, i)``.

    Picklable, so that worker processes can draw; the same item always gives the same
    drawing, whichever process draws it.
    """

    def __init__(self, seed: int, *, y_up: bool = True, **style: Any) -> None:
        self.seed, self.y_up, self.style = seed, y_up, style

    def __call__(self, item: tuple[int, Sequence[Stroke]]) -> np.ndarray:
        i, strokes = item
        rng = np.random.default_rng([self.seed, i])
        return render_varied(strokes, rng, y_up=self.y_up, **self.style)


class FixedPen:
    """Draws item ``(i, strokes)`` with one pen width and size."""

    def __init__(self, width: float, fraction: float, *, y_up: bool = True) -> None:
        self.width, self.fraction, self.y_up = width, fraction, y_up

    def __call__(self, item: tuple[int, Sequence[Stroke]]) -> np.ndarray:
        return render_strokes(
            item[1], width=self.width, height_fraction=self.fraction, y_up=self.y_up
        )


class _Reduce:
    def __init__(self, draw: Callable[[Any], np.ndarray]) -> None:
        self.draw = draw

    def __call__(self, item: Any) -> np.ndarray:
        try:
            return canvas_to_bitmap(self.draw(item))
        except DrawingError:  # refused as a drawing would be: an empty bitmap
            return np.zeros((32, 32), dtype=bool)


def reduce_all(
    items: Sequence[Any], draw: Callable[[Any], np.ndarray], *, processes: int = 2
) -> np.ndarray:
    """Draw every item on a canvas and normalise it as a user's drawing is.

    Parameters
    ----------
    items : sequence
        What ``draw`` takes (picklable).
    draw : picklable callable, item -> canvas image (h, w, 4) uint8
    processes : int, default 2

    Returns
    -------
    ndarray of shape (n, 32, 32), bool
        Empty where the path refuses the drawing (no ink, a dot).
    """
    with Pool(processes) as pool:
        return np.array(pool.map(_Reduce(draw), items, chunksize=64))


def draw_mnist(image: np.ndarray) -> np.ndarray:
    """:func:`mnist_canvas` with the defaults, for :func:`reduce_all`."""
    return mnist_canvas(image)


class _Shape:
    def __init__(self, draw: Callable[[Any], np.ndarray]) -> None:
        self.draw = draw

    def __call__(self, item: Any) -> np.ndarray:
        from digits_knn.features.shapes import N_SHAPE_FEATURES, drawing_shape

        image = self.draw(item)
        try:
            canvas_to_bitmap(image)  # refused as a drawing would be: no shape
            return drawing_shape(image)
        except DrawingError:
            return np.full(N_SHAPE_FEATURES, np.nan)


def shapes_all(
    items: Sequence[Any], draw: Callable[[Any], np.ndarray], *, processes: int = 2
) -> np.ndarray:
    """:func:`digits_knn.features.shapes.drawing_shape` of every item drawn by ``draw``.

    Returns
    -------
    ndarray of shape (n, N_SHAPE_FEATURES), float64
        NaN rows where the drawing's path refuses the drawing (no ink, a dot).
    """
    with Pool(processes) as pool:
        return np.array(pool.map(_Shape(draw), items, chunksize=32))


class NonDigitPen:
    """Draws item ``(i, kind)``: a generated non-digit of that kind, seeded by
    ``(seed, i)``, with varied pens and sizes."""

    def __init__(self, seed: int, **style: Any) -> None:
        self.seed, self.style = seed, style

    def __call__(self, item: tuple[int, str]) -> np.ndarray:
        from digits_knn.features.strokes import non_digit_strokes

        i, kind = item
        rng = np.random.default_rng([self.seed, i])
        return render_varied(non_digit_strokes(kind, rng), rng, **self.style)


#: Hershey typefaces the reference's letters are drawn in: a sans, two romans (single
#: and double line), a Times-like roman, two scripts and a cursive hand. The
#: :data:`UNSEEN_FONTS` are kept out, to measure letters of fonts it never saw.
HERSHEY_FONTS = (
    "futural",
    "rowmans",
    "scripts",
    "cursive",
    "rowmand",
    "scriptc",
    "timesr",
)
#: Hershey fonts the reference never draws letters in: a double-line sans, an italic.
UNSEEN_FONTS = ("futuram", "timesi")


@dataclass(frozen=True)
class FontLetter:
    """One letter of a font, as pen strokes (y down)."""

    font: str
    char: str
    strokes: list[Stroke]


def hershey_letters(
    chars: str, fonts: Sequence[str] = HERSHEY_FONTS
) -> list[FontLetter]:
    """Every char of ``chars`` in each Hershey font (needs ``Hershey-Fonts``, which
    ``requirements-dev.txt`` installs; only ``scripts/`` use it).

    Raises
    ------
    ValueError
        A char the font has no strokes for.
    """
    from HersheyFonts import HersheyFonts  # scripts only: not an app dependency

    font_reader = HersheyFonts()
    letters = []
    for font in fonts:
        font_reader.load_default_font(font)
        for char in chars:
            strokes = [
                np.array(line, dtype=np.float64)
                for line in font_reader.strokes_for_text(char)
                if len(line) >= 2
            ]
            if not strokes:
                raise ValueError(f"font {font!r} draws no strokes for {char!r}")
            letters.append(FontLetter(font, char, strokes))
    return letters


class HandPen:
    """Draws item ``(i, strokes)`` bent by hand (:func:`digits_knn.features.strokes.bend_strokes`)
    and then with :func:`render_varied`, seeded by ``(seed, i)``; picklable."""

    def __init__(self, seed: int, *, y_up: bool = False, **style: Any) -> None:
        self.seed, self.y_up, self.style = seed, y_up, style

    def __call__(self, item: tuple[int, Sequence[Stroke]]) -> np.ndarray:
        i, strokes = item
        rng = np.random.default_rng([self.seed, i])
        return render_varied(
            bend_strokes(strokes, rng), rng, y_up=self.y_up, **self.style
        )
