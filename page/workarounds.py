"""Workarounds for costs of the pinned Streamlit that the page can avoid.

Each one names what it avoids, how much that was measured to cost, and the test that
fails when a Streamlit upgrade makes it wrong or unnecessary
(``tests/test_workarounds.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from streamlit import delta_generator, runtime
from streamlit.components.v2.bidi_component import serialization

#: Streamlit's own check, kept to answer for everything but a plain dict or list.
_streamlit_is_dataframe_like: Callable[[Any], bool] = serialization.is_dataframe_like


def _plain_or_dataframe_like(obj: Any) -> bool:
    """Streamlit's data-frame check, answered without pandas for plain containers.

    A plain ``dict`` or ``list`` is data-frame-like to Streamlit only as a mapping of
    pandas Series (``dataframe_util.determine_data_format``: every other format it
    gives a dict or a list is not in ``is_dataframe_like``'s set), and there is no
    pandas Series before pandas is imported.
    """
    if type(obj) in (dict, list) and "pandas" not in sys.modules:
        return False
    return _streamlit_is_dataframe_like(obj)


def skip_pandas_import_for_plain_component_data() -> None:
    """Let the first canvas go out without importing pandas and pyarrow first.

    A component's arguments go through Streamlit's data-frame check
    (``serialization.is_dataframe_like``), whose first call imports pandas and pyarrow
    even for the canvas's plain dict: about 0.3 s on an idle machine, 0.5 s in a
    server's first run, spent before the canvas is sent. The check gives the same
    answers with this guard (see :func:`_plain_or_dataframe_like`); pandas is imported
    later, when something on the page needs it. Idempotent; applied once per server
    process when :mod:`page` is imported.
    """
    serialization.is_dataframe_like = _plain_or_dataframe_like


def skip_repl_check_in_a_running_app() -> None:
    """Let the page's first element go out without walking the thread's whole stack.

    Before the first element of a process, Streamlit checks whether it runs in a
    Python REPL, to warn that an app is meant for ``streamlit run``
    (``delta_generator._maybe_print_use_warning``): ``inspect.stack()`` reads the
    source file of every frame, about 0.1 s in a server's first run (0.15 s of the
    0.75 s before the canvas went out, profiled), spent before the page's title is
    sent. Under ``streamlit run`` (a Streamlit runtime exists) there is nothing to
    warn about, so the check is marked done; ``python app.py`` still warns.
    Idempotent; applied once per server process when :mod:`page` is imported.
    """
    if runtime.exists():
        delta_generator._use_warning_has_been_displayed = True
