"""Photos and scans brought to MNIST's form: load_digit_image and its transformer."""

import io
import re

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.utils import get_tags

from digit_classifier import (
    DigitImagePreprocessor,
    load_digit_image,
)
from digit_classifier.datasets import make_photo_digits
from digit_classifier.images import MAX_PIXELS, read_image
from digit_classifier.reporting import plot_preprocessed_images

# Enough photos that a real loss of accuracy shows, few enough to stay quick.
N_PHOTOS = 400
N_UNCHANGED = 300


def draw_seven(size=(160, 200), ink=0, paper=255, width=14, offset=(0, 0)):
    """A "7" drawn with a pen: a 2D uint8 array, dark on light by default."""
    image = Image.new("L", size, paper)
    dx, dy = offset
    ImageDraw.Draw(image).line(
        [(40 + dx, 40 + dy), (120 + dx, 40 + dy), (70 + dx, 170 + dy)],
        fill=ink,
        width=width,
        joint="curve",
    )
    return np.asarray(image)


SEVEN = draw_seven()
REFERENCE = load_digit_image(SEVEN)


def assert_close_to_reference(digit, tolerance=6):
    """Nearly the same 28x28 digit: a mean difference of a few grey levels."""
    assert digit.shape == (28, 28)
    assert digit.dtype == np.uint8
    difference = np.abs(digit.astype(float) - REFERENCE).mean()
    assert difference < tolerance, f"mean difference {difference:.1f}"


def save(array, path, **kwargs):
    Image.fromarray(array).save(path, **kwargs)
    return path


# --- MNIST's form -----------------------------------------------------------


def test_a_clean_drawing_is_read_at_the_size_its_digit_needs():
    # A canvas drawing, uniform paper, is shrunk before its ink is found; a
    # photo's paper is not uniform and keeps its pixels.
    from digit_classifier.images._mnist_form import shrink_clean_drawing

    canvas = np.kron(SEVEN, np.ones((2, 2), np.uint8)).astype(np.float32)
    small = shrink_clean_drawing(canvas)
    assert small.shape[0] <= canvas.shape[0] / 2
    rows, cols = np.nonzero(small < 255)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 >= 80  # four times MNIST's 20
    assert_close_to_reference(load_digit_image(canvas), tolerance=3)
    photo = canvas + np.random.default_rng(0).normal(0, 2, canvas.shape)
    photo = photo.clip(0, 255).astype(np.float32)
    assert shrink_clean_drawing(photo) is photo


def test_the_digit_takes_mnist_form():
    rows = np.flatnonzero(REFERENCE.any(axis=1))
    cols = np.flatnonzero(REFERENCE.any(axis=0))
    # Longer side 20 px, aspect ratio kept (the drawing is 80 wide, 130 high).
    assert np.ptp(rows) + 1 == 20
    assert 12 <= np.ptp(cols) + 1 <= 14
    # Centre of mass at the centre; light ink on a black background.
    np.testing.assert_allclose(ndimage.center_of_mass(REFERENCE), (14, 14), atol=0.5)
    assert REFERENCE.max() == 255
    assert REFERENCE[0].max() == REFERENCE[:, 0].max() == 0
    # Anti-aliased: soft edges between ink and background.
    assert np.count_nonzero((REFERENCE > 0) & (REFERENCE < 255)) > 20


def test_light_ink_on_dark_gives_the_same_digit():
    assert_close_to_reference(load_digit_image(draw_seven(ink=230, paper=20)))


def test_size_and_position_do_not_matter():
    canvas = np.full((900, 1200), 255, dtype=np.uint8)
    canvas[600:800, 100:260] = SEVEN  # low on the left of a large canvas
    assert_close_to_reference(load_digit_image(canvas))
    small = np.asarray(Image.fromarray(SEVEN).resize((48, 60), Image.LANCZOS))
    assert_close_to_reference(load_digit_image(small), tolerance=12)


def test_uneven_light_and_noise_are_suppressed():
    rng = np.random.default_rng(0)
    # Paper from dark grey on the left to white on the right, plus noise.
    light = np.linspace(0.55, 1.0, SEVEN.shape[1])
    photo = SEVEN * light + rng.normal(0, 8, SEVEN.shape)
    digit = load_digit_image(np.clip(photo, 0, 255))
    assert_close_to_reference(digit, tolerance=10)
    far_from_the_strokes = ~ndimage.binary_dilation(REFERENCE > 0, iterations=2)
    assert digit[far_from_the_strokes].max() == 0


