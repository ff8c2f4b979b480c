"""Pictures with captions, several to one page element, their PNGs sent inline.

Every element costs on each stroke: when a run starts and when it ends, Streamlit's
frontend redraws every element of the page (``benchmarks/redraws.py`` counts it), a
changed element is drawn again, and each ``st.image`` is fetched from the server by a
request of its own. The drawing view's results (the probabilities, what the model
sees, the neighbours) are a dozen small pictures, Finish my digit's half a dozen more:
as figures in one ``st.html`` element each they are one element and no requests.
Measured with ``benchmarks/latency.py``'s strokes, in turn against the same page with
``st.image``: see docs/speed.md.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence

#: Caption and note text as Streamlit's ``st.caption`` shows it, in either theme.
CAPTION_STYLE = "font-size: 0.875rem; opacity: 0.65; line-height: 1.4"


def figure(
    png: bytes,
    caption: str,
    *,
    width: int | None = None,
    pixelated: bool = True,
    wrap: bool = False,
) -> str:
    """One picture and its caption, as an HTML ``<figure>``.

    Parameters
    ----------
    png : bytes
        A PNG file's bytes (sent inline, as a ``data:`` URL).
    caption : str
        Plain text, shown under the picture and used as its alternative text.
    width : int, optional
        Width on screen in CSS pixels; by default the picture's own width (never
        wider than the page's column).
    pixelated : bool, default True
        Scale with sharp pixels (bitmaps and block counts); False for charts.
    wrap : bool, default False
        Keep the figure as wide as the picture (``width``), the caption wrapping under
        it; by default a long caption widens the figure.
    """
    text = html.escape(caption)
    source = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    size = f' width="{width}"' if width is not None else ""
    rendering = "image-rendering: pixelated; " if pixelated else ""
    boxed = f"width: {width}px; max-width: 100%; " if wrap and width else ""
    return (
        '<figure style="display: inline-block; margin: 0 0.75rem 0.75rem 0; '
        f'{boxed}vertical-align: top; text-align: center">'
        f'<img src="{source}" alt="{text}"{size} '
        f'style="{rendering}max-width: 100%; height: auto">'
        f'<figcaption style="{CAPTION_STYLE}">{text}</figcaption></figure>'
    )


def gallery(figures: Iterable[str], *, title: str = "", note: str = "") -> str:
    """Figures side by side (wrapping), under an optional title and note.

    ``title`` and ``note`` are plain text; ``figures`` come from :func:`figure`.
    """
    parts = []
    if title:
        parts.append(
            '<h3 style="font-size: 1.5rem; font-weight: 600; margin: 1rem 0 0.5rem">'
            f"{html.escape(title)}</h3>"
        )
    if note:
        parts.append(
            f'<p style="{CAPTION_STYLE}; margin: 0 0 0.75rem">{html.escape(note)}</p>'
        )
    parts.append(f"<div>{''.join(figures)}</div>")
    return "".join(parts)


#: The confusion table's shades: white for no digits, this blue for the most.
DARKEST = (8, 48, 107)


def _shade(share: float) -> str:
    """White -> :data:`DARKEST` as ``share`` goes 0 -> 1."""
    r, g, b = (round(255 + (c - 255) * share) for c in DARKEST)
    return f"rgb({r}, {g}, {b})"


def confusion_table(
    confusion: Sequence[Sequence[int]],
    precision: Sequence[float],
    recall: Sequence[float],
) -> str:
    """The confusion matrix as an HTML table, shaded by count, with each digit's recall
    at the end of its row and its precision under its column.

    The textbook's layout, in one element: a row's recall and a column's precision
    next to the counts they come from.

    Parameters
    ----------
    confusion : 10 x 10 counts
        ``confusion[i][j]``: test digits of true label i predicted as j.
    precision, recall : 10 values in 0..1 each
        Per digit, as :class:`digits_knn.tuning.evaluation.Evaluation` holds them.
    """
    most = max(1, max(max(row) for row in confusion))
    cell = "padding: 0.2rem 0.45rem; text-align: right; min-width: 2.2rem"
    head = f"padding: 0.2rem 0.45rem; text-align: right; {CAPTION_STYLE}"
    rows = [
        "<tr>"
        + f'<th style="{head}">true ↓ predicted →</th>'
        + "".join(f'<th style="{head}">{j}</th>' for j in range(len(confusion)))
        + f'<th style="{head}">recall</th></tr>'
    ]
    for i, counts in enumerate(confusion):
        cells = []
        for j, count in enumerate(counts):
            share = count / most
            colour = "white" if share > 0.5 else "inherit"
            what = "recognised" if i == j else f"taken for {j}"
            cells.append(
                f'<td title="{count} test digits {i} {what}" style="{cell}; '
                f"border: 1px solid rgba(128, 128, 128, 0.2); "
                f'background: {_shade(share)}; color: {colour}">'
                f"{count if count else ''}</td>"
            )
        rows.append(
            f'<tr><th style="{head}">{i}</th>{"".join(cells)}'
            f'<td style="{cell}">{recall[i]:.3f}</td></tr>'
        )
    rows.append(
        f'<tr><th style="{head}">precision</th>'
        + "".join(f'<td style="{cell}">{value:.3f}</td>' for value in precision)
        + "<td></td></tr>"
    )
    return (
        '<table style="border-collapse: collapse; font-variant-numeric: tabular-nums">'
        + "".join(rows)
        + "</table>"
        + f'<p style="{CAPTION_STYLE}; margin: 0.25rem 0 0">Rows: the true digit; '
        "columns: what the model said. Recall: the share of a digit's test digits "
        "recognised; precision: the share of a prediction that was right. Hover a cell "
        "for its count in words.</p>"
    )
