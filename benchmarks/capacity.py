"""How many people can one app server hold? Many sessions drawing at once (a script).

    .venv/bin/python benchmarks/capacity.py [--sessions 1 5 10 20 40 80] [--seconds 20]
                                            [--cores 1 2] [--think 1.0]

Browsers would measure themselves on 2 cores, so the load comes from a protocol-level
client: each session speaks Streamlit's WebSocket protocol with Streamlit's own protobuf
classes (``BackMsg`` out, ``ForwardMsg`` in), as a browser tab does. What it sends is
what a real Chromium tab sent: the benchmark first draws a 7 and a 4 on the real page in
headless Chromium, keeps the two ``BackMsg`` frames (the page's first run, and the
stroke: a widget state carrying the canvas's drawing, PNG included), and every
simulated session replays them. Each session then draws a stroke, waits for the
``Prediction`` metric to arrive, thinks for ``--think`` seconds, and draws again.

Calibration, in the same run: stroke -> prediction for real Chromium tabs (mouse-up to
the metric on screen) and for the protocol client (stroke sent to the metric received),
at 1 and 3 sessions, so the two can be compared.

Per number of sessions it prints stroke -> prediction p50 and p95, strokes answered,
errors (no answer within 15 s, a closed connection, a page that did not open before
the time was up), and the server's CPU (cores busy, averaged) and resident memory.
``--cores 1`` pins the server to one core with ``taskset``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from tornado.httpclient import HTTPRequest  # noqa: E402
from tornado.websocket import websocket_connect  # noqa: E402

from tests.browser import (  # noqa: E402
    DIGIT_STROKES,
    clear_canvas,
    draw,
    launch_browser,
    streamlit_server,
    wait_for_app,
    wait_for_prediction,
)

#: The lightest view below the canvas: the load is the drawing, not the Model view.
VIEW = "/how-knn-works"
ANSWER_TIMEOUT = 15.0


@dataclass
class Recording:
    """What a real tab sent: its first run, and one stroke per digit."""

    first_run: bytes
    strokes: dict[str, bytes] = field(default_factory=dict)


def record_strokes(url: str, digits: tuple[str, ...] = ("7", "4")) -> Recording:
    """Draw each digit in a fresh headless Chromium tab and keep what it sent."""
    recording: Recording | None = None
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        for digit in digits:
            sent: list[bytes] = []
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.on(
                "websocket",
                lambda ws, sent=sent: ws.on(
                    "framesent",
                    lambda p: sent.append(p) if isinstance(p, bytes) else None,
                ),
            )
            page.goto(url + VIEW)
            wait_for_app(page)
            draw(page, DIGIT_STROKES[digit])
            wait_for_prediction(page, digit, timeout=180)
            page.close()
            if recording is None:
                recording = Recording(first_run=sent[0])
            recording.strokes[digit] = sent[-1]
        browser.close()
    assert recording is not None
    return recording


def browser_latencies(
    url: str, sessions: int, strokes: int
) -> tuple[list[float], list[float]]:
    """In ``sessions`` real tabs drawing in turn, per stroke (ms): mouse-up -> Prediction
    shown, and the stroke's WebSocket frame sent -> Prediction shown (what the protocol
    client measures, plus the browser's drawing of the answer)."""
    from_mouse_up, from_frame = [], []
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        pages = []
        last_sent: dict[int, float] = {}
        for n in range(sessions):
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.on(
                "websocket",
                lambda ws, n=n: ws.on(
                    "framesent",
                    lambda _: last_sent.__setitem__(n, time.perf_counter()),
                ),
            )
            page.goto(url + VIEW)
            wait_for_app(page)
            pages.append(page)
        for i in range(strokes):
            digit = "7" if i % 2 == 0 else "4"
            for n, page in enumerate(pages):
                clear_canvas(page)
                draw(page, DIGIT_STROKES[digit], steps=4)
                drawn = time.perf_counter()  # draw() returns at the last mouse-up
                wait_for_prediction(page, digit, timeout=ANSWER_TIMEOUT)
                shown = time.perf_counter()
                from_mouse_up.append((shown - drawn) * 1000)
                from_frame.append((shown - last_sent[n]) * 1000)
        browser.close()
    return from_mouse_up, from_frame


async def _read_until_prediction(conn: object, digit: str, deadline: float) -> bool:
    """Read ForwardMsgs until the Prediction metric shows ``digit`` (True) or time's up."""
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return False
        raw = await asyncio.wait_for(conn.read_message(), timeout=left)  # type: ignore[attr-defined]
        if raw is None:
            raise ConnectionError("the server closed the connection")
        if isinstance(raw, str):
            continue
        message = ForwardMsg()
        message.ParseFromString(raw)
        if message.WhichOneof("type") != "delta":
            continue
        element = message.delta.new_element
        if (
            element.WhichOneof("type") == "metric"
            and element.metric.label == "Prediction"
            and element.metric.body == digit
        ):
            return True


