"""page.figures: pictures with captions as HTML, PNGs inline."""

from __future__ import annotations

import base64
import re

import numpy as np

from digits_knn.plotting import bitmap_png
from page.figures import figure, gallery


def figure_style(html: str) -> str:
    match = re.search(r'<figure style="([^"]*)"', html)
    assert match, html
    return match.group(1)


def test_a_figure_holds_its_png_inline_and_its_caption_escaped() -> None:
    png = bitmap_png(np.eye(32, dtype=bool))
    html = figure(png, "7 · d=1.0 <yours>", width=72)
    assert "data:image/png;base64," + base64.b64encode(png).decode() in html
    assert "<figcaption" in html
    assert "7 · d=1.0 &lt;yours&gt;" in html
    assert 'width="72"' in html
    assert "width: 72px" not in figure_style(html)  # a long caption may widen it


def test_a_wrapped_figure_is_as_wide_as_its_picture() -> None:
    html = figure(
        b"png", "a caption longer than the picture is wide", width=192, wrap=True
    )
    assert "width: 192px" in figure_style(html)


def test_a_gallery_puts_its_title_and_note_above_the_figures() -> None:
    html = gallery([figure(b"a", "one"), figure(b"b", "two")], title="T <1>", note="n")
    assert html.index("<h3") < html.index("<p") < html.index("<figure")
    assert "T &lt;1&gt;" in html
    assert html.count("<figure") == 2
