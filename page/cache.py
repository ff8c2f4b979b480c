"""The page's shared caching layer: which training digits, which search, which store.

Everything here is computed once and shared by every browser session: resources
(``st.cache_resource``: the store, the training digits, the fitted searches) are never
changed after they are returned; tables derived from them are data
(``st.cache_data``). Each cached function takes what it depends on as arguments,
plain values in its key (a leading underscore marks an argument left out of the key,
always with a plain value in the key that stands for it).

A KNN's fit is its training data, whatever k and the votes are, so the searches are
cached per training data, p and algorithm (:class:`digits_knn.search.neighbors.NeighborIndex`)
and k and the votes are chosen per query: moving the k slider refits nothing. The
users' drawings are a separate small part of each search, so a new drawing refits
only that part, and each part's test-set neighbours are computed once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from digits_knn.datasets.training import (
    DEFAULT_SOURCE,
    DRAWN_TEST,
    MNIST_TEST,
    USER_DIGITS,
    USER_SOURCE,
    Collection,
    Pictures,
    TrainingSet,
    load_training_set,
)
from digits_knn.drawings.database import (
    StoreUnavailableError,
)
from digits_knn.drawings.store import UserDigits
from digits_knn.features.prepared import Drawing, image_digest, prepare_drawing
from digits_knn.search.neighbors import NeighborIndex, fit_index
from digits_knn.search.parts import merge_neighbors
from digits_knn.tuning.evaluation import (
    AlgorithmTiming,
    Evaluation,
    Neighbors,
    held_out_neighbors,
    held_out_scores,
    time_algorithms,
)
from page.cache_drawings import Drawings, user_digits
from page.jobs import Job, result_of

if TYPE_CHECKING:
    from sklearn.neighbors import KNeighborsClassifier

    from digits_knn.beyond.novelty import DigitCheck, DigitDetector
    from page.sidebar import ModelSettings

logger = logging.getLogger("digits_knn.page")

#: The k slider's largest value: the test digits' neighbour lists hold this many.
MAX_K = 100
#: UCI test digits timed per search algorithm in the Model view.
TIMED_QUERIES = 100
#: The training data the users' drawings are added to.
SHIPPED_SOURCE = {USER_SOURCE: DEFAULT_SOURCE}
#: The page tests on every n-th digit of the big test sets, so that a new p is scored
#: in seconds (``python -m digits_knn evaluate`` and the benchmarks use them all).
TEST_STRIDES = {DRAWN_TEST: 8, MNIST_TEST: 10}


def shipped(source: str) -> str:
    """The source of the shipped digits a sidebar source learns from (the users'
    drawings apart): the key every cache of shipped data is shared under."""
    return SHIPPED_SOURCE.get(source, source)


def shipped_training(source: str) -> TrainingSet:
    """The shipped training digits of a source (without the users' drawings)."""
    return _shipped_training(shipped(source))


@st.cache_resource(show_spinner="Loading the training digits…", max_entries=3)
def _shipped_training(source: str) -> TrainingSet:
    return load_training_set(source)


@st.cache_resource(show_spinner=False, max_entries=2)
def shipped_rows_float64(source: str) -> np.ndarray:
    """A source's training digits as float64, made only when a tree is asked for
    (trees need them; every p's tree shares this one copy)."""
    rows = np.asarray(shipped_training(source).X_train, dtype=np.float64)
    rows.setflags(write=False)
    return rows


@st.cache_resource(show_spinner=False)
def page_tests() -> dict[str, Collection]:
    """The test sets the Model view scores on: every n-th digit of the big ones."""
    tests = shipped_training(DEFAULT_SOURCE).tests
    return {
        name: test.take(np.arange(0, len(test), TEST_STRIDES.get(name, 1)))
        for name, test in tests.items()
    }


@dataclass(frozen=True)
class TrainingData:
    """What one run's model learns from: the shipped digits, plus the users' drawings.

    Attributes
    ----------
    source : the sidebar's training source
    shipped : the shipped training digits and their test sets
    user : the users' drawings, when the source includes them and they are available
    location, version : the drawings' store and version (None: not used)
    """

    source: str
    shipped: TrainingSet
    user: UserDigits | None
    location: str | None
    version: int | None

    @property
    def sizes(self) -> dict[str, int]:
        """Training rows per origin, in row order."""
        sizes = dict(self.shipped.sizes)
        if self.source == USER_SOURCE:
            sizes[USER_DIGITS] = 0 if self.user is None else len(self.user.y)
        return sizes

    @property
    def n_samples(self) -> int:
        return sum(self.sizes.values())

    def pictures(self) -> Pictures:
        pictures = self.shipped.pictures()
        if self.user is not None and len(self.user.y):
            pictures = pictures.plus(USER_DIGITS, self.user.bitmaps)
        return pictures


def training_data(source: str, drawings: Drawings) -> TrainingData:
    """The training data of ``source`` as this run sees the drawings: the shipped
    digits alone if the drawings cannot be read (a locked, read-only or lost
    database), never an error."""
    shipped = shipped_training(source)
    if source != USER_SOURCE or drawings.store is None or drawings.version is None:
        return TrainingData(source, shipped, None, None, None)
    try:
        user = user_digits(drawings.location, drawings.version, drawings.store)
    except StoreUnavailableError:  # logged by the store
        return TrainingData(source, shipped, None, None, None)
    return TrainingData(source, shipped, user, drawings.location, drawings.version)


def shipped_index(source: str, p: float, algorithm: str) -> NeighborIndex:
    """The search over a source's shipped digits, fitted once per p and algorithm."""
    return _shipped_index(shipped(source), p, algorithm)


@st.cache_resource(show_spinner="Fitting the KNN…", max_entries=8)
def _shipped_index(source: str, p: float, algorithm: str) -> NeighborIndex:
    training = shipped_training(source)
    tree_rows = None if algorithm == "brute" else shipped_rows_float64(source)
    return fit_index(
        training.X_train,
        training.y_train,
        p=p,
        algorithm=algorithm,
        folds=training.folds,
        tree_X=tree_rows,
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def neighbor_index(
    source: str,
    p: float,
    algorithm: str,
    location: str | None,
    version: int | None,
    _user: UserDigits | None,
) -> NeighborIndex:
    """The search over the shipped digits plus the users' drawings at ``version``."""
    index = shipped_index(source, p, algorithm)
    if _user is None:
        return index
    return index.extended(_user.X, _user.y)


def index_for(data: TrainingData, settings: ModelSettings) -> NeighborIndex:
    """The search the sidebar's settings ask for, over ``data``."""
    return neighbor_index(
        data.source,
        settings.p,
        settings.algorithm,
        data.location,
        data.version,
        data.user,
    )


def shipped_held_out_neighbors(source: str, p: float) -> Neighbors:
    """Each test digit's ``MAX_K`` nearest shipped digits: every k is a prefix of them.

    Found by exact brute force whatever search the sidebar picked: a KD-tree or a ball
    tree finds the same neighbours (up to ties), only more slowly in 64 dimensions.
    Several seconds on ninety thousand digits, so on a thread of its own
    (:mod:`page.jobs`): a visitor who leaves the Model view, or the page, before it
    is done does not make the next one start it over. A view asks for it through
    :func:`scores_for`, which shows its progress until it is done.
    """
    return result_of(shipped_held_out_neighbors_job, shipped(source), p)


@st.cache_resource(show_spinner=False, max_entries=8)
def shipped_held_out_neighbors_job(source: str, p: float) -> Job[Neighbors]:
    """:func:`held_out_neighbors` of the shipped digits on a thread of its own. Pen
    digits are searched without their own writer fold."""
    index = shipped_index(source, p, "brute")
    tests = page_tests()

    def work(job: Job[Neighbors]) -> Neighbors:
        done: list[str] = []

        def progress(name: str) -> None:
            job.report(
                len(done) / len(tests),
                f"Finding the neighbours of the {name} ({len(tests[name]):,} digits)…",
            )
            done.append(name)

        return held_out_neighbors(index, tests, MAX_K, progress=progress)

    return Job("Finding the test digits' neighbours…", work)


@st.cache_resource(show_spinner=False, max_entries=8)
def held_out_neighbors_for(
    source: str,
    p: float,
    location: str | None,
    version: int | None,
    _user: UserDigits | None,
) -> Neighbors:
    """Each test digit's ``MAX_K`` nearest training digits, users' drawings included."""
    found = shipped_held_out_neighbors(source, p)
    if _user is None or len(_user.y) == 0:
        return found
    offset = len(shipped_training(source).y_train)
    users = fit_index(_user.X, _user.y, p=p, algorithm="brute")
    mine = held_out_neighbors(users, page_tests(), MAX_K)
    return {
        name: merge_neighbors(
            [found[name], (mine[name][0], mine[name][1] + offset)], MAX_K
        )
        for name in found
    }


@st.cache_data(show_spinner=False, max_entries=128)
def held_out_scores_for(
    source: str,
    p: float,
    weights: str,
    n_neighbors: int,
    location: str | None,
    version: int | None,
    _data: TrainingData,
) -> dict[str, Evaluation]:
    """Scores of one setting on each test set, from the shared neighbour lists (the
    search algorithm changes their speed, not the neighbours: see
    :func:`shipped_held_out_neighbors`)."""
    neighbors = held_out_neighbors_for(source, p, location, version, _data.user)
    index = neighbor_index(source, p, "brute", location, version, _data.user)
    return held_out_scores(
        index, page_tests(), neighbors, n_neighbors=n_neighbors, weights=weights
    )


def scores_for(data: TrainingData, settings: ModelSettings) -> dict[str, Evaluation]:
    """The sidebar model's scores on every test set. While the test digits' neighbours
    are being found (a job), the view shows its progress and stops here."""
    shipped_held_out_neighbors(data.source, settings.p)  # done, or the view stops
    with st.spinner("Scoring the test digits…"):
        return held_out_scores_for(
            data.source,
            settings.p,
            settings.weights,
            settings.n_neighbors,
            data.location,
            data.version,
            data,
        )


@st.cache_data(show_spinner="Timing the four search algorithms…", max_entries=16)
def algorithm_timings(
    source: str, p: float, n_neighbors: int, weights: str
) -> list[AlgorithmTiming]:
    """Fit and query times of every search algorithm on the shipped digits."""
    training = shipped_training(source)
    return time_algorithms(
        training.X_train,
        training.y_train,
        next(iter(training.tests.values())).X[:TIMED_QUERIES],
        n_neighbors=n_neighbors,
        p=p,
        weights=weights,
        repeats=1,
    )


def classifier_for(data: TrainingData, settings: ModelSettings) -> KNeighborsClassifier:
    """The sidebar's model as a scikit-learn classifier, to save as a file."""
    return index_for(data, settings).classifier(
        n_neighbors=settings.n_neighbors, weights=settings.weights
    )


@st.cache_resource(show_spinner="Learning what digits look like…")
def digit_detector() -> DigitDetector:
    """'Is it a digit at all?', calibrated once on the shipped reference digits."""
    from digits_knn.beyond.novelty import (
        default_detector,  # scipy: after the canvas is up
    )

    return default_detector()


def drawing(image: np.ndarray) -> Drawing:
    """``image`` prepared once (:func:`digits_knn.features.prepared.prepare_drawing`): the
    prediction, the digit check and every view that follows the drawing read the
    same :class:`Drawing`. A slider move or a view switch reruns on the same image
    and finds it here (keyed by the image's digest, computed once per run)."""
    return _drawing(image_digest(image), image)


@st.cache_resource(show_spinner=False, max_entries=64)
def _drawing(digest: str, _image: np.ndarray) -> Drawing:
    return prepare_drawing(_image, digest)


def digit_check(drawing: Drawing) -> DigitCheck:
    """'Is it a digit at all?' for a drawing, once per drawing: it does not depend on
    the sidebar's settings, so a slider move or a view switch reuses the answer."""
    return _digit_check(drawing.digest, drawing)


@st.cache_resource(show_spinner=False, max_entries=64)
def _digit_check(digest: str, _drawing: Drawing) -> DigitCheck:
    return digit_detector().check(_drawing.shape)


@st.cache_data(show_spinner=False, max_entries=16)
def uploaded_image(data: bytes) -> tuple[np.ndarray | None, str | None]:
    """An uploaded picture decoded once per content (a rerun, a slider move, another
    session uploading the same file reuse it), light ink on dark inverted
    (:mod:`digits_knn.features.photo`): the image and what was done to it, or None and why
    it cannot be used."""
    from digits_knn.features.images import ImageFileError, load_image
    from digits_knn.features.photo import as_dark_on_light

    try:
        photo = as_dark_on_light(load_image(data))
    except ImageFileError as exc:
        return None, str(exc)
    return photo.image, photo.notice
