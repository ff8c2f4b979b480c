"""The Streamlit page: its views, the caching layer they share and the session's state.

``app.py`` is the table of contents; each view is a module of :mod:`page.views`. The
library (:mod:`digits_knn`) never imports Streamlit; this package is where it meets it.
"""

from page.memory import return_freed_memory
from page.workarounds import (
    skip_pandas_import_for_plain_component_data,
    skip_repl_check_in_a_running_app,
)

return_freed_memory()  # once per server process, before any data is loaded
skip_pandas_import_for_plain_component_data()  # the first canvas goes out 0.5 s sooner
skip_repl_check_in_a_running_app()  # and the title 0.1 s sooner
