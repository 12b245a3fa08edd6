"""Reading numbers: segmentation, read_number, `digit-classifier read`, POST /read."""

import io
import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digit_classifier import (
    DigitImageError,
    DigitPredictor,
    load_predictor,
    read_number,
)
from digit_classifier.apps import cli
from digit_classifier.datasets import load_real_digits, make_numbers
from digit_classifier.images import load_number_pieces
from digit_classifier.numbers import NO_DIGIT, NOT_A_DIGIT, TOO_SMALL


def paper(width, height):
    return Image.new("L", (width, height), 255)


def strokes_image(strokes, size=(320, 120), width=8):
    """Black strokes on white paper, as an array."""
    image = paper(*size)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line(stroke, fill=0, width=width)
    return np.asarray(image)


def png_bytes(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def predictor(calibrated_file):
    return load_predictor(calibrated_file[0])


@pytest.fixture(scope="module")
def optdigits(real_digits_dir):
    x, y = load_real_digits(real_digits_dir)["optdigits_8x8"]
    # As the scans of benchmarks/real_digits.py: enlarged 12 times.
    large = [Image.fromarray(i).resize((96, 96), Image.Resampling.BICUBIC) for i in x]
    return np.stack([np.asarray(i) for i in large]), y


# --- composed numbers -----------------------------------------------------------


def test_make_numbers_writes_the_digits_it_says(mnist):
    _, (X_test, y_test) = mnist
    numbers, texts = make_numbers(X_test[:200], y_test[:200], 30, random_state=0)
    again, same = make_numbers(X_test[:200], y_test[:200], 30, random_state=0)
    assert texts == same
    assert all(np.array_equal(a, b) for a, b in zip(numbers, again, strict=True))
    assert {len(t) for t in texts} <= set(range(2, 7))
    assert len({len(t) for t in texts}) > 2
    for image in numbers:
        assert image.dtype == np.uint8
        assert image[0].min() == 255  # dark ink on white paper, with a margin


@pytest.mark.parametrize("spacing", ["spaced", "tight", "touching"])
def test_make_numbers_spacings_part_or_join_the_digits(mnist, spacing):
    from scipy import ndimage

    _, (X_test, y_test) = mnist
    numbers, texts = make_numbers(
        X_test[:300], y_test[:300], 40, spacing=spacing, n_digits=(2, 2), random_state=1
    )
    joined = [ndimage.label(image < 128, np.ones((3, 3)))[1] < 2 for image in numbers]
    # Two digits side by side: apart, but for the touching pairs.
    assert np.mean(joined) == pytest.approx(float(spacing == "touching"), abs=0.15)


def test_make_numbers_refuses_what_it_cannot_write():
    digits = np.full((3, 28, 28), 255, dtype=np.uint8)
    with pytest.raises(ValueError, match="spacing must be one of"):
        make_numbers(digits, [1, 2, 3], 1, spacing="wide")
    with pytest.raises(ValueError, match="one label each"):
        make_numbers(digits, [1, 2], 1)
    with pytest.raises(ValueError, match="no ink"):
        make_numbers(np.zeros((3, 28, 28)), [1, 2, 3], 1, n_digits=(2, 3))
    with pytest.raises(ValueError, match="n_digits must be"):
        make_numbers(digits, [1, 2, 3], 1, n_digits=(2, 4))


# --- segmentation ---------------------------------------------------------------


def test_pieces_keep_a_digits_parts_and_set_dots_apart():
    # A "5" drawn in two strokes (its bar apart), a dot, and a "1".
    image = strokes_image(
        [
            [(40, 25), (80, 25)],  # the 5's bar
            [(42, 32), (40, 55), (70, 55), (80, 75), (65, 95), (38, 92)],
            [(118, 88), (128, 96)],  # a dot
            [(170, 22), (165, 98)],  # a 1
        ]
    )
    number = load_number_pieces(image)
    [pieces] = number.segmentations  # nothing wide enough to cut
    assert number.size == (320, 120)
    assert pieces.n_pieces == 3  # the bar, the 5's body, the 1
    [dot] = pieces.marks
    x0, y0, x1, y1 = pieces.image_box(dot)
    assert 105 <= x0 < 118 < 128 < x1 <= 140
    assert (pieces.left_overlap > 0.5).sum() == 1  # the bar above the body
    # A run of the bar and the body is one digit, and the 1 another.
    assert (0, 2) in pieces.runs
    assert (2, 3) in pieces.runs


def test_a_wide_part_is_cut_between_touching_digits(mnist):
    _, (X_test, y_test) = mnist
    [image], [text] = make_numbers(
        X_test[:50], y_test[:50], 1, spacing="touching", n_digits=(2, 2), random_state=1
    )
    segmentations = load_number_pieces(image).segmentations
    assert len(segmentations) == 2  # a part wide enough for two digits, cut two ways
    for pieces in segmentations:
        assert pieces.cut.any()
        assert pieces.n_pieces >= 2
        # The pieces partition the ink: every piece has pixels, none is lost.
        assert len(pieces.boxes) == pieces.n_pieces
        assert np.array_equal(pieces.labels > 0, segmentations[0].labels > 0)
    assert read_number(_uniform_predictor(), image).size == image.shape[::-1]
    assert len(text) == 2


def test_boxes_are_in_the_input_images_pixels():
    # A large image is shrunk to work on; its boxes are in its own pixels.
    # (Strokes far apart: a model that reads everything alike would read
    # two near strokes as one digit.)
    image = strokes_image(
        [[(400, 100), (380, 700)], [(1800, 100), (1780, 700)]],
        size=(2400, 800),
        width=40,
    )
    reading = read_number(_uniform_predictor(), image)
    assert reading.size == (2400, 800)
    assert len(reading.digits) == 2
    (a0, ay0, a1, ay1), (b0, _, b1, _) = (d.box for d in reading.digits)
    assert 330 <= a0 < 380 < 400 < a1 <= 450
    assert 50 <= ay0 < 100
    assert 700 < ay1 <= 750
    assert 1730 <= b0 < 1780 < 1800 < b1 <= 1850


def test_jpeg_decoded_at_a_reduced_scale_keeps_its_boxes(tmp_path):
    image = strokes_image(
        [[(600, 500), (580, 1100)], [(2400, 500), (2380, 1100)]],
        size=(3000, 1600),
        width=60,
    )
    path = tmp_path / "large.jpg"
    Image.fromarray(image).save(path, quality=90)
    reading = read_number(_uniform_predictor(), path)
    assert reading.size == (3000, 1600)
    first = reading.digits[0].box
    assert 500 <= first[0] < 580 < 600 < first[2] <= 700


def _uniform_predictor(threshold=None):
    """A network that reads every image alike: segmentation without a model."""
    predictor = DigitPredictor([np.zeros((784, 10))], [np.zeros(10)], list(range(10)))
    if threshold is not None:
        predictor._set_calibration(1.0, threshold)
    return predictor


# --- read_number on numbers of digits the model never trained on ----------------


@pytest.mark.parametrize(
    ("spacing", "least"), [("spaced", 0.8), ("tight", 0.75), ("touching", 0.5)]
)
def test_read_number_reads_composed_mnist_numbers(predictor, mnist, spacing, least):
    # Training digits that neither the model (the first 15,000) nor its
    # calibration (the next 2,000) saw.
    (X_train, y_train), _ = mnist
    numbers, texts = make_numbers(
        X_train[20000:30000],
        y_train[20000:30000],
        40,
        spacing=spacing,
        n_digits=(2, 4),
        random_state=7,
    )
    read = [read_number(predictor, image).text for image in numbers]
    assert np.mean([r == t for r, t in zip(read, texts, strict=True)]) >= least


def test_read_number_reads_numbers_of_other_writers(predictor, optdigits):
    numbers, texts = make_numbers(*optdigits, 40, n_digits=(2, 4), random_state=8)
    read = [read_number(predictor, image).text for image in numbers]
    # The model reads optdigits' single digits about 90% right.
    assert np.mean([r == t for r, t in zip(read, texts, strict=True)]) >= 0.5


def test_read_number_gives_each_digit_its_box_left_to_right(predictor, mnist):
    _, (X_test, y_test) = mnist
    [image], [text] = make_numbers(
        X_test[:10], y_test[:10], 1, n_digits=(4, 4), random_state=2
    )
    reading = read_number(predictor, image)
    assert reading.text == text
    assert reading.reason is None
    lefts = [digit.box[0] for digit in reading.digits]
    assert lefts == sorted(lefts)
    for digit in reading.digits:
        x0, y0, x1, y1 = digit.box
        assert image[y0:y1, x0:x1].min() < 64  # ink inside
        assert digit.image.shape == (28, 28)
        assert 0.0 <= digit.probability <= 1.0
    assert "".join(str(digit.label) for digit in reading.digits) == text


def test_parts_that_are_not_digits_are_reported_not_read():
    image = strokes_image([[(40, 20), (36, 100)], [(250, 20), (246, 100)]])
    reading = read_number(_uniform_predictor(threshold=1e9), image)
    assert reading.text is None
    assert reading.reason == NO_DIGIT
    assert reading.digits == []
    assert [part["reason"] for part in reading.not_digits] == [NOT_A_DIGIT] * 2


def test_read_number_refuses_images_without_ink_and_other_models(tmp_path):
    with pytest.raises(DigitImageError, match="blank"):
        read_number(_uniform_predictor(), np.full((50, 80), 255, np.uint8))
    small = DigitPredictor([np.zeros((64, 10))], [np.zeros(10)], list(range(10)))
    with pytest.raises(ValueError, match="28x28"):
        read_number(small, np.zeros((50, 80), np.uint8))


# --- the command line and the web app -------------------------------------------


def test_read_command_prints_json_and_draws_the_boxes(
    calibrated_file, mnist, tmp_path, capsys
):
    path = calibrated_file[0]
    _, (X_test, y_test) = mnist
    [image], [text] = make_numbers(
        X_test[:10], y_test[:10], 1, n_digits=(3, 3), random_state=2
    )
    Image.fromarray(image).save(tmp_path / "number.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    dot = strokes_image([[(40, 20), (36, 100)], [(150, 95), (153, 98)]])
    Image.fromarray(dot).save(tmp_path / "dot.png")
    files = [str(tmp_path / name) for name in ("number.png", "broken.png", "dot.png")]
    show = tmp_path / "read.png"
    assert cli.main(["read", str(path), *files, "--show", str(show)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith(f"{files[0]}: {text} ({text[0]} ")
    assert lines[1].startswith(f"{files[2]}: ")
    assert lines[1].endswith(f"; 1 mark not read ({TOO_SMALL})")
    assert f"error: {files[1]}" in captured.err
    with Image.open(show) as picture:
        assert picture.height > 300
    assert cli.main(["read", str(path), "--json", *files]) == 1
    entries = json.loads(capsys.readouterr().out)
    assert entries[0]["text"] == text
    assert entries[0]["size"] == [image.shape[1], image.shape[0]]
    assert {*entries[0]["digits"][0]} == {"label", "probability", "box"}
    assert "error" in entries[1]
    assert entries[2]["not_digits"][0]["reason"] == TOO_SMALL


def test_read_command_refuses_a_model_of_other_images(tmp_path, capsys):
    from digit_classifier import make_digit_pipeline, save_model

    rng = np.random.default_rng(0)
    model = make_digit_pipeline("fast", epochs=1).fit(
        rng.integers(0, 256, (30, 8, 8)), np.arange(30) % 2
    )
    save_model(model, tmp_path / "small.zip")
    Image.fromarray(strokes_image([[(40, 20), (36, 100)]])).save(tmp_path / "a.png")
    assert cli.main(["read", str(tmp_path / "small.zip"), str(tmp_path / "a.png")]) == 1
    assert "model of 64 pixels" in capsys.readouterr().err


def test_web_api_reads_numbers(calibrated_file, mnist):
    from fastapi.testclient import TestClient

    from digit_classifier.serving import make_app

    _, (X_test, y_test) = mnist
    [image], [text] = make_numbers(
        X_test[:10], y_test[:10], 1, n_digits=(3, 3), random_state=2
    )
    client = TestClient(make_app(calibrated_file[0]))
    data = png_bytes(image)
    raw = client.post("/read", content=data, headers={"content-type": "image/png"})
    assert raw.status_code == 200
    body = raw.json()
    assert body["text"] == text
    assert body["input"] == "image"
    assert body["size"] == [image.shape[1], image.shape[0]]
    assert len(body["digits"]) == 3
    uploaded = client.post("/read", files={"file": ("n.png", data, "image/png")})
    assert uploaded.json()["input"] == "n.png"
    assert uploaded.json()["digits"] == body["digits"]
    bad = client.post("/read", content=b"nope", headers={"content-type": "image/png"})
    assert bad.status_code == 422
    assert "n.png" not in bad.json()["detail"]
    wrong = client.post("/read", content=b"{}", headers={"content-type": "text/plain"})
    assert wrong.status_code == 415