@pytest.mark.parametrize("ink", ["dark", "light"])
def test_a_tight_crop_with_the_ink_touching_the_border(ink):
    # Cut out of a form: no empty border to tell the paper from.
    rows, cols = np.nonzero(SEVEN < 128)
    crop = SEVEN[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    assert (crop[0] < 128).any()
    assert (crop[:, -1] < 128).any()
    assert_close_to_reference(load_digit_image(crop if ink == "dark" else 255 - crop))


def test_thick_blurry_digits_filling_the_image_are_found():
    # An 8x8 digit enlarged 12 times with no margin, as optdigits' are when
    # cropped tight: its ink covers most of the image, the paper little.
    digit = np.zeros((8, 8), dtype=np.uint8)
    digit[0:8, 1:7] = 255
    digit[2:6, 3:5] = 0  # a 0 of thick strokes
    scan = np.asarray(Image.fromarray(255 - digit).resize((96, 96), Image.BICUBIC))
    assert (scan < 128).mean() > 0.5
    found = load_digit_image(scan)
    assert np.ptp(np.flatnonzero(found.any(axis=1))) + 1 == 20
    assert found[14, 14] < 64  # the hole of the 0 stays open


def test_a_tight_crop_gives_the_digit_its_scan_gives():
    # A blurry 8x8 "4" enlarged, with and without a white margin.
    four = np.zeros((8, 8), dtype=np.uint8)
    four[0:5, 1:3] = four[3:5, 1:7] = four[0:8, 4:6] = 255
    tight = np.asarray(Image.fromarray(255 - four).resize((96, 96), Image.BICUBIC))
    scan = np.pad(tight, 24, constant_values=255)
    difference = load_digit_image(tight).astype(float) - load_digit_image(scan)
    assert np.abs(difference).mean() < 3


def test_a_digit_drawn_on_a_canvas():
    # Thin, clean strokes of a mouse or finger on a white 280x280 canvas.
    canvas = np.full((280, 280), 255, dtype=np.uint8)
    canvas[60:220, 70:210] = draw_seven(size=(140, 160), width=6, offset=(-35, -35))
    assert_close_to_reference(load_digit_image(canvas), tolerance=12)


def test_a_boolean_array_is_a_drawing():
    assert_close_to_reference(load_digit_image(SEVEN < 128))


def test_specks_apart_from_the_digit_are_dropped():
    speckled = np.full((400, 400), 255, dtype=np.uint8)
    speckled[100:300, 120:280] = SEVEN
    speckled[[20, 380, 390], [30, 15, 370]] = 0  # dust far from the digit
    assert_close_to_reference(load_digit_image(speckled))


def test_colour_is_weighed_by_luminance(tmp_path):
    ink = SEVEN[..., np.newaxis] / 255
    blue_on_yellow = (ink * [250, 230, 120] + (1 - ink) * [20, 30, 160]).astype(
        np.uint8
    )
    assert_close_to_reference(load_digit_image(blue_on_yellow))
    path = save(blue_on_yellow, tmp_path / "colour.png")
    assert read_image(path).shape == (*SEVEN.shape, 3)
    assert_close_to_reference(load_digit_image(path))


def test_transparency_is_composited_on_white(tmp_path):
    # Black ink whose opacity draws the digit; the paper is transparent.
    rgba = np.zeros((*SEVEN.shape, 4), dtype=np.uint8)
    rgba[..., 3] = 255 - SEVEN
    assert_close_to_reference(load_digit_image(save(rgba, tmp_path / "ink.png")))
    assert_close_to_reference(load_digit_image(rgba))
    np.testing.assert_array_equal(read_image(tmp_path / "ink.png")[..., 1], SEVEN)
    gray_ink = save(rgba[..., 2:], tmp_path / "gray_ink.png")  # mode "LA"
    np.testing.assert_array_equal(read_image(gray_ink), SEVEN)
    # A canvas filled white before it was drawn on: opaque, its colours
    # taken as they are; one clear pixel, and it is composited on white.
    drawn = np.dstack([np.stack([SEVEN, 255 - SEVEN, SEVEN], axis=-1), rgba[..., 3]])
    drawn[..., 3] = 255
    opaque = save(drawn, tmp_path / "opaque.png")
    np.testing.assert_array_equal(read_image(opaque), drawn[..., :3])
    drawn[0, 0, 3] = 0
    np.testing.assert_array_equal(
        read_image(save(drawn, tmp_path / "one_clear.png"))[0, 0], [255, 255, 255]
    )


def test_palette_and_16_bit_files(tmp_path):
    palette = Image.fromarray(SEVEN).convert("P")
    palette.save(tmp_path / "palette.png")
    assert_close_to_reference(load_digit_image(tmp_path / "palette.png"))
    sixteen = save(SEVEN.astype(np.uint16) * 257, tmp_path / "16bit.png")
    with Image.open(sixteen) as image:
        assert image.mode == "I;16"
    np.testing.assert_array_equal(read_image(sixteen), SEVEN)
    assert_close_to_reference(load_digit_image(sixteen))


@pytest.mark.parametrize(
    ("samples", "mode"),
    [
        (SEVEN.astype(np.int32), "I"),  # 32-bit integers of 8-bit depth
        (SEVEN.astype(np.int32) * 257, "I"),  # ... of 16-bit depth
        (SEVEN.astype(np.int64) * 8421504, "I"),  # ... of 31-bit depth
        (SEVEN.astype(np.float32) / 255, "F"),  # floats in [0, 1]
        (SEVEN.astype(np.float32), "F"),  # floats in [0, 255]
    ],
    ids=["I-8bit", "I-16bit", "I-31bit", "F-unit", "F-255"],
)
def test_32_bit_integer_and_float_tiffs_are_scaled_by_their_range(
    tmp_path, samples, mode
):
    path = tmp_path / "scan.tif"
    Image.fromarray(samples.astype(np.int32 if mode == "I" else np.float32)).save(path)
    with Image.open(path) as image:
        assert image.mode == mode
    pixels = read_image(path).astype(int)
    np.testing.assert_allclose(pixels, SEVEN, atol=1)
    assert_close_to_reference(load_digit_image(path))


def test_exif_orientation_is_honoured(tmp_path):
    # Stored turned on its side, with the tag that says to turn it back.
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    stored = Image.fromarray(SEVEN).transpose(Image.Transpose.ROTATE_90)
    stored.save(tmp_path / "turned.jpg", exif=exif, quality=95)
    assert read_image(tmp_path / "turned.jpg").shape == SEVEN.shape
    # JPEG's artefacts make a little difference; a turned digit a large one.
    assert_close_to_reference(load_digit_image(tmp_path / "turned.jpg"), tolerance=10)
    with pytest.raises(AssertionError, match="mean difference"):
        assert_close_to_reference(load_digit_image(np.asarray(stored)), tolerance=10)


def test_the_first_picture_of_an_mpo_file_is_read(tmp_path):
    # Some cameras write MPO: a JPEG photo followed by extra views.
    path = tmp_path / "camera.jpg"
    first, extra = Image.fromarray(SEVEN), Image.new("L", SEVEN.shape[::-1], 128)
    first.save(path, "MPO", save_all=True, append_images=[extra], quality=95)
    with Image.open(path) as mpo:
        assert (mpo.format, mpo.n_frames) == ("MPO", 2)
    assert_close_to_reference(load_digit_image(path), tolerance=10)


# --- the transformer --------------------------------------------------------


def test_transformer_maps_mixed_inputs_to_a_stack(tmp_path):
    path = save(SEVEN, tmp_path / "seven.png")
    X = DigitImagePreprocessor().transform([path, str(path), SEVEN, SEVEN[:100]])
    assert X.shape == (4, 28, 28)
    assert X.dtype == np.uint8
    np.testing.assert_array_equal(X[0], REFERENCE)
    np.testing.assert_array_equal(X[1], REFERENCE)
    np.testing.assert_array_equal(X[2], REFERENCE)
    assert not np.array_equal(X[3], REFERENCE)  # the top half only


def test_transformer_follows_scikit_learn_conventions(tmp_path):
    preprocessor = DigitImagePreprocessor(max_pixels=1000)
    path = tmp_path / "seven.png"
    Image.fromarray(SEVEN).save(path)
    with pytest.raises(ValueError, match="over the limit of 1,000"):
        clone(preprocessor).transform([path])  # the clone keeps the limit
    assert preprocessor.fit([SEVEN]) is preprocessor
    assert vars(preprocessor) == {"max_pixels": 1000}  # nothing learned
    np.testing.assert_array_equal(
        DigitImagePreprocessor().fit_transform([SEVEN]), [REFERENCE]
    )
    tags = get_tags(preprocessor)
    assert not tags.requires_fit
    assert not tags.input_tags.two_d_array
    assert tags.input_tags.string
    assert tags.input_tags.three_d_array


@pytest.mark.parametrize(
    ("X", "message"),
    [
        ("photo.jpg", "Expected a list of image paths or arrays, got a single path"),
        ([], "Found 0 images while a minimum of 1 is required"),
        ([SEVEN, np.zeros((5,))], "X[1] must be a grayscale image of shape"),
        ([SEVEN, np.full((9, 9), 255)], "no digit found in X[1]: the image is blank"),
    ],
)
def test_transformer_errors(X, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        DigitImagePreprocessor().transform(X)


@pytest.mark.parametrize(
    ("call", "owner"),
    [
        (
            lambda n: DigitImagePreprocessor(max_pixels=n).fit([SEVEN]),
            "DigitImagePreprocessor",
        ),
        (
            lambda n: DigitImagePreprocessor(max_pixels=n).transform([SEVEN]),
            "DigitImagePreprocessor",
        ),
        (lambda n: load_digit_image(SEVEN, max_pixels=n), "load_digit_image"),
        (lambda n: read_image("any.png", max_pixels=n), "read_image"),
    ],
)
@pytest.mark.parametrize("value", [0, -1, "big", 2.5])
def test_max_pixels_is_checked_the_same_way_everywhere(call, owner, value):
    message = (
        f"The 'max_pixels' parameter of {owner} must be an int in the range "
        f"[1, inf). Got {value!r} instead."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        call(value)


# --- bad input --------------------------------------------------------------


def test_an_open_file_or_upload_is_read_as_its_path_is(tmp_path):
    path = save(SEVEN, tmp_path / "seven.png")
    upload = io.BytesIO(path.read_bytes())
    np.testing.assert_array_equal(load_digit_image(upload), load_digit_image(path))
    upload = io.BytesIO(b"not an image")
    upload.name = "sent.png"
    with pytest.raises(ValueError, match="^sent.png is not an image file"):
        load_digit_image(upload)


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(tmp_path):
    large = np.asarray(Image.fromarray(SEVEN).resize((2400, 3000), Image.BICUBIC))
    path = save(large, tmp_path / "phone.jpg", quality=90)
    digit = load_digit_image(path)
    # As read at full size and shrunk, but for the decoder's scaling.
    assert_close_to_reference(digit, tolerance=8)


def test_not_an_image_file(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))} is not an image"):
        load_digit_image(path)


def test_truncated_image_file(tmp_path):
    whole = io.BytesIO()
    Image.fromarray(SEVEN).save(whole, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))} is truncated"):
        load_digit_image(path)


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_digit_image(tmp_path / "absent.png")


