"""The Streamlit page: its views, the caching layer they share and the session's state.

``app.py`` is the table of contents; each view is a module of :mod:`page.views`. The
library (:mod:`digits_knn`) never imports Streamlit; this package is where it meets it.
"""
