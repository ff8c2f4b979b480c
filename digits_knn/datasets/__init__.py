"""Data and collections: the tutorial's UCI split, the pen, MNIST and UJI
collections shipped in ``digits_knn/_data``, the training sources and their test sets,
and the original corpora read at benchmark time.

May import: ``digits_knn.features``, ``digits_knn.drawings`` (the users' digits, as
training data).
"""
