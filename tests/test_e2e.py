"""End to end: the real app (``streamlit run app.py``) in headless Chromium, drawn on with
the mouse. Screenshots go to ``artifacts/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from digits_knn.features.ink import to_grey
from digits_knn.search.persistence import load_model
from tests.browser import (
    DIGIT_STROKES,
    ROOT,
    add_drawing_as,
    canvas,
    clear_canvas,
    draw,
    launch_browser,
    metric_value,
    page_accuracy,
    prediction,
    streamlit_server,
    wait_for_app,
    wait_for_prediction,
    wait_until_idle,
)
from tests.conftest import STROKE_DIGITS, create_database, draw_strokes, drop_database

pytestmark = pytest.mark.e2e
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1400, "height": 2400}
#: How long an ``expect`` waits unless told (Playwright's default: 5 s). CI runs these
#: tests beside the other half of the suite on two cores: a view can take longer than
#: 5 s to show there without anything being wrong. A passing check does not wait.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("e2e-db") / "drawings.sqlite3"
    with streamlit_server(env={"DIGITS_KNN_DB": str(db)}) as (url, _, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        yield browser
        browser.close()


def requests_elsewhere(context: BrowserContext, app_url: str) -> list[str]:
    """The URLs the context's pages will ask for anywhere but the app's server.

    The page must work offline, as in a classroom without internet (a Material icon
    as the tab's icon was once fetched from fonts.gstatic.com): the fixtures below
    check at the end of every test that this list stayed empty.
    """
    elsewhere: list[str] = []
    local = (app_url, "data:", "blob:", "about:")
    context.on(
        "request",
        lambda r: None if r.url.startswith(local) else elsewhere.append(r.url),
    )
    return elsewhere


@pytest.fixture
def new_page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A new browser session that has not opened the app yet (for a test that opens
    it at a view's own address: a page load takes seconds)."""
    context = browser.new_context(viewport=VIEWPORT)
    elsewhere = requests_elsewhere(context, app_url)
    yield context.new_page()
    context.close()
    assert elsewhere == [], "the page asked for something outside the app's server"


@pytest.fixture
def page(new_page: Page, app_url: str) -> Page:
    """A new session on the app's front page."""
    new_page.goto(app_url)
    wait_for_app(new_page)
    return new_page


@pytest.fixture(scope="module")
def shared_page(browser: Browser, app_url: str) -> Iterator[Page]:
    """One session for the tests that only draw, clear, undo or download with the
    page's defaults: a new session's page takes seconds to load and render."""
    context = browser.new_context(viewport=VIEWPORT)
    elsewhere = requests_elsewhere(context, app_url)
    page = context.new_page()
    page.goto(app_url)
    wait_for_app(page)
    yield page
    context.close()
    assert elsewhere == [], "the page asked for something outside the app's server"


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.wait_for_timeout(300)  # let images finish painting
    page.screenshot(path=path)
    return path


def accuracy(**params: float | int | str) -> str:
    return page_accuracy(**params)


def set_k(page: Page, k: int) -> None:
    """Move the k slider with the keyboard, as a user would with arrow keys."""
    thumb = page.get_by_role("slider", name=re.compile("^k"))
    current = int(thumb.input_value())
    thumb.focus()
    key = "ArrowLeft" if k < current else "ArrowRight"
    for _ in range(abs(k - current)):
        page.keyboard.press(key)
    expect(thumb).to_have_value(str(k))


NEIGHBOUR_PICTURE_WIDTHS = """() => [...document.querySelectorAll("figure")]
  .filter((f) => f.innerText.includes(" · d=") && f.checkVisibility())
  .map((f) => f.querySelector("img").naturalWidth)"""


class TestDrawingWithTheDefaults:
    """Tests that only draw, clear, undo or download with the page's defaults share
    one session: a new session's page takes seconds to load and render."""

    @pytest.fixture
    def page(self, shared_page: Page) -> Page:
        """The shared session, its canvas empty."""
        if prediction(shared_page) != "–":
            clear_canvas(shared_page)
        return shared_page

    def test_draw_digits_and_clear(self, page: Page) -> None:
        """A learner draws four digits in turn, clearing the canvas in between."""
        assert prediction(page) == "–"
        for digit in ("0", "1", "4", "7"):
            draw(page, DIGIT_STROKES[digit])
            # The server's first stroke also loads the 91,413 digits and scores the Model
            # view's test sets (about 10 s here, more on a busy machine).
            assert wait_for_prediction(page, digit, timeout=90) == digit
            expect(page.get_by_text("The 7 nearest training digits")).to_be_visible()
            # The neighbours' 32x32 pictures (2 px a pixel), decoded and on screen.
            widths = page.evaluate(NEIGHBOUR_PICTURE_WIDTHS)
            assert widths == [64] * 7
            screenshot(page, f"drawn-{digit}")
            clear_canvas(page)
        screenshot(page, "cleared")

    def test_why_a_neighbour_is_near(self, page: Page) -> None:
        """Below the neighbours: each block's share of the distance to the nearest
        and to the nearest digit of another class, a sentence from those numbers, and
        another neighbour to compare with on request."""
        draw(page, DIGIT_STROKES["7"])
        wait_for_prediction(page, "7", timeout=90)
        expect(page.get_by_text("Why they are near")).to_be_visible()
        sentence = page.get_by_text(
            re.compile(r"^Your 7 is [0-9.]+ from the nearest 7")
        )
        expect(sentence).to_be_visible()
        text = sentence.inner_text()
        assert re.search(r"the nearest [0-689] is [0-9.]+ away", text), text
        expect(page.get_by_text("% of d^p per block").first).to_be_visible()
        label = page.get_by_text(re.compile("^Compare your drawing with"))
        expect(label).to_have_count(1)  # a rerun's stale copy gone
        label.scroll_into_view_if_needed()
        page.locator('[data-testid="stSelectbox"]').filter(
            has_text="Compare your drawing with"
        ).click()
        page.get_by_role("option", name=re.compile("^neighbour #3")).click()
        expect(
            page.get_by_text(re.compile(r"^Your 7 is [0-9.]+ from neighbour #3"))
        ).to_be_visible()
        screenshot(page, "why-near")

    def test_a_star_is_not_a_digit(self, page: Page) -> None:
        """An asterisk drawn with the mouse: a warning, and the neighbours still shown."""
        star = [
            [(0.5, 0.15), (0.5, 0.85)],
            [(0.2, 0.3), (0.8, 0.7)],
            [(0.8, 0.3), (0.2, 0.7)],
            [(0.15, 0.5), (0.85, 0.5)],
        ]
        draw(page, star)
        wait_for_prediction(page)
        expect(page.get_by_text("That doesn't look like a digit.")).to_be_visible()
        expect(page.get_by_text("The 7 nearest training digits")).to_be_visible()
        screenshot(page, "not-a-digit")
        clear_canvas(page)
        draw(page, DIGIT_STROKES["7"])
        wait_for_prediction(page, "7")
        expect(page.get_by_text("That doesn't look like a digit.")).to_have_count(0)

    def test_download_the_model_and_load_it(self, page: Page, tmp_path: Path) -> None:
        """The Model view's download is a skops file the CLI's loader accepts."""
        page.get_by_role("radio", name="Save or load the model", exact=True).click()
        with page.expect_download() as download:
            page.get_by_role("button", name="Download this model (.skops)").click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        model = load_model(target)
        assert model.n_neighbors == 7
        assert model.weights == "distance"
        assert model.n_samples_fit_ > 90_000  # UCI + drawn + MNIST digits

    def test_strokes_from_every_corner_reach_the_model(self, page: Page) -> None:
        """Strokes starting in each corner, the toolbar's top-right one included."""
        corners = {
            "top-left": [(0.01, 0.01), (0.3, 0.4), (0.5, 0.95)],
            "top-right": [(0.99, 0.01), (0.7, 0.4), (0.5, 0.95)],
            "bottom-left": [(0.01, 0.99), (0.3, 0.6), (0.5, 0.05)],
            "bottom-right": [(0.99, 0.99), (0.7, 0.6), (0.5, 0.05)],
        }
        for name, stroke in corners.items():
            draw(page, [stroke])
            assert wait_for_prediction(page).isdigit(), (
                f"stroke from the {name} corner lost"
            )
            screenshot(page, f"corner-{name}")
            clear_canvas(page)

    def test_multi_stroke_digit_uses_every_stroke(self, page: Page) -> None:
        """A 4 in two strokes: the first stroke alone is not a 4, both together are."""
        first, second = DIGIT_STROKES["4"]
        draw(page, [first])
        alone = wait_for_prediction(page)
        draw(page, [second])
        assert wait_for_prediction(page, "4") == "4"
        assert alone != "4"

    def test_undo_removes_the_last_stroke(self, page: Page) -> None:
        draw(page, DIGIT_STROKES["1"])
        wait_for_prediction(page, "1")
        page.get_by_role("button", name="Undo").click()
        expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("–")


def test_the_canvas_code_is_fetched_once_by_its_preload(
    new_page: Page, app_url: str
) -> None:
    """The page starts fetching the canvas's code and style before Streamlit's
    component asks for them (page.workarounds.component_code_preload), by the very
    URLs it asks for: each file is fetched once, and a preload link names it."""
    fetched: list[str] = []
    new_page.on(
        "request",
        lambda r: (
            fetched.append(r.url) if "/_stcore/bidi-components/" in r.url else None
        ),
    )
    new_page.goto(app_url)
    wait_for_app(new_page)
    preloaded = new_page.evaluate(
        """() => [...document.head.querySelectorAll(
                    'link[rel="modulepreload"], link[rel="preload"][as="style"]')]
                 .map((link) => link.href)
                 .filter((href) => href.includes("/_stcore/bidi-components/"))"""
    )
    assert sorted(fetched) == sorted(preloaded)
    assert [Path(url).suffix for url in sorted(fetched)] == [".css", ".js"]


def test_correct_a_label_and_the_next_prediction_changes(page: Page) -> None:
    """Draw a 7, teach the model it is a 1 (k=1 so one example decides), see the
    prediction change at once, then find the drawing under My drawings."""
    set_k(page, 1)
    draw(page, DIGIT_STROKES["7"])
    assert wait_for_prediction(page, "7") == "7"
    add_drawing_as(page, 1)
    assert wait_for_prediction(page, "1") == "1"
    expect(page.get_by_text("Added as 1")).to_be_visible()
    screenshot(page, "added-as-1")
    page.get_by_role("link", name="My drawings").click()
    expect(page.get_by_text("#1: 1 · yours")).to_be_visible()
    expect(page.get_by_text("1 drawing on this server")).to_be_visible()
    screenshot(page, "my-drawings")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Export as CSV")).click()
    rows = Path(download.value.path()).read_text().splitlines()
    assert [row.split(",")[-1] for row in rows] == ["1"]
    assert len(rows[0].split(",")) == 65
    # Every canvas as a ZIP is a signed-in admin's export only.
    expect(page.get_by_role("button", name=re.compile("ZIP of PNGs"))).to_have_count(0)
    # Delete it again: the server is shared by this module's tests, and with distance
    # votes an identical drawing labelled 1 would decide every later 7.
    page.locator('[data-testid="stMultiSelect"]').filter(
        has_text="Delete drawings"
    ).locator("input").click()
    page.get_by_role("option", name="#1: 1").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Delete 1 drawing").click()
    expect(page.get_by_text("Deleted 1 drawing(s).")).to_be_visible()
    expect(page.get_by_text(re.compile("^No drawings yet"))).to_be_visible()


def test_changing_k_updates_the_page(page: Page) -> None:
    """k from 20 to 3: the neighbours shown and the test accuracy follow."""
    draw(page, DIGIT_STROKES["7"])
    wait_for_prediction(page, "7")
    expect(page.get_by_text(accuracy(), exact=True)).to_be_visible()
    set_k(page, 3)
    expect(page.get_by_text("The 3 nearest training digits")).to_be_visible()
    expect(page.get_by_text(accuracy(n_neighbors=3), exact=True)).to_be_visible()
    assert metric_value(page, "Test accuracy") == accuracy(n_neighbors=3)
    assert prediction(page) == "7"
    screenshot(page, "k-3")


def choose_input(page: Page, name: str) -> None:
    group = page.locator('[data-testid="stButtonGroup"]').first
    group.get_by_text(name, exact=True).click()
    if name == "Draw":
        # A person draws once the canvas is back; strokes drawn while the click's
        # run was still going were lost once in CI (the Prediction stayed "-").
        wait_until_idle(page)


def _png(drawing: Image.Image) -> bytes:
    buffer = io.BytesIO()
    drawing.save(buffer, format="PNG")
    return buffer.getvalue()


def test_upload_good_and_bad_files(page: Page, tmp_path: Path) -> None:
    choose_input(page, "Upload")
    uploader = (
        page.locator('[data-testid="stFileUploader"]')
        .filter(has_text="A picture of one handwritten digit")
        .locator('[data-testid="stFileUploaderDropzoneInput"]')
    )  # not the Model tab's model uploader, which is on the page too
    seven = Image.fromarray(draw_strokes(STROKE_DIGITS[7])).convert("RGB")
    uploader.set_input_files(
        files=[{"name": "seven.png", "mimeType": "image/png", "buffer": _png(seven)}]
    )
    assert wait_for_prediction(page, "7") == "7"
    screenshot(page, "upload-seven")

    # chalk on a board: light ink on dark, inverted with a notice, then read
    chalk = Image.fromarray(
        (255 - to_grey(draw_strokes(STROKE_DIGITS[4]))).astype(np.uint8)
    )
    uploader.set_input_files(
        files=[{"name": "board.png", "mimeType": "image/png", "buffer": _png(chalk)}]
    )
    expect(page.get_by_text("read with its colours inverted")).to_be_visible()
    assert wait_for_prediction(page, "4") == "4"
    screenshot(page, "upload-chalk")

    corrupt = _png(seven)[:200]
    uploader.set_input_files(
        files=[{"name": "corrupt.png", "mimeType": "image/png", "buffer": corrupt}]
    )
    expect(page.get_by_text("truncated or corrupt")).to_be_visible()
    assert prediction(page) == "–"

    huge = tmp_path / "huge.png"  # a path: the browser reads it, nothing is piped over
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (30 * 1024 * 1024))
    uploader.set_input_files(files=[huge])
    expect(
        page.get_by_text(re.compile("File must be 25.*MB or smaller"))
    ).to_be_visible()
    screenshot(page, "upload-too-large")
    choose_input(page, "Draw")
    draw(page, DIGIT_STROKES["0"])
    assert wait_for_prediction(page, "0") == "0"  # the page keeps working


