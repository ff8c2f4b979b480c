"""page.figures: pictures with captions as HTML, PNGs inline."""

from __future__ import annotations

import base64
import re

import numpy as np

from digits_knn.plotting import bitmap_png
from page.figures import confusion_table, figure, gallery


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


def test_the_confusion_table_holds_every_count_recall_and_precision() -> None:
    confusion = np.diag(np.arange(10, 20)).tolist()
    confusion[2][3] = 4  # four 2s taken for 3s
    precision = [1.0] * 10
    precision[3] = 13 / 17
    recall = [1.0] * 10
    recall[2] = 12 / 16
    html = confusion_table(confusion, precision, recall)
    cells = re.findall(r'<td title="([^"]*)" style="([^"]*)">([^<]*)</td>', html)
    assert len(cells) == 100
    assert cells[2 * 10 + 3][0] == "4 test digits 2 taken for 3"
    assert cells[2 * 10 + 3][2] == "4"
    assert cells[9 * 10 + 9][0] == "19 test digits 9 recognised"
    assert cells[0 * 10 + 1][2] == ""  # no digits: an empty cell
    assert "background: rgb(8, 48, 107)" in cells[99][1]  # the most: the darkest
    assert "background: rgb(255, 255, 255)" in cells[1][1]
    assert ">0.750</td>" in html  # the 2s' recall
    assert ">0.765</td>" in html  # the 3s' precision
