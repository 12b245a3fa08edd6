"""save_model / load_model / load_predictor: round trips, atomic writes, bad files."""

import base64
import io
import json
import os
import subprocess
import sys
import warnings
import zipfile

import keras
import numpy as np
import pytest
import safetensors.numpy
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from digit_classifier import (
    DigitMLPClassifier,
    DigitPredictor,
    PixelNormalizer,
    load_model,
    load_predictor,
    make_digit_pipeline,
    save_model,
)

digits = load_digits(n_class=4)
IMAGES = np.round(digits.images * 255 / 16).astype(np.uint8)
LABELS = digits.target.astype(np.uint8)
ROWS = IMAGES.reshape(len(IMAGES), -1) / 255
QUICK = {"hidden_layer_sizes": (16,), "batch_size": 64, "epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def pipeline():
    return make_digit_pipeline(**QUICK).fit(IMAGES, LABELS)


@pytest.fixture
def saved(pipeline, tmp_path):
    path = tmp_path / "model.zip"
    save_model(pipeline, path)
    return path


def read_entries(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_entries(path, entries):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def rewrite(path, edit_manifest=None, edit_weights=None, extra=None):
    """Rewrite a saved model with an altered manifest, weights or entries."""
    entries = read_entries(path)
    manifest = json.loads(entries["manifest.json"])
    if edit_manifest:
        edit_manifest(manifest)
        entries["manifest.json"] = json.dumps(manifest).encode()
    if edit_weights:
        weights = safetensors.numpy.load(entries["weights.safetensors"])
        edit_weights(weights)
        entries["weights.safetensors"] = safetensors.numpy.save(weights)
    write_entries(path, {**entries, **(extra or {})})


def test_pipeline_round_trip_predicts_the_same(pipeline, saved):
    loaded = load_model(saved)
    assert isinstance(loaded, Pipeline)
    assert [name for name, _ in loaded.steps] == ["digit", "normalize", "mlp"]
    assert loaded["digit"].get_params() == pipeline["digit"].get_params()
    assert isinstance(loaded["normalize"], PixelNormalizer)
    # The same weights through the same NumPy code: the same numbers.
    np.testing.assert_array_equal(
        loaded.predict_proba(IMAGES), pipeline.predict_proba(IMAGES)
    )
    np.testing.assert_array_equal(loaded.predict(IMAGES), pipeline.predict(IMAGES))
    assert loaded.classes_.dtype == pipeline.classes_.dtype
    assert loaded["mlp"].get_params() == pipeline["mlp"].get_params()
    assert loaded["mlp"].history_ == pipeline["mlp"].history_
    assert loaded["mlp"].n_iter_ == pipeline["mlp"].n_iter_
    # The rebuilt Keras network holds the saved weights.
    for original, restored in zip(
        pipeline["mlp"].model_.weights, loaded["mlp"].model_.weights, strict=True
    ):
        assert original.path == restored.path
        np.testing.assert_array_equal(original.numpy(), restored.numpy())
    np.testing.assert_allclose(
        loaded.predict_proba(IMAGES),
        loaded["mlp"].model_.predict(loaded[:-1].transform(IMAGES), verbose=0),
        rtol=0,
        atol=1e-5,
    )


def test_predictor_predicts_what_the_pipeline_does(pipeline, saved):
    predictor = load_predictor(saved)
    assert isinstance(predictor, DigitPredictor)
    assert predictor.n_features_in_ == 64
    np.testing.assert_array_equal(predictor.classes_, pipeline.classes_)
    assert predictor.classes_.dtype == pipeline.classes_.dtype
    for X in (IMAGES, IMAGES.reshape(len(IMAGES), -1), IMAGES[:1]):
        np.testing.assert_array_equal(
            predictor.predict_proba(X), pipeline.predict_proba(X)
        )
        np.testing.assert_array_equal(predictor.predict(X), pipeline.predict(X))
    assert predictor.score(IMAGES, LABELS) == pipeline.score(IMAGES, LABELS)


def test_manifest_and_arrays_hold_only_data(saved):
    entries = read_entries(saved)
    assert set(entries) == {
        "manifest.json",
        "weights.safetensors",
        "optimizer.safetensors",
    }
    manifest = json.loads(entries["manifest.json"])
    assert manifest["format_version"] == 3
    assert manifest["committee"] is None
    assert [member["name"] for member in manifest["members"]] == ["model"]
    assert set(manifest["versions"]) >= {"digit_classifier", "keras", "safetensors"}
    mlp = manifest["members"][0]["steps"][-1]
    assert mlp["params"]["hidden_layer_sizes"] == [16]
    assert mlp["fitted"]["classes_"] == [0, 1, 2, 3]
    weights = safetensors.numpy.load(entries["weights.safetensors"])
    assert {name: array.shape for name, array in weights.items()} == {
        "model/hidden_1/kernel": (64, 16),
        "model/hidden_1/bias": (16,),
        "model/output/kernel": (16, 4),
        "model/output/bias": (4,),
    }
    assert {array.dtype for array in weights.values()} == {np.dtype(np.float32)}


def test_bare_classifier_with_string_labels(tmp_path):
    names = np.array(["zero", "one", "two", "three"])[LABELS]
    clf = DigitMLPClassifier(**QUICK).fit(ROWS, names)
    save_model(clf, tmp_path / "clf.zip")
    loaded = load_model(tmp_path / "clf.zip")
    assert isinstance(loaded, DigitMLPClassifier)
    np.testing.assert_array_equal(loaded.predict(ROWS), clf.predict(ROWS))
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    # A bare classifier's predictor takes its rows as they are, not pixels.
    predictor = load_predictor(tmp_path / "clf.zip")
    np.testing.assert_array_equal(predictor.predict(ROWS), clf.predict(ROWS))
    np.testing.assert_array_equal(
        predictor.predict_proba(ROWS), clf.predict_proba(ROWS)
    )


def test_optimizer_state_comes_back_and_training_continues(pipeline, saved):
    loaded = load_model(saved)
    original = pipeline["mlp"].model_.optimizer.variables
    restored = loaded["mlp"].model_.optimizer.variables
    assert len(restored) == len(original) > 2  # step count, rate, two moments each
    for before, after in zip(original, restored, strict=True):
        np.testing.assert_array_equal(before.numpy(), after.numpy())
    loaded["mlp"].partial_fit(ROWS, LABELS)
    assert loaded["mlp"].n_iter_ == 4
    assert int(loaded["mlp"].model_.optimizer.iterations) > int(
        pipeline["mlp"].model_.optimizer.iterations
    )


def test_without_the_optimizer_training_starts_a_new_one(pipeline, tmp_path):
    path = tmp_path / "small.zip"
    save_model(pipeline, path, include_optimizer=False)
    assert set(read_entries(path)) == {"manifest.json", "weights.safetensors"}
    loaded = load_model(path)
    assert int(loaded["mlp"].model_.optimizer.iterations) == 0
    loaded["mlp"].partial_fit(ROWS, LABELS)
    assert loaded["mlp"].n_iter_ == 4
    np.testing.assert_array_equal(
        load_predictor(path).predict_proba(IMAGES), pipeline.predict_proba(IMAGES)
    )


def test_facts_about_the_model_are_kept_with_it(pipeline, tmp_path):
    info = {"preset": "default", "test_accuracy": np.float64(0.983), "n_train": 54000}
    save_model(pipeline, tmp_path / "model.zip", info=info)
    assert load_predictor(tmp_path / "model.zip").info == {
        "preset": "default",
        "test_accuracy": 0.983,
        "n_train": 54000,
    }
    with pytest.raises(TypeError, match="info must hold JSON data"):
        save_model(pipeline, tmp_path / "other.zip", info={"model": pipeline})
    assert not (tmp_path / "other.zip").exists()


def test_failed_save_leaves_the_previous_file_intact(pipeline, saved, monkeypatch):
    before = saved.read_bytes()

    def broken_writestr(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", broken_writestr)
    with pytest.raises(OSError, match="disk full"):
        save_model(pipeline, saved)
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == ["model.zip"]


@pytest.mark.parametrize(
    ("params", "unsaved"),
    [
        ({"callbacks": [keras.callbacks.TerminateOnNaN()]}, "callbacks"),
        ({"optimizer": keras.optimizers.SGD}, "optimizer"),
    ],
)
def test_unstorable_parameters_are_reported(tmp_path, params, unsaved):
    clf = DigitMLPClassifier(**QUICK, **params).fit(ROWS, LABELS)
    with pytest.warns(UserWarning, match=f"Parameters {unsaved} cannot be stored"):
        save_model(clf, tmp_path / "clf.zip")
    loaded = load_model(tmp_path / "clf.zip")
    assert loaded.get_params()[unsaved] == DigitMLPClassifier().get_params()[unsaved]


def test_how_many_processes_normalize_is_not_the_models(pipeline, tmp_path):
    # n_jobs is this machine's setting: neither saved nor reported unsaved.
    pipeline = clone(pipeline).set_params(digit__n_jobs=2).fit(IMAGES, LABELS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        save_model(pipeline, tmp_path / "model.zip")
    manifest = json.loads(read_entries(tmp_path / "model.zip")["manifest.json"])
    [member] = manifest["members"]
    assert member["steps"][0]["params"] == {"deskew": True, "aspect": "sqrt"}
    assert load_model(tmp_path / "model.zip")["digit"].n_jobs is None


def test_stored_parameters_come_back_equal_and_of_the_same_type(tmp_path):
    params = {
        "class_weight": "balanced",
        "optimizer__beta_1": 0.8,
        "fit__validation_freq": 2,
        "metrics": ["accuracy"],
        "random_state": 3,
        "verbose": False,
    }
    clf = DigitMLPClassifier(**{**QUICK, **params}).fit(ROWS, LABELS)
    save_model(clf, tmp_path / "clf.zip")
    loaded = load_model(tmp_path / "clf.zip").get_params()
    for name, value in {**QUICK, **params}.items():
        assert loaded[name] == value
        assert type(loaded[name]) is type(value)


@pytest.mark.parametrize(
    ("labels", "class_weight"),
    [
        # JSON's keys are strings: the label 0 must not come back as "0".
        (LABELS, {0: 2.0, 3: 0.5}),
        (np.array(["zero", "one", "two", "three"])[LABELS], {"zero": 2.0}),
    ],
)
def test_class_weight_comes_back_and_training_goes_on(tmp_path, labels, class_weight):
    clf = DigitMLPClassifier(**QUICK, class_weight=class_weight).fit(ROWS, labels)
    save_model(clf, tmp_path / "clf.zip")
    loaded = load_model(tmp_path / "clf.zip")
    assert loaded.class_weight == class_weight
    assert [type(key) for key in loaded.class_weight] == [
        type(key) for key in class_weight
    ]
    loaded.partial_fit(ROWS, labels)
    assert loaded.n_iter_ == clf.n_iter_ + 1


def test_refuses_unfitted_and_foreign_estimators(tmp_path):
    with pytest.raises(NotFittedError):
        save_model(make_digit_pipeline(), tmp_path / "model.zip")
    with pytest.raises(TypeError, match="save_model expects a DigitMLPClassifier"):
        save_model(PixelNormalizer(), tmp_path / "model.zip")
    assert not (tmp_path / "model.zip").exists()


@pytest.mark.parametrize("load", [load_model, load_predictor])
def test_missing_file(tmp_path, load):
    with pytest.raises(FileNotFoundError, match="No model file at"):
        load(tmp_path / "absent.zip")


@pytest.mark.parametrize("load", [load_model, load_predictor])
def test_not_a_zip(tmp_path, load):
    path = tmp_path / "model.zip"
    path.write_text("hello")
    with pytest.raises(ValueError, match="is not a readable digit_classifier model"):
        load(path)


@pytest.mark.parametrize("load", [load_model, load_predictor])
def test_truncated_file(saved, load):
    saved.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    with pytest.raises(ValueError, match="is not a readable digit_classifier model"):
        load(saved)


def test_someone_elses_zip(tmp_path):
    path = tmp_path / "other.zip"
    write_entries(path, {"data.txt": "x"})
    with pytest.raises(ValueError, match="it has no manifest.json"):
        load_predictor(path)


def set_weight(name, value):
    def edit(weights):
        weights[name] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda w: w.pop("model/output/bias"),
            r"missing \['model/output/bias'\], unexpected \[\]",
        ),
        (
            set_weight("model/hidden_9/kernel", np.zeros(2, np.float32)),
            r"missing \[\], unexpected \['model/hidden_9/kernel'\]",
        ),
        (
            set_weight("model/hidden_1/kernel", np.zeros((64, 8), np.float32)),
            r"array 'model/hidden_1/kernel' is float32 of shape \(64, 8\), "
            r"expected float32 of shape \(64, 16\)",
        ),
        (
            set_weight("model/output/bias", np.zeros(4, np.float64)),
            "array 'model/output/bias' is float64 of shape",
        ),
        (
            set_weight("model/output/bias", np.array([0, np.nan, 0, 0], np.float32)),
            "array 'model/output/bias' holds NaN or infinity",
        ),
    ],
)
@pytest.mark.parametrize("load", [load_model, load_predictor])
def test_bad_weights_are_refused_with_the_arrays_name(saved, edit, message, load):
    rewrite(saved, edit_weights=edit)
    with pytest.raises(ValueError, match=f"model.zip: weights.safetensors.*{message}"):
        load(saved)


def test_a_header_that_lies_about_sizes_is_refused(saved):
    entries = read_entries(saved)
    weights = entries["weights.safetensors"]
    header_size = int.from_bytes(weights[:8], "little")
    header = json.loads(weights[8 : 8 + header_size])
    header["model/output/bias"]["data_offsets"][1] += 400  # past the end of the data
    forged = json.dumps(header).encode()
    payload = len(forged).to_bytes(8, "little") + forged + weights[8 + header_size :]
    write_entries(saved, {**entries, "weights.safetensors": payload})
    with pytest.raises(
        ValueError, match="weights.safetensors is not a valid safetensors"
    ):
        load_predictor(saved)


def test_an_oversized_array_file_is_refused_before_it_is_read(saved, monkeypatch):
    entries = read_entries(saved)
    # Far larger than the manifest's 64-16-4 network: no weight file that big.
    entries["weights.safetensors"] += bytes(1 << 20)
    write_entries(saved, entries)
    real_read = zipfile.ZipFile.read

    def read(archive, name, *args, **kwargs):
        assert name != "weights.safetensors", "read before its size was checked"
        return real_read(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "read", read)
    with pytest.raises(ValueError, match="far more than the 4,432 bytes"):
        load_predictor(saved)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m.update(format="other"), "no format marker"),
        (lambda m: m.update(format_version=99), "unsupported format_version 99"),
        (
            lambda m: m["members"][0]["steps"][-1].update({"class": "os.system"}),
            "steps must be",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["fitted"].update(classes_=[1]),
            "at least 2 distinct",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["fitted"].update(
                classes_=[[0, 1], [2, 3]]
            ),
            "at least 2 distinct integer or string labels",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["fitted"].update(
                history_={"loss": 5}
            ),
            "history_ lists of numbers by name",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["fitted"].update(n_iter_=-1),
            "n_iter_ must be a count",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["fitted"].update(
                classes_=[0, 1, 2, 3, 4]
            ),
            r"array 'model/output/kernel' is float32 of shape \(16, 4\), expected "
            r"float32 of shape \(16, 5\)",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["params"].update(
                hidden_layer_sizes=[16, 8]
            ),
            r"missing \['model/hidden_2/kernel', 'model/hidden_2/bias'\]",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["params"].update(
                hidden_layer_sizes="16"
            ),
            "hidden_layer_sizes must be a list of positive integers",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["params"].update(
                activation="os.system"
            ),
            "activation must be one of",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["fitted"].update(
                classes_dtype="not-a-dtype"
            ),
            "unknown classes_dtype",
        ),
        (
            lambda m: m["members"][0]["steps"][1]["params"].update(copy=True),
            "PixelNormalizer takes no parameters",
        ),
        (
            lambda m: m["members"][0].update(optimizer={"adam": 1}),
            "optimizer must list arrays",
        ),
        (lambda m: m.update(info=["preset"]), "info must be a dict"),
        (
            lambda m: m["members"][0]["steps"][-1]["params"].update(
                class_weight=[[0, "x"]]
            ),
            "class_weight must be None, 'balanced' or",
        ),
    ],
)
@pytest.mark.parametrize("load", [load_model, load_predictor])
def test_tampered_manifest(saved, edit, message, load):
    rewrite(saved, edit_manifest=edit)
    with pytest.raises(ValueError, match=message):
        load(saved)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda m: m["members"][0]["steps"][-1]["params"].update(evil="x"),
            r"unknown DigitMLPClassifier parameters \['evil'\]",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["params"].update(dropout=7),
            "invalid parameters: The .dropout. parameter",
        ),
        (
            lambda m: m["members"][0]["steps"][-1]["params"].update(
                optimizer="no_such_optimizer"
            ),
            "the network cannot be built",
        ),
    ],
)
def test_tampered_training_parameters(saved, edit, message):
    rewrite(saved, edit_manifest=edit)
    with pytest.raises(ValueError, match=message):
        load_model(saved)


