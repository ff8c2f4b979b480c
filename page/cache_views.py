"""Shared caches of the views below the drawing that compute for long: Finish my
digit, the Map, Beyond KNN, and the Tune view's grid searches.

Like :mod:`page.cache`: computed once per server and shared by every session, keyed
by plain values (the shipped training source, the half, the map's method, the grid),
never changed after they are returned. The computations that take seconds to a
minute (the completion's k, the map's accuracy line, Beyond KNN's models, a grid
search) are :class:`page.jobs.Job`: they go on when their view is left, and the next
visit waits for the same job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from digits_knn.beyond.compare import (
    KNN,
    SAMPLES,
    SEARCHED_KNN,
    Contender,
    comparison_tests,
    fit_contenders,
    progress_steps,
)
from digits_knn.beyond.completion import (
    Completer,
    CompletionChoice,
    choose_completion,
    fit_completer,
)
from digits_knn.beyond.map_chart import MapPoints, map_points
from digits_knn.beyond.projection import DigitMap, fit_map, metric_accuracy
from digits_knn.beyond.scores import Score, score_contenders
from digits_knn.datasets.training import (
    DEFAULT_SOURCE,
    sample_rows,
    writer_groups,
)
from digits_knn.datasets.uci import load_split
from page.cache import shipped_training
from page.jobs import Job, Slots, result_of

if TYPE_CHECKING:
    from digits_knn.tuning.selection import SearchResult
    from page.state import Grid

#: Training digits the map shows (all of them are projected, for the counts).
MAP_POINTS = 1500


@st.cache_resource(show_spinner=False, max_entries=8)
def completion_choice_job(source: str, half: str) -> Job[CompletionChoice]:
    """:func:`completion_choice` on a thread of its own (see :mod:`page.jobs`)."""
    training = shipped_training(source)

    def work(job: Job[CompletionChoice]) -> CompletionChoice:
        def progress(done: int, total: int) -> None:
            job.report(done / total, f"Cross-validating k… {done:,} of {total:,}")

        return choose_completion(
            training.X_train, writer_groups(training), half, progress=progress
        )

    return Job("Cross-validating k for the completion…", work)


def completion_choice(source: str, half: str) -> CompletionChoice:
    """k and weights for completing ``half``, by leave-writer-out validation."""
    return result_of(completion_choice_job, source, half)


@st.cache_resource(show_spinner="Fitting the completion…", max_entries=8)
def completer(source: str, half: str, n_neighbors: int, weights: str) -> Completer:
    """A ``KNeighborsRegressor`` finishing ``half`` from the shipped digits of ``source``."""
    training = shipped_training(source)
    return fit_completer(
        training.X_train, half, n_neighbors=n_neighbors, weights=weights
    )


@st.cache_resource(show_spinner="Learning the map…", max_entries=4)
def digit_map(source: str, method: str) -> DigitMap:
    training = shipped_training(source)
    return fit_map(training.X_train, training.y_train, method)


@st.cache_resource(show_spinner=False, max_entries=4)
def map_coordinates(source: str, method: str) -> np.ndarray:
    """Every shipped training digit on the map: ndarray of shape (n, 2), float32."""
    coords = digit_map(source, method).transform(shipped_training(source).X_train)
    coords.setflags(write=False)
    return coords


def map_rows(source: str) -> np.ndarray:
    """The training rows the map shows: :data:`MAP_POINTS` at random (seeded)."""
    return sample_rows(len(shipped_training(source).y_train), MAP_POINTS, seed=1)


@st.cache_resource(show_spinner="Drawing the map…", max_entries=4)
def points(source: str, method: str) -> MapPoints:
    training = shipped_training(source)
    rows = map_rows(source)
    pictures = training.pictures()
    return map_points(
        map_coordinates(source, method)[rows],
        training.y_train[rows],
        [pictures.origin(int(r)) for r in rows],
        np.stack([pictures.bitmap(int(r)) for r in rows]),
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def points_frame(source: str, method: str) -> pd.DataFrame:
    """:func:`points` as a table, made once: the chart's "points" dataset, the same
    object on every stroke (the browser keeps it and redraws only the highlights)."""
    return pd.DataFrame(points(source, method).rows)


@st.cache_resource(show_spinner=False, max_entries=2)
def metric_accuracies_job(source: str) -> Job[dict[str, float]]:
    """:func:`metric_accuracies` on a thread of its own (see :mod:`page.jobs`)."""
    training = shipped_training(source)

    def work(job: Job[dict[str, float]]) -> dict[str, float]:
        def progress(done: int, total: int) -> None:
            job.report(
                done / total, f"Cross-validating KNN on the maps… {done} of {total}"
            )

        return metric_accuracy(
            training.X_train,
            training.y_train,
            writer_groups(training),
            progress=progress,
        )

    return Job("Cross-validating KNN on the maps…", work)


def metric_accuracies(source: str) -> dict[str, float]:
    """KNN accuracy on the raw counts and on each map, cross-validated once."""
    return result_of(metric_accuracies_job, source)


#: The models of Beyond KNN fitted once per server; the KNN follows the sidebar.
#: (The grid-searched KNN is the Tune view's, and `compare`'s: on the page's data its
#: search and its p=3 scoring would add half a minute to this view's first open.)
OTHER_MODELS = tuple(name for name in SAMPLES if name not in (KNN, SEARCHED_KNN))


Fitted = tuple[list[Contender], list[Score]]


@st.cache_resource(show_spinner=False, max_entries=2)
def other_models_job(source: str) -> Job[Fitted]:
    """:func:`other_models` on a thread of its own (see :mod:`page.jobs`)."""
    training = shipped_training(source)
    steps = progress_steps(OTHER_MODELS)  # a search (settings), a fit, a score each

    def work(job: Job[Fitted]) -> Fitted:
        done: list[str] = []

        def progress(message: str) -> None:
            job.report(len(done) / steps, message[0].upper() + message[1:] + "…")
            done.append(message)

        contenders = fit_contenders(training, only=OTHER_MODELS, progress=progress)
        tests = comparison_tests(training)
        return contenders, score_contenders(contenders, tests, progress=progress)

    return Job("Fitting the other models…", work)


def other_models(source: str) -> Fitted:
    """HOG + KNN, the SVM, the forest and the logistic regression: fitted and scored."""
    return result_of(other_models_job, source)


@st.cache_resource(show_spinner="Scoring the KNN…", max_entries=8)
def knn_model(
    source: str, n_neighbors: int, p: float, weights: str
) -> tuple[Contender, Score]:
    """The sidebar's KNN, learning without the held-out pen writers, and its scores."""
    training = shipped_training(source)
    (knn,) = fit_contenders(
        training, n_neighbors=n_neighbors, p=p, weights=weights, only=("KNN",)
    )
    (score,) = score_contenders([knn], comparison_tests(training))
    return knn, score


