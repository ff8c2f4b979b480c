"""Beyond KNN: the tutorial's next steps (HOG, an SVM, a random forest, a linear model)
beside the sidebar's KNN, on the same digits, and on the drawing.

Follows the drawing stroke by stroke: drawn after the drawing view, in the same run
(see :mod:`page.views`).
"""

from __future__ import annotations

import streamlit as st

from digits_knn.beyond.compare import HELD_OUT_FOLD, KNN, Contender
from digits_knn.beyond.findings import accuracy_finding, cost_findings
from digits_knn.beyond.scores import Score, predict_drawing
from digits_knn.datasets.training import DRAWN_TEST, UCI_TEST
from page import cache, cache_views, state
from page.jobs import until_ready
from page.sidebar import current_settings
from page.views import FOLLOWER

INTRO = (
    "The tutorial ends by pointing onward: features made for images, such as **HOG** "
    "(histograms of the directions of the strokes), and classifiers that **fit "
    "parameters** instead of keeping every training digit: an **SVM** with an RBF "
    "kernel, a **random forest**, and a **logistic regression** as the linear "
    "baseline. Here they learn from the same training digits as the KNN and are "
    "tested on the same digits; the table and the sentences below are measured on "
    "this server, not claimed."
)


def guesses_ui(others: list[Contender]) -> None:
    """Each model's answer for the drawing on the canvas, side by side."""
    drawing = state.current_drawing()
    st.markdown("**Your drawing, according to each model**")
    if drawing is None:
        st.info("Draw a digit above: each model's answer appears here.")
        return
    fitted = [c for c in others if c.reads != "counts"]  # the KNNs' answers are above
    guesses = predict_drawing(fitted, drawing.features, drawing.bitmap)
    cols = st.columns(1 + len(guesses))
    cols[0].metric(
        "KNN (the sidebar's)",
        str(drawing.label),
        f"{drawing.confidence:.0%} sure",
        delta_color="off",
        delta_arrow="off",
    )
    for col, guess in zip(cols[1:], guesses, strict=True):
        col.metric(
            guess.name,
            str(guess.label),
            f"{guess.confidence:.0%} sure",
            delta_color="off",
            delta_arrow="off",
        )


def table_ui(scores: list[Score]) -> None:
    """The measured table, static, its long setup notes wrapping in their cells (a
    scrolling grid cut the last column off on a projector's width)."""
    rows = [
        {
            "model": s.name,
            "training digits": f"{s.n_train:,}",
            "UCI test split": f"{s.accuracy[UCI_TEST]:.2%}",
            "drawn digits, unseen writers": f"{s.accuracy[DRAWN_TEST]:.2%}",
            "fit (s)": f"{s.fit_seconds:.2f}",
            "predict one drawing (ms)": f"{s.predict_ms:.1f}",
            "size (MB)": f"{s.size_bytes / 2**20:.1f}",
            "setup": s.note,
        }
        for s in scores
    ]
    st.table(rows, hide_index=True)
    st.caption(
        f"Every model learns without the pen digits of one fold of writers (fold "
        f"{HELD_OUT_FOLD}, 6 of the 30) and is tested on those writers' drawn digits and "
        "on the tutorial's UCI test split. Each model's settings are chosen by "
        "cross-validation grouped by writer on its own training digits (setup). Models "
        "that would take minutes on all the training digits learn from a sample, stated "
        "in the table: all of the tutorial's training scans, then the rest drawn evenly "
        "from the other sources (the SVM's fit grows with the square of the digits). "
        "Size: the fitted model, pickled; a KNN's "
        "is its training digits, kept by row and by column. Predict one drawing: the "
        "median over 30 single digits, HOG features included."
    )


UNSEEN = "on drawn digits of writers it never saw"


def findings_ui(scores: list[Score]) -> None:
    """What the table shows, in plain sentences built from its numbers (as shown)."""
    rows = [s.figures() for s in scores]
    learning, answering = cost_findings(rows, KNN)
    st.markdown(
        f"""
**What the KNN does not do.** It has nothing to learn. {learning} A drawing added in
*My drawings* changes its very next answer; the others would have to be fitted again.
And it can show why: the training digits above are its whole reason, which no SVM or
forest offers.

**What it costs.** {answering}

**How accurate.** {accuracy_finding(rows, KNN, DRAWN_TEST, UNSEEN)}
{accuracy_finding(rows, KNN, UCI_TEST, "on the tutorial's test scans")}
"""
    )


@st.fragment(key=FOLLOWER)
@until_ready
def view() -> None:
    settings = current_settings()
    source = cache.shipped(settings.source)
    st.subheader("Beyond KNN")
    st.markdown(INTRO)
    _, knn_score = cache_views.knn_model(
        source, settings.n_neighbors, settings.p, settings.weights
    )
    others, other_scores = cache_views.other_models(source)
    guesses_ui(others)
    scores = [knn_score, *other_scores]
    table_ui(scores)
    findings_ui(scores)
    st.caption(
        "`python -m digits_knn compare --source SOURCE` prints the same table, with "
        "the KNN the tutorial's grid search picks (the Tune view runs that search "
        "here); `--json` for scripts."
    )


if __name__ == "__main__":
    view()