def test_optimizer_arrays_that_do_not_fit_the_optimizer(saved):
    entries = read_entries(saved)
    manifest = json.loads(entries["manifest.json"])
    state = safetensors.numpy.load(entries["optimizer.safetensors"])
    entry = manifest["members"][0]["optimizer"][2]  # the first kernel's first moment
    entry["shape"] = [5, 5]
    state[f"model/{entry['name']}"] = np.zeros((5, 5), np.float32)
    entries["manifest.json"] = json.dumps(manifest)
    entries["optimizer.safetensors"] = safetensors.numpy.save(state)
    write_entries(saved, entries)
    with pytest.raises(ValueError, match="the saved optimizer arrays do not fit"):
        load_model(saved)
    # Prediction does not need the optimizer.
    assert load_predictor(saved).predict(IMAGES[:1]).shape == (1,)


# --- model files that try to run code ----------------------------------------


# The shapes of published exploits of Keras's model loading, as the
# config.json of a .keras file: a Lambda calling Keras's own
# set_global_attribute to switch safe mode off (then loading a file unsafely);
# a function looked up by module and name; a TFSMLayer that loads an
# attacker's SavedModel; a marshalled Python lambda.
def gadget_configs(marker):
    def layer(class_name, config, module="keras.layers"):
        return {"module": module, "class_name": class_name, "config": config}

    code = f"open({str(marker)!r}, 'w').close()"
    lambda_code = base64.b64encode(code.encode()).decode()
    return {
        "safe_mode_off": layer(
            "Lambda",
            {
                "function": {
                    "module": "keras.src.backend.common.global_state",
                    "class_name": "function",
                    "config": "set_global_attribute",
                },
                "arguments": {"name": "safe_mode_saving", "value": False},
            },
        ),
        "module_function": layer(
            "Lambda",
            {
                "function": {
                    "module": "builtins",
                    "class_name": "function",
                    "config": "exec",
                },
                "arguments": {"source": code},
            },
        ),
        "tfsm_layer": layer(
            "TFSMLayer", {"filepath": str(marker.parent), "call_endpoint": "serve"}
        ),
        "python_lambda": layer(
            "Lambda",
            {
                "function": {
                    "class_name": "__lambda__",
                    "config": {"code": lambda_code, "defaults": None, "closure": None},
                }
            },
        ),
    }


