"""How much of the page Streamlit's frontend redraws per stroke (a script, not a test).

    .venv/bin/python benchmarks/redraws.py [--strokes 5] [PATH ...]

For the bare canvas page and for the app (at ``/`` and at each PATH given, e.g.
``/how-knn-works``), draws strokes with the mouse in headless Chromium and counts,
from mouse-up until the ``Prediction`` metric shows the answer: the times React
committed an update to the page, and how many React components ran in those commits.
On the app it also times mouse-up -> the k=7 neighbours' pictures on screen (median;
a time, so noisy: compare runs of the same hour).
The counts come from a stand-in for React's developer-tools hook (the page's React
calls it on every commit; a component that ran has React's ``PerformedWork`` flag).

What it showed (docs/speed.md, "Strokes"): a stroke takes 5-6 commits before its prediction
shows on the app (4 on the bare page). When a run starts or ends, every element of the
page redraws (Streamlit's run state reaches every element), about 650 components with
the Model view below against the bare page's 80; the other commits redraw the page's
blocks (about 270) and what is new in the drawing view. Medians over the strokes; the
counts move by a few hundred between strokes as the messages batch differently.
(Before 2026-12-02 this script also counted components in subtrees React had skipped,
whose flags are left from an earlier render: 1,669 "per commit" was that mistake.)
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright

from benchmarks.latency import (
    ARM_STROKE_TIMER,
    BARE,
    STROKE,
    Setup,
    warm_page,
)
from tests.browser import (
    clear_canvas,
    draw,
)

#: Installed before the page's scripts: React finds it and reports every commit.
#: As React's developer tools do, it descends only into subtrees this commit rendered
#: (a child list that is not the previous one's): a skipped subtree keeps its fibers,
#: and with them the flags of whenever they last ran. Commits that ran no component
#: (React's effects-only passes) are not counted.
COMMIT_HOOK = """(() => {
  const component = (f) => [0, 1, 11, 14, 15].includes(f.tag);
  const ran = (f) => component(f) && (f.alternate === null || (f.flags & 1) === 1);
  const rendered = (f) => f.alternate === null || f.child !== f.alternate.child;
  const count = (fiber) => {
    let n = 0;
    for (let f = fiber; f; f = f.sibling) {
      n += ran(f) ? 1 : 0;
      if (f.child && rendered(f)) n += count(f.child);
    }
    return n;
  };
  window.__commits = { on: false, list: [] };
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true, isDisabled: false, renderers: new Map(),
    inject() { return 1; }, checkDCE() {}, onScheduleFiberRoot() {},
    onCommitFiberUnmount() {}, onPostCommitFiberRoot() {},
    onCommitFiberRoot(id, root) {
      const c = window.__commits;
      const n = c.on ? count(root.current.child) : 0;
      if (n > 0) c.list.push([window.__lat.shown === null, n]);
    },
  };
})()"""

START_COUNTING = """() => {
  window.__commits = { on: false, list: [] };
  addEventListener("pointerup", () => { window.__commits.on = true; },
                   { capture: true, once: true });
}"""

#: Also times mouse-up -> the 7 neighbours' pictures on screen, every picture decoded.
ARM_NEIGHBOURS_TIMER = """() => {
  const t = (window.__neighbours = { up: null, shown: null });
  addEventListener("pointerup", () => { t.up = performance.now(); },
                   { capture: true, once: true });
  const captions = 'figcaption, [data-testid="stImageCaption"]';
  const check = () => {
    if (t.up !== null) {
      const shown = [...document.querySelectorAll(captions)]
        .filter((c) => c.innerText.includes(" · d=")).length;
      const decoded = [...document.querySelectorAll("img")]
        .every((i) => i.complete && i.naturalWidth > 0);
      if (shown === 7 && decoded) { t.shown = performance.now(); return; }
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}"""


def stroke_commits(page: Page, neighbours: bool) -> tuple[int, int, float | None]:
    """Commits and components run from mouse-up until the prediction showed, and
    the milliseconds until the neighbours' pictures showed (if ``neighbours``)."""
    page.evaluate(ARM_STROKE_TIMER)
    page.evaluate(START_COUNTING)
    if neighbours:
        page.evaluate(ARM_NEIGHBOURS_TIMER)
    draw(page, [STROKE])
    page.wait_for_function("() => window.__lat.shown !== null", timeout=30_000)
    commits: list[list[int]] = page.evaluate("() => window.__commits.list")
    shown = None
    if neighbours:
        page.wait_for_function("() => window.__neighbours.shown !== null")
        shown = page.evaluate(
            "() => window.__neighbours.shown - window.__neighbours.up"
        )
    clear_canvas(page)
    page.wait_for_timeout(1000)  # the clearing's own commits are not counted
    before = [n for pending, n in commits if pending]
    return len(before), sum(before), shown


def measure(setup: Setup, strokes: int, *, neighbours: bool = True) -> str:
    with contextlib.ExitStack() as stack:
        page = warm_page(
            stack, stack.enter_context(sync_playwright()), setup, COMMIT_HOOK
        )
        page.wait_for_timeout(1000)  # the clearing's own commits are not counted
        counts = [stroke_commits(page, neighbours) for _ in range(strokes)]
    commits = statistics.median(c for c, _, _ in counts)
    components = statistics.median(n for _, n, _ in counts)
    report = (
        f"commits before the prediction showed {commits:g}, components run in them "
        f"{components:,.0f} ({components / max(commits, 1):,.0f} per commit)"
    )
    if neighbours:
        shown = statistics.median(t for _, _, t in counts if t is not None)
        report += f"; mouse-up -> the 7 neighbours' pictures on screen {shown:.0f} ms"
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=5)
    parser.add_argument("paths", nargs="*", default=[], help="views, e.g. /tune")
    args = parser.parse_args()
    bare = measure(BARE, args.strokes, neighbours=False)
    print(f"{BARE.name}: {bare}", flush=True)
    for path in ["/", *args.paths]:
        app = Setup(f"app {path}", path=path)
        print(f"{app.name}: {measure(app, args.strokes)}", flush=True)


if __name__ == "__main__":
    main()
