"""The drawings users add: the store (SQLite or PostgreSQL back ends), CSV and ZIP
exchange, the admin's password, and where the database is configured.

May import: ``digits_knn.features``; never ``digits_knn.search`` (the page refits).
"""
