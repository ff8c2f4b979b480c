"""Beyond KNN: the tutorial's next steps (HOG, an SVM, a random forest, a linear model)
beside the sidebar's KNN, on the same digits, and on the drawing.

Follows the drawing stroke by stroke: drawn after the drawing view, in the same run
(see :mod:`page.views`).
"""

from __future__ import annotations

import streamlit as st

from digits_knn.compare import HELD_OUT_FOLD, SAMPLES, Contender, Score, predict_drawing
from digits_knn.data import DRAWN_TEST, UCI_TEST
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
    guesses = predict_drawing(others, drawing.features, drawing.bitmap)
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
        "on the tutorial's UCI test split. Models that would take minutes on all the "
        "training digits learn from a random sample, stated in the table (the SVM's fit "
        "grows with the square of the digits). Size: the fitted model, pickled; a KNN's "
        "is its training digits, kept by row and by column. Predict one drawing: the "
        "median over 30 single digits, HOG features included."
    )


def findings_ui(scores: list[Score]) -> None:
    """What the table shows, in plain sentences built from its numbers."""
    by = {s.name: s for s in scores}
    knn = by["KNN"]
    fitted = [s for s in scores if s.name not in ("KNN", "KNN on HOG")]
    slowest_fit = max(fitted, key=lambda s: s.fit_seconds)
    fastest = min(scores, key=lambda s: s.predict_ms)
    ranked = sorted(scores, key=lambda s: -s.accuracy[DRAWN_TEST])
    best, runner_up = ranked[0], ranked[1]
    st.markdown(
        f"""
**Where the KNN wins.** It has nothing to learn: its fit took
{knn.fit_seconds:.2f} s (storing {knn.n_train:,} digits), the {slowest_fit.name}'s
{slowest_fit.fit_seconds:.0f} s on {slowest_fit.n_train:,}. A drawing added in *My
drawings* changes its very next answer; the others would have to be fitted again. And it
can show why: the training digits above are its whole reason, which no SVM or forest
offers.

**Where it loses.** Every answer searches all its training digits: one drawing takes it
{knn.predict_ms:.1f} ms, the {fastest.name} {fastest.predict_ms:.1f} ms, and the gap
grows with the data; it also keeps {knn.size_bytes / 2**20:.1f} MB of digits in memory.
{accuracy_sentence(knn, best, runner_up)}
"""
    )


def accuracy_sentence(knn: Score, best: Score, runner_up: Score) -> str:
    """Which model reads drawn digits of unseen writers best, from the table."""
    drawn = DRAWN_TEST
    if best.name == "KNN":
        return (
            f"On drawn digits of writers it never saw the KNN is the most accurate here "
            f"({knn.accuracy[drawn]:.1%}, the {runner_up.name} next with "
            f"{runner_up.accuracy[drawn]:.1%} on {runner_up.n_train:,} digits): on this "
            "data its cost is time and memory, not accuracy."
        )
    return (
        f"On drawn digits of writers it never saw the **{best.name}** is the most "
        f"accurate here ({best.accuracy[drawn]:.1%} on {best.n_train:,} digits); the "
        f"KNN scores {knn.accuracy[drawn]:.1%}."
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
    samples = {name: n for name, n in SAMPLES.items() if n is not None}
    st.caption(
        "`python -m digits_knn compare` prints the same table (`--json` for scripts). "
        f"Samples: {', '.join(f'{name} {n:,}' for name, n in samples.items())} digits."
    )


if __name__ == "__main__":
    view()
