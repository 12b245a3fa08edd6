"""save_model / load_model: round trips, atomic writes, refusing bad files."""

import hashlib
import json
import os
import zipfile

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from digit_classifier import (
    DigitMLPClassifier,
    PixelNormalizer,
    load_model,
    make_digit_pipeline,
    save_model,
)

digits = load_digits(n_class=4)
IMAGES = np.round(digits.images * 255 / 16).astype(np.uint8)
LABELS = digits.target.astype(np.uint8)
QUICK = {"hidden_layer_sizes": (16,), "batch_size": 64, "epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def pipeline():
    return make_digit_pipeline(**QUICK).fit(IMAGES, LABELS)


@pytest.fixture
def saved(pipeline, tmp_path):
    path = tmp_path / "model.zip"
    save_model(pipeline, path)
    return path


def rewrite(path, edit_manifest=None, keras_bytes=None, rehash=True):
    """Rewrite a saved model with an altered manifest or Keras payload."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        payload = archive.read("model.keras")
    if edit_manifest:
        edit_manifest(manifest)
    if keras_bytes is not None:
        payload = keras_bytes
        if rehash:
            manifest["keras_model_sha256"] = hashlib.sha256(payload).hexdigest()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("model.keras", payload)


def test_pipeline_round_trip_predicts_exactly_the_same(pipeline, saved):
    loaded = load_model(saved)
    assert isinstance(loaded, Pipeline)
    assert isinstance(loaded["normalize"], PixelNormalizer)
    np.testing.assert_array_equal(
        loaded.predict_proba(IMAGES), pipeline.predict_proba(IMAGES)
    )
    np.testing.assert_array_equal(loaded.predict(IMAGES), pipeline.predict(IMAGES))
    assert loaded.classes_.dtype == pipeline.classes_.dtype
    assert loaded["mlp"].get_params() == pipeline["mlp"].get_params()
    assert loaded["mlp"].history_ == pipeline["mlp"].history_
    assert loaded["mlp"].n_iter_ == pipeline["mlp"].n_iter_


def test_manifest_records_versions_parameters_and_classes(saved):
    with zipfile.ZipFile(saved) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format_version"] == 1
    assert set(manifest["versions"]) >= {"digit_classifier", "scikit-learn", "keras"}
    mlp = manifest["steps"][1]
    assert mlp["params"]["hidden_layer_sizes"] == [16]
    assert mlp["fitted"]["classes_"] == [0, 1, 2, 3]


def test_bare_classifier_with_string_labels(tmp_path):
    X = IMAGES.reshape(len(IMAGES), -1) / 255
    names = np.array(["zero", "one", "two", "three"])[LABELS]
    clf = DigitMLPClassifier(**QUICK).fit(X, names)
    save_model(clf, tmp_path / "clf.zip")
    loaded = load_model(tmp_path / "clf.zip")
    assert isinstance(loaded, DigitMLPClassifier)
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)


def test_loaded_model_can_keep_training(saved):
    loaded = load_model(saved)
    loaded["mlp"].partial_fit(IMAGES.reshape(len(IMAGES), -1) / 255, LABELS)
    assert loaded["mlp"].n_iter_ == 4


def test_failed_save_leaves_the_previous_file_intact(pipeline, saved, monkeypatch):
    before = saved.read_bytes()

    def broken_writestr(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", broken_writestr)
    with pytest.raises(OSError, match="disk full"):
        save_model(pipeline, saved)
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == ["model.zip"]


def test_unsaveable_parameters_are_reported(tmp_path):
    clf = DigitMLPClassifier(**QUICK, callbacks=[keras.callbacks.TerminateOnNaN()])
    clf.fit(IMAGES.reshape(len(IMAGES), -1), LABELS)
    with pytest.warns(UserWarning, match="Parameters callbacks cannot be stored"):
        save_model(clf, tmp_path / "clf.zip")
    assert load_model(tmp_path / "clf.zip").callbacks is None


def test_refuses_unfitted_and_foreign_estimators(tmp_path):
    with pytest.raises(NotFittedError):
        save_model(make_digit_pipeline(), tmp_path / "model.zip")
    with pytest.raises(TypeError, match="save_model expects a DigitMLPClassifier"):
        save_model(PixelNormalizer(), tmp_path / "model.zip")
    assert not (tmp_path / "model.zip").exists()


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file at"):
        load_model(tmp_path / "absent.zip")


def test_not_a_zip(tmp_path):
    path = tmp_path / "model.zip"
    path.write_text("hello")
    with pytest.raises(ValueError, match="is not a readable digit_classifier model"):
        load_model(path)


def test_truncated_file(saved):
    saved.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    with pytest.raises(ValueError, match="is not a readable digit_classifier model"):
        load_model(saved)


def test_someone_elses_zip(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.txt", "x")
    with pytest.raises(ValueError, match="expected manifest.json and model.keras"):
        load_model(path)


def test_altered_keras_payload_fails_the_checksum(saved):
    rewrite(saved, keras_bytes=b"not a keras model", rehash=False)
    with pytest.raises(ValueError, match="does not match the checksum"):
        load_model(saved)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m.update(format="other"), "no format marker"),
        (lambda m: m.update(format_version=99), "unsupported format_version 99"),
        (lambda m: m["steps"][1].update({"class": "os.system"}), "steps must be"),
        (lambda m: m["steps"][1]["fitted"].update(classes_=[1]), "at least 2 labels"),
        (
            lambda m: m["steps"][1]["fitted"].update(classes_=[0, 1, 2, 3, 4]),
            "does not match manifest.json",
        ),
        (
            lambda m: m["steps"][1]["params"].update(evil="x"),
            "unknown DigitMLPClassifier parameters ['evil']",
        ),
        (
            lambda m: m["steps"][1]["params"].update(dropout=7),
            "invalid parameters in manifest.json",
        ),
        (
            lambda m: m["steps"][1]["fitted"].update(classes_dtype="not-a-dtype"),
            "unknown classes_dtype",
        ),
    ],
)
def test_tampered_manifest(saved, edit, message):
    rewrite(saved, edit_manifest=edit)
    with pytest.raises(
        ValueError, match=message.replace("[", r"\[").replace("]", r"\]")
    ):
        load_model(saved)


def test_code_inside_the_keras_model_never_runs(saved, tmp_path):
    marker = tmp_path / "ran"
    marker_name = str(marker)
    inputs = keras.Input((64,))
    outputs = keras.layers.Lambda(
        lambda x: (open(marker_name, "w").close(), x)[1]  # runs if deserialized
    )(inputs)
    outputs = keras.layers.Dense(4, activation="softmax")(outputs)
    evil = tmp_path / "evil.keras"
    keras.Model(inputs, outputs).save(evil)
    marker.unlink(missing_ok=True)

    rewrite(saved, keras_bytes=evil.read_bytes())
    with pytest.raises(ValueError, match="cannot be loaded safely"):
        load_model(saved)
    assert not marker.exists()
