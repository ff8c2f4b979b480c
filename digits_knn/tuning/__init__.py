"""Model selection and evaluation: test scores per collection, the grids, and the
cross-validated grid search (fast, and scikit-learn's own for comparison).

May import: ``digits_knn.search``, ``digits_knn.datasets``, ``digits_knn.features``.
"""
