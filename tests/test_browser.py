"""The page of digit-classifier serve in a real browser: draw, upload, read.

Drives Debian's Chromium (``apt-get install chromium``) headless with
Playwright; skipped, with the reason, where no Chromium is installed. Set
DIGIT_CLASSIFIER_SCREENSHOT to a PNG path to keep a screenshot of the page
(the README's picture is made so).
"""

import json
import os
import shutil

import pytest

from digit_classifier.datasets import make_photo_digits

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium installed (apt-get install chromium); .ci/run installs it",
    ),
]
# Headless, and no calls home: this machine's network is closed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Strokes on the 280x280 canvas, as (x, y) points: a 1 and a 7.
ONE = [(150, 40), (140, 240)]
SEVEN = [(60, 50), (220, 50), (120, 250)]
# The number mode's canvas is this wide (and 280 high).
NUMBER_WIDTH = 720


@pytest.fixture(scope="module")
def page(live_server):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 820, "height": 620})
        page.goto(live_server)
        page.wait_for_function(
            "document.getElementById('model').textContent.includes('network')"
        )
        yield page
        browser.close()


def draw(page, points, canvas_width=280):
    """Drag the mouse along the points on the canvas, as a hand would."""
    box = page.locator("#pad").bounding_box()
    scale = box["width"] / canvas_width
    x, y = points[0]
    page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x * scale, box["y"] + y * scale, steps=15)
    page.mouse.up()


def shown_label(page):
    page.wait_for_function(
        "document.getElementById('label').textContent !== '–'", timeout=10_000
    )
    return page.locator("#label").text_content()


def seen_ink(page):
    """How much of the 28x28 preview is lit: what the model saw."""
    return page.evaluate(
        """() => {
            const data = document.getElementById('seen').getContext('2d')
                .getImageData(0, 0, 28, 28).data;
            let lit = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i] > 64) lit++;
            return lit;
        }"""
    )


def test_the_page_describes_the_model(page):
    text = page.locator("#model").text_content()
    assert "network 784 → 256 → 128 → 10" in text
    assert "classes 0, 1, 2" in text
    assert "test accuracy 9" in text  # over 90%, from the model file's facts


@pytest.mark.parametrize(("strokes", "digit"), [(ONE, "1"), (SEVEN, "7")])
def test_a_digit_drawn_with_the_mouse_is_read(page, strokes, digit):
    page.click("#clear")
    draw(page, strokes)
    assert shown_label(page) == digit
    assert seen_ink(page) > 20
    assert page.locator("#top li").count() == 3
    screenshot = os.environ.get("DIGIT_CLASSIFIER_SCREENSHOT")
    if screenshot and digit == "7":
        page.screenshot(path=screenshot, full_page=True)


def test_a_correction_saves_the_drawing_as_a_sample(page, live_server):
    page.click("#clear")
    draw(page, ONE)
    shown_label(page)
    page.locator("#correct-labels button", has_text="7").click()
    page.wait_for_function(
        "document.getElementById('message').textContent.startsWith('Saved as a 7')"
    )
    assert "7: 1" in page.locator("#sample-counts").text_content()
    assert (
        page.locator("#adapt-command")
        .text_content()
        .startswith("digit-classifier adapt ")
    )
    assert page.locator("#correct").is_hidden()  # one correction per answer
    [saved] = (live_server.samples / "7").iterdir()
    assert saved.read_bytes().startswith(b"\x89PNG")  # the canvas, as sent


def test_an_uploaded_photo_is_read(page, mnist, tmp_path):
    _, (X_test, y_test) = mnist
    [photo] = make_photo_digits(X_test[:1], tmp_path, random_state=0)
    page.click("#clear")  # the page shows nothing read
    assert page.locator("#label").text_content() == "–"
    page.set_input_files("#file", str(photo))
    assert shown_label(page) == str(y_test[0])
    assert page.locator("#upload-preview").is_visible()
    assert seen_ink(page) > 20


def test_a_file_that_is_not_an_image_gets_a_message(page, tmp_path):
    notes = tmp_path / "notes.png"
    notes.write_text("not an image")
    page.click("#clear")
    page.set_input_files("#file", str(notes))
    page.wait_for_function(
        "document.getElementById('message').classList.contains('error')"
    )
    assert "not an image file" in page.locator("#message").text_content()
    assert page.locator("#label").text_content() == "–"
    assert seen_ink(page) == 0  # the preview is cleared


def test_several_digits_drawn_are_declined_with_the_guesses(page):
    page.click("#clear")
    draw(page, [(60, 40), (55, 240)])
    draw(page, [(220, 40), (215, 240)])
    page.wait_for_function(
        "document.getElementById('message').textContent.includes('Several digits')"
    )
    assert page.locator("#label").text_content() == "?"
    assert "digit-classifier read" in page.locator("#message").text_content()
    assert page.locator("#top li").count() == 3  # the guesses, still
    assert seen_ink(page) > 20


def test_an_answer_of_not_a_digit_says_so(page):
    """The page's words for the API's "not a digit" (the test server's model
    has no threshold, so the answer is the API's, as documented, by hand)."""
    answer = {
        "label": None,
        "probability": None,
        "reason": "not a digit",
        "top_k": [{"label": 4, "probability": 0.41}, {"label": 9, "probability": 0.2}],
        "image_28x28": [[255 if 10 < c < 18 else 0 for c in range(28)]] * 28,
    }
    page.route(
        "**/predict",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(answer)
        ),
    )
    try:
        page.click("#clear")
        draw(page, SEVEN)
        page.wait_for_function(
            "document.getElementById('message').textContent.includes('does not')"
        )
        assert page.locator("#message").text_content() == (
            "That does not look like a digit"
        )
        assert page.locator("#label").text_content() == "?"
        assert page.locator("#top li").count() == 2
        assert seen_ink(page) > 20
    finally:
        page.unroute("**/predict")


def test_a_number_drawn_in_number_mode_is_read_digit_by_digit(page):
    page.check("input[name=mode][value=number]")
    try:
        assert page.locator("#pad").evaluate("pad => pad.width") == NUMBER_WIDTH
        draw(page, [(x + 60, y) for x, y in ONE], NUMBER_WIDTH)
        draw(page, [(x + 300, y) for x, y in SEVEN], NUMBER_WIDTH)
        page.wait_for_function(
            "document.getElementById('number').textContent.length === 2",
            timeout=10_000,
        )
        assert page.locator("#number").text_content() == "17"
        assert page.locator("#digits li").count() == 2
        assert not page.locator("#digit-result").is_visible()
        # Each digit's box is drawn on the image, in the page's blue.
        boxed = page.evaluate(
            """() => {
                const canvas = document.getElementById('reading');
                const data = canvas.getContext('2d')
                    .getImageData(0, 0, canvas.width, canvas.height).data;
                let blue = 0;
                for (let i = 0; i < data.length; i += 4) {
                    if (data[i] < 90 && data[i + 2] > 180 && data[i + 1] < 150) blue++;
                }
                return blue;
            }"""
        )
        assert boxed > 200
    finally:
        page.check("input[name=mode][value=digit]")
    assert page.locator("#pad").evaluate("pad => pad.width") == 280
    assert page.locator("#digit-result").is_visible()
