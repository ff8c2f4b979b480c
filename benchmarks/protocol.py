"""A browser tab as a protocol client: Streamlit's WebSocket messages, no browser.

What a tab sends is recorded once from real Chromium (:func:`record`: the page's first
run and one stroke's frame); every later drawing is that stroke frame with the canvas's
state replaced by a different real digit (:func:`real_digits.stroke_frame`). On
loopback, a frame sent -> the ``Prediction`` metric received is the server's own time
for the stroke (the network adds well under a millisecond).
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from real_digits import real_digits
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from tests.browser import (
    draw,
    launch_browser,
    wait_for_app,
    wait_for_prediction,
)

if TYPE_CHECKING:
    from playwright.sync_api import Playwright


@dataclass(frozen=True)
class Recording:
    """What a real tab sent on ``path``: its first run, and one stroke."""

    path: str
    first_run: bytes
    stroke: bytes


def record(url: str, path: str = "", playwright: Playwright | None = None) -> Recording:
    """Draw one real digit in a fresh headless Chromium tab and keep what it sent
    (``playwright``: the caller's, if it runs one already)."""
    if playwright is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as own:
            return record(url, path, own)
    (digit,) = real_digits(1, seed=12345)
    browser = launch_browser(playwright)
    sent: list[bytes] = []
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framesent", lambda p: sent.append(p) if isinstance(p, bytes) else None
        ),
    )
    page.goto(url + path)
    wait_for_app(page)
    before = len(sent)
    draw(page, [digit.longest_stroke()])
    wait_for_prediction(page, timeout=180)
    browser.close()
    # The stroke's frame is the first to carry a drawing; a job's progress bar sends
    # frames of its own (its fragment rerun on a timer), with the drawing too.
    stroke = next(frame for frame in sent[before:] if _has_drawing(frame))
    return Recording(path, sent[0], stroke)


def _has_drawing(frame: bytes) -> bool:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    message.ParseFromString(frame)
    return any(
        '"objects":[{' in widget.json_value.replace(" ", "")
        for widget in message.rerun_script.widget_states.widgets
        if widget.WhichOneof("value") == "json_value"
    )


async def connect(url: str, recording: Recording, timeout: float = 120) -> Any:
    """A session with its page opened (its first run done)."""
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    conn = await websocket_connect(
        HTTPRequest(ws_url, headers={"Origin": url}), subprotocols=["streamlit"]
    )
    # As a browser does: no Nagle delay on the frames it sends (with it, a frame
    # waited for the server's delayed ACK: a constant 40 ms on every stroke).
    conn.stream.set_nodelay(True)
    await conn.write_message(recording.first_run, binary=True)
    await drain_until_finished(conn, time.perf_counter() + timeout)
    return conn


def _quick_ack(conn: Any) -> None:
    """Acknowledge what arrives at once. Linux delays an ACK by up to 40 ms, and the
    server holds its next small message until the last is acknowledged (Nagle): a
    client that delays its ACKs measures the two timers, not the server. A browser
    does not show that delay; TCP_QUICKACK is cleared by the kernel, so it is set
    again before every read."""
    sock = conn.stream.socket
    if sock is not None and hasattr(socket, "TCP_QUICKACK"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


async def _message(conn: Any, deadline: float) -> ForwardMsg | None:
    left = deadline - time.perf_counter()
    if left <= 0:
        raise TimeoutError
    _quick_ack(conn)
    raw = await asyncio.wait_for(conn.read_message(), timeout=left)
    if raw is None:
        raise ConnectionError("the server closed the connection")
    if isinstance(raw, str):
        return None
    message = ForwardMsg()
    message.ParseFromString(raw)
    return message


async def read_until_prediction(conn: Any, deadline: float) -> str:
    """Read until the ``Prediction`` metric arrives; its value ("7", or "–")."""
    while True:
        message = await _message(conn, deadline)
        if message is None or message.WhichOneof("type") != "delta":
            continue
        element = message.delta.new_element
        if (
            element.WhichOneof("type") == "metric"
            and element.metric.label == "Prediction"
        ):
            return str(element.metric.body)


async def drain_until_finished(conn: Any, deadline: float) -> None:
    """Read until the run in progress has finished."""
    while True:
        message = await _message(conn, deadline)
        if message is not None and message.WhichOneof("type") == "script_finished":
            return


async def stroke_time(conn: Any, frame: bytes, timeout: float = 30) -> float:
    """Milliseconds from ``frame`` sent to the Prediction received; the run then
    drained, so that the next stroke starts on an idle session."""
    start = time.perf_counter()
    await conn.write_message(frame, binary=True)
    await read_until_prediction(conn, start + timeout)
    took = (time.perf_counter() - start) * 1000
    await drain_until_finished(conn, start + timeout + 30)
    return took
