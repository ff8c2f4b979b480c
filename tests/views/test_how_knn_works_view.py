"""How KNN works: the text explains distance, votes, search and k."""

from __future__ import annotations

from digits_knn.datasets.training import DEFAULT_SOURCE, load_training_set
from tests.views.apptest import start


def test_how_knn_works_view() -> None:
    at = start(None, view="how_knn_works")
    text = " ".join(md.value for md in at.markdown)
    assert "Minkowski" in text
    assert "KD-tree" in text


def test_it_counts_the_digits_the_model_learns_from() -> None:
    """Brute force compares with every training digit: the number is the model's."""
    at = start(None, view="how_knn_works")
    n = len(load_training_set(DEFAULT_SOURCE).y_train)
    assert any(f"{n:,} training digits" in md.value for md in at.markdown)
    at.radio(key="source").set_value("uci").run()
    assert any("1,437 training digits" in md.value for md in at.markdown)
