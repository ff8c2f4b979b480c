"""The app's drawing canvas, as the library assumes it: its size and its pen.

Plain numbers, no NumPy: the page reads them to put its canvas on screen before NumPy
and the rest of the library are imported (``benchmarks/latency.py``, first canvas).
The library draws pen trajectories and scales uploads at this size and width
(:mod:`digits_knn.features.strokes`, :mod:`digits_knn.features.preprocessing`), and
the shipped drawn digits were made with them.
"""

#: The canvas is CANVAS_SIZE x CANVAS_SIZE pixels.
CANVAS_SIZE = 280
#: The pen: strokes STROKE_WIDTH pixels wide, with round caps and joins.
STROKE_WIDTH = 22
