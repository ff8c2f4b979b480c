"""Tune view: the tutorial's cross-validated grid search over k, p and the votes."""

from __future__ import annotations

from typing import Any

import streamlit as st

from digits_knn.charts import grid_heatmap, validation_curve_chart
from digits_knn.datasets.training import DEFAULT_SOURCE, UCI_TEST
from digits_knn.datasets.uci import load_split
from digits_knn.tuning.evaluation import evaluate
from digits_knn.tuning.selection import SearchResult, results_table, results_to_csv
from page import cache, cache_drawings, cache_views, state
from page.jobs import until_ready
from page.sidebar import WEIGHT_LABELS, ModelSettings, apply_best, current_settings

TUNE_P_CHOICES = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
TUNE_DATA = {
    "uci": "the tutorial's 1,437 UCI training digits",
    "page": f"the page's training data: {cache_views.TUNE_SAMPLE:,} of its digits at random, "
    "folds grouped by writer",
}


#: The form's values before any search: the tutorial's grid, 5 folds, its digits.
DEFAULT_GRID = state.Grid(
    k_range=(2, 20, 2), p_values=(1.0, 2.0, 3.0), weights=("uniform",), folds=5
)


def grid_ui() -> state.Grid | None:
    """The grid to search; returns it when the user runs it, else None.

    The form shows the last grid this session ran (whose results are below it), or
    :data:`DEFAULT_GRID`: coming back to the view, it still says what was searched.
    """
    shown = state.tune_grid() or DEFAULT_GRID
    k_from, k_to, k_by = shown.k_range
    with st.form("tune_form"):
        cols = st.columns(4)
        k_start = cols[0].number_input(
            "k from", 1, cache.MAX_K, k_from, key="tune_k_start"
        )
        k_stop = cols[1].number_input(
            "k up to (excluded)", 2, cache.MAX_K + 1, k_to, key="tune_k_stop"
        )
        k_step = cols[2].number_input("k step", 1, cache.MAX_K, k_by, key="tune_k_step")
        folds = cols[3].number_input("folds", 2, 20, shown.folds, key="tune_folds")
        left, right = st.columns(2)
        p_values = left.multiselect(
            "p values", TUNE_P_CHOICES, default=list(shown.p_values), key="tune_p"
        )
        weights = right.multiselect(
            "Votes",
            list(WEIGHT_LABELS),
            default=list(shown.weights),
            format_func=lambda w: w.capitalize(),
            key="tune_weights",
        )
        data = st.radio(
            "Cross-validate on",
            list(TUNE_DATA),
            index=list(TUNE_DATA).index(shown.data),
            format_func=TUNE_DATA.__getitem__,
            horizontal=True,
            key="tune_data",
        )
        run = st.form_submit_button("Run the grid search", type="primary")
    if not run:
        return None
    return state.Grid(
        k_range=(int(k_start), int(k_stop), int(k_step)),
        p_values=tuple(sorted(float(p) for p in p_values)),
        weights=tuple(sorted(weights)),
        folds=int(folds),
        data=str(data),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def best_test_accuracy(grid: state.Grid) -> float:
    """The UCI test accuracy of a grid's best parameters: refitted on the tutorial's
    training split, or, for the page's data, the page's model with them."""
    result = cache_views.grid_results(grid)
    if grid.data == "uci":
        split = load_split()
        return evaluate(result.best_estimator, split.X_test, split.y_test).accuracy
    best = result.best_params
    settings = ModelSettings(
        n_neighbors=int(best["n_neighbors"]),
        p=float(best["p"]),
        algorithm="brute",
        weights=str(best.get("weights", "uniform")),
        source=DEFAULT_SOURCE,
    )
    data = cache.training_data(DEFAULT_SOURCE, cache_drawings.NO_DRAWINGS)
    return cache.scores_for(data, settings)[UCI_TEST].accuracy


def best_ui(grid: state.Grid, result: SearchResult, sidebar_accuracy: float) -> None:
    """The best parameters, their scores beside the sidebar model's, and "apply"."""
    best = result.best_params
    best_test = best_test_accuracy(grid)
    cols = st.columns(4)
    cols[0].metric(
        "Best parameters",
        f"k={best['n_neighbors']}, p={best['p']:g}",
        help=f"Votes: {best.get('weights', 'uniform')}",
    )
    cols[1].metric("Best mean CV accuracy", f"{result.best_score:.2%}")
    cols[2].metric(
        "Best model, test accuracy",
        f"{best_test:.2%}",
        delta=f"{(best_test - sidebar_accuracy) * 100:+.2f} points vs the sidebar's",
        delta_color="normal",
    )
    cols[3].metric("Sidebar model, test accuracy", f"{sidebar_accuracy:.2%}")
    st.button(
        "Apply the best parameters to the sidebar",
        on_click=apply_best,
        args=(best,),
        icon=":material/check:",
        key="apply_best",
    )


@st.cache_data(show_spinner=False, max_entries=32)
def chart_specs(
    grid: state.Grid, weights: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The heatmap and the validation curve of a grid's results, as Vega-Lite specs.

    Built once per grid and weighting: an Altair chart takes a tenth of a second to
    build and check, too long to repeat on every move of a slider.
    """
    rows = results_table(cache_views.grid_results(grid))
    return (
        grid_heatmap(rows, weights=weights).to_dict(),
        validation_curve_chart(rows, weights=weights).to_dict(),
    )


def charts_ui(grid: state.Grid, result: SearchResult) -> None:
    """Heatmap of mean CV accuracy, the validation curve, the table and its CSV."""
    rows = results_table(result)
    shown_weights = str(result.best_params.get("weights", "uniform"))
    weightings = sorted({row["weights"] for row in rows})
    if len(weightings) > 1:
        shown_weights = st.radio(
            "Show the results of",
            weightings,
            index=weightings.index(shown_weights),
            horizontal=True,
            key="tune_show_weights",
        )
    heatmap, curve = chart_specs(grid, shown_weights)
    left, right = st.columns(2)
    with left:
        st.markdown("**Mean cross-validated accuracy** (hover a cell for its spread)")
        st.vega_lite_chart(heatmap, width="stretch")
    with right:
        st.markdown(
            "**Validation curve**: small k fits the training folds perfectly but "
            "generalises less (over-fitting); large k blurs the digits (under-fitting)."
        )
        st.vega_lite_chart(curve, width="stretch")
    st.dataframe(rows, hide_index=True)
    st.download_button(
        "Download the results (CSV)",
        results_to_csv(result),
        file_name="grid_search.csv",
        mime="text/csv",
        icon=":material/download:",
    )


@until_ready
def view() -> None:
    st.markdown(
        "Which k and p are best? The tutorial asks `GridSearchCV`: every combination "
        "is scored by cross-validation on its 1,437 UCI training digits (each fold is "
        "held out in turn). This engine gets the same scores much faster: one "
        "neighbour query per fold and p serves every k. Scans of 13 writers are not "
        "what people draw: to tune the drawing model, cross-validate on the page's own "
        "training data, with each pen writer's digits kept in one fold so that every "
        "fold is tested on writers it never saw. The best parameters apply to the "
        "sidebar's model."
    )
    requested = grid_ui()
    if requested is not None:
        try:
            cache_views.grid_search_job(
                requested
            )  # checked and started, or already running
        except ValueError as exc:
            st.error(f"That grid cannot be searched: {exc}")
            return
        state.remember_tune_grid(requested)  # shown again if the visitor comes back
    grid = state.tune_grid()
    if grid is None:
        st.info("Choose a grid and run the search: the tutorial's grid is filled in.")
        return
    result = cache_views.grid_results(grid)
    settings = current_settings()
    data = cache.training_data(settings.source, cache_drawings.drawings())
    best_ui(grid, result, cache.scores_for(data, settings)[UCI_TEST].accuracy)
    charts_ui(grid, result)


if __name__ == "__main__":
    view()
