"""Data and collections: the tutorial's UCI split, the pen, MNIST and UJI
collections shipped in ``digits_knn/_data``, the training sources and their test sets,
and the original corpora read at benchmark time.

May import: NumPy, ``digits_knn.features``.
"""
