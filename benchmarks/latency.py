"""How fast the page answers a person, measured in the real browser (a script, not a test).

    .venv/bin/python benchmarks/latency.py [--strokes 30] [--server-strokes 40]
                                           [--slider-steps 20] [--sessions 10]
                                           [--starts 5]

Every drawing is a different real digit of writers the model never saw (UJI's, read
from ``../shared/data``: ``benchmarks/real_digits.py``), drawn with the mouse; no image
twice in a run. A person never draws the same image twice, so the figures are those of
new drawings; the one figure of a cached drawing (a k move) says so in its label.

Prints, in one run on this machine, then one table of the issue's targets:
- stroke: mouse-up on the canvas -> the ``Prediction`` metric showing a value, for a
  bare page holding only the canvas (``benchmarks/bare_canvas.py``) and the app on its
  default view (Model), the two in turn, a stroke each per round (the same digit on
  both, a new one each round: its longest stroke on a cleared canvas); medians, p95,
  and the per-stroke ratios app / bare (median and p95);
- the server's own time per new stroke: a protocol client on loopback sends the
  stroke's frame as a browser does (a recorded frame, the canvas's state replaced by
  a new real digit) and times it until the Prediction arrives: median and p95; and
  the same frame sent again (the cache-hit path, labelled so);
- slider: a key press on the k slider -> the run done, every panel showing the new k
  (each k new to the server; the drawing itself is cached here);
- cold start, median of ``--starts`` in turn for the app and the bare canvas page:
  ``streamlit run`` -> the canvas on screen -> one digit drawn 0.3 s after the canvas
  shows -> the Prediction on screen; beside the floor, a page with one line of text
  (``benchmarks/blank_page.py``) until that line shows;
- a later visitor (the server up and warm, a new browser): page requested -> the
  prediction of a digit drawn as soon as the canvas shows;
- ``--sessions`` browser sessions, each with its own k, drawing at once: whether each
  sees only its own results; and the server's memory (resident set) after that.
Timings are taken in the page's own clock (``performance.now()``) where they can be.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from docblocks import write_block
from playwright.sync_api import Page, Playwright, sync_playwright
from protocol import connect, record, stroke_time
from real_digits import RealDigit, real_digits, stroke_frame

from tests.browser import (
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

#: Each run's real digits: a different one for every drawing (see real_digits.py).
_digits: Iterator[RealDigit] = iter(())


def use_real_digits(n: int, seed: int = 0) -> None:
    """Draw ``n`` different real digits in this run (:func:`next_digit`)."""
    global _digits
    _digits = iter(real_digits(n, seed=seed))


def next_digit() -> RealDigit:
    """The next real digit of the run, never one drawn before in it."""
    return next(_digits)


DOCS = ROOT / "docs" / "speed.md"
#: Streamlit with nothing in it, the floor under every cold start.
BLANK_PAGE = ROOT / "benchmarks" / "blank_page.py"
BLANK_TEXT = "Streamlit is up."


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def expected_accuracy(k: int) -> str:
    return page_accuracy(n_neighbors=k)


def slider_latencies(page: Page, steps: int) -> list[float]:
    """Seconds from a k slider key press to every panel showing the new k (the same
    drawing throughout: the cache-hit path of the drawing)."""
    draw(page, next_digit().strokes)
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


def one_stroke(page: Page, digit: RealDigit) -> float:
    """Milliseconds from mouse-up to the new Prediction, for the longest stroke of
    ``digit`` on a cleared canvas; the canvas cleared after."""
    page.evaluate(ARM_STROKE_TIMER)
    draw(page, [digit.longest_stroke()])
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
    draw(page, [next_digit().longest_stroke()])
    wait_for_prediction(page, timeout=180)
    clear_canvas(page)
    return page


def interleaved_strokes(setups: list[Setup], rounds: int) -> dict[str, list[float]]:
    """Stroke latencies of several pages measured in turn, one stroke each per round.

    Each page has its own server and its own browser, all started first and warmed
    up; then every round draws a new real digit's first stroke on each page in turn
    (the same digit on every page of a round). A noisy machine's slow minute then
    falls on every page alike, so the ratios between pages are fair.
    """
    with contextlib.ExitStack() as stack:
        pw = stack.enter_context(sync_playwright())
        pages = {setup.name: warm_page(stack, pw, setup) for setup in setups}
        latencies: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(rounds):
            digit = next_digit()
            for name, page in pages.items():
                latencies[name].append(one_stroke(page, digit))
        return latencies


def server_stroke_times(
    pw: Playwright, url: str, n: int, repeats: int = 10
) -> tuple[list[float], list[float]]:
    """The server's own milliseconds per stroke on the default view, from a protocol
    client on loopback: ``n`` new real digits, then the last one sent again
    ``repeats`` times (the cache-hit path)."""
    recording = record(url, playwright=pw)
    digits = [next_digit() for _ in range(n)]

    async def measure() -> tuple[list[float], list[float]]:
        conn = await connect(url, recording)
        new = [
            await stroke_time(conn, stroke_frame(recording.stroke, d)) for d in digits
        ]
        again = stroke_frame(recording.stroke, digits[-1])
        cached = [await stroke_time(conn, again) for _ in range(repeats)]
        conn.close()
        return new, cached

    # On a thread of its own: Playwright's sync API holds this thread's event loop.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, measure()).result()


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
    """One ``streamlit run`` to the first prediction on screen, in seconds."""

    canvas: float  # streamlit run -> the canvas on screen
    answered: float  # streamlit run -> the Prediction on screen
    waited: float  # the stroke's mouse-up -> the Prediction on screen


#: Seconds between the canvas showing and the first stroke, as a person who opens the
#: page and draws at once.
DRAW_AFTER = 0.3


def draw_and_time(page: Page, digit: RealDigit) -> tuple[float, float]:
    """Draw ``digit``'s first stroke; when (``time.time()``) its mouse-up happened and
    its Prediction showed, in the page's own clock."""
    page.evaluate(ARM_STROKE_TIMER)
    draw(page, [digit.longest_stroke()], steps=1)  # quick: the wait is the answer
    page.wait_for_function("() => window.__lat.shown !== null", timeout=120_000)
    origin, up, shown = page.evaluate(
        "() => [performance.timeOrigin, window.__lat.up, window.__lat.shown]"
    )
    return (origin + up) / 1000, (origin + shown) / 1000


