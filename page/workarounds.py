"""Workarounds for costs of the pinned Streamlit that the page can avoid.

Each one names what it avoids, how much that was measured to cost, and the test that
fails when a Streamlit upgrade makes it wrong or unnecessary
(``tests/test_workarounds.py``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from streamlit import config, delta_generator, runtime
from streamlit.components.v2.bidi_component import serialization
from streamlit.components.v2.get_bidi_component_manager import (
    get_bidi_component_manager,
)

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


#: Adds each ``[rel, href, as]`` link to the page's head once (the same URL twice would
#: be fetched twice).
_PRELOAD_SCRIPT = """<script>
(() => {
  for (const [rel, href, as] of %s) {
    if (document.head.querySelector(`link[href="${href}"]`)) continue;
    const link = document.createElement("link");
    link.rel = rel;
    link.href = href;
    if (as) link.as = as;
    document.head.appendChild(link);
  }
})();
</script>
"""


def component_code_preload(name: str) -> str:
    """A script that starts fetching a registered component's code and style at once.

    The browser asks for a component's own code only after Streamlit's component
    chunk and what it needs (Apache Arrow's serialisation, about 180 KB) have arrived
    and run, and the canvas waits for that chain: 0.2-0.45 s between the browser's
    request for Streamlit's chunk and its request for the canvas's code, in cold
    starts. Sent in an element that goes out with the canvas, this script asks for the
    canvas's code (as a module, so it is compiled as it arrives) and its style
    straight away, by the URLs the component asks for them (Streamlit's
    ``/_stcore/bidi-components/<component>/<file>``), so it finds them loaded. Cold
    starts in turn, the canvas on screen: 3.62 -> 3.45 s, 4.23 -> 4.02 s, 4.48 ->
    3.89 s (medians of 8-10; docs/speed.md, "First canvas"). Tests:
    ``tests/views/test_workarounds.py``
    (the URLs name the component's files), ``tests/test_e2e.py`` (the browser fetches
    each file once, by a preloaded URL).

    Returns an empty string if no component of that name is registered (call it after
    the component's module is imported) or it has no code of its own in files.
    """
    definition = get_bidi_component_manager().get(name)
    if definition is None:
        return ""
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"{'/' + base if base else ''}/_stcore/bidi-components/{name}/"
    links = [
        [rel, prefix + url, kind]
        for rel, url, kind in (
            ("modulepreload", definition.js_url, None),
            ("preload", definition.css_url, "style"),
        )
        if url
    ]
    return _PRELOAD_SCRIPT % json.dumps(links) if links else ""
