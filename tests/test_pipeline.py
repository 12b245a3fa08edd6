"""make_digit_pipeline on raw pixels: fit, predict, grid search, displays."""

import pickle

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.model_selection import GridSearchCV, train_test_split

from digit_classifier import (
    DigitMLPClassifier,
    DigitNormalizer,
    PixelNormalizer,
    make_digit_pipeline,
)

digits = load_digits()
# load_digits pixels run from 0 to 16; bring them to raw 8-bit pixels.
IMAGES = np.round(digits.images * 255 / 16).astype(np.uint8)
X_train, X_test, y_train, y_test = train_test_split(
    IMAGES, digits.target, test_size=0.25, stratify=digits.target, random_state=0
)
# The pipeline's mechanics, on digits left as they are (8x8 digits are not in
# MNIST's form, which deskewing is made for).
PLAIN = {"deskew": False, "aspect": "keep"}
PARAMS = {"hidden_layer_sizes": (64,), "random_state": 0, **PLAIN}


@pytest.fixture(scope="module")
def fitted():
    return make_digit_pipeline(**PARAMS).fit(X_train, y_train)


def test_pipeline_steps():
    pipe = make_digit_pipeline(hidden_layer_sizes=(32, 16), epochs=1)
    assert [name for name, _ in pipe.steps] == ["digit", "normalize", "mlp"]
    assert isinstance(pipe["digit"], DigitNormalizer)
    expected = {"deskew": True, "aspect": "sqrt", "n_jobs": None}
    assert pipe["digit"].get_params() == expected
    assert isinstance(pipe["normalize"], PixelNormalizer)
    assert isinstance(pipe["mlp"], DigitMLPClassifier)
    pipe.fit(X_train[:200], y_train[:200])
    assert [coef.shape for coef in pipe["mlp"].coefs_] == [(64, 32), (32, 16), (16, 10)]


def test_classifies_raw_image_stacks(fitted):
    assert fitted.score(X_test, y_test) > 0.93
    proba = fitted.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(
        fitted.predict(X_test), fitted.classes_[proba.argmax(axis=1)]
    )


def test_flat_rows_give_the_same_predictions(fitted):
    np.testing.assert_array_equal(
        fitted.predict_proba(X_test.reshape(len(X_test), -1)),
        fitted.predict_proba(X_test),
    )


@pytest.mark.slow
def test_grid_search_over_hidden_sizes():
    search = GridSearchCV(
        make_digit_pipeline("fast", epochs=8, random_state=0, **PLAIN),
        {"mlp__hidden_layer_sizes": [(16,), (32,), (32, 16)]},
        cv=3,
        error_score="raise",
    )
    search.fit(X_train, y_train)
    # The parameter reaches the network: the candidates score differently,
    # and the refitted network has the best one's layers.
    assert len(set(search.cv_results_["mean_test_score"])) == 3
    best = search.best_params_["mlp__hidden_layer_sizes"]
    hidden = [coef.shape[1] for coef in search.best_estimator_["mlp"].coefs_[:-1]]
    assert hidden == list(best)
    assert search.score(X_test, y_test) > 0.8


def test_confusion_matrix_display_and_report(fitted):
    display = ConfusionMatrixDisplay.from_estimator(fitted, X_test, y_test)
    np.testing.assert_array_equal(
        display.confusion_matrix.diagonal().sum(),
        np.sum(fitted.predict(X_test) == y_test),
    )
    plt.close(display.figure_)
    report = classification_report(y_test, fitted.predict(X_test), output_dict=True)
    assert report["accuracy"] > 0.93


def test_pickled_pipeline_predicts_the_same(fitted):
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(
        restored.predict_proba(X_test), fitted.predict_proba(X_test)
    )


def test_presets_set_the_classifier_and_explicit_parameters_win():
    from digit_classifier.presets import PRESETS

    assert set(PRESETS) == {"fast", "default", "accurate"}
    defaults = DigitMLPClassifier().get_params()
    for preset, settings in PRESETS.items():
        mlp = make_digit_pipeline(preset)["mlp"].get_params()
        changed = {k: v for k, v in mlp.items() if defaults[k] != v}
        named = {k: v for k, v in settings["mlp"].items() if defaults[k] != v}
        assert changed == named, preset
    fast = make_digit_pipeline("fast")["mlp"].get_params()
    assert {k: v for k, v in fast.items() if defaults[k] != v} == {
        "epochs": 5,
        "outlier_exposure": 0.05,
    }
    accurate = make_digit_pipeline("accurate", epochs=1, aspect="fill")
    assert accurate["mlp"].epochs == 1
    assert accurate["digit"].aspect == "fill"
    for name, value in PRESETS["accurate"]["mlp"].items():
        if name != "epochs":
            assert accurate["mlp"].get_params()[name] == value


def test_every_preset_names_its_settings_and_the_defaults_are_fast_for_longer():
    from digit_classifier.presets import NAMED_SETTINGS, PRESETS

    for name, settings in PRESETS.items():
        assert set(NAMED_SETTINGS) <= set(settings["mlp"]), name
        assert settings["members"], name
    # The documented rule: DigitMLPClassifier() is the fast preset's network
    # and learning rate, for 15 epochs, without augmentation.
    defaults = DigitMLPClassifier().get_params()
    fast = {key: PRESETS["fast"]["mlp"][key] for key in NAMED_SETTINGS}
    assert {key: defaults[key] for key in NAMED_SETTINGS} == {**fast, "epochs": 15}
    # Outlier exposure needs square images: the presets', not any data's.
    assert defaults["outlier_exposure"] == 0
    assert all(settings["mlp"]["outlier_exposure"] for settings in PRESETS.values())
    assert not any(value for key, value in defaults.items() if "augment_" in key)


def test_accurate_preset_trains_on_square_images():
    pipe = make_digit_pipeline("accurate", epochs=2, random_state=0)
    pipe.fit(X_train, y_train)
    assert pipe.score(X_test, y_test) > 0.8


def test_unknown_preset():
    with pytest.raises(ValueError, match="Unknown preset 'best'; choose one of"):
        make_digit_pipeline("best")