def test_tune_a_small_grid_and_apply_it(page: Page) -> None:
    """A learner runs a small grid search in the Tune tab and applies its best k and p."""
    page.get_by_role("link", name="Tune").click()
    fields = {"k from": "1", "k up to (excluded)": "7", "k step": "1", "folds": "3"}
    for label, value in fields.items():
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.press("Tab")
    page.get_by_role("button", name="Run the grid search").click()
    best = page.locator('[data-testid="stMetric"]').filter(has_text="Best parameters")
    expect(best).to_be_visible(timeout=60_000)
    k, p = re.findall(r"k=(\d+), p=([\d.]+)", best.inner_text())[0]
    # The heatmap and the validation curve drawn by the browser (a spec Vega-Lite
    # rejects draws nothing), and the table of every combination.
    charts = page.locator('[data-testid="stVegaLiteChart"] svg.marks')
    expect(charts).to_have_count(2, timeout=30_000)
    for chart in charts.all():
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 200
        assert box["height"] > 100
    # 3 p x 6 k: a cell each in the heatmap, a point each per curve (train, validation)
    expect(charts.nth(0).locator("g.mark-rect.role-mark > path")).to_have_count(18)
    expect(charts.nth(1).locator("g.mark-symbol.role-mark > path")).to_have_count(36)
    table = page.get_by_test_id("stDataFrame")
    expect(table.locator("canvas").first).to_be_visible()
    screenshot(page, "tune")
    page.get_by_role("button", name="Apply the best parameters to the sidebar").click()
    thumb = page.get_by_role("slider", name=re.compile("^k"))
    expect(thumb).to_have_value(k)
    expect(page.get_by_role("slider", name=re.compile("^p"))).to_have_value(
        f"{float(p):g}"
    )
    sidebar_model = page.locator('[data-testid="stMetric"]').filter(
        has_text="Sidebar model, test accuracy"
    )
    expect(sidebar_model.locator('[data-testid="stMetricValue"]')).to_have_text(
        accuracy(n_neighbors=int(k), p=float(p))
    )


