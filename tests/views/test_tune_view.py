"""The Tune view: the tutorial's cross-validated grid search, and applying its best."""

from __future__ import annotations

from typing import Any

import pytest

from digits_knn.datasets.uci import load_split
from digits_knn.tuning.grids import tutorial_param_grid
from digits_knn.tuning.selection import grid_search
from tests.conftest import STROKE_DIGITS, draw_strokes
from tests.views.apptest import accuracy_for, metric, open_view, start, subheaders

RUN = "FormSubmitter:tune_form-Run the grid search"


def test_tune_view_runs_the_tutorial_grid_and_applies_the_best() -> None:
    """A learner runs the tutorial's grid, sees the best k and p, and applies them."""
    at = start(draw_strokes(STROKE_DIGITS[7]), view="tune")
    assert "run the search" in at.info[0].value
    at.button(key=RUN).click().run()
    assert not at.exception
    split = load_split()
    expected = grid_search(split.X_train, split.y_train, tutorial_param_grid())
    best = expected.best_params
    assert metric(at, "Best parameters") == f"k={best['n_neighbors']}, p={best['p']:g}"
    assert metric(at, "Best mean CV accuracy") == f"{expected.best_score:.2%}"
    assert len(at.dataframe[-1].value) == 27
    at.button(key="apply_best").click().run()
    assert not at.exception
    assert at.slider(key="n_neighbors").value == best["n_neighbors"]
    assert at.slider(key="p").value == best["p"]
    assert metric(at, "Sidebar model, test accuracy") == accuracy_for(
        n_neighbors=best["n_neighbors"],
        p=best["p"],
        weights=best.get("weights", "uniform"),
    )
    assert f"The {best['n_neighbors']} nearest training digits" in subheaders(at)


def test_tune_view_custom_grid_with_weights() -> None:
    at = start(None, view="tune")
    at.number_input(key="tune_k_start").set_value(1)
    at.number_input(key="tune_k_stop").set_value(8)
    at.number_input(key="tune_k_step").set_value(3)
    at.number_input(key="tune_folds").set_value(3)
    at.multiselect(key="tune_p").set_value([1.0, 2.5])
    at.multiselect(key="tune_weights").set_value(["uniform", "distance"])
    at.button(key=RUN).click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert len(table) == 3 * 2 * 2
    assert set(table["weights"]) == {"uniform", "distance"}
    assert set(table["p"]) == {1.0, 2.5}
    # another view and back: the form still says what the results below are of
    open_view(at, "model")
    open_view(at, "tune")
    assert len(at.dataframe[-1].value) == 3 * 2 * 2
    assert at.number_input(key="tune_k_start").value == 1
    assert at.number_input(key="tune_k_stop").value == 8
    assert at.number_input(key="tune_k_step").value == 3
    assert at.number_input(key="tune_folds").value == 3
    assert at.multiselect(key="tune_p").value == [1.0, 2.5]
    assert sorted(at.multiselect(key="tune_weights").value) == ["distance", "uniform"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("tune_k_stop", 2, "empty"), ("tune_p", [], "at least one value of p")],
)
def test_tune_view_refuses_an_empty_grid(field: str, value: Any, message: str) -> None:
    at = start(None, view="tune")
    if field == "tune_p":
        at.multiselect(key=field).set_value(value)
    else:
        at.number_input(key=field).set_value(value)
    at.button(key=RUN).click().run()
    assert not at.exception
    assert message in at.error[0].value
    assert not [m for m in at.metric if m.label == "Best parameters"]


def test_the_results_stay_when_k_moves() -> None:
    """After a search, moving k keeps the results and updates the sidebar's score."""
    at = start(None, view="tune")
    at.button(key=RUN).click().run()
    best = metric(at, "Best parameters")
    at.slider(key="n_neighbors").set_value(3).run()
    assert not at.exception
    assert metric(at, "Best parameters") == best
    assert metric(at, "Sidebar model, test accuracy") == accuracy_for(n_neighbors=3)
