"""Drive the real app in headless Chromium: start a server, draw with the mouse, read results.

Shared by the end-to-end tests and ``benchmarks/latency.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import (
    Browser,
    Error as PlaywrightError,
    Locator,
    Page,
    Playwright,
    TimeoutError as PlaywrightTimeoutError,
)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
Point = tuple[float, float]


def chromium_path() -> str | None:
    """$DIGITS_KNN_CHROMIUM, else Debian's chromium, else None (Playwright's own)."""
    configured = os.environ.get("DIGITS_KNN_CHROMIUM")
    if configured:
        return configured
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


def launch_browser(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit_server(
    script: Path = ROOT / "app.py",
    *,
    extra_args: Sequence[str] = (),
    timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
    command_prefix: Sequence[str] = (),
) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """Run ``streamlit run script`` on a free port until ``/_stcore/health`` says ok.

    ``env``: variables added to this process's environment for the server.
    ``command_prefix``: run the server through it (``["taskset", "-c", "0"]``).

    Yields the base URL, the process and the seconds it took to become healthy.
    """
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            *command_prefix,
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            *extra_args,
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"streamlit exited early:\n{log.read().decode()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"streamlit did not answer on {url} in {timeout} s")
            time.sleep(0.02)  # a browser opened by Streamlit asks at once
        yield url, process, time.perf_counter() - start
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def canvas(page: Page) -> Locator:
    """The drawable canvas (Fabric's top canvas, inside the component's shadow root)."""
    return page.locator("canvas.upper-canvas").first


def draw(page: Page, strokes: Sequence[Sequence[Point]], *, steps: int = 4) -> None:
    """Draw strokes with the mouse; coordinates are fractions 0..1 of the canvas."""
    box = canvas(page).bounding_box()
    assert box is not None, "the canvas is not on screen"
    for stroke in strokes:
        x0, y0 = stroke[0]
        page.mouse.move(box["x"] + x0 * box["width"], box["y"] + y0 * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(
                box["x"] + x * box["width"], box["y"] + y * box["height"], steps=steps
            )
        page.mouse.up()


def metric_value(page: Page, label: str) -> str:
    """The value shown by ``st.metric(label, ...)``; '' if it is not on the page."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator(
            '[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}$")
        )
    )
    if metric.count() == 0:
        return ""
    return metric.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def prediction(page: Page) -> str:
    return metric_value(page, "Prediction")


def wait_for_prediction(
    page: Page, expected: str | None = None, timeout: float = 20
) -> str:
    """Wait until the Prediction metric shows ``expected`` (any digit if None)."""
    deadline = time.perf_counter() + timeout
    value = ""
    while time.perf_counter() < deadline:
        value = prediction(page)
        if (expected is None and value.isdigit()) or value == expected:
            return value
        page.wait_for_timeout(20)
    raise AssertionError(
        f"Prediction shows {value!r}, expected {expected or 'a digit'!r}"
    )


def wait_until_idle(page: Page, timeout: float = 30) -> None:
    """Wait until no script run is in progress and the canvas is on screen."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')""",
        timeout=timeout * 1000,
    )
    canvas(page).wait_for(state="visible", timeout=timeout * 1000)
    page.wait_for_timeout(150)  # the new canvas's first paint after a rerun


def clear_canvas(page: Page) -> None:
    """Click "Clear the canvas" and wait for the fresh canvas and the empty result."""
    page.get_by_role("button", name="Clear the canvas").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')]
                 .some(v => v.innerText.trim() === "–")"""
    )
    wait_until_idle(page)


def add_drawing_as(page: Page, label: int) -> None:
    """Open "Add to the training set" under the prediction, pick ``label``, add."""
    page.get_by_role("button", name="Add to the training set").click()
    choices = page.locator('[data-testid="stButtonGroup"]').filter(
        has_text="Add this drawing to the training set as"
    )
    choices.get_by_role("radio", name=str(label), exact=True).click()
    page.get_by_role("button", name=f"Add as {label}").click()


def wait_for_app(page: Page, timeout: float = 120) -> None:
    """Wait until the app has run once and the canvas is on screen.

    The timeout is generous: CI runs the browser tests beside the other half of the
    suite on two cores, and a page is slow to load there, not broken. If it never
    loads, the error says what the page showed instead.
    """
    start = time.perf_counter()
    try:
        canvas(page).wait_for(state="visible", timeout=timeout * 1000)
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=timeout * 1000)
    except PlaywrightTimeoutError as exc:
        seconds = time.perf_counter() - start
        try:
            shown = page.locator("body").aria_snapshot(timeout=5000)
        except PlaywrightError as snapshot_error:
            shown = f"(no snapshot: {snapshot_error})"
        raise AssertionError(
            f"the app at {page.url} showed no canvas and prediction after "
            f"{seconds:.0f} s; the page showed:\n{shown}"
        ) from exc


def page_accuracy(**params: float | int | str) -> str:
    """The "Test accuracy" the page shows for these settings, computed here.

    The page's defaults: UCI, drawn and MNIST digits, k=7, distance votes, brute-force
    search; scored on the UCI
    test split from one neighbour query at k=100 (the page's engine, whose agreement
    with scikit-learn ``tests/test_neighbors.py`` checks), formatted as the page does.
    """
    from digits_knn.datasets.training import DEFAULT_SOURCE, UCI_TEST, load_training_set
    from digits_knn.search.neighbors import fit_index

    source = str(params.pop("source", DEFAULT_SOURCE))
    k = int(params.pop("n_neighbors", 7))
    weights = str(params.pop("weights", "distance"))
    training = load_training_set(source)
    index = fit_index(
        training.X_train,
        training.y_train,
        p=float(params.pop("p", 2.0)),
        algorithm=str(params.pop("algorithm", "brute")),
    )
    test = training.tests[UCI_TEST]
    neigh_dist, neigh_ind = index.kneighbors(test.X, 100)
    y_pred = index.predict_from(neigh_dist[:, :k], neigh_ind[:, :k], weights=weights)
    return f"{(y_pred == test.y).mean():.2%}"


#: Strokes of a few digits in canvas fractions, drawn as a person would.
DIGIT_STROKES: dict[str, list[list[Point]]] = {
    "0": [
        [
            (0.5, 0.12),
            (0.32, 0.2),
            (0.25, 0.5),
            (0.32, 0.8),
            (0.5, 0.88),
            (0.68, 0.8),
            (0.75, 0.5),
            (0.68, 0.2),
            (0.5, 0.12),
        ]
    ],
    "1": [[(0.4, 0.25), (0.55, 0.12), (0.55, 0.88)]],
    "4": [[(0.55, 0.12), (0.28, 0.6), (0.75, 0.6)], [(0.6, 0.32), (0.6, 0.88)]],
    "7": [[(0.28, 0.14), (0.72, 0.14), (0.45, 0.88)], [(0.36, 0.5), (0.64, 0.5)]],
}
