"""The command line, ``python -m digits_knn``: one module per group of commands.

May import: any of the library.
"""