def first_prediction(pw: Playwright, script: Path) -> ColdStart:
    """``streamlit run`` -> canvas on screen -> a digit drawn :data:`DRAW_AFTER` s after
    it shows -> its Prediction on screen, in a new browser."""
    browser = launch_browser(pw)
    start = time.time()
    with streamlit_server(script) as (url, _, _):
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        watch_for(page, "canvas")
        page.goto(url)
        canvas(page).wait_for(state="visible", timeout=60_000)
        shown = shown_at(page)
        time.sleep(max(0.0, shown + DRAW_AFTER - time.time()))
        up, answered = draw_and_time(page, next_digit())
    browser.close()
    return ColdStart(shown - start, answered - start, answered - up)


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
    """Seconds from a new browser's request for the page to the prediction of a digit
    drawn as soon as the canvas shows, on a server that is up and warm (a student
    joining a class whose teacher started the app)."""
    browser = launch_browser(pw)
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    start = time.time()
    page.goto(url)
    canvas(page).wait_for(state="visible", timeout=60_000)
    _, answered = draw_and_time(page, next_digit())
    browser.close()
    return answered - start


def later_visits(pw: Playwright, url: str, n: int) -> tuple[list[float], list[float]]:
    """:func:`later_visit` ``n`` times on the app at ``url`` and, in turn, on the bare
    canvas page (its own server, visited once first)."""
    app, bare = [], []
    with streamlit_server(BARE.script) as (bare_url, _, _):
        later_visit(pw, bare_url)
        for _ in range(n):
            app.append(later_visit(pw, url))
            bare.append(later_visit(pw, bare_url))
    return app, bare


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
        draw(page, next_digit().strokes)
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