@pytest.mark.parametrize(
    ("pixels", "message"),
    [
        (np.full((50, 40), 255, dtype=np.uint8), "the image is blank"),
        (np.zeros((50, 40), dtype=np.uint8), "the image is blank"),
        (200 - (255 - SEVEN) // 16, "of 255 grey levels"),
        (np.pad(np.zeros((2, 2)), 100, constant_values=255), "too small for a digit"),
        (
            np.random.default_rng(0).integers(0, 256, (100, 100)),
            "nothing stands out from the noise",
        ),
    ],
    ids=["white", "black", "faint", "speck", "noise"],
)
def test_no_digit_found(tmp_path, pixels, message):
    path = save(pixels.astype(np.uint8), tmp_path / "empty.png")
    with pytest.raises(ValueError, match=f"^no digit found in {re.escape(str(path))}"):
        load_digit_image(path)
    with pytest.raises(ValueError, match=re.escape(message)):
        load_digit_image(pixels)


def test_blank_paper_with_noise_is_no_digit(tmp_path):
    rng = np.random.default_rng(0)
    paper = np.clip(rng.normal(210, 12, (300, 400)), 0, 255).astype(np.uint8)
    path = save(paper, tmp_path / "paper.jpg", quality=70)
    with pytest.raises(ValueError, match="^no digit found in"):
        load_digit_image(path)


def test_empty_array_is_no_digit():
    with pytest.raises(ValueError, match=re.escape("the image has no pixels")):
        load_digit_image(np.zeros((0, 28)))


def test_image_over_the_pixel_limit(tmp_path, png_header):
    path = save(SEVEN, tmp_path / "seven.png")
    with pytest.raises(
        ValueError,
        match=re.escape(f"{path} is 160x200 = 32,000 pixels, over the limit of 1,000"),
    ):
        load_digit_image(path, max_pixels=1000)
    assert load_digit_image(path, max_pixels=32_000).shape == (28, 28)

    # A few bytes that claim 64 megapixels: refused before anything is decoded.
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header(8000, 8000))
    assert MAX_PIXELS < 8000 * 8000 < Image.MAX_IMAGE_PIXELS  # ours, not Pillow's
    with pytest.raises(ValueError, match="over the limit of 50,000,000"):
        load_digit_image(bomb)


