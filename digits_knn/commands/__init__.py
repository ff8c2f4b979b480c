"""The command line, ``python -m digits_knn``: the shared options, then one module per
group of commands.

May import: any of the library.
"""