def ink_on_canvas(page: Page) -> int:
    """Dark pixels of the canvas as the browser shows it."""
    shot = Image.open(io.BytesIO(canvas(page).screenshot())).convert("L")
    return int((np.asarray(shot) < 128).sum())


def test_finish_a_whole_digit_then_half_of_one(new_page: Page, app_url: str) -> None:
    """On /finish the completion follows each stroke: a whole 7 is finished and
    compared with its truth; cleared, the view says so; half a 7 drawn on purpose
    is finished without a truth."""
    page = new_page  # opened at the view's own address below
    page.goto(f"{app_url}/finish")
    wait_for_app(page)
    expect(page.get_by_text("the page finishes it here")).to_be_visible(timeout=90_000)
    draw(page, DIGIT_STROKES["7"])
    wait_for_prediction(page, "7", timeout=90)
    truth = page.get_by_text("The truth: your drawing's own counts")
    expect(truth).to_be_visible(timeout=30_000)
    expect(page.get_by_text("would be off by")).to_be_visible()
    expect(page.get_by_text("Predicted, drawn").first).to_be_visible()
    screenshot(page, "finish-whole-7")
    clear_canvas(page)
    expect(page.get_by_text("the page finishes it here")).to_be_visible()
    expect(truth).to_have_count(0)
    page.get_by_text("only the upper half of a digit, drawn on purpose").click()
    expect(page.get_by_text("the page finishes it here")).to_be_visible()
    top_of_a_7 = [[(0.3, 0.15), (0.7, 0.15), (0.58, 0.5)]]
    draw(page, top_of_a_7)
    expect(page.get_by_text("there is no truth to compare")).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("Predicted, drawn").first).to_be_visible()
    expect(truth).to_have_count(0)
    screenshot(page, "finish-half-7")


