"""Beyond the classifier: finishing a digit (KNN regression), comparing models and
their scores, the neighbourhood map, the digit check and its networks, telling scans
from drawings, and the sentences that compare figures.

May import: ``digits_knn.search``, ``digits_knn.tuning``, ``digits_knn.datasets``,
``digits_knn.features``, ``digits_knn.plotting``.
"""
