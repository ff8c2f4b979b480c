"""page.workarounds: each workaround gives Streamlit's answers and is still needed.

Each check runs in a fresh interpreter: whether pandas gets imported depends on what
the process imported before.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from page.views.canvas import CANVAS_COMPONENT

ROOT = Path(__file__).resolve().parents[2]
#: The canvas's arguments as streamlit-drawable-canvas sends them (abridged).
CANVAS_DATA = (
    '{"strokeWidth": 22, "strokeColor": "#000000", "backgroundImageURL": None, '
    '"initialDrawing": {"objects": [], "background": "#FFFFFF"}, '
    '"returnImageData": True, "label": ""}'
)


def run_fresh(code: str) -> str:
    """Run ``code`` in a new interpreter in the project's folder; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_streamlit_alone_imports_pandas_to_send_the_canvas() -> None:
    """Still needed: without the workaround, the canvas's plain dict imports pandas
    (when this fails, Streamlit no longer does it: drop the workaround)."""
    out = run_fresh(f"""
        import sys
        from streamlit.components.v2.bidi_component import serialization
        from streamlit.proto.BidiComponent_pb2 import BidiComponent
        serialization.serialize_mixed_data({CANVAS_DATA}, BidiComponent())
        print("pandas" in sys.modules)
    """)
    assert out == "True"


def test_the_canvas_data_goes_out_without_pandas() -> None:
    out = run_fresh(f"""
        import json, sys
        from streamlit.components.v2.bidi_component import serialization
        from streamlit.proto.BidiComponent_pb2 import BidiComponent
        from page.workarounds import skip_pandas_import_for_plain_component_data
        skip_pandas_import_for_plain_component_data()
        skip_pandas_import_for_plain_component_data()  # idempotent
        proto = BidiComponent()
        serialization.serialize_mixed_data({CANVAS_DATA}, proto)
        sent = json.loads(proto.json)
        print("pandas" in sys.modules, sent["initialDrawing"]["background"])
    """)
    assert out == "False #FFFFFF"


def test_answers_are_streamlits_once_pandas_is_loaded() -> None:
    """Data frames, Series mappings, arrays and plain data: the same verdicts."""
    out = run_fresh("""
        import numpy as np
        from streamlit.components.v2.bidi_component import serialization
        from page.workarounds import skip_pandas_import_for_plain_component_data
        original = serialization.is_dataframe_like
        skip_pandas_import_for_plain_component_data()
        import pandas as pd
        samples = [
            {"objects": []}, [1, 2], [{"a": 1}], {"a": pd.Series([1, 2])},
            pd.DataFrame({"a": [1]}), pd.Series([1]), np.zeros((2, 2)), None, "text",
        ]
        print([serialization.is_dataframe_like(x) for x in samples]
              == [original(x) for x in samples],
              [serialization.is_dataframe_like(x) for x in samples].count(True))
    """)
    assert out == "True 4"


#: Counts Streamlit's REPL check (``env_util.is_repl``, the stack walk) in a fresh
#: interpreter, then sends the first element's warning check.
COUNT_REPL_CHECKS = """
    from streamlit import delta_generator, env_util, runtime
    calls = []
    real_is_repl = env_util.is_repl
    env_util.is_repl = lambda: calls.append(1) or real_is_repl()
"""


def test_streamlit_alone_walks_the_stack_before_the_first_element() -> None:
    """Still needed: the first element of a process checks for a REPL (when this
    fails, Streamlit no longer does it: drop the workaround)."""
    out = run_fresh(
        COUNT_REPL_CHECKS
        + """
    runtime.exists = lambda: True
    delta_generator._maybe_print_use_warning()
    print(len(calls))
    """
    )
    assert out == "1"