def keras_archive(layer_config):
    """A .keras file whose functional model holds one crafted layer."""
    config = {
        "module": "keras",
        "class_name": "Functional",
        "config": {
            "name": "digit_mlp",
            "layers": [{**layer_config, "name": "crafted", "inbound_nodes": []}],
            "input_layers": [],
            "output_layers": [["crafted", 0, 0]],
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.10.0"}))
        archive.writestr("model.weights.h5", b"")
    return buffer.getvalue()


@pytest.fixture
def keras_loading_forbidden(monkeypatch):
    """Fail the test if anything calls Keras's model loading or deserializing."""

    def forbidden(*args, **kwargs):
        raise AssertionError("Keras deserialization was called")

    for owner, name in [
        (keras.saving, "load_model"),
        (keras.models, "load_model"),
        (keras.saving, "deserialize_keras_object"),
        (keras.models, "model_from_json"),
        (keras.layers, "deserialize"),
    ]:
        monkeypatch.setattr(owner, name, forbidden)


@pytest.mark.parametrize(
    "gadget", ["safe_mode_off", "module_function", "tfsm_layer", "python_lambda"]
)
@pytest.mark.parametrize("load", [load_model, load_predictor])
def test_code_in_an_old_keras_model_file_never_runs(
    saved, tmp_path, gadget, load, keras_loading_forbidden
):
    """A format-1 file (a Keras model inside) is refused before it is opened."""
    marker = tmp_path / "ran"
    entries = read_entries(saved)
    manifest = json.loads(entries["manifest.json"])
    manifest["format_version"] = 1
    write_entries(
        saved,
        {
            "manifest.json": json.dumps(manifest),
            "model.keras": keras_archive(gadget_configs(marker)[gadget]),
        },
    )
    with pytest.raises(ValueError, match="format version 1, which held a Keras model"):
        load(saved)
    assert not marker.exists()


def test_a_keras_model_smuggled_into_a_new_file_is_refused(
    saved, tmp_path, keras_loading_forbidden
):
    marker = tmp_path / "ran"
    crafted = keras_archive(gadget_configs(marker)["python_lambda"])
    rewrite(saved, extra={"model.keras": crafted})
    with pytest.raises(ValueError, match=r"found \[.*'model.keras'"):
        load_model(saved)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # Keras would deserialize each of these into an object.
        ("optimizer", {"module": "builtins", "class_name": "exec", "config": {}}),
        ("optimizer", "keras.src.backend.common.global_state.set_global_attribute"),
        ("loss", {"class_name": "__lambda__", "config": {"code": "eA=="}}),
        ("metrics", [{"module": "os", "class_name": "system"}]),
        ("optimizer__learning_rate", {"class_name": "Lambda", "config": {}}),
        ("callbacks", [{"class_name": "LambdaCallback", "config": {}}]),
        ("model", "keras.src.models.Model"),
    ],
)
def test_parameters_that_keras_would_deserialize_are_refused(
    saved, name, value, keras_loading_forbidden
):
    rewrite(
        saved,
        edit_manifest=lambda m: m["members"][0]["steps"][-1]["params"].update(
            {name: value}
        ),
    )
    with pytest.raises(ValueError, match=f"parameter '{name}' holds .* not plain data"):
        load_model(saved)


def test_prediction_imports_neither_tensorflow_nor_scikit_learn(saved):
    code = (
        "import sys, numpy as np\n"
        "from digit_classifier import load_predictor\n"
        f"predictor = load_predictor({str(saved)!r})\n"
        "print(predictor.predict(np.zeros((2, 8, 8))).tolist())\n"
        "heavy = {'tensorflow', 'keras', 'scikeras', 'sklearn'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2
    assert result.stderr == ""
