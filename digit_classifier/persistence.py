"""Saving and loading fitted models as one safe file.

A model file is a zip archive holding ``manifest.json`` (format version,
library versions, the estimators' parameters and fitted attributes) and
``model.keras`` (the network in Keras's own format). Loading parses JSON and
loads Keras with ``safe_mode=True``: nothing is unpickled and no code from
the file runs. Pickle and joblib keep working too, as for any scikit-learn
estimator, but only ever unpickle files you trust.
"""

import hashlib
import json
import tempfile
import warnings
import zipfile
from importlib.metadata import version
from pathlib import Path

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from . import __version__
from ._io import atomic_write
from .classifier import DigitMLPClassifier
from .preprocessing import PixelNormalizer

FORMAT = "digit_classifier.model"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
KERAS_MODEL = "model.keras"
# Manifests are a few kilobytes; refuse to read a huge one into memory.
MAX_MANIFEST_BYTES = 1 << 20
# Label dtypes that JSON can carry back exactly.
LABEL_KINDS = {"b", "i", "u", "U", "O"}


def save_model(estimator, path):
    """Save a fitted digit classifier to one file.

    The file is written to a temporary name and renamed into place, so an
    interrupted save never leaves a half-written model where a good one was.

    Parameters
    ----------
    estimator : Pipeline or DigitMLPClassifier
        A fitted :func:`make_digit_pipeline` pipeline or a fitted
        :class:`DigitMLPClassifier`.

    path : str or os.PathLike
        Where to write the model, conventionally with a ``.zip`` suffix.

    See Also
    --------
    load_model : Load the file back.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import make_digit_pipeline, save_model, load_model
    >>> X, y = load_digits(return_X_y=True)
    >>> pipe = make_digit_pipeline(hidden_layer_sizes=(16,), epochs=1).fit(X, y)
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.zip")
    >>> save_model(pipe, path)
    >>> (load_model(path).predict_proba(X) == pipe.predict_proba(X)).all()
    np.True_
    """
    named_steps = _named_steps(estimator)
    classifier = named_steps[-1][1]
    unsaved = []
    steps = [_describe(name, step, unsaved) for name, step in named_steps]
    if unsaved:
        warnings.warn(
            f"Parameters {', '.join(unsaved)} cannot be stored as JSON and are not "
            "saved; the loaded model uses their defaults.",
            UserWarning,
            stacklevel=2,
        )

    with tempfile.TemporaryDirectory() as tmp:
        keras_file = Path(tmp) / KERAS_MODEL
        classifier.model_.save(keras_file)
        keras_bytes = keras_file.read_bytes()

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _library_versions(),
        "pipeline": isinstance(estimator, Pipeline),
        "steps": steps,
        "keras_model_sha256": hashlib.sha256(keras_bytes).hexdigest(),
    }
    with atomic_write(path) as file, zipfile.ZipFile(file, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        # A .keras file is itself a compressed zip: store it as it is.
        archive.writestr(KERAS_MODEL, keras_bytes, compress_type=zipfile.ZIP_STORED)


def load_model(path):
    """Load a model saved by :func:`save_model`, without running code from it.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_model`.

    Returns
    -------
    estimator : Pipeline or DigitMLPClassifier
        The fitted estimator, predicting exactly what the saved one did.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If the file is not a digit_classifier model, or is truncated or
        altered.

    See Also
    --------
    save_model : Write such a file.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import DigitMLPClassifier, load_model, save_model
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DigitMLPClassifier(hidden_layer_sizes=(16,), epochs=1).fit(X / 16, y)
    >>> folder = tempfile.mkdtemp()
    >>> save_model(clf, os.path.join(folder, "digits.zip"))
    >>> loaded = load_model(os.path.join(folder, "digits.zip"))
    >>> type(loaded).__name__, loaded.hidden_layer_sizes, loaded.classes_[:3]
    ('DigitMLPClassifier', (16,), array([0, 1, 2]))

    A file that is not a model is refused before anything in it is used:

    >>> with open(os.path.join(folder, "notes.zip"), "w") as file:
    ...     _ = file.write("not a model")
    >>> load_model(os.path.join(folder, "notes.zip"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...notes.zip is not a readable digit_classifier model file (...).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {path}.")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, path)
            keras_bytes = archive.read(KERAS_MODEL)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ValueError(
            f"{path} is not a readable digit_classifier model file ({exc})."
        ) from exc
    if hashlib.sha256(keras_bytes).hexdigest() != manifest["keras_model_sha256"]:
        raise ValueError(
            f"{path}: {KERAS_MODEL} does not match the checksum in {MANIFEST}; "
            "the file was altered or damaged."
        )

    steps = manifest["steps"]
    classifier = _restore_classifier(steps[-1], _load_keras(keras_bytes, path), path)
    if not manifest["pipeline"]:
        return classifier
    normalizer = PixelNormalizer()
    normalizer.n_features_in_ = steps[0]["fitted"]["n_features_in_"]
    return Pipeline([(steps[0]["name"], normalizer), (steps[1]["name"], classifier)])


def _named_steps(estimator):
    """[(name, step), ...] of a bare classifier or of a digit pipeline."""
    if isinstance(estimator, DigitMLPClassifier):
        steps = [("mlp", estimator)]
    elif (
        isinstance(estimator, Pipeline)
        and len(estimator.steps) == 2
        and isinstance(estimator[0], PixelNormalizer)
        and isinstance(estimator[1], DigitMLPClassifier)
    ):
        steps = estimator.steps
    else:
        raise TypeError(
            "save_model expects a DigitMLPClassifier or a make_digit_pipeline() "
            f"pipeline, got {type(estimator).__name__}."
        )
    check_is_fitted(steps[-1][1], "model_")
    return steps


def _describe(name, estimator, unsaved):
    """The manifest entry of one fitted step."""
    params = {}
    for param, value in estimator.get_params(deep=False).items():
        value = list(value) if isinstance(value, tuple) else value
        try:
            json.dumps(value)
        except TypeError:
            unsaved.append(param)
            continue
        params[param] = value
    fitted = {"n_features_in_": int(estimator.n_features_in_)}
    if isinstance(estimator, DigitMLPClassifier):
        classes = estimator.classes_
        if classes.dtype.kind not in LABEL_KINDS or (
            classes.dtype.kind == "O" and not all(isinstance(c, str) for c in classes)
        ):
            raise TypeError(
                f"Class labels of dtype {classes.dtype} cannot be saved; use "
                "integer or string labels."
            )
        fitted.update(
            classes_=classes.tolist(),
            classes_dtype=classes.dtype.str,
            n_iter_=int(estimator.n_iter_),
            history_=estimator.history_,
        )
    return {
        "name": name,
        "class": type(estimator).__name__,
        "params": params,
        "fitted": fitted,
    }


def _library_versions():
    libraries = ("scikit-learn", "scikeras", "keras", "tensorflow", "numpy")
    return {"digit_classifier": __version__} | {lib: version(lib) for lib in libraries}


def _read_manifest(archive, path):
    names = set(archive.namelist())
    if names != {MANIFEST, KERAS_MODEL}:
        raise ValueError(
            f"{path} is not a digit_classifier model file: expected {MANIFEST} and "
            f"{KERAS_MODEL}, found {sorted(names)}."
        )
    if archive.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
        raise ValueError(f"{path}: {MANIFEST} is implausibly large.")
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: {MANIFEST} is not valid JSON ({exc}).") from exc
    _check_manifest(manifest, path)
    return manifest


def _check_manifest(manifest, path):
    """Check the manifest's structure before anything is built from it."""

    def fail(problem):
        raise ValueError(f"{path}: {problem} in {MANIFEST}.")

    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        fail(f"not a {FORMAT} file: no format marker")
    if manifest.get("format_version") != FORMAT_VERSION:
        fail(
            f"unsupported format_version {manifest.get('format_version')!r} "
            f"(this digit_classifier {__version__} reads version {FORMAT_VERSION})"
        )
    steps = manifest.get("steps")
    expected = (
        ["PixelNormalizer", "DigitMLPClassifier"]
        if manifest.get("pipeline") is True
        else ["DigitMLPClassifier"]
    )
    if (
        not isinstance(steps, list)
        or [step.get("class") if isinstance(step, dict) else None for step in steps]
        != expected
    ):
        fail(f"steps must be {expected}")
    for step in steps:
        if not (
            isinstance(step.get("params"), dict)
            and isinstance(step.get("fitted"), dict)
            and isinstance(step.get("name"), str)
        ):
            fail(f"malformed step {step.get('class')}")
        n_features = step["fitted"].get("n_features_in_")
        if not isinstance(n_features, int) or n_features < 1:
            fail("n_features_in_ must be a positive integer")
    fitted = steps[-1]["fitted"]
    if not isinstance(fitted.get("classes_"), list) or len(fitted["classes_"]) < 2:
        fail("classes_ must list at least 2 labels")
    if (
        np.dtype(_checked_dtype(fitted.get("classes_dtype"), fail)).kind
        not in LABEL_KINDS
    ):
        fail("classes_dtype is not a label dtype")
    if not isinstance(manifest.get("keras_model_sha256"), str):
        fail("keras_model_sha256 is missing")


def _checked_dtype(dtype, fail):
    try:
        return np.dtype(dtype)
    except TypeError:
        fail(f"unknown classes_dtype {dtype!r}")


def _load_keras(keras_bytes, path):
    import keras

    with tempfile.TemporaryDirectory() as tmp:
        keras_file = Path(tmp) / KERAS_MODEL
        keras_file.write_bytes(keras_bytes)
        try:
            # safe_mode refuses lambda layers and other serialized code.
            return keras.saving.load_model(keras_file, safe_mode=True)
        except Exception as exc:  # Keras raises many types for a bad file
            raise ValueError(
                f"{path}: the Keras model inside cannot be loaded safely ({exc})."
            ) from exc


def _restore_classifier(step, model, path):
    params = step["params"]
    known = DigitMLPClassifier().get_params(deep=False)
    unknown = [name for name in params if name not in known and "__" not in name]
    if unknown:
        raise ValueError(f"{path}: unknown DigitMLPClassifier parameters {unknown}.")
    if "hidden_layer_sizes" in params:
        params = {**params, "hidden_layer_sizes": tuple(params["hidden_layer_sizes"])}
    classifier = DigitMLPClassifier(**params)
    try:
        classifier._validate_params()
    except ValueError as exc:
        raise ValueError(f"{path}: invalid parameters in {MANIFEST}: {exc}") from exc

    fitted = step["fitted"]
    try:
        classes = np.array(fitted["classes_"], dtype=fitted["classes_dtype"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: classes_ do not match classes_dtype.") from exc
    if model.input_shape != (None, fitted["n_features_in_"]) or model.output_shape != (
        None,
        len(classes),
    ):
        raise ValueError(
            f"{path}: the Keras model's shape {model.input_shape} -> "
            f"{model.output_shape} does not match {MANIFEST}."
        )
    # The state fit() leaves behind, as scikeras and scikit-learn expect it.
    classifier.model_ = model
    classifier.classes_ = classes
    classifier.n_classes_ = len(classes)
    classifier.n_features_in_ = fitted["n_features_in_"]
    classifier.n_iter_ = fitted.get("n_iter_", 0)
    classifier.history_ = fitted.get("history_", {})
    classifier.target_encoder_ = classifier.target_encoder.fit(classes)
    classifier.feature_encoder_ = classifier.feature_encoder.fit(
        np.zeros((1, classifier.n_features_in_), dtype=np.float32)
    )
    classifier._initialize_callbacks()
    return classifier