def test_a_running_app_skips_the_repl_check_and_python_app_py_still_warns() -> None:
    out = run_fresh(
        COUNT_REPL_CHECKS
        + """
    from page.workarounds import skip_repl_check_in_a_running_app
    skip_repl_check_in_a_running_app()  # no runtime: python app.py
    delta_generator._maybe_print_use_warning()
    without_runtime = len(calls)
    delta_generator._use_warning_has_been_displayed = False
    runtime.exists = lambda: True  # streamlit run app.py
    skip_repl_check_in_a_running_app()
    skip_repl_check_in_a_running_app()  # idempotent
    delta_generator._maybe_print_use_warning()
    print(without_runtime, len(calls) - without_runtime)
    """
    )
    assert out == "1 0"


def test_the_page_icon_is_set_after_the_canvas() -> None:
    """An emoji icon loads Streamlit's emoji catalogue (0.1 s): app.py sets it after
    the canvas, and the page's settings before the canvas name no emoji."""
    import ast

    tree = ast.parse((ROOT / "app.py").read_text())
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    name = {id(c): ast.unparse(c.func).split(".")[-1] for c in calls}
    canvas = min(c.lineno for c in calls if name[id(c)] == "drawing_and_links")
    icons = {
        c.lineno: keyword.value
        for c in calls
        if name[id(c)] == "set_page_config"
        for keyword in c.keywords
        if keyword.arg == "page_icon"
    }
    assert icons
    assert min(icons) > canvas
    (icon,) = icons.values()
    assert isinstance(icon, ast.Constant)
    out = run_fresh(f"""
        import sys
        from streamlit.commands.page_config import _get_favicon_string
        print(_get_favicon_string({icon.value!r}), "streamlit.emojis" in sys.modules)
    """)
    # still needed (when this fails, an emoji icon costs nothing: set it first)
    assert out == f"emoji:{icon.value} True"


#: Runs :func:`component_code_preload` in an app (a component registers itself with
#: the running app's Streamlit), in a fresh interpreter (these tests' conftest puts a
#: stand-in for the canvas's package in this one), and prints what it gave.
PRELOAD_APP = """
from streamlit.testing.v1 import AppTest
at = AppTest.from_string('''
import streamlit as st
import streamlit_drawable_canvas  # registers the canvas's component
from streamlit import config
from page.workarounds import component_code_preload
config.set_option("server.baseUrlPath", %r)
st.text(component_code_preload(%r) or "(nothing)")
''').run()
assert not at.exception, at.exception
print(at.text[0].value)
"""


def preload_links(base_url_path: str, name: str) -> list[list[str | None]]:
    """The ``[rel, href, as]`` links the preload script adds, read from its text."""
    text = run_fresh(PRELOAD_APP % (base_url_path, name))
    if text == "(nothing)":
        return []
    assert text.startswith("<script>")
    assert text.endswith("</script>")
    links: list[list[str | None]] = json.loads(text.split(" of ", 1)[1].split(")")[0])
    return links


def test_the_canvas_code_is_preloaded_by_the_files_its_package_serves() -> None:
    """The canvas's module and style, by Streamlit's URL for a component's files
    (the e2e test checks that the browser fetches each once, by these URLs)."""
    build = Path(
        str(
            importlib.metadata.distribution("streamlit-drawable-canvas").locate_file(
                "streamlit_drawable_canvas/frontend/build"
            )
        )
    )
    prefix = f"/_stcore/bidi-components/{CANVAS_COMPONENT}/"
    links = preload_links("", CANVAS_COMPONENT)
    assert [(rel, kind) for rel, _, kind in links] == [
        ("modulepreload", None),
        ("preload", "style"),
    ]
    hrefs = [str(href) for _, href, _ in links]
    for href in hrefs:
        assert href.startswith(prefix)
        assert (build / href.removeprefix(prefix)).is_file()
    assert hrefs[0].endswith(".js")
    assert hrefs[1].endswith(".css")
    # under a base URL path, the same files below it
    under = [str(href) for _, href, _ in preload_links("/class/", CANVAS_COMPONENT)]
    assert under == [f"/class{href}" for href in hrefs]


def test_an_unknown_component_preloads_nothing() -> None:
    assert preload_links("", "no-such-package.no_such_component") == []