def test_pillows_own_bomb_error_names_the_file(tmp_path, png_header):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header(20_000, 20_000))  # over twice Pillow's limit
    with pytest.raises(ValueError, match=f"^{re.escape(str(bomb))} is too large"):
        load_digit_image(bomb, max_pixels=10**9)


@pytest.mark.parametrize("suffix", [".gif", ".tiff"])
def test_animated_or_multi_page_file(tmp_path, suffix):
    path = tmp_path / f"frames{suffix}"
    frames = [Image.fromarray(SEVEN), Image.fromarray(255 - SEVEN)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))} holds 2 frames"):
        load_digit_image(path)


@pytest.mark.parametrize(
    ("pixels", "message"),
    [
        (np.zeros((4, 4, 2)), "image must be a grayscale image of shape"),
        (np.array([["a", "b"]]), "image must hold numbers, got dtype <U1."),
        (np.full((4, 4), np.nan), "image contains NaN or infinity."),
        (np.full((4, 4), 1023), "image has pixel values outside [0, 255]"),
    ],
)
def test_bad_arrays(pixels, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_digit_image(pixels)


# --- the figure for --show --------------------------------------------------


def test_plot_preprocessed_images():
    names = [f"/some/long/folder/name/photo{i}.jpg" for i in range(5)]
    fig = plot_preprocessed_images(
        [SEVEN] * 5, [REFERENCE] * 5, ["7 (p = 0.99)"] * 5, names=names, ncols=2
    )
    assert len(fig.axes) == 10
    assert fig.axes[0].get_title() == "...der/name/photo0.jpg"  # the end shows
    assert fig.axes[1].get_title() == "model saw: 7 (p = 0.99)"
    fig.savefig(io.BytesIO(), format="png", dpi=40)

    few = plot_preprocessed_images([SEVEN] * 5, [REFERENCE] * 5, ["7"] * 5, n_images=2)
    assert len(few.axes) == 4
    assert "(first 2 of 5)" in few.get_suptitle()
    with pytest.raises(ValueError, match="originals and predictions must have"):
        plot_preprocessed_images([SEVEN], [REFERENCE], ["7", "1"])


# --- accuracy on MNIST ------------------------------------------------------


def test_photo_accuracy_stays_within_two_points(mnist, mnist_model, tmp_path):
    _, (X_test, y_test) = mnist
    X_test, y_test = X_test[:N_PHOTOS], y_test[:N_PHOTOS]
    paths = make_photo_digits(X_test, tmp_path, random_state=0)
    with Image.open(paths[0]) as photo:
        assert photo.format == "JPEG"
        assert photo.mode == "RGB"
        assert min(photo.size) > 28
    X_photos = DigitImagePreprocessor().transform(paths)

    array_accuracy = mnist_model.score(X_test, y_test)
    photo_accuracy = mnist_model.score(X_photos, y_test)
    assert array_accuracy > 0.9
    assert photo_accuracy >= array_accuracy - 0.02


def test_mnist_digits_come_out_nearly_unchanged(mnist, mnist_model):
    _, (X_test, _) = mnist
    X_test = X_test[:N_UNCHANGED]
    X_same = DigitImagePreprocessor().transform(X_test)
    difference = np.abs(X_same.astype(float) - X_test)
    assert difference.mean() < 1  # grey levels of 255
    assert np.mean(difference.max(axis=(1, 2)) < 64) > 0.9
    agree = mnist_model.predict(X_same) == mnist_model.predict(X_test)
    assert agree.mean() >= 0.99


def test_a_pipeline_reads_image_files(mnist, mnist_model, tmp_path):
    _, (X_test, _) = mnist
    paths = make_photo_digits(X_test[:5], tmp_path, random_state=1)
    reader = make_pipeline(DigitImagePreprocessor(), mnist_model)
    np.testing.assert_array_equal(
        reader.predict(paths),
        mnist_model.predict(np.stack([load_digit_image(p) for p in paths])),
    )