def black_pixels(page: Page) -> int:
    """Pure black pixels of the map (the drawing's cross and its neighbours' rings)."""
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    shot = np.asarray(Image.open(io.BytesIO(chart.screenshot())).convert("RGB"))
    return int((shot.max(axis=2) < 20).sum())


def hover_shows_a_picture(page: Page) -> bool:
    """Hover the map's middle until a tooltip shows a training digit's picture."""
    box = page.locator('[data-testid="stVegaLiteChart"]').first.bounding_box()
    assert box is not None
    for fx in (0.3, 0.4, 0.5, 0.6):
        for fy in (0.3, 0.4, 0.5, 0.6):
            page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
            page.wait_for_timeout(150)
            picture = page.locator("#vg-tooltip-element img")
            if picture.count() and picture.first.is_visible():
                return True
    return False


def test_the_map_highlights_the_drawing_and_its_neighbours(
    new_page: Page, app_url: str
) -> None:
    page = new_page  # opened at the view's own address below
    page.goto(f"{app_url}/map")
    wait_for_app(page)
    expect(page.get_by_text("Draw a digit above")).to_be_visible(timeout=90_000)
    page.wait_for_timeout(500)
    before = black_pixels(page)
    assert hover_shows_a_picture(page)
    draw(page, DIGIT_STROKES["0"])
    wait_for_prediction(page, "0", timeout=90)
    ringed = page.get_by_text("7 nearest training digits", exact=True)  # the map's
    expect(ringed).to_be_visible(timeout=30_000)
    expect(page.get_by_text("The metric matters")).to_be_visible(timeout=90_000)
    page.wait_for_timeout(500)
    assert black_pixels(page) > before + 200  # the cross and seven black rings
    screenshot(page, "map-0")