async def _drain_until_finished(conn: object, deadline: float) -> None:
    while time.perf_counter() < deadline:
        raw = await asyncio.wait_for(  # type: ignore[attr-defined]
            conn.read_message(), timeout=max(0.01, deadline - time.perf_counter())
        )
        if raw is None:
            raise ConnectionError("the server closed the connection")
        if isinstance(raw, bytes):
            message = ForwardMsg()
            message.ParseFromString(raw)
            if message.WhichOneof("type") == "script_finished":
                return


@dataclass
class SessionResult:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0


async def simulated_session(
    url: str, recording: Recording, until: float, think: float, offset: int
) -> SessionResult:
    """One person: open the page, then draw, wait for the answer, think, draw again."""
    result = SessionResult()
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    request = HTTPRequest(ws_url, headers={"Origin": url})
    try:
        conn = await websocket_connect(request, subprotocols=["streamlit"])
        await conn.write_message(recording.first_run, binary=True)
        await _drain_until_finished(conn, time.perf_counter() + 120)
    except (OSError, TimeoutError, ConnectionError):
        result.errors += 1
        return result
    digits = list(recording.strokes)
    i = offset
    await asyncio.sleep((offset % 10) * think / 10)  # people do not draw in lockstep
    if time.perf_counter() >= until:  # the page did not even open in time
        result.errors += 1
    while time.perf_counter() < until:
        digit = digits[i % len(digits)]
        i += 1
        start = time.perf_counter()
        try:
            await conn.write_message(recording.strokes[digit], binary=True)
            ok = await _read_until_prediction(conn, digit, start + ANSWER_TIMEOUT)
            await _drain_until_finished(conn, start + ANSWER_TIMEOUT + 5)
        except (OSError, TimeoutError, ConnectionError):
            ok = False
        if ok:
            result.latencies.append((time.perf_counter() - start) * 1000)
        else:
            result.errors += 1
        await asyncio.sleep(think)
    conn.close()
    return result


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[round(0.95 * (len(ordered) - 1))]
    return f"{statistics.median(ordered):.0f} / {p95:.0f}"


def process_times(pid: int) -> tuple[float, int]:
    """CPU seconds used so far and resident memory (bytes) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    return cpu, rss


def load(
    url: str,
    pid: int,
    recording: Recording,
    sessions: int,
    seconds: float,
    think: float,
) -> dict[str, float]:
    """``sessions`` simulated people for ``seconds``: latency, errors, CPU, memory."""
    cpu_before, _ = process_times(pid)
    wall = time.perf_counter()

    async def run_all() -> list[SessionResult]:
        until = time.perf_counter() + seconds
        return list(
            await asyncio.gather(
                *(
                    simulated_session(url, recording, until, think, offset)
                    for offset in range(sessions)
                )
            )
        )

    results = asyncio.run(run_all())
    cpu_after, rss = process_times(pid)
    latencies = sorted(x for r in results for x in r.latencies)
    elapsed = time.perf_counter() - wall
    return {
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
        if latencies
        else float("nan"),
        "answered": len(latencies),
        "errors": sum(r.errors for r in results),
        "cpu": (cpu_after - cpu_before) / elapsed,
        "rss_mb": rss / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sessions", type=int, nargs="+", default=[1, 5, 10, 20, 40, 80]
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--cores", type=int, nargs="+", default=[2, 1])
    parser.add_argument("--calibration-strokes", type=int, default=8)
    args = parser.parse_args()
    n_cpus = os.cpu_count() or 1
    for cores in args.cores:
        prefix = (
            ["taskset", "-c", ",".join(str(c) for c in range(cores))]
            if cores < n_cpus
            else []
        )
        db = Path(tempfile.mkdtemp()) / "drawings.sqlite3"
        with streamlit_server(
            env={"DIGITS_KNN_DB": str(db)}, command_prefix=prefix, timeout=120
        ) as (url, process, _):
            print(f"\n## server on {cores} core(s) ({n_cpus} on this machine)")
            recording = record_strokes(url)
            print("calibration: stroke -> Prediction, ms (median / p95)")
            for n in (1, 3):
                mouse_up, frame = browser_latencies(url, n, args.calibration_strokes)
                simulated = load(url, process.pid, recording, n, 10.0, args.think)
                print(
                    f"  {n} session(s): Chromium from mouse-up {percentiles(mouse_up)}, "
                    f"Chromium from the stroke's frame {percentiles(frame)}, "
                    f"protocol client {simulated['p50']:.0f} / {simulated['p95']:.0f}",
                    flush=True,
                )
            print(
                "| sessions | stroke -> prediction p50 | p95 | strokes answered | "
                "errors | server CPU (cores) | server memory |"
            )
            print("| --- | --- | --- | --- | --- | --- | --- |")
            for n in args.sessions:
                row = load(url, process.pid, recording, n, args.seconds, args.think)
                print(
                    f"| {n} | {row['p50']:.0f} ms | {row['p95']:.0f} ms | "
                    f"{row['answered']:.0f} | {row['errors']:.0f} | {row['cpu']:.2f} | "
                    f"{row['rss_mb']:.0f} MB |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
