"""How fast the page answers, measured in the real browser (a script, not a test).

    .venv/bin/python benchmarks/latency.py [--strokes 30] [--sessions 10]

Prints, in one run on this machine:
- stroke latency: mouse-up on the canvas -> the ``Prediction`` metric showing the new
  value, median and p95 over ``--strokes`` strokes, for (1) a bare page holding only the
  canvas (``benchmarks/bare_canvas.py``), (2) the app as shipped
  (``runner.postScriptGC = false`` in ``.streamlit/config.toml``), its default view
  (Model) below the canvas, (3) the app with Streamlit's post-run ``gc.collect(2)``
  switched back on and (4) the app with its lightest view (How KNN works) below the
  canvas; and the ratios to (1). The four pages run side by side and take turns, a
  stroke each per round, so a busy spell on the machine slows them all alike;
- slider latency: a key press on the k slider -> the run finished, the drawing view
  showing the new k's neighbours and the Model view (the default one below it) the
  new k's test accuracy (each k new to the server);
- time from ``streamlit run`` to the canvas on screen in a first browser tab, for the
  bare canvas page and for the app (median of ``--starts`` cold starts each, in turn;
  the first run of the app also loads and fits its data), beside the floor: a page
  with one line of text and nothing else (``benchmarks/blank_page.py``) until that
  line shows; and where the time went: the server
  up, Streamlit's own page loaded in the browser, the session's first run until the
  canvas is sent (the only part the page's own code decides), the canvas drawn; and
  for a later visitor (the server up and warm, a new browser): the page requested ->
  the canvas on screen, on the app and on the bare canvas page in turn;
- the server's memory (resident set) after all that;
- ``--sessions`` browser sessions, each with its own k, drawing at once: whether each
  sees only its own results.
Timings are taken in the page's own clock (``performance.now()``) where they can be:
the cold starts and later visits end when the page itself saw the canvas (or the line)
on screen (:data:`SHOWN_AT`), not when Playwright's wait, which checks every 0.5 s in
the end, noticed it (0.2-0.4 s later on the bare canvas page, 0.01-0.05 s on the app).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, Playwright, sync_playwright  # noqa: E402

from tests.browser import (  # noqa: E402
    DIGIT_STROKES,
    canvas,
    clear_canvas,
    draw,
    launch_browser,
    page_accuracy,
    prediction,
    streamlit_server,
    wait_for_app,
    wait_for_prediction,
)

ARM_STROKE_TIMER = """() => {
  const lat = (window.__lat = { up: null, shown: null });
  const value = () => {
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
      const label = m.querySelector('[data-testid="stMetricLabel"]');
      if (label && label.innerText.trim() === "Prediction") {
        return m.querySelector('[data-testid="stMetricValue"]').innerText.trim();
      }
    }
    return "";
  };
  window.addEventListener("pointerup", () => { lat.up = performance.now(); },
                          { capture: true, once: true });
  const observer = new MutationObserver(() => {
    if (lat.up !== null && /^[0-9]+$/.test(value())) {
      lat.shown = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
}"""

STROKE = DIGIT_STROKES["1"][0]
#: Streamlit with nothing in it, the floor under every cold start.
BLANK_PAGE = ROOT / "benchmarks" / "blank_page.py"
BLANK_TEXT = "Streamlit is up."
#: The lightest view, to show what a big view below the canvas costs per stroke.
LIGHT_VIEW = "/how-knn-works"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def expected_accuracy(k: int) -> str:
    return page_accuracy(n_neighbors=k)


def slider_latencies(page: Page, steps: int) -> list[float]:
    """Seconds from a k slider key press to every panel showing the new k."""
    draw(page, DIGIT_STROKES["7"])
    wait_for_prediction(page)
    thumb = page.get_by_role("slider", name="k: neighbours that vote")
    k = int(thumb.input_value())
    latencies = []
    for _ in range(steps):
        k += 1  # upwards: each k new to the server
        accuracy = expected_accuracy(k)
        thumb.focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            """([k, accuracy]) => {
                 const text = document.body.innerText;
                 const running = document.querySelector('[data-testid="stStatusWidget"]');
                 return text.includes(`The ${k} nearest training digits`)
                        && text.includes(accuracy) && !running;
               }""",
            arg=[k, accuracy],
            polling="raf",
            timeout=30_000,
        )
        latencies.append(time.perf_counter() - start)
        page.wait_for_timeout(200)
    return latencies


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass(frozen=True)
class Setup:
    """One page to measure strokes on: a script, its URL path, extra server flags."""

    name: str
    script: Path = ROOT / "app.py"
    path: str = ""
    extra: tuple[str, ...] = ()


BARE = Setup("bare canvas page", ROOT / "benchmarks" / "bare_canvas.py")


def one_stroke(page: Page) -> float:
    """Milliseconds from mouse-up to the new Prediction; the canvas cleared after."""
    page.evaluate(ARM_STROKE_TIMER)
    draw(page, [STROKE])
    page.wait_for_function("() => window.__lat.shown !== null", timeout=30_000)
    latency: float = page.evaluate("() => window.__lat.shown - window.__lat.up")
    clear_canvas(page)
    return latency


def warm_page(
    stack: contextlib.ExitStack, pw: Playwright, setup: Setup, init_script: str = ""
) -> Page:
    """``setup``'s page on a server and in a browser of its own (both closed with
    ``stack``), ``init_script`` run before the page's own, warmed up by one stroke
    (the first stroke loads and fits), its canvas cleared."""
    url, _, _ = stack.enter_context(
        streamlit_server(setup.script, extra_args=setup.extra)
    )
    browser = launch_browser(pw)
    stack.callback(browser.close)
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    if init_script:
        page.add_init_script(init_script)
    page.goto(url + setup.path)
    wait_for_app(page)
    draw(page, [STROKE])
    wait_for_prediction(page, timeout=180)
    clear_canvas(page)
    return page


def interleaved_strokes(setups: list[Setup], rounds: int) -> dict[str, list[float]]:
    """Stroke latencies of several pages measured in turn, one stroke each per round.

    Each page has its own server and its own browser, all started first and warmed
    up; then every round draws one stroke on each page in turn. A noisy machine's
    slow minute then falls on every page alike, instead of on whichever page was
    being measured at the time (as when the pages are measured one after the other),
    so the ratios between pages are fair.
    """
    with contextlib.ExitStack() as stack:
        pw = stack.enter_context(sync_playwright())
        pages = {setup.name: warm_page(stack, pw, setup) for setup in setups}
        latencies: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(rounds):
            for name, page in pages.items():
                latencies[name].append(one_stroke(page))
        return latencies


#: Where a cold start's time goes, read from the browser's resource timings: its
#: request for the server's host configuration opens the session; its request for
#: Streamlit's component code follows the first component (the canvas) sent.
START_PHASES = """() => {
  const times = (pattern) => performance.getEntriesByType("resource")
    .filter((r) => pattern.test(r.name)).map((r) => r.startTime);
  return {
    origin: performance.timeOrigin,
    loaded: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
    session: Math.min(...times(/_stcore\\/host-config/)),
    canvasSent: Math.min(...times(/BidiComponent/)),
  };
}"""


#: Records in the page's clock (``window.__shownAt``) when what a cold start waits for
#: is first on screen: checked every 10 ms from the page's first script on, and taken
#: once the frame after it was found has been drawn. Playwright's own wait checks less
#: and less often the longer it waits (every 0.5 s in the end): a canvas that showed
#: up 90 ms after its code arrived was seen 40-500 ms later.
SHOWN_AT = """(lookFor) => {
  const found = {
    canvas: () => [document, ...[...document.querySelectorAll(
        '[data-testid="stBidiComponentIsolated"]')].map((host) => host.shadowRoot)]
      .some((root) => {
        const canvas = root && root.querySelector("canvas.upper-canvas");
        if (!canvas) return false;
        const box = canvas.getBoundingClientRect();
        return box.width > 0 && box.height > 0;
      }),
    text: () => [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
      .some((el) => el.textContent.trim() === lookFor.text),
  }[lookFor.kind];
  const check = () => {
    if (!found()) return setTimeout(check, 10);
    requestAnimationFrame(() => setTimeout(() => {
      window.__shownAt = performance.now();
    }, 0));
  };
  check();
}"""


def watch_for(page: Page, kind: str, text: str = "") -> None:
    """Have ``page`` record when the canvas (``kind="canvas"``) or a line of ``text``
    (``kind="text"``) is first on screen, from its first script on (:data:`SHOWN_AT`)."""
    page.add_init_script(f"({SHOWN_AT})({json.dumps({'kind': kind, 'text': text})})")


def shown_at(page: Page) -> float:
    """When the watched thing was first on screen, in ``time.time()`` seconds (waits
    for the page's record, which follows the next frame)."""
    page.wait_for_function("() => window.__shownAt !== undefined", timeout=10_000)
    origin, shown = page.evaluate("() => [performance.timeOrigin, window.__shownAt]")
    return float(origin + shown) / 1000


@dataclass(frozen=True)
class ColdStart:
    """One ``streamlit run`` to the canvas on screen, in seconds, and its phases."""

    total: float
    healthy: float  # the server answers its health check
    page_loaded: float  # Streamlit's own page and code loaded and parsed
    session_to_canvas: float  # the session opened -> the canvas sent
    canvas_drawn: float  # the canvas sent -> on screen (its code fetched, drawn)


def first_canvas(pw: Playwright, script: Path) -> ColdStart:
    """From ``streamlit run`` to the canvas on screen in a new browser, by phase."""
    browser = launch_browser(pw)
    start = time.time()
    with streamlit_server(script) as (url, _, healthy):
        page = browser.new_page()
        watch_for(page, "canvas")
        page.goto(url)
        canvas(page).wait_for(state="visible", timeout=60_000)
        shown = shown_at(page) - start
        phases = page.evaluate(START_PHASES)
    browser.close()
    opened = phases["origin"] / 1000 - start  # the page's clock, in ours
    return ColdStart(
        total=shown,
        healthy=healthy,
        page_loaded=opened + phases["loaded"] / 1000,
        session_to_canvas=(phases["canvasSent"] - phases["session"]) / 1000,
        canvas_drawn=shown - (opened + phases["canvasSent"] / 1000),
    )


def first_text(pw: Playwright, script: Path, text: str) -> float:
    """Seconds from ``streamlit run`` to ``text`` on screen in a new browser."""
    browser = launch_browser(pw)
    start = time.time()
    with streamlit_server(script) as (url, _, _):
        page = browser.new_page()
        watch_for(page, "text", text)
        page.goto(url)
        page.get_by_text(text, exact=True).wait_for(state="visible", timeout=60_000)
        shown = shown_at(page) - start
    browser.close()
    return shown


def later_visit(pw: Playwright, url: str) -> float:
    """Seconds from a new browser's request for the page to the canvas on screen, on a
    server that is already up and has shown the page before (a student joining a
    class whose teacher started the app)."""
    browser = launch_browser(pw)
    page = browser.new_page()
    watch_for(page, "canvas")
    start = time.time()
    page.goto(url)
    canvas(page).wait_for(state="visible", timeout=60_000)
    shown = shown_at(page) - start
    browser.close()
    return shown


def later_visits(pw: Playwright, url: str, n: int) -> tuple[list[float], list[float]]:
    """:func:`later_visit` ``n`` times on the app at ``url`` and, in turn, on the bare
    canvas page (its own server, shown once first)."""
    app, bare = [], []
    with streamlit_server(BARE.script) as (bare_url, _, _):
        later_visit(pw, bare_url)
        for _ in range(n):
            app.append(later_visit(pw, url))
            bare.append(later_visit(pw, bare_url))
    return app, bare


def start_phases(name: str, starts: list[ColdStart]) -> str:
    def med(field: str) -> float:
        return statistics.median(getattr(s, field) for s in starts)

    return (
        f"  {name:18s} server healthy at {med('healthy'):.2f} s, Streamlit's page "
        f"loaded at {med('page_loaded'):.2f} s; session opened -> canvas sent "
        f"{med('session_to_canvas'):.2f} s, canvas sent -> on screen "
        f"{med('canvas_drawn'):.2f} s"
    )


def isolation(pw: Playwright, url: str, sessions: int) -> bool:
    """Several sessions, each with its own k, draw at once; each sees its own k."""
    browser = launch_browser(pw)
    pages = []
    for i in range(sessions):
        page = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
        page.goto(url)
        wait_for_app(page)
        thumb = page.get_by_role("slider", name="k: neighbours that vote")
        thumb.focus()
        start_k = int(thumb.input_value())
        for _ in range(i + 1):
            page.keyboard.press("ArrowRight")
        pages.append((start_k + i + 1, page))
    for _, page in pages:  # every session draws before any result is awaited
        draw(page, DIGIT_STROKES["4"])
    ok = True
    for k, page in pages:
        wait_for_prediction(page, timeout=120)
        page.get_by_text(f"The {k} nearest training digits").wait_for()
        shown = page.locator("img").count()
        ok &= prediction(page).isdigit() and shown > 0
        ok &= page.get_by_text(f"The {k} nearest training digits").count() == 1
    browser.close()
    return ok


def summary(name: str, values: list[float], unit: str, scale: float = 1) -> str:
    med = statistics.median(values) * scale
    p95 = percentile(values, 95) * scale
    return (
        f"{name:44s} median {med:7.0f} {unit}  p95 {p95:7.0f} {unit}  (n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Latency of the page in headless Chromium."
    )
    parser.add_argument("--strokes", type=int, default=30)
    parser.add_argument("--slider-steps", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()

    strokes = interleaved_strokes(
        [
            BARE,
            Setup("shipped"),
            Setup("with_gc", extra=("--runner.postScriptGC", "true")),
            Setup("light", path=LIGHT_VIEW),
        ],
        args.strokes,
    )
    bare, shipped, with_gc, light = strokes.values()

    with sync_playwright() as pw:
        blank_starts: list[float] = []
        bare_starts, app_starts = [], []
        for _ in range(args.starts):
            blank_starts.append(first_text(pw, BLANK_PAGE, BLANK_TEXT))
            bare_starts.append(first_canvas(pw, ROOT / "benchmarks" / "bare_canvas.py"))
            app_starts.append(first_canvas(pw, ROOT / "app.py"))
        with streamlit_server() as (url, process, _):
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.goto(url)
            wait_for_app(page)
            sliders = slider_latencies(page, args.slider_steps)
            browser.close()
            later, later_bare = later_visits(pw, url, args.starts)
            sessions_ok = isolation(pw, url, args.sessions)
            memory = resident_mb(process.pid)

    median_bare = statistics.median(bare)
    print(
        "stroke: mouse-up -> Prediction shown (headless Chromium, this machine; the "
        "four pages in turn, a stroke each per round)"
    )
    print(summary("bare canvas page", bare, "ms"))
    print(summary("app (runner.postScriptGC = false, shipped)", shipped, "ms"))
    print(summary("app with postScriptGC = true", with_gc, "ms"))
    print(
        f"ratio app / bare canvas, medians: {statistics.median(shipped) / median_bare:.2f}"
    )
    print(
        f"ratio app with post-run GC / bare: {statistics.median(with_gc) / median_bare:.2f}"
    )
    print(summary(f"app with {LIGHT_VIEW} below the canvas", light, "ms"))
    print(
        f"ratio app ({LIGHT_VIEW}) / bare: {statistics.median(light) / median_bare:.2f}"
    )
    print(
        summary("slider: k key press -> rerun done, new k shown", sliders, "ms", 1000)
    )
    bare_start, app_start = (
        statistics.median(s.total for s in bare_starts),
        statistics.median(s.total for s in app_starts),
    )
    print(
        f"streamlit run -> canvas on screen, medians: bare canvas page {bare_start:.2f} s,"
        f" app {app_start:.2f} s (ratio {app_start / bare_start:.2f})"
    )
    print(
        f"  the floor: a page with one line of text shows it in "
        f"{statistics.median(blank_starts):.2f} s (benchmarks/blank_page.py)"
    )
    later_app, later_base = statistics.median(later), statistics.median(later_bare)
    print(
        f"  a later visitor (server up, the page shown before, a new browser), page "
        f"requested -> canvas on screen: bare canvas page {later_base:.2f} s, app "
        f"{later_app:.2f} s (ratio {later_app / later_base:.2f})"
    )
    print("  where it went (medians; 'at': seconds after streamlit run):")
    print(start_phases("bare canvas page", bare_starts))
    print(start_phases("app", app_starts))
    print(f"server memory (RSS) after the run: {memory:.0f} MB")
    print(
        f"{args.sessions} sessions with different k drawing at once, "
        f"each sees its own: {sessions_ok}"
    )


if __name__ == "__main__":
    main()
