"""DigitPredictor and the NumPy forward pass, without a model file or Keras."""

import math
import re
import subprocess
import sys

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from digit_classifier import DigitPredictor, PixelNormalizer
from digit_classifier.inference import ACTIVATIONS, forward_pass

RNG = np.random.default_rng(0)
COEFS = [RNG.normal(size=(16, 8)), RNG.normal(size=(8, 3))]
INTERCEPTS = [RNG.normal(size=8), RNG.normal(size=3)]
IMAGES = RNG.integers(0, 256, size=(20, 4, 4)).astype(np.uint8)


@pytest.fixture
def predictor():
    return DigitPredictor(COEFS, INTERCEPTS, classes=np.array([3, 5, 7]))


def reference_forward(X, activation):
    """The network written out for one row at a time, in plain Python floats."""
    functions = {
        "relu": lambda v: max(v, 0.0),
        "elu": lambda v: v if v > 0 else np.expm1(v),
        "gelu": lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))),
        "selu": lambda v: (
            1.0507009873554805 * (v if v > 0 else 1.6732632423543772 * np.expm1(v))
        ),
        "swish": lambda v: v / (1 + np.exp(-v)),
        "tanh": np.tanh,
        "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
        "linear": lambda v: v,
    }
    rows = []
    for x in X:
        values = list(x)
        for coef, bias in zip(COEFS[:-1], INTERCEPTS[:-1], strict=True):
            values = [
                functions[activation](
                    sum(a * w for a, w in zip(values, col, strict=True)) + b
                )
                for col, b in zip(coef.T, bias, strict=True)
            ]
        logits = [
            sum(a * w for a, w in zip(values, col, strict=True)) + b
            for col, b in zip(COEFS[-1].T, INTERCEPTS[-1], strict=True)
        ]
        exps = np.exp(np.array(logits) - max(logits))
        rows.append(exps / exps.sum())
    return np.array(rows)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_forward_pass_computes_the_network(activation):
    X = RNG.normal(size=(5, 16)).astype(np.float32)
    np.testing.assert_allclose(
        forward_pass(X, COEFS, INTERCEPTS, activation),
        reference_forward(X, activation),
        rtol=1e-10,
    )


def test_predicts_raw_pixels_as_the_pipeline_scales_them(predictor):
    rows = PixelNormalizer().fit_transform(IMAGES)
    expected = forward_pass(rows, COEFS, INTERCEPTS, "relu")
    np.testing.assert_array_equal(predictor.predict_proba(IMAGES), expected)
    np.testing.assert_array_equal(predictor.predict_proba(rows * 255), expected)
    np.testing.assert_array_equal(
        predictor.predict(IMAGES), np.array([3, 5, 7])[expected.argmax(axis=1)]
    )
    labels = predictor.predict(IMAGES)
    assert predictor.score(IMAGES, labels) == 1.0
    assert predictor.score(IMAGES, np.where(labels == 3, 5, 3)) == 0.0


def test_input_is_not_modified(predictor):
    X = IMAGES.reshape(20, -1).astype(np.float32)
    before = X.copy()
    predictor.predict(X)
    np.testing.assert_array_equal(X, before)


def test_bare_classifier_rows_are_taken_as_they_are():
    predictor = DigitPredictor(COEFS, INTERCEPTS, [0, 1, 2], scale_pixels=False)
    X = RNG.normal(size=(4, 16)).astype(np.float32)  # negative: not pixels
    np.testing.assert_array_equal(
        predictor.predict_proba(X), forward_pass(X, COEFS, INTERCEPTS, "relu")
    )
    with pytest.raises(ValueError, match="Expected 2D array, got 3D array"):
        predictor.predict(IMAGES)


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (IMAGES[0, 0], ValueError, "Expected 2D array, got 1D array of shape (4,)"),
        (
            IMAGES[:, :2],
            ValueError,
            "X has 8 features, but DigitPredictor is expecting 16 features as input.",
        ),
        (np.zeros((0, 16)), ValueError, "Found array with 0 sample(s) (shape=(0, 16))"),
        (np.full((1, 16), np.nan), ValueError, "Input X contains NaN."),
        (np.full((1, 16), np.inf), ValueError, "Input X contains infinity."),
        (
            np.full((1, 16), -1.0),
            ValueError,
            "Negative values in data passed to DigitPredictor",
        ),
        (
            np.full((1, 16), 300),
            ValueError,
            "Values above 255 in data passed to DigitPredictor",
        ),
        ([["a"] * 16], ValueError, "DigitPredictor takes arrays of numbers"),
        (np.ones((1, 16), complex), ValueError, "Complex data not supported"),
        (csr_matrix(np.ones((1, 16))), TypeError, "dense data is required"),
    ],
)
def test_bad_input_gets_scikit_learns_errors(predictor, X, error, message):
    with pytest.raises(error, match=re.escape(message)):
        predictor.predict(X)


def test_inconsistent_labels_in_score(predictor):
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[20, 3\]"):
        predictor.score(IMAGES, [3, 5, 7])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"activation": "relu6"}, "activation must be one of"),
        ({"classes": [0, 1]}, "do not form a network from 16 inputs to 2 classes"),
        ({"intercepts": INTERCEPTS[:1]}, "do not form a network"),
        ({"coefs": []}, "coefs must hold at least one 2D kernel"),
    ],
)
def test_inconsistent_weights_are_refused(kwargs, message):
    arguments = {"coefs": COEFS, "intercepts": INTERCEPTS, "classes": [0, 1, 2]}
    with pytest.raises(ValueError, match=message):
        DigitPredictor(**{**arguments, **kwargs})


def test_repr_shows_the_network(predictor):
    assert repr(predictor) == (
        "DigitPredictor(16 -> 8 -> 3, activation='relu', classes=[3, 5, 7])"
    )


def test_importing_the_package_imports_no_tensorflow():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import digit_classifier"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = [line.split("|")[-1].strip() for line in result.stderr.splitlines()]
    assert "digit_classifier" in imported
    assert not {"tensorflow", "keras", "scikeras"} & set(imported)
