"""Shared fixtures: the tutorial's data and model, and drawings made in code."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pytest
from PIL import Image, ImageDraw
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.datasets.training import DEFAULT_SOURCE, load_training_set
from digits_knn.datasets.uci import Split, load_bitmaps, load_split
from digits_knn.features.canvas import CANVAS_SIZE
from digits_knn.search.model import DRAWING_N_NEIGHBORS, DRAWING_WEIGHTS, fit_model


@pytest.fixture(autouse=True)
def private_drawings_db(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own empty database of user drawings, never the real one."""
    path = tmp_path_factory.mktemp("db") / "drawings.sqlite3"
    monkeypatch.setenv("DIGITS_KNN_DB", str(path))
    return path


@pytest.fixture(scope="session")
def split() -> Split:
    return load_split()


@pytest.fixture(scope="session")
def tutorial_model(split: Split) -> KNeighborsClassifier:
    """The tutorial's model: k=20, kd_tree, p=2, fitted on the training split."""
    return fit_model(split.X_train, split.y_train)


def draw_strokes(
    strokes: list[list[tuple[float, float]]],
    *,
    width: int = 20,
    size: int = CANVAS_SIZE,
    ink: tuple[int, int, int, int] = (0, 0, 0, 255),
    background: tuple[int, int, int, int] = (255, 255, 255, 255),
) -> np.ndarray:
    """Draw polylines (coordinates in 0..1 of the canvas) as round-capped strokes."""
    image = Image.new("RGBA", (size, size), background)
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        points = [(x * size, y * size) for x, y in stroke]
        if len(points) > 1:
            pen.line(points, fill=ink, width=width, joint="curve")
        for x, y in points[:1] + points[-1:]:
            r = width / 2
            pen.ellipse([x - r, y - r, x + r, y + r], fill=ink)
    return np.asarray(image)


#: Hand-made stroke drawings of a few digits, in canvas coordinates 0..1.
STROKE_DIGITS: dict[int, list[list[tuple[float, float]]]] = {
    0: [
        [
            (0.5, 0.15),
            (0.35, 0.22),
            (0.3, 0.5),
            (0.35, 0.78),
            (0.5, 0.85),
            (0.65, 0.78),
            (0.7, 0.5),
            (0.65, 0.22),
            (0.5, 0.15),
        ]
    ],
    1: [[(0.42, 0.25), (0.55, 0.15), (0.55, 0.85)]],
    4: [[(0.55, 0.15), (0.3, 0.6), (0.72, 0.6)], [(0.6, 0.35), (0.6, 0.85)]],
    7: [[(0.3, 0.15), (0.7, 0.15), (0.45, 0.85)], [(0.38, 0.5), (0.62, 0.5)]],
}


@pytest.fixture(scope="session")
def uci_bitmaps() -> np.ndarray:
    return load_bitmaps()


#: A PostgreSQL server the tests may create databases on (``run.py test`` starts one).
POSTGRES_ENV = "DIGITS_KNN_TEST_POSTGRES"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The tests' PostgreSQL server: never skipped, a missing one fails loudly."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.fail(
            f"${POSTGRES_ENV} is not set: run the tests with `python3 run.py test` "
            "(it starts a throwaway PostgreSQL server) or point it at a server URL"
        )
    return url


def create_database(server_url: str) -> str:
    """A new, empty database on the server; its URL."""
    import psycopg

    name = f"digits_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def drop_database(server_url: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=BACKENDS)
def new_location(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """Makes fresh, empty drawings locations of one back end (each test runs on both):
    SQLite files, or databases on the tests' PostgreSQL server (dropped after)."""
    made: list[str] = []
    server = (
        request.getfixturevalue("postgres_url") if request.param != "sqlite" else ""
    )

    def make() -> str:
        if request.param == "sqlite":
            made.append(str(tmp_path / f"store{len(made)}" / "drawings.sqlite3"))
        else:
            made.append(create_database(server))
        return made[-1]

    yield make
    if server:
        for url in made:
            drop_database(server, url)


def drawing_model() -> KNeighborsClassifier:
    """The drawing view's model, as the page and ``predict`` fit it (data, k, votes)."""
    training = load_training_set(DEFAULT_SOURCE)
    return fit_model(
        training.X_train,
        training.y_train,
        n_neighbors=DRAWING_N_NEIGHBORS,
        weights=DRAWING_WEIGHTS,
        algorithm="brute",
    )
