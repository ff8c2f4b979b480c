"""Beyond the classifier: finishing a digit (KNN regression), comparing models, the
neighbourhood map, the digit check, and the sentences that compare figures.

May import: ``digits_knn.search``, ``digits_knn.tuning``, ``digits_knn.datasets``,
``digits_knn.features``.
"""
