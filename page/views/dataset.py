"""Dataset view: the tutorial's digits, its first-ten figure, and the training digits
filtered by label, sharp or as the model sees them."""

from __future__ import annotations

import streamlit as st

from digits_knn.charts import plot_digits
from digits_knn.datasets.uci import (
    load_split,
    load_split_bitmaps,
    load_xy,
    select_examples,
)
from digits_knn.plotting import bitmap_png, counts_png


@st.cache_data(show_spinner=False)
def first_ten_figure() -> bytes:
    """The tutorial's figure of the first ten digits, as PNG bytes (drawn once)."""
    import io

    X, y = load_xy()
    figure = plot_digits(X[:10], [f"label {label}" for label in y[:10]])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", dpi=100)
    return buffer.getvalue()


def browse_ui() -> tuple[int | None, int, bool]:
    """Which digits to show: a label (None for all), how many, sharp or 8x8."""
    cols = st.columns([1, 1, 2])
    digit = cols[0].selectbox(
        "Show training digits",
        [None, *range(10)],
        format_func=lambda d: "all digits" if d is None else f"only {d}s",
        key="browse_digit",
    )
    count = cols[1].slider("How many", 10, 200, 40, step=10, key="browse_count")
    sharp = cols[2].toggle("Sharp 32x32 originals", value=True, key="browse_sharp")
    return digit, int(count), bool(sharp)


def view() -> None:
    _, y = load_xy()
    split = load_split()
    train_bitmaps, _ = load_split_bitmaps()
    st.markdown(
        f"{len(y):,} digits written by 13 people, scanned at 32x32 and reduced to 8x8 "
        "block counts by UCI. The tutorial keeps "
        f"{len(split.y_train):,} for training and {len(split.y_test)} for testing."
    )
    st.image(first_ten_figure(), width="stretch")
    st.caption(
        "The tutorial's figure: the first ten digits, as the model sees them (8x8)."
    )
    digit, count, sharp = browse_ui()
    rows = select_examples(split.y_train, digit, count)
    if sharp:
        images = [bitmap_png(train_bitmaps[i]) for i in rows]
    else:
        images = [counts_png(split.X_train[i], cell=8) for i in rows]
    st.image(
        images,
        caption=[str(split.y_train[i]) for i in rows],
        width=64,
        output_format="PNG",
    )


if __name__ == "__main__":
    view()
