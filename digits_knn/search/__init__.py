"""The neighbour search and its model: exact distances, the parts of a search and the
index every k shares, the scikit-learn KNN, its explanations (neighbours, per-block
shares of the distance) and model files (skops read as data, pickles opt-in).

May import: ``digits_knn.features``.
"""
