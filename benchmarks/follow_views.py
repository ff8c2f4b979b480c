"""What the views that follow the drawing (Finish my digit, Map, Beyond KNN) cost.

    .venv/bin/python benchmarks/follow_views.py [--strokes 20] [--opens 5]

Prints:
- projecting a drawing onto the map and finding its nearest there (what the Map view
  does per stroke), median over test digits, beside the KNN's own query for the same
  digits (the baseline, same run);
- stroke latency (each round a new real digit of an unseen writer:
  ``benchmarks/real_digits.py``), mouse-up -> ``Prediction`` shown, in headless Chromium, with
  /finish, /map and /beyond open below the canvas, against the bare canvas page and the
  app with its lightest view (How KNN works) below it: medians and ratios (the pages
  take turns, a stroke each per round);
- opening the Map and Beyond KNN views warm (their link clicked with a drawing on the
  canvas -> the map and its neighbour count, the table and its sentences on screen),
  median over ``--opens``, beside opening How KNN works the same way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np
from latency import (
    BARE,
    Setup,
    interleaved_strokes,
    next_digit,
    summary,
    use_real_digits,
)
from playwright.sync_api import Page, sync_playwright

from digits_knn.beyond.projection import fit_map, nearest_on_map
from digits_knn.datasets.training import DEFAULT_SOURCE, UCI_TEST, load_training_set
from digits_knn.search.neighbors import fit_index
from tests.browser import (
    draw,
    launch_browser,
    streamlit_server,
    wait_for_app,
    wait_for_prediction,
)


def projection_times(n: int = 200) -> tuple[list[float], list[float]]:
    """Milliseconds per drawing: project + nearest on the map; the KNN's query."""
    training = load_training_set(DEFAULT_SOURCE)
    digit_map = fit_map(training.X_train, training.y_train, "nca")
    coords = digit_map.transform(training.X_train)
    index = fit_index(training.X_train, training.y_train)
    project, query = [], []
    for x in training.tests[UCI_TEST].X[:n]:
        start = time.perf_counter()
        nearest_on_map(coords, digit_map.transform(x), 7)
        project.append(1000 * (time.perf_counter() - start))
        start = time.perf_counter()
        index.explain(x, n_neighbors=7, weights="distance")
        query.append(1000 * (time.perf_counter() - start))
    return project, query


def open_times(page: Page, link: str, marker: str, opens: int) -> list[float]:
    """Seconds from clicking a view's link (from Model) to ``marker`` on screen."""
    times = []
    for _ in range(opens + 1):  # the first open is cold: not counted
        page.get_by_role("link", name="Model", exact=True).click()
        page.get_by_text("Confusion matrix").first.wait_for(timeout=120_000)
        start = time.perf_counter()
        page.get_by_role("link", name=link, exact=True).click()
        page.get_by_text(marker).first.wait_for(timeout=120_000)
        page.wait_for_function(
            """() => !document.querySelector('[data-testid="stStatusWidget"]')"""
        )
        times.append(time.perf_counter() - start)
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, default=20)
    parser.add_argument("--opens", type=int, default=5)
    args = parser.parse_args()
    use_real_digits(args.strokes + 10)  # a different real digit every round

    project, query = projection_times()
    print("per drawing, library (median over 200 UCI test digits)")
    print(
        f"  map: project + 7 nearest on the map  {np.median(project):.2f} ms; "
        f"KNN query of the same digit {np.median(query):.2f} ms "
        f"(ratio {np.median(project) / np.median(query):.2f})"
    )
    app = ROOT / "app.py"
    strokes = interleaved_strokes(
        [
            BARE,
            Setup("app, /how-knn-works below", path="/how-knn-works"),
            Setup("app, /finish below", path="/finish"),
            Setup("app, /map below", path="/map"),
            Setup("app, /beyond below", path="/beyond"),
        ],
        args.strokes,
    )
    base = statistics.median(strokes[BARE.name])
    print(
        "stroke: mouse-up -> Prediction shown (headless Chromium, this machine; the "
        "pages in turn, a stroke each per round)"
    )
    for name, values in strokes.items():
        print(
            summary(name, values, "ms")
            + f"  ratio to bare {statistics.median(values) / base:.2f}"
        )

    with sync_playwright() as pw, streamlit_server(app) as (url, _, _):
        browser = launch_browser(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        page.goto(url)
        wait_for_app(page)
        draw(page, next_digit().strokes)
        wait_for_prediction(page, timeout=180)
        maps = open_times(page, "Map", "nearest training digits", args.opens)
        beyonds = open_times(page, "Beyond KNN", "Where the KNN wins", args.opens)
        lights = open_times(
            page, "How KNN works", "keeps every training digit", args.opens
        )
        browser.close()
    print(
        summary("open Map warm (link click -> map and count shown)", maps, "ms", 1000)
    )
    print(summary("open Beyond KNN warm (-> table and sentences)", beyonds, "ms", 1000))
    print(summary("open How KNN works warm, same way", lights, "ms", 1000))


if __name__ == "__main__":
    main()