#: Digits the Tune view cross-validates on when it uses the page's training data: on
#: all 91,000 a grid would take minutes; on this sample, tens of seconds.
TUNE_SAMPLE = 10_000


def tune_data(data: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The digits a grid search cross-validates on: X, y and writer groups (or None).

    ``"uci"``: the tutorial's 1,437 training digits, stratified folds as GridSearchCV;
    ``"page"``: :data:`TUNE_SAMPLE` digits of the page's shipped training data, folds
    grouped by writer.
    """
    if data == "uci":
        split = load_split()
        return split.X_train, split.y_train, None
    training = shipped_training(DEFAULT_SOURCE)
    rows = sample_rows(len(training.y_train), TUNE_SAMPLE)
    return (
        training.X_train[rows],
        training.y_train[rows],
        writer_groups(training)[rows],
    )


#: Grid searches running at once on a server: each uses every core, so the others
#: queue (their progress bar says how many are ahead).
MAX_GRID_SEARCHES = 1


_grid_slots = Slots(MAX_GRID_SEARCHES, "grid searches")


def _cancel(job: Job[Any]) -> None:
    job.cancel()


@st.cache_resource(show_spinner=False, max_entries=32, on_release=_cancel)
def grid_search_job(grid: Grid) -> Job[SearchResult]:
    """The cross-validated scores of one grid, on a thread of its own
    (:mod:`page.jobs`), shared by every user: on the page's training data a grid takes
    tens of seconds, and a learner who looks at another view meanwhile loses nothing.
    The result is shared: never changed by its readers. At most
    :data:`MAX_GRID_SEARCHES` run at once on the server, the others queue; a job
    dropped from the cache stops.

    Raises
    ------
    ValueError
        A grid that cannot be searched (checked here, in the run that asks).
    """
    from digits_knn.tuning.grids import check_cv, make_param_grid
    from digits_knn.tuning.selection import grid_search

    X, y, groups = tune_data(grid.data)
    param_grid = make_param_grid(*grid.k_range, list(grid.p_values), list(grid.weights))
    check_cv(y, param_grid, grid.folds)

    def work(job: Job[SearchResult]) -> SearchResult:
        def progress(done: int, total: int) -> None:
            job.report(done / total, f"Cross-validating… {done} of {total} pieces")

        with _grid_slots.slot(job):
            job.report(0.0, "Cross-validating…")
            return grid_search(
                X,
                y,
                param_grid,
                cv=grid.folds,
                return_train_score=True,
                progress=progress,
                groups=groups,
            )

    return Job("Cross-validating…", work)


def grid_results(grid: Grid) -> SearchResult:
    """:func:`grid_search_job`'s result; its progress bar until it is ready."""
    return result_of(grid_search_job, grid)
