"""The floor for ``benchmarks/latency.py``'s cold starts: a Streamlit page with one line.

No component, no data, no imports of its own: how long ``streamlit run`` takes to show
anything at all in a new browser tab on this machine, this hour. The bare canvas page
(``benchmarks/bare_canvas.py``) adds the canvas component to it; the app adds the rest.
"""

import streamlit as st

st.write("Streamlit is up.")
