"""The neighbour search and its model: exact distances, the index every k shares,
the scikit-learn KNN, its explanations (neighbours, per-block shares of the distance)
and model files (skops read as data, pickles opt-in).

May import: ``digits_knn.features``, ``digits_knn.datasets``.
"""
