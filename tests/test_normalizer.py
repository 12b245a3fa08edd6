"""DigitNormalizer: digits deskewed and their aspect ratio mapped, in training
and prediction alike."""

import re

import numpy as np
import pytest
from joblib import delayed
from scipy import ndimage

from digit_classifier import DigitNormalizer, preprocessing
from digit_classifier.images import normalize_digits


def stroke(slant=0.0, width=3, top=4, bottom=24, side=28, centre=14):
    """A digit "1" in MNIST's form: a bar of rows top..bottom, slanted."""
    image = np.zeros((side, side), dtype=np.uint8)
    for row in range(top, bottom):
        left = round(centre - width / 2 + slant * (centre - row))
        image[row, left : left + width] = 255
    return image


def skew(image):
    """The slant of the ink from its second moments (0: upright)."""
    rows, cols = np.nonzero(image)
    weights = image[rows, cols].astype(float)
    row_mean = np.average(rows, weights=weights)
    col_mean = np.average(cols, weights=weights)
    covariance = np.average((rows - row_mean) * (cols - col_mean), weights=weights)
    return covariance / np.average((rows - row_mean) ** 2, weights=weights)


def extent(image):
    """(height, width) of the ink's bounding box."""
    return (
        np.count_nonzero(image.any(axis=1)),
        np.count_nonzero(image.any(axis=0)),
    )


@pytest.mark.parametrize("slant", [-0.4, 0.25, 0.5])
def test_a_slanted_digit_is_stood_up(slant):
    slanted = stroke(slant)
    assert abs(skew(slanted)) > 0.2
    [upright] = normalize_digits([slanted])
    assert abs(skew(upright)) < 0.05
    # MNIST's form stays: 20 rows, the centre of mass at the centre.
    assert extent(upright)[0] == 20
    np.testing.assert_allclose(ndimage.center_of_mass(upright), (14, 14), atol=1)


@pytest.mark.parametrize(
    ("aspect", "width"),
    # A bar 4 wide and 20 high: kept 4, widened to 20 * sqrt(4 / 20), filled.
    [("keep", 4), ("sqrt", 9), ("fill", 20)],
)
def test_the_aspect_ratio_is_kept_mapped_or_discarded(aspect, width):
    [digit] = normalize_digits([stroke(width=4)], deskew=False, aspect=aspect)
    height, found = extent(digit)
    assert height == 20
    assert abs(found - width) <= 1


def test_plain_settings_leave_the_digits_as_they_are():
    digits = np.stack([stroke(0.3), stroke(width=6)])
    np.testing.assert_array_equal(
        normalize_digits(digits, deskew=False, aspect="keep"), digits
    )


def test_a_digit_keeps_its_size_in_a_small_frame_and_blank_stays_blank():
    small = stroke(0.3, width=2, top=0, bottom=8, side=8, centre=4)
    [digit, blank] = normalize_digits([small, np.zeros((8, 8))], aspect="fill")
    assert extent(digit) == (8, 8)
    assert not blank.any()


@pytest.mark.parametrize("aspect", ["keep", "sqrt", "fill"])
def test_a_digit_reads_the_same_alone_or_among_others(aspect):
    # The boxes are found for a whole chunk at once: each image's must be its
    # own, blank ones, single pixels and ink on every edge included.
    corner, edges = np.zeros((28, 28)), np.zeros((28, 28))
    corner[27, 27] = 200
    edges[0, 3:9], edges[5:27, 0], edges[27, 20:], edges[9, 27] = 255, 255, 255, 255
    digits = [stroke(0.3), np.zeros((28, 28)), corner, edges, stroke(-0.5, width=7)]
    together = normalize_digits(digits, aspect=aspect)
    for digit, normalized in zip(digits, together, strict=True):
        [alone] = normalize_digits([digit], aspect=aspect)
        # The slant's moments are matrix products over the chunk, whose last
        # bits may depend on its size: a pixel may round one level apart.
        np.testing.assert_allclose(alone.astype(int), normalized, atol=1)
    assert not together[1].any()
    assert extent(together[2]) == (1, 1)
    # Unsheared, a digit filling its frame stays as it is, and a pixel is
    # moved to the centre at full strength.
    _, _, pixel, frame, _ = normalize_digits(digits, deskew=False, aspect="fill")
    np.testing.assert_array_equal(frame, edges)
    assert np.flatnonzero(pixel).tolist() == [14 * 28 + 14]
    assert pixel[14, 14] == 255