def test_beyond_knn_shows_five_answers_for_a_drawn_digit(
    new_page: Page, app_url: str
) -> None:
    """The first open fits five more models (with a progress bar, half a minute); a
    digit drawn meanwhile is answered at once, the fit going on below it (the drawing
    never waits for a view); then the drawn 0 gets an answer from the sidebar's KNN
    and each of the four fitted models, and the table has a line for all six."""
    page = new_page  # opened at the view's own address below
    page.goto(f"{app_url}/beyond")
    wait_for_app(page)
    fitting = page.locator('[data-testid="stProgress"]')
    expect(fitting).to_be_visible()
    draw(page, DIGIT_STROKES["7"])
    wait_for_prediction(page, "7", timeout=10)
    findings = page.get_by_text("What the KNN does not do")
    assert not findings.is_visible(), "the fit was done before the drawing was answered"
    expect(fitting).to_be_visible()  # (a rerun may redraw the bar: wait for it)
    screenshot(page, "beyond-fitting")
    expect(findings).to_be_visible(timeout=180_000)
    clear_canvas(page)
    draw(page, DIGIT_STROKES["0"])
    wait_for_prediction(page, "0", timeout=90)
    models = ["KNN (the sidebar's)", "KNN on HOG", "SVM (RBF)", "random forest"]
    for model in [*models, "logistic regression"]:
        expect(page.get_by_text(model, exact=True).first).to_be_visible(timeout=30_000)
    answers = [
        metric_value(page, re.escape(model))
        for model in [*models, "logistic regression"]
    ]
    assert answers.count("0") >= 4, answers
    table = page.locator('[data-testid="stTable"]')
    expect(table.get_by_text("the tutorial's KNN", exact=True)).to_be_visible()
    expect(table.get_by_text("by 3-fold CV by writer").first).to_be_visible()
    # the last column on screen, not behind a horizontal scroll (a grid cut it off)
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    screenshot(page, "beyond-0")


