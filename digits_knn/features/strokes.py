"""Pen trajectories: read UCI pendigits, and draw strokes as the app's canvas draws them.

UCI "Pen-Based Recognition of Handwritten Digits" (E. Alpaydin and F. Alimoglu, CC BY
4.0) holds digits written with a stylus by 30 writers, as UNIPEN trajectories: per
digit ``.SEGMENT DIGIT ... "<label>"``, ``.COMMENT <label> <writer> <sample>``, then per
stroke ``.PEN_DOWN``, lines of integer ``x y`` tablet coordinates (y up), ``.PEN_UP``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from digits_knn.features.canvas import CANVAS_SIZE, STROKE_WIDTH

Stroke = np.ndarray  # shape (n_points, 2): x, y
#: Widest pen :func:`render_varied` draws with, as a fraction of the digit's larger side.
MAX_PEN_TO_SIZE = 0.32


@dataclass(frozen=True)
class PenDigit:
    """One digit written with a pen.

    Attributes
    ----------
    label : int in 0..9
    writer : int
        The writer's id (1..30 in UCI's training part).
    strokes : list of ndarray of shape (n_points, 2)
        Tablet coordinates x, y with y pointing up, one array per pen-down.
    """

    label: int
    writer: int
    strokes: list[Stroke]


def parse_unipen(text: str) -> list[PenDigit]:
    """Read the UNIPEN subset of UCI pendigits.

    Parameters
    ----------
    text : str
        The content of ``pendigits-orig.tra`` (or ``.tes``).

    Returns
    -------
    list of PenDigit
        In file order; digits with no pen-down are left out.

    Examples
    --------
    >>> text = '''.SEGMENT DIGIT 0 ? "7"
    ... .COMMENT 7 3 1
    ... .PEN_DOWN
    ... 10 90
    ... 50 90
    ... 20 10
    ... .PEN_UP'''
    >>> digit, = parse_unipen(text)
    >>> digit.label, digit.writer, digit.strokes[0].tolist()
    (7, 3, [[10, 90], [50, 90], [20, 10]])
    """
    digits = []
    for segment, comments, strokes in unipen_segments(text):
        if ".SEGMENT DIGIT" not in segment or not strokes:
            continue
        writer = -1
        for comment in comments:
            parts = comment.split()
            if len(parts) >= 3:
                writer = int(parts[2])
        digits.append(
            PenDigit(label=int(segment.split('"')[1]), writer=writer, strokes=strokes)
        )
    return digits


def unipen_segments(text: str) -> Iterator[tuple[str, list[str], list[Stroke]]]:
    r"""The segments of a UNIPEN-like file (UCI pendigits, UJI Pen Characters).

    Yields
    ------
    segment : str
        The ``.SEGMENT`` line.
    comments : list of str
        Its ``.COMMENT`` lines.
    strokes : list of ndarray of shape (n_points, 2), int32
        Each pen-down's points (x, y as in the file); empty pen-downs left out.

    Examples
    --------
    >>> text = '.SEGMENT DIGIT 0 ? "1"\n.PEN_DOWN\n5 9\n5 1\n.PEN_UP'
    >>> [(s, c, [p.tolist() for p in k]) for s, c, k in unipen_segments(text)]
    [('.SEGMENT DIGIT 0 ? "1"', [], [[[5, 9], [5, 1]]])]
    """
    segment: str | None = None
    comments: list[str] = []
    points: list[list[tuple[int, int]]] = []
    pen_down = False
    for line in [*text.splitlines(), ".SEGMENT"]:  # a last one closes the file
        if line.startswith(".SEGMENT"):
            if segment is not None:
                yield (
                    segment,
                    comments,
                    [np.array(s, dtype=np.int32) for s in points if s],
                )
            segment, comments, points, pen_down = line, [], [], False
        elif line.startswith(".COMMENT"):
            comments.append(line)
        elif line.startswith(".PEN_DOWN"):
            points.append([])
            pen_down = True
        elif line.startswith(".PEN_UP"):
            pen_down = False
        elif pen_down and line.strip() and not line.startswith("."):
            x, y = line.split()[:2]
            points[-1].append((int(x), int(y)))


def render_strokes(
    strokes: Sequence[Stroke],
    *,
    size: int = CANVAS_SIZE,
    width: float = STROKE_WIDTH,
    height_fraction: float = 0.7,
    offset: tuple[float, float] = (0.0, 0.0),
    y_up: bool = True,
) -> np.ndarray:
    """Draw pen strokes as the app's canvas does: black, round caps and joins, on white.

    Parameters
    ----------
    strokes : sequence of ndarray of shape (n_points, 2)
        Coordinates in any unit; the digit is scaled to fit.
    size : int, default 280
        Canvas side in pixels.
    width : float, default 22
        Stroke width in canvas pixels.
    height_fraction : float in (0, 1], default 0.7
        The digit's larger side, as a fraction of the canvas (aspect kept).
    offset : (float, float), default (0, 0)
        Shift of the digit's centre from the canvas centre, in fractions of the canvas.
    y_up : bool, default True
        The coordinates' y axis points up (tablets), not down (screens).

    Returns
    -------
    ndarray of shape (size, size, 4), uint8
        RGBA, like ``streamlit-drawable-canvas``'s image data.
    """
    points = np.concatenate([np.asarray(s, dtype=np.float64) for s in strokes])
    lo, hi = points.min(axis=0), points.max(axis=0)
    extent = max(float((hi - lo).max()), 1.0)
    scale = height_fraction * size / extent
    centre = (lo + hi) / 2
    image = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    pen = ImageDraw.Draw(image)
    radius = width / 2
    for stroke in strokes:
        xy = (np.asarray(stroke, dtype=np.float64) - centre) * scale
        if y_up:
            xy[:, 1] = -xy[:, 1]
        xy += size / 2 + np.array(offset) * size
        path = [tuple(point) for point in xy]
        if len(path) > 1:
            pen.line(path, fill=(0, 0, 0, 255), width=round(width), joint="curve")
        for x, y in path[:: max(1, len(path) - 1)]:  # round caps at both ends
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill="black")
    return np.asarray(image)


def render_varied(
    strokes: Sequence[Stroke],
    rng: np.random.Generator,
    *,
    size: int = CANVAS_SIZE,
    widths: tuple[float, float] = (14, 30),
    fractions: tuple[float, float] = (0.45, 0.9),
    slant: float = 0.0,
    y_up: bool = True,
) -> np.ndarray:
    """:func:`render_strokes` with seeded variation of size, position and pen width.

    By default the digit's larger side is 45%..90% of the canvas and the pen 14..30
    pixels wide, the range of drawings people make on it; its centre moves by up to 10%
    of the canvas. A pen wider than :data:`MAX_PEN_TO_SIZE` of the digit is drawn again
    (past that a digit is a blot). The ink always stays inside the canvas.

    ``slant``: the largest shear drawn in, as horizontal shift per unit of height
    (0.25 is about 14 degrees), uniform in ±slant. ``y_up``: the strokes' y axis points
    up (pendigits) or down (UJI).
    """
    while True:
        width = rng.uniform(*widths)
        fraction = rng.uniform(*fractions)
        if width <= MAX_PEN_TO_SIZE * fraction * size:
            break
    # Free room on each side once the pen's half width and a pixel are counted.
    room = (1 - fraction) / 2 - (width / 2 + 2) / size
    if room < 0:
        fraction += 2 * room
        room = 0.0
    shift = rng.uniform(-min(0.1, room), min(0.1, room), size=2)
    if slant:
        shear = rng.uniform(-slant, slant) * (1.0 if y_up else -1.0)
        strokes = [
            np.asarray(s, dtype=np.float64) @ np.array([[1.0, 0.0], [shear, 1.0]])
            for s in strokes
        ]
    return render_strokes(
        strokes,
        size=size,
        width=width,
        height_fraction=fraction,
        offset=(float(shift[0]), float(shift[1])),
        y_up=y_up,
    )


def bend_strokes(
    strokes: Sequence[Stroke], rng: np.random.Generator, *, amplitude: float = 0.06
) -> list[Stroke]:
    """Strokes as a hand might draw them: bent, stretched, sheared and a little shaky.

    For letters taken from a font (clean, every copy alike): a smooth random
    displacement (two low waves across each axis, up to about ``amplitude`` of the
    character's larger side), a width of 0.7..1.3, a shear of ±0.3 and a jitter of
    1% per point, all seeded by ``rng``.

    Parameters
    ----------
    strokes : list of ndarray of shape (n_points, 2)
    rng : numpy Generator
    amplitude : float >= 0

    Returns
    -------
    list of ndarray of shape (n_points, 2), in the strokes' own units
    """
    points = np.vstack(strokes).astype(np.float64)
    low = points.min(axis=0)
    scale = max(float(np.ptp(points, axis=0).max()), 1e-6)
    waves = [
        (
            rng.normal(0, amplitude, 2),
            rng.uniform(0.5, 2.0, 2) * np.pi,
            rng.uniform(0, 2 * np.pi, 2),
        )
        for _ in range(2)
    ]
    stretch = np.array([[rng.uniform(0.7, 1.3), 0.0], [rng.uniform(-0.3, 0.3), 1.0]])
    bent = []
    for stroke in strokes:
        unit = (np.asarray(stroke, dtype=np.float64) - low) / scale
        moved = unit.copy()
        for size, frequency, phase in waves:
            moved[:, 0] += size[0] * np.sin(frequency[0] * unit[:, 1] + phase[0])
            moved[:, 1] += size[1] * np.sin(frequency[1] * unit[:, 0] + phase[1])
        shaky = moved @ stretch + rng.normal(0, 0.01, moved.shape)
        bent.append(shaky * scale)
    return bent


def _polyline(points: Sequence[tuple[float, float]]) -> Stroke:
    return np.array(points, dtype=np.float64)


def _letter(name: str) -> list[Stroke]:
    """Capital letters as pen strokes in a unit box (y up)."""
    letters: dict[str, list[list[tuple[float, float]]]] = {
        "A": [[(0, 0), (0.5, 1), (1, 0)], [(0.25, 0.45), (0.75, 0.45)]],
        "E": [[(1, 1), (0, 1), (0, 0), (1, 0)], [(0, 0.5), (0.7, 0.5)]],
        "F": [[(1, 1), (0, 1), (0, 0)], [(0, 0.5), (0.7, 0.5)]],
        "H": [[(0, 1), (0, 0)], [(1, 1), (1, 0)], [(0, 0.5), (1, 0.5)]],
        "K": [[(0, 1), (0, 0)], [(1, 1), (0, 0.45), (1, 0)]],
        "M": [[(0, 0), (0, 1), (0.5, 0.4), (1, 1), (1, 0)]],
        "N": [[(0, 0), (0, 1), (1, 0), (1, 1)]],
        "W": [[(0, 1), (0.25, 0), (0.5, 0.7), (0.75, 0), (1, 1)]],
        "X": [[(0, 0), (1, 1)], [(0, 1), (1, 0)]],
        "Y": [[(0, 1), (0.5, 0.5), (1, 1)], [(0.5, 0.5), (0.5, 0)]],
        "R": [[(0, 0), (0, 1), (0.8, 1), (1, 0.8), (0.8, 0.55), (0, 0.55), (1, 0)]],
        "B": [
            [
                (0, 0),
                (0, 1),
                (0.8, 1),
                (1, 0.8),
                (0.7, 0.52),
                (1, 0.25),
                (0.8, 0),
                (0, 0),
            ]
        ],
    }
    return [_polyline(stroke) for stroke in letters[name]]


#: Kinds of drawing that are not digits, for measuring "that's not a digit".
NON_DIGIT_KINDS = ("scribble", "blob", "hash", "star", "cross", "plus", "letter")


def non_digit_strokes(kind: str, rng: np.random.Generator) -> list[Stroke]:
    """Pen strokes of something that is not a digit, with seeded variation.

    Parameters
    ----------
    kind : one of :data:`NON_DIGIT_KINDS`
        "scribble": a random wavy line back and forth; "blob": a filled-in patch drawn
        as a tight spiral; "hash": a # sign; "star": a five-line asterisk; "cross" and
        "plus": x and +; "letter": one of a dozen capital letters.
    rng : numpy Generator

    Returns
    -------
    list of ndarray of shape (n_points, 2), y up
    """
    strokes = _non_digit_shape(kind, rng)
    # People draw shapes tall or wide and slanted, as they draw digits: without this a
    # detector could learn "square means not a digit".
    stretch = np.array([[rng.uniform(0.5, 1.3), 0.0], [rng.uniform(-0.3, 0.3), 1.0]])
    return [stroke @ stretch + rng.normal(0, 0.03, stroke.shape) for stroke in strokes]


def _non_digit_shape(kind: str, rng: np.random.Generator) -> list[Stroke]:
    if kind == "scribble":
        n = int(rng.integers(8, 20))
        return [np.cumsum(rng.normal(0, 0.35, (n, 2)), axis=0)]
    if kind == "blob":
        turns = rng.uniform(3, 6)
        t = np.linspace(0, 2 * np.pi * turns, 120)
        r = np.linspace(1, 0.05, len(t))
        aspect = rng.uniform(0.6, 1.4)
        return [np.stack([r * np.cos(t) * aspect, r * np.sin(t)], axis=1)]
    if kind == "hash":
        a, b = rng.uniform(0.25, 0.4), rng.uniform(0.6, 0.75)
        lines: list[list[tuple[float, float]]] = [
            [(a, 0.0), (a + 0.1, 1.0)],
            [(b, 0.0), (b + 0.1, 1.0)],
            [(0.0, a), (1.0, a)],
            [(0.0, b), (1.0, b)],
        ]
        return [_polyline(line) for line in lines]
    if kind == "star":
        angles = rng.uniform(0, np.pi) + np.arange(5) * np.pi / 5
        return [
            _polyline([(-np.cos(a), -np.sin(a)), (np.cos(a), np.sin(a))])
            for a in angles
        ]
    if kind == "cross":
        return [
            _polyline([(0, 0), (1, 1)]),
            _polyline([(0, 1), (1, 0)]),
        ]
    if kind == "plus":
        return [
            _polyline([(0.5, 0), (0.5, 1)]),
            _polyline([(0, 0.5), (1, 0.5)]),
        ]
    if kind == "letter":
        name = str(
            rng.choice(["A", "B", "E", "F", "H", "K", "M", "N", "R", "W", "X", "Y"])
        )
        return _letter(name)
    raise ValueError(
        f"unknown kind {kind!r}; choose one of {', '.join(NON_DIGIT_KINDS)}"
    )