def ratio_line(name: str, ratios: list[float]) -> str:
    return (
        f"{name:44s} median {statistics.median(ratios):7.2f}     p95 "
        f"{percentile(ratios, 95):7.2f}     (n={len(ratios)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Latency of the page in headless Chromium, with real digits."
    )
    parser.add_argument("--strokes", type=int, default=30)
    parser.add_argument("--server-strokes", type=int, default=40)
    parser.add_argument("--slider-steps", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--write-docs", action="store_true", help="write the table into docs/speed.md"
    )
    args = parser.parse_args()
    needed = (
        2 * args.strokes
        + args.server_strokes
        + args.slider_steps
        + 4 * args.starts
        + args.sessions
        + 10
    )
    use_real_digits(needed, args.seed)

    strokes = interleaved_strokes([BARE, Setup("app")], args.strokes)
    bare, app = strokes.values()
    ratios = [a / b for a, b in zip(app, bare, strict=True)]

    with sync_playwright() as pw:
        blank_starts: list[float] = []
        bare_starts, app_starts = [], []
        for _ in range(args.starts):
            blank_starts.append(first_text(pw, BLANK_PAGE, BLANK_TEXT))
            bare_starts.append(first_prediction(pw, BARE.script))
            app_starts.append(first_prediction(pw, ROOT / "app.py"))
        with streamlit_server() as (url, process, _):
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.goto(url)
            wait_for_app(page)
            # The server's first visit starts the default view's background work
            # (the test digits' neighbours); the strokes below are a class's, after it.
            page.get_by_text("Test accuracy").first.wait_for(timeout=180_000)
            server_new, server_cached = server_stroke_times(
                pw, url, args.server_strokes
            )
            sliders = slider_latencies(page, args.slider_steps)
            browser.close()
            later, later_bare = later_visits(pw, url, args.starts)
            sessions_ok = isolation(pw, url, args.sessions)
            memory = resident_mb(process.pid)

    print(
        "stroke: mouse-up -> Prediction shown (headless Chromium, this machine; a new "
        "real digit each round, the two pages in turn)"
    )
    print(summary("bare canvas page", bare, "ms"))
    print(summary("app, default view (Model)", app, "ms"))
    print(ratio_line("per-stroke ratio app / bare", ratios))
    ratio = statistics.median(app) / statistics.median(bare)
    print(f"ratio of the medians app / bare: {ratio:.2f}")
    print(summary("server's own time per new stroke", server_new, "ms"))
    print(summary("same drawing sent again (cache hit)", server_cached, "ms"))
    print(summary("slider: k key press -> done (drawing cached)", sliders, "ms", 1000))

    def med(starts: list[ColdStart], field: str) -> float:
        return statistics.median(getattr(s, field) for s in starts)

    print(
        f"cold start (medians of {args.starts}, in turn): streamlit run -> canvas on "
        f"screen -> a digit drawn {DRAW_AFTER} s later -> Prediction on screen"
    )
    for name, starts in (("bare canvas page", bare_starts), ("app", app_starts)):
        print(
            f"  {name:18s} canvas at {med(starts, 'canvas'):.2f} s, prediction at "
            f"{med(starts, 'answered'):.2f} s (the stroke waited "
            f"{med(starts, 'waited'):.2f} s)"
        )
    floor = statistics.median(blank_starts)
    print(f"  the floor: a page with one line of text shows it in {floor:.2f} s")
    later_app, later_base = statistics.median(later), statistics.median(later_bare)
    print(
        f"a later visitor (server warm, a new browser), page requested -> prediction "
        f"of a digit drawn at once: bare canvas page {later_base:.2f} s, app "
        f"{later_app:.2f} s"
    )
    print(f"server memory (RSS) after the run: {memory:.0f} MB")
    print(
        f"{args.sessions} sessions with different k drawing at once, "
        f"each sees its own: {sessions_ok}"
    )
    rows = [
        "| figure | measured | target |",
        "| --- | --- | --- |",
        f"| stroke -> Prediction, mouse-up to shown, bare page / app (medians) | "
        f"{statistics.median(bare):.0f} / {statistics.median(app):.0f} ms | |",
        f"| stroke -> Prediction, ratio to the bare page (median; p95 of per-stroke "
        f"ratios) | {ratio:.2f}; {percentile(ratios, 95):.2f} | <= 1.2; <= 1.35 |",
        f"| server time per new stroke, frame received -> Prediction sent (median / "
        f"p95) | {statistics.median(server_new):.0f} / "
        f"{percentile(server_new, 95):.0f} ms | half of the last release's |",
        f"| the same, one drawing sent again (cache hit) | "
        f"{statistics.median(server_cached):.0f} / "
        f"{percentile(server_cached, 95):.0f} ms | |",
        f"| cold start -> first prediction of a digit drawn as the canvas shows, app "
        f"(bare page; floor: one line of text) | {med(app_starts, 'answered'):.2f} s "
        f"({med(bare_starts, 'answered'):.2f} s; {floor:.2f} s) | <= 4.0 s |",
        f"| later visitor: page requested -> first prediction, app (bare page) | "
        f"{later_app:.2f} s ({later_base:.2f} s) | <= 1.5 s |",
        f"| slider key press -> run done, median / p95 (drawing cached) | "
        f"{statistics.median(sliders) * 1000:.0f} / "
        f"{percentile(sliders, 95) * 1000:.0f} ms | p95 <= 400 ms |",
        f"| server memory after the {args.sessions}-session run | {memory:.0f} MB "
        "| <= 450 MB |",
    ]
    print()
    print("\n".join(rows))
    if args.write_docs:
        command = (
            f"`benchmarks/latency.py --strokes {args.strokes} --server-strokes "
            f"{args.server_strokes} --slider-steps {args.slider_steps} --sessions "
            f"{args.sessions} --starts {args.starts}`"
        )
        write_block(DOCS, "latency", command + "\n\n" + "\n".join(rows))


if __name__ == "__main__":
    main()