def test_the_transformer_runs_the_same_function_on_images_or_rows():
    digits = np.stack([stroke(0.4), stroke(-0.2, width=5)])
    normalizer = DigitNormalizer(aspect="sqrt").fit(digits)
    out = normalizer.transform(digits)
    assert out.shape == (2, 784)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, normalizer.transform(digits.reshape(2, -1)))
    np.testing.assert_array_equal(
        out.reshape(2, 28, 28), normalize_digits(digits, aspect="sqrt")
    )
    assert normalizer.n_features_in_ == 784
    assert normalizer.get_feature_names_out()[0] == "x0"


def test_many_digits_are_normalized_the_same_in_worker_processes(monkeypatch):
    rng = np.random.default_rng(0)
    digits = np.stack(
        [
            stroke(slant, width, top=top, bottom=top + 16)
            for slant, width, top in zip(
                rng.uniform(-0.5, 0.5, 5000),
                rng.integers(1, 8, 5000),
                rng.integers(0, 12, 5000),
                strict=True,
            )
        ]
    )
    shares = []

    def record_share(function):
        def call(images, **params):
            shares.append(len(images))
            return delayed(function)(images, **params)

        return call

    monkeypatch.setattr(preprocessing, "delayed", record_share)
    normalizer = DigitNormalizer(aspect="sqrt", n_jobs=2)
    in_workers = normalizer.fit_transform(digits)
    # Two shares of whole chunks of images, as one process takes them.
    assert shares == [2560, 2440]
    assert normalizer.set_params(n_jobs=None).transform(digits[:10]).shape == (10, 784)
    assert shares == [2560, 2440]  # a small input stays in this process
    # The slant's moments are matrix products, whose last bits may depend on
    # the BLAS's threads (fewer in a worker): a pixel may round a level apart.
    in_one = normalize_digits(digits, aspect="sqrt").reshape(5000, -1)
    np.testing.assert_allclose(in_workers.astype(int), in_one, atol=1)
    # Without the slant, no products: the same digits bit for bit.
    unslanted = DigitNormalizer(deskew=False, aspect="sqrt", n_jobs=2)
    np.testing.assert_array_equal(
        unslanted.fit_transform(digits),
        normalize_digits(digits, deskew=False, aspect="sqrt").reshape(5000, -1),
    )
    assert shares == [2560, 2440] * 2


@pytest.mark.parametrize(
    ("params", "X", "message"),
    [
        (
            {"aspect": "wide"},
            np.zeros((2, 28, 28)),
            "The 'aspect' parameter of DigitNormalizer must be a str among "
            "{'fill', 'keep', 'sqrt'}. Got 'wide' instead.",
        ),
        (
            {"deskew": "yes"},
            np.zeros((2, 28, 28)),
            "The 'deskew' parameter of DigitNormalizer must be an instance of "
            "'bool'. Got 'yes' instead.",
        ),
        (
            {"n_jobs": 0},
            np.zeros((2, 28, 28)),
            "The 'n_jobs' parameter of DigitNormalizer must be an int other than "
            "0, or None. Got 0 instead.",
        ),
        (
            {"n_jobs": "all"},
            np.zeros((2, 28, 28)),
            "must be an int other than 0, or None. Got 'all' instead.",
        ),
        ({}, np.zeros((2, 10)), "takes square images, but X has 10 features"),
        ({}, -np.ones((2, 4, 4)), "Negative values in data passed to DigitNormalizer"),
    ],
)
def test_bad_parameters_and_inputs(params, X, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        DigitNormalizer(**params).fit(X)


def test_normalized_mnist_digits_keep_mnists_form(mnist):
    (X_train, _), _ = mnist
    digits = X_train[:500]
    # Deskewed with their aspect ratio kept: as much ink as before...
    upright = normalize_digits(digits)
    ratio = upright.sum(axis=(1, 2)) / digits.sum(axis=(1, 2), dtype=float)
    assert np.median(ratio) == pytest.approx(1, abs=0.05)
    # ... and whatever the aspect ratio, in the 20x20 box, centred.
    for aspect in ("sqrt", "fill"):
        normalized = normalize_digits(digits, aspect=aspect)
        heights = np.array([max(extent(image)) for image in normalized])
        assert np.mean(heights == 20) > 0.95
        centres = np.array([ndimage.center_of_mass(image) for image in normalized])
        np.testing.assert_allclose(centres.mean(axis=0), (14, 14), atol=0.5)
