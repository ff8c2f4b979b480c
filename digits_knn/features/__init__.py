"""From a drawing to the numbers a model reads: the ink of a canvas or a photo, the
32x32 bitmap and its 64 block counts (UCI's reduction), strokes, shape features, HOG,
a drawing prepared once, and photos of chalk on a board.

May import: NumPy, SciPy, Pillow; nothing else of the library.
"""
