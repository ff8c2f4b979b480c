"""How many people can one app server hold? Many sessions drawing at once (a script).

    .venv/bin/python benchmarks/capacity.py [--sessions 10 20 30 40] [--seconds 30]
                                            [--cores 2] [--look 2.0]

Browsers would measure themselves on 2 cores, so the load comes from a protocol-level
client: each session speaks Streamlit's WebSocket protocol with Streamlit's own protobuf
classes (``BackMsg`` out, ``ForwardMsg`` in), as a browser tab does, on the app's
default view. What it sends is what a real Chromium tab sends: one stroke's frame is
recorded from the real page, and every drawing after it is that frame with the canvas's
state replaced by a different real digit of an unseen writer (``real_digits.py``: UJI
and DigiLeTs, rendered with the app's pen; no image twice in a run). Each simulated
person draws a digit of 1-3 strokes (a frame per stroke, each stroke waiting for its
answer), looks at the answer for ``--look`` seconds, clears and draws the next digit.

Calibration, in the same run: a real Chromium tab drawing new real digits, mouse-up to
the metric on screen, against the protocol client's frame sent to the metric received
(one session each): their difference is the browser's part (the canvas sending, the
page drawing the answer), added to the protocol client's figures to give what a person
sees.

Per number of sessions it prints stroke -> prediction p50 and p95 at the server and as
seen in the browser, strokes answered, errors (no answer within 15 s, a closed
connection, a page that did not open in time), and the server's CPU and memory.
``--cores 1`` pins the server to one core with ``taskset``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from docblocks import write_block
from protocol import (
    Recording,
    connect,
    drain_until_finished,
    read_until_prediction,
    record,
)
from real_digits import RealDigit, real_digits, stroke_frame

from tests.browser import launch_browser, streamlit_server

ANSWER_TIMEOUT = 15.0
#: A person's pause between two strokes of one digit (seconds).
BETWEEN_STROKES = 0.3


def browser_part(url: str, digits: list[RealDigit]) -> float:
    """Median milliseconds a real Chromium tab adds to the protocol client's figure:
    mouse-up -> Prediction on screen minus frame sent -> Prediction received, from
    new real digits drawn on the default view (their first strokes)."""
    from latency import one_stroke
    from playwright.sync_api import sync_playwright

    from tests.browser import wait_for_app

    recording = record(url)
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(url)
        wait_for_app(page)
        seen = [one_stroke(page, d) for d in digits]
        browser.close()

    async def protocol() -> list[float]:
        from protocol import stroke_time

        conn = await connect(url, recording)
        sent = [
            await stroke_time(
                conn,
                stroke_frame(
                    recording.stroke, RealDigit(d.label, d.writer, [d.longest_stroke()])
                ),
            )
            for d in digits
        ]
        conn.close()
        return sent

    client = asyncio.run(protocol())
    return statistics.median(seen) - statistics.median(client)


@dataclass
class SessionResult:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0


async def simulated_session(
    url: str,
    recording: Recording,
    digits: list[RealDigit],
    until: float,
    look: float,
    offset: int,
) -> SessionResult:
    """One person: open the page, then draw a digit stroke by stroke (each stroke's
    answer awaited), look at the answer, and draw the next digit."""
    result = SessionResult()
    try:
        conn = await connect(url, recording)
    except (OSError, TimeoutError, ConnectionError):
        result.errors += 1
        return result
    await asyncio.sleep((offset % 10) * look / 10)  # people do not draw in lockstep
    if time.perf_counter() >= until:  # the page did not even open in time
        result.errors += 1
    for digit in digits:
        if time.perf_counter() >= until:
            break
        for n in range(1, len(digit.strokes) + 1):
            partial = RealDigit(digit.label, digit.writer, digit.strokes[:n])
            frame = stroke_frame(recording.stroke, partial)
            start = time.perf_counter()
            try:
                await conn.write_message(frame, binary=True)
                await read_until_prediction(conn, start + ANSWER_TIMEOUT)
                took = (time.perf_counter() - start) * 1000
                await drain_until_finished(conn, start + ANSWER_TIMEOUT + 5)
            except (OSError, TimeoutError, ConnectionError):
                result.errors += 1
                break
            result.latencies.append(took)
            await asyncio.sleep(BETWEEN_STROKES)
        await asyncio.sleep(look)
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
    digits: list[RealDigit],
    sessions: int,
    seconds: float,
    look: float,
) -> dict[str, float]:
    """``sessions`` simulated people for ``seconds``, each drawing its own digits."""
    cpu_before = process_times(pid)[0] if pid else float("nan")
    wall = time.perf_counter()
    per = len(digits) // sessions

    async def run_all() -> list[SessionResult]:
        until = time.perf_counter() + seconds
        return list(
            await asyncio.gather(
                *(
                    simulated_session(
                        url, recording, digits[i * per : (i + 1) * per], until, look, i
                    )
                    for i in range(sessions)
                )
            )
        )

    results = asyncio.run(run_all())
    cpu_after, rss = process_times(pid) if pid else (float("nan"), 0)
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
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 20, 30, 40])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--look", type=float, default=2.0)
    parser.add_argument("--cores", type=int, nargs="+", default=[2])
    parser.add_argument("--calibration-strokes", type=int, default=10)
    parser.add_argument("--url", help="measure a server already running there")
    parser.add_argument(
        "--write-docs", action="store_true", help="write the table into docs/speed.md"
    )
    args = parser.parse_args()
    rows: list[str] = []
    n_cpus = os.cpu_count() or 1
    pool = iter(real_digits(3800, seed=7))
    for cores in args.cores:
        prefix = (
            ["taskset", "-c", ",".join(str(c) for c in range(cores))]
            if cores < n_cpus
            else []
        )
        db = Path(tempfile.mkdtemp()) / "drawings.sqlite3"
        with contextlib.ExitStack() as stack:
            if args.url:
                url, pid = args.url.rstrip("/"), 0
                print(f"\n## the server at {url}")
            else:
                url, process, _ = stack.enter_context(
                    streamlit_server(
                        env={"DIGITS_KNN_DB": str(db)},
                        command_prefix=prefix,
                        timeout=120,
                    )
                )
                pid = process.pid
                print(f"\n## one server process on {cores} core(s) ({n_cpus} here)")
            calibration = [next(pool) for _ in range(args.calibration_strokes)]
            extra = browser_part(url, calibration)
            print(f"calibration: a browser adds {extra:.0f} ms to the protocol client")
            recording = record(url)
            setup = f"one server process, {cores} core(s)" if not args.url else url
            rows += [
                f"{setup}; a browser adds {extra:.0f} ms (calibrated in the run)",
                "",
                "| people | stroke -> prediction at the server p50 / p95 | in the "
                "browser p50 / p95 | strokes answered | errors | server CPU (cores) | "
                "server memory |",
                "| --- | --- | --- | --- | --- | --- | --- |",
            ]
            print("\n".join(rows[-2:]))
            for n in args.sessions:
                digits = [next(pool) for _ in range(n * int(args.seconds // 2 + 2))]
                row = load(url, pid, recording, digits, n, args.seconds, args.look)
                rows.append(
                    f"| {n} | {row['p50']:.0f} / {row['p95']:.0f} ms | "
                    f"{row['p50'] + extra:.0f} / {row['p95'] + extra:.0f} ms | "
                    f"{row['answered']:.0f} | {row['errors']:.0f} | "
                    f"{row['cpu']:.2f} | {row['rss_mb']:.0f} MB |"
                )
                print(rows[-1], flush=True)
            rows.append("")
    if args.write_docs:
        command = (
            f"`benchmarks/capacity.py --sessions {' '.join(map(str, args.sessions))} "
            f"--seconds {args.seconds:g} --look {args.look:g}`"
        )
        write_block(
            ROOT / "docs" / "speed.md", "capacity", command + "\n\n" + "\n".join(rows)
        )


if __name__ == "__main__":
    main()
