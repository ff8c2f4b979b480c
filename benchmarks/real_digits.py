"""Real digits of writers the shipped model never saw, for the speed benchmarks.

Every drawing a benchmark makes is a different real digit of writers the shipped model
never saw: UJI Pen Characters v1's digits (11 writers, 220 digits; evaluation only) and
DigiLeTs' digits (77 writers, 3,850 digits; measure only, never shipped), both read from
``../shared/data`` at benchmark time, placed on the canvas at a size and place of their
own (seeded), no digit twice in a run. A person never draws the same image twice, so no
benchmark may draw one image again and call the cache hit a stroke.

Two forms of the same digits:
- :func:`real_digits` as mouse strokes (fractions 0..1 of the canvas) for the browser;
- :func:`stroke_frame` as the WebSocket frame a browser sends for such a drawing (a
  recorded frame with the canvas's widget state replaced: the drawing rendered with
  the app's pen as the canvas renders it, PNG and path objects), for protocol clients.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
UJI = SHARED / "uji_v1"
DIGILETS = SHARED / "letters" / "digilets"

Point = tuple[float, float]


@dataclass(frozen=True)
class RealDigit:
    """One real pen digit placed on the canvas.

    Attributes
    ----------
    label : str, "0".."9"
    writer : int
    strokes : list of list of (x, y)
        Fractions 0..1 of the canvas, y down; points thinned to at most 24 a stroke.
    """

    label: str
    writer: int
    strokes: list[list[Point]]

    def longest_stroke(self) -> list[Point]:
        """The stroke that spans the most of the canvas: one stroke drawn on a clear
        canvas is always enough ink to answer (a 5's first bar may be a dot)."""

        def span(stroke: list[Point]) -> float:
            xs, ys = [p[0] for p in stroke], [p[1] for p in stroke]
            return max(max(xs) - min(xs), max(ys) - min(ys))

        return max(self.strokes, key=span)


def real_digits(n: int, *, seed: int = 0, max_strokes: int = 3) -> list[RealDigit]:
    """``n`` different real digits (UJI's and DigiLeTs', shuffled by ``seed``), each of
    at most ``max_strokes`` strokes, its larger side 45-75% of the canvas, moved about.

    Raises
    ------
    FileNotFoundError
        ``../shared/data`` is missing (the benchmarks need ``shared/``).
    ValueError
        More digits asked for than the collections hold.
    """
    from digits_knn.datasets.corpora import read_digilets, read_uji

    if not UJI.is_dir() or not DIGILETS.is_dir():
        raise FileNotFoundError(
            f"{SHARED}: the benchmarks draw real digits from shared/"
        )
    found = [(c.char, c.writer, c.strokes) for c in read_uji(UJI) if c.char.isdigit()]
    # DigiLeTs' writers numbered after UJI's 11
    found += [
        (c.char, 100 + c.writer, c.strokes)
        for c in read_digilets(DIGILETS, "0123456789")
    ]
    chars = [
        RealDigit(char, writer, strokes)  # type: ignore[arg-type]
        for char, writer, strokes in found
        if 1 <= len(strokes) <= max_strokes
    ]
    if n > len(chars):
        raise ValueError(f"only {len(chars)} real digits, {n} asked for")
    rng = np.random.default_rng(seed)
    digits = []
    for i in rng.permutation(len(chars)):
        if len(digits) == n:
            break
        char = chars[int(i)]
        points = np.concatenate([np.asarray(s, dtype=np.float64) for s in char.strokes])
        if np.ptp(points, axis=0).max() == 0:
            continue
        lo, hi = points.min(axis=0), points.max(axis=0)
        side = rng.uniform(0.45, 0.75)
        scale = side / max(float((hi - lo).max()), 1.0)
        centre = 0.5 + rng.uniform(-0.08, 0.08, size=2)
        strokes = []
        for stroke in char.strokes:
            xy = (np.asarray(stroke, dtype=np.float64) - (lo + hi) / 2) * scale + centre
            keep = np.unique(np.linspace(0, len(xy) - 1, min(len(xy), 24)).round())
            strokes.append([(float(x), float(y)) for x, y in xy[keep.astype(int)]])
        digits.append(RealDigit(char.label, char.writer, strokes))
    if len(digits) < n:
        raise ValueError(f"only {len(digits)} usable real digits, {n} asked for")
    return digits


def canvas_image(digit: RealDigit, *, size: int = 280, width: int = 22) -> Image.Image:
    """The digit as the canvas draws it: black, ``width`` px, round caps and joins."""
    image = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    pen = ImageDraw.Draw(image)
    radius = width / 2
    for stroke in digit.strokes:
        path = [(x * size, y * size) for x, y in stroke]
        if len(path) > 1:
            pen.line(path, fill=(0, 0, 0, 255), width=width, joint="curve")
        for x, y in path:
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill="black")
    return image


def _fabric_path(stroke: list[Point], size: int, width: int) -> dict[str, object]:
    xy = [(x * size, y * size) for x, y in stroke]
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    return {
        "type": "Path",
        "version": "7.4.0",
        "originX": "center",
        "originY": "center",
        "left": (min(xs) + max(xs)) / 2,
        "top": (min(ys) + max(ys)) / 2,
        "width": max(xs) - min(xs),
        "height": max(ys) - min(ys),
        "fill": None,
        "stroke": "#000000",
        "strokeWidth": width,
        "strokeLineCap": "round",
        "strokeLineJoin": "round",
        "path": [["M", *xy[0]], *(["L", *p] for p in xy[1:])],
    }


def stroke_frame(recorded: bytes, digit: RealDigit) -> bytes:
    """A recorded stroke frame (a ``BackMsg`` rerun of the drawing fragment) with the
    canvas's widget state replaced by ``digit``: what a browser would send."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    message.ParseFromString(recorded)
    buffer = io.BytesIO()
    canvas_image(digit).save(buffer, format="PNG")
    data = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    replaced = 0
    for widget in message.rerun_script.widget_states.widgets:
        if widget.WhichOneof("value") != "json_value":
            continue
        value = json.loads(widget.json_value)
        if "drawing" not in value:
            continue
        value["drawing"] = {
            "raw": {
                "version": "7.4.0",
                "objects": [_fabric_path(s, 280, 22) for s in digit.strokes],
            },
            "data": data,
        }
        widget.json_value = json.dumps(value)
        replaced += 1
    if replaced != 1:
        raise ValueError(f"the frame holds {replaced} canvas states, not one")
    return message.SerializeToString()