def test_views_have_addresses_and_the_drawing_survives_them(
    page: Page, app_url: str
) -> None:
    """Draw a 7, visit every view by its link: the drawing and its prediction stay;
    the browser's back button returns to the previous view; a view's URL opens it.
    (After the tests of Finish, Map and Beyond KNN: their models are fitted by then,
    so each visit is a warm open.)"""
    draw(page, DIGIT_STROKES["7"])
    wait_for_prediction(page, "7")
    ink = ink_on_canvas(page)
    assert ink > 1000
    for name, path, marker in VIEW_PAGES:
        page.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_text(marker).first).to_be_visible()
        assert page.url.rstrip("/") == f"{app_url}{path}".rstrip("/")
        assert prediction(page) == "7"
        assert ink_on_canvas(page) == ink
    screenshot(page, "view-model")
    page.go_back()  # from Model back to How KNN works
    _, path, marker = VIEW_PAGES[-2]
    expect(page.get_by_text(marker).first).to_be_visible()
    assert page.url == f"{app_url}{path}"
    assert prediction(page) == "7"
    assert ink_on_canvas(page) == ink
    page.goto(f"{app_url}/tune")
    wait_for_app(page)
    expect(page.get_by_role("button", name="Run the grid search")).to_be_visible()
    assert prediction(page) == "–"  # a new visit: a new, empty canvas


#: Each view: its link, its address and something only it shows.
VIEW_PAGES = [
    ("Tune", "/tune", "Run the grid search"),
    ("Dataset", "/dataset", "Show training digits"),
    ("My drawings", "/my-drawings", "Import a CSV of digits"),
    ("Finish my digit", "/finish", "Hide the"),
    ("Map", "/map", "Where your drawing lands"),
    ("Beyond KNN", "/beyond", "The tutorial ends by pointing onward"),
    ("How KNN works", "/how-knn-works", "keeps every training digit"),
    ("Model", "", "Confusion matrix"),
]


def test_two_servers_share_one_postgresql(browser: Browser, postgres_url: str) -> None:
    """A class on two app servers: a drawing taught in a browser on server A decides
    the next prediction on server B (k=1), without restarting anything."""
    db = create_database(postgres_url)
    try:
        env = {"DIGITS_KNN_DB": db}
        with (
            streamlit_server(env=env) as (url_a, _, _),
            streamlit_server(env=env) as (url_b, _, _),
        ):
            pages = {}
            for name, url in (("a", url_a), ("b", url_b)):
                context = browser.new_context(viewport=VIEWPORT)
                pages[name] = context.new_page()
                pages[name].goto(f"{url}/how-knn-works")  # a light view below
                wait_for_app(pages[name])
                set_k(pages[name], 1)
                draw(pages[name], DIGIT_STROKES["7"])
                assert wait_for_prediction(pages[name], "7", timeout=120) == "7"
            teacher, student = pages["a"], pages["b"]
            add_drawing_as(teacher, 1)
            expect(teacher.get_by_text("Added as 1")).to_be_visible()
            clear_canvas(student)
            draw(student, DIGIT_STROKES["7"])  # one stroke later, server B knows
            assert wait_for_prediction(student, "1") == "1"
            screenshot(student, "two-servers-b")
            for page in pages.values():
                page.context.close()
    finally:
        drop_database(postgres_url, db)
