"""page.workarounds: each workaround gives Streamlit's answers and is still needed.

Each check runs in a fresh interpreter: whether pandas gets imported depends on what
the process imported before.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

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
