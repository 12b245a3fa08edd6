"""PixelNormalizer: shapes, dtypes, scaling and bad input."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix

from digit_classifier import PixelNormalizer

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)


def test_flattens_images_and_scales_to_unit_range():
    out = PixelNormalizer().fit_transform(IMAGES)
    assert out.shape == (5, 784)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, IMAGES.reshape(5, -1) / 255, rtol=1e-6)


def test_images_and_rows_give_the_same_result():
    normalizer = PixelNormalizer().fit(IMAGES)
    np.testing.assert_array_equal(
        normalizer.transform(IMAGES), normalizer.transform(IMAGES.reshape(5, -1))
    )
    assert normalizer.n_features_in_ == 784


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.int16, np.int64, np.float32, np.float64]
)
def test_accepts_integer_and_float_pixels(dtype):
    out = PixelNormalizer().fit_transform(IMAGES.astype(dtype))
    np.testing.assert_allclose(out, IMAGES.reshape(5, -1) / 255, rtol=1e-6)


def test_accepts_nested_lists():
    out = PixelNormalizer().fit_transform([[0, 255], [51, 102]])
    np.testing.assert_allclose(out, [[0, 1], [0.2, 0.4]], rtol=1e-6)


def test_feature_names_out():
    normalizer = PixelNormalizer().fit(IMAGES)
    names = normalizer.get_feature_names_out()
    np.testing.assert_array_equal(names, [f"x{i}" for i in range(784)])

    frame = pd.DataFrame(IMAGES[:, 0, :3], columns=["a", "b", "c"])
    np.testing.assert_array_equal(
        PixelNormalizer().fit(frame).get_feature_names_out(), ["a", "b", "c"]
    )


@pytest.mark.parametrize(
    ("bad_value", "message"),
    [
        (np.nan, "Input X contains NaN"),
        (np.inf, "Input X contains infinity"),
        (-1.0, "Negative values in data passed to PixelNormalizer"),
        (256.0, "Values above 255 in data passed to PixelNormalizer"),
    ],
)
def test_rejects_values_that_are_not_pixels(bad_value, message):
    X = IMAGES.astype(np.float64)
    X[2, 3, 4] = bad_value
    with pytest.raises(ValueError, match=message):
        PixelNormalizer().fit(X)
    normalizer = PixelNormalizer().fit(IMAGES)
    with pytest.raises(ValueError, match=message):
        normalizer.transform(X)


def test_rejects_non_numeric_data():
    with pytest.raises(ValueError, match="could not convert string to float"):
        PixelNormalizer().fit([["a", "b"], ["c", "d"]])


def test_rejects_empty_input():
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        PixelNormalizer().fit(np.empty((0, 784)))


def test_rejects_sparse_input():
    with pytest.raises(TypeError, match="dense data is required"):
        PixelNormalizer().fit(csr_matrix(IMAGES.reshape(5, -1)))


def test_rejects_a_different_feature_count():
    normalizer = PixelNormalizer().fit(IMAGES)
    message = (
        "X has 64 features, but PixelNormalizer is expecting 784 features as input."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        normalizer.transform(np.zeros((3, 8, 8)))


def test_fitted_steps_take_their_own_arrays_as_they_are_and_check_the_rest():
    # A pipeline's steps pass 2D ndarrays of their dtype on: those are taken
    # without scikit-learn's dataframe search, the rest as validate_data does.
    from digit_classifier._validation import validate_rows

    normalizer = PixelNormalizer().fit(IMAGES)
    rows = IMAGES.reshape(5, -1)
    assert validate_rows(normalizer, rows, (np.float32, np.uint8)) is rows
    converted = validate_rows(normalizer, rows.astype(np.int64), (np.float32,))
    assert converted.dtype == np.float32
    np.testing.assert_array_equal(converted, rows)
    bad = rows.astype(np.float32)
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        validate_rows(normalizer, bad, (np.float32,))
    with pytest.raises(ValueError, match="expecting 784 features"):
        validate_rows(normalizer, rows[:, :64], (np.uint8,))
    with pytest.raises(ValueError, match="0 sample"):
        validate_rows(normalizer, rows[:0], (np.uint8,))
    named = PixelNormalizer().fit(
        pd.DataFrame(rows, columns=[f"p{i}" for i in range(784)])
    )
    with pytest.warns(UserWarning, match="feature names"):
        validate_rows(named, rows, (np.uint8,))
