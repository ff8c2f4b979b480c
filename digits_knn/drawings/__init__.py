"""The drawings users add: the store (SQLite or PostgreSQL back ends, the database
underneath, the rows, CSV and ZIP exchange), the admin's password, and where the
database is configured.

May import: ``digits_knn.features``, ``digits_knn.plotting`` (a drawing's PNG); never
the neighbour search (the page refits from what it reads).
"""
