"""Bad parameters and bad input get errors that name the problem."""

import re

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError

from digit_classifier import DigitMLPClassifier

X, Y = load_digits(n_class=3, return_X_y=True)
QUICK = {"hidden_layer_sizes": (8,), "epochs": 1, "batch_size": 256}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"early_stopping": True, "validation_split": 0.2},
            "validation_split and early_stopping=True would both hold out",
        ),
        ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes must be > 0, got (0,)."),
        (
            {"hidden_layer_sizes": (64, -1)},
            "hidden_layer_sizes must be > 0, got (64, -1).",
        ),
        (
            {"hidden_layer_sizes": (1.5,)},
            "hidden_layer_sizes must contain integers, got (1.5,).",
        ),
        (
            {"dropout": 1.0},
            "The 'dropout' parameter of DigitMLPClassifier must be a float in the "
            "range [0.0, 1.0). Got 1.0 instead.",
        ),
        (
            {"learning_rate": 0},
            "The 'learning_rate' parameter of DigitMLPClassifier must be a float in "
            "the range (0.0, inf). Got 0 instead.",
        ),
        ({"activation": "relu6"}, "The 'activation' parameter of DigitMLPClassifier"),
        (
            {"augment_rotation": 200},
            "The 'augment_rotation' parameter of DigitMLPClassifier must be a float "
            "in the range [0.0, 180.0]. Got 200 instead.",
        ),
        ({"augment_shift": -0.1}, "The 'augment_shift' parameter"),
        ({"augment_shear": 1.0}, "The 'augment_shear' parameter"),
        ({"augment_elastic": -0.01}, "The 'augment_elastic' parameter"),
        (
            {"augment_stroke": 1.5},
            "The 'augment_stroke' parameter of DigitMLPClassifier must be a float "
            "in the range [0.0, 1.0]. Got 1.5 instead.",
        ),
        ({"augment_low_resolution": "high"}, "The 'augment_low_resolution' parameter"),
        ({"epochs": 0}, "The 'epochs' parameter of DigitMLPClassifier"),
        ({"batch_size": 0}, "The 'batch_size' parameter of DigitMLPClassifier"),
        ({"validation_fraction": 1.0}, "The 'validation_fraction' parameter"),
        ({"alpha": -0.1}, "The 'alpha' parameter of DigitMLPClassifier"),
        ({"n_iter_no_change": 0}, "The 'n_iter_no_change' parameter"),
        (
            {"model": print},
            "The 'model' parameter of DigitMLPClassifier must be None.",
        ),
    ],
)
def test_invalid_parameters(params, message):
    clf = DigitMLPClassifier(**{**QUICK, **params})
    with pytest.raises(ValueError, match=re.escape(message)):
        clf.fit(X, Y)


def test_nan_in_X():
    X_nan = X.astype(float)
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        DigitMLPClassifier(**QUICK).fit(X_nan, Y)


def test_a_single_class():
    message = "DigitMLPClassifier needs samples of at least 2 classes, but the data"
    with pytest.raises(ValueError, match=message):
        DigitMLPClassifier(**QUICK).fit(X, np.zeros(len(X), dtype=int))


def test_continuous_target():
    with pytest.raises(ValueError, match="Unknown label type"):
        DigitMLPClassifier(**QUICK).fit(X, np.linspace(0, 1, len(X)))


def test_images_need_flattening():
    with pytest.raises(ValueError, match="Found array with dim 3"):
        DigitMLPClassifier(**QUICK).fit(X.reshape(-1, 8, 8), Y)


def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        DigitMLPClassifier().predict(X)


def test_feature_count_differs_from_fit():
    clf = DigitMLPClassifier(**QUICK).fit(X, Y)
    message = (
        "X has 10 features, but DigitMLPClassifier is expecting 64 features as input."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        clf.predict(X[:, :10])


def test_unknown_parameter():
    with pytest.raises(ValueError, match="Invalid parameter hidden_layers"):
        DigitMLPClassifier().set_params(hidden_layers=(3,))


def test_misspelt_parameter():
    clf = DigitMLPClassifier(**QUICK, hiden_layer_sizes=(3,))
    message = (
        "DigitMLPClassifier got an unexpected parameter 'hiden_layer_sizes'. "
        "Did you mean 'hidden_layer_sizes'?"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        clf.fit(X, Y)


def test_augmentation_needs_square_images():
    clf = DigitMLPClassifier(**QUICK, augment_shift=0.1)
    with pytest.raises(ValueError, match="X has 63 features, not a perfect square"):
        clf.fit(X[:, :63], Y)
