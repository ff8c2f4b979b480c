"""How KNN works: distances, votes, the search algorithms and the choice of k."""

from __future__ import annotations

import streamlit as st

from page import cache, cache_drawings
from page.sidebar import current_settings


def view() -> None:
    settings = current_settings()
    data = cache.training_data(settings.source, cache_drawings.drawings())
    n_train = data.n_samples
    st.markdown(
        f"""
**k-nearest neighbours** keeps every training digit. To classify your drawing it finds
the *k* training digits closest to it and lets them vote: the panel *The k nearest
training digits* above shows exactly those, nearest first, and *Votes* counts them.
The probabilities are the vote shares (with *distance* votes, nearer digits weigh more).

**Distance** compares the 64 block counts of two digits (the 8x8 grids above). The
Minkowski distance with exponent *p* is (Σ |aᵢ − bᵢ|ᵖ)^(1/p):
- *p = 1*, Manhattan or L1: the sum of the 64 differences;
- *p = 2*, Euclidean or L2: the straight-line distance, the tutorial's choice;
- larger *p*: the largest single difference counts more and more.

**Search.** *Brute force* measures the distance to all {n_train:,} training digits the
sidebar's model learns from. A *KD-tree* splits the space along one feature at a time, a
*ball tree* into nested balls, so that whole groups of far-away digits can be skipped.
They pay off with few features and many samples; with 64 features they often don't:
the *Model* view times all four on this server. The answer is the same whichever search
finds the neighbours (up to neighbours at exactly equal distance).

**Choosing k.** Small k follows every quirk of the training digits (over-fitting); large
k smooths over real differences (under-fitting). The tutorial's grid search tries k =
2..18 and p = 1..3 with 5-fold cross-validation (the *Tune* view).
"""
    )


if __name__ == "__main__":
    view()
