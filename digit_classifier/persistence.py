"""Saving and loading fitted models as one file that holds only data.

A model file is a zip archive of:

- ``manifest.json``: the format version, library versions, the estimators'
  parameters and fitted attributes (classes, history);
- ``weights.safetensors``: the kernel and bias of each Dense layer, as named
  float32 arrays in the safetensors format (a JSON header and raw buffers);
- ``optimizer.safetensors`` (optional): the optimizer's state, so that a
  loaded model continues training where it stopped.

Nothing in it is code or a serialized object: loading parses JSON, checks
every parameter, name, shape and dtype, and rebuilds the network with this
library's own builder. Keras's model loading, whose configurations have
carried code past ``safe_mode`` more than once, is never called.
:func:`load_predictor` reads the same file for prediction only, without
importing TensorFlow, Keras or scikit-learn.
"""

import json
import re
import warnings
import zipfile
from importlib.metadata import version
from pathlib import Path

import numpy as np
import safetensors.numpy
from safetensors import SafetensorError

from . import __version__
from ._io import atomic_write
from .inference import ACTIVATIONS, DigitPredictor, layer_names, weight_shapes

FORMAT = "digit_classifier.model"
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
WEIGHTS = "weights.safetensors"
OPTIMIZER = "optimizer.safetensors"
# Manifests are a few kilobytes; refuse to read a huge one into memory.
MAX_MANIFEST_BYTES = 1 << 20
# A safetensors file is an 8-byte length, a JSON header of about 80 bytes a
# tensor, and the tensors' bytes; the header is allowed far more than that.
MAX_HEADER_BYTES = 1 << 16
# Label dtypes that JSON can carry back exactly.
LABEL_KINDS = {"b", "i", "u", "U", "O"}
# Array dtypes a model file may hold (the optimizer counts its steps in int64).
ARRAY_DTYPES = {"float32", "int64"}
# Keras resolves optimizer, loss and metric names itself ("adam", "accuracy").
# Only plain names are stored, never a serialized object for Keras to rebuild.
KERAS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Parameters that hold objects, never stored: they must be None in a file.
OBJECT_PARAMETERS = {"callbacks", "model", "build_fn"}


def save_model(estimator, path, *, include_optimizer=True, info=None):
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

    include_optimizer : bool, default=True
        Whether to save the optimizer's state (for Adam, two moments per
        weight: twice the size of the weights), so that the loaded model's
        :meth:`~DigitMLPClassifier.partial_fit` continues where this one
        stopped. Without it, a loaded model continues with a new optimizer.

    info : dict, default=None
        Facts about the model to keep with it, as JSON (e.g. its preset and
        test accuracy, as ``digit-classifier train`` records them); a
        :class:`DigitPredictor` from :func:`load_predictor` has them as
        ``info``.

    Warns
    -----
    UserWarning
        For parameters that cannot be stored as plain data (callbacks,
        optimizer instances, ``class_weight`` with integer keys, ...): the
        loaded model has their default values.

    See Also
    --------
    load_model : Load the file back as a trainable estimator.
    load_predictor : Load it for prediction only, without TensorFlow.

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
            f"Parameters {', '.join(unsaved)} cannot be stored as plain data and "
            "are not saved; the loaded model uses their defaults.",
            UserWarning,
            stacklevel=2,
        )
    entries = {WEIGHTS: _network_weights(classifier)}
    optimizer = None
    # An optimizer that is not saved would not be rebuilt the same way.
    if include_optimizer and "optimizer" not in unsaved:
        state = _optimizer_state(classifier.model_.optimizer)
        if state:
            optimizer = [_array_entry(name, value) for name, value in state.items()]
            entries[OPTIMIZER] = state
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": library_versions(),
        "pipeline": len(named_steps) == 2,
        "steps": steps,
        "optimizer": optimizer,
        "info": _plain_info(info),
    }
    with atomic_write(path) as file, zipfile.ZipFile(file, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        for name, arrays in entries.items():
            # Raw float buffers barely compress: store them as they are.
            archive.writestr(
                name, safetensors.numpy.save(arrays), compress_type=zipfile.ZIP_STORED
            )


def load_model(path):
    """Load a model saved by :func:`save_model` as a trainable estimator.

    The network is rebuilt from the checked parameters and given the saved
    weights; no code and no serialized object from the file is used.
    Imports TensorFlow; for prediction only, :func:`load_predictor` is
    faster and smaller.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_model`.

    Returns
    -------
    estimator : Pipeline or DigitMLPClassifier
        The fitted estimator, predicting what the saved one did; with the
        optimizer's state when it was saved, so that ``partial_fit``
        continues training where it stopped.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If the file is not a digit_classifier model of this format version,
        or is truncated or altered: a parameter, array, shape or dtype that
        does not fit. The message names the file and what is wrong.

    See Also
    --------
    save_model : Write such a file.
    load_predictor : Load it for prediction only, without TensorFlow.

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
    from sklearn.pipeline import Pipeline

    from .preprocessing import PixelNormalizer

    path = Path(path)
    manifest, weights, optimizer_state = _read_model_file(path, with_optimizer=True)
    steps = manifest["steps"]
    classifier = _restore_classifier(steps[-1], weights, optimizer_state, path)
    if not manifest["pipeline"]:
        return classifier
    normalizer = PixelNormalizer()
    normalizer.n_features_in_ = steps[0]["fitted"]["n_features_in_"]
    return Pipeline([(steps[0]["name"], normalizer), (steps[1]["name"], classifier)])


def load_predictor(path):
    """Load a model saved by :func:`save_model` for prediction only.

    Reads the same file as :func:`load_model`, with the same checks, but
    imports neither TensorFlow, Keras, scikeras nor scikit-learn: the
    returned :class:`DigitPredictor` computes the network with NumPy. Use it
    to serve or apply a trained model; it predicts what the saved estimator
    predicts.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_model`.

    Returns
    -------
    predictor : DigitPredictor
        Takes raw pixels (images or flat rows in [0, 255]) if a pipeline
        was saved, the classifier's own input rows if a bare classifier was.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        As for :func:`load_model`.

    See Also
    --------
    load_model : Load the file as a trainable estimator.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import load_predictor, make_digit_pipeline, save_model
    >>> X, y = load_digits(return_X_y=True)
    >>> pipe = make_digit_pipeline(hidden_layer_sizes=(16,), epochs=1).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.zip")
    >>> save_model(pipe, path)
    >>> predictor = load_predictor(path)
    >>> predictor
    DigitPredictor(64 -> 16 -> 10, activation='relu', classes=[0, ..., 9])
    >>> (predictor.predict(X) == pipe.predict(X)).all()
    np.True_
    """
    path = Path(path)
    manifest, weights, _ = _read_model_file(path, with_optimizer=False)
    step = manifest["steps"][-1]
    layers = layer_names(len(step["params"]["hidden_layer_sizes"]))
    return DigitPredictor(
        coefs=[weights[f"{layer}/kernel"] for layer in layers],
        intercepts=[weights[f"{layer}/bias"] for layer in layers],
        classes=_classes(step["fitted"], path),
        activation=step["params"]["activation"],
        scale_pixels=manifest["pipeline"],
        info=manifest.get("info") or {},
    )


def library_versions():
    """The versions of this library and of those a model depends on.

    Returns
    -------
    versions : dict of str to str
        Recorded in model files and run metrics.

    Examples
    --------
    >>> sorted(library_versions())  # doctest: +NORMALIZE_WHITESPACE
    ['digit_classifier', 'keras', 'numpy', 'safetensors', 'scikeras',
     'scikit-learn', 'tensorflow']
    """
    libraries = ("scikit-learn", "scikeras", "keras", "tensorflow", "numpy")
    libraries += ("safetensors",)
    return {"digit_classifier": __version__} | {lib: version(lib) for lib in libraries}


# --- saving -----------------------------------------------------------------


def _named_steps(estimator):
    """[(name, step), ...] of a bare classifier or of a digit pipeline."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from .classifier import DigitMLPClassifier
    from .preprocessing import PixelNormalizer

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
    check_is_fitted(steps[-1][1], "coefs_")
    return steps


def _describe(name, estimator, unsaved):
    """The manifest entry of one fitted step."""
    params = {}
    for param, value in estimator.get_params(deep=False).items():
        if param == "hidden_layer_sizes":
            value = [int(units) for units in np.ravel(value)]
        elif param == "class_weight" and isinstance(value, dict):
            # JSON's keys are strings: the label 0 would come back as "0".
            value = [[_plain(label), _plain(weight)] for label, weight in value.items()]
        if _storable(param, value):
            params[param] = value
        else:
            unsaved.append(param)
    fitted = {"n_features_in_": int(estimator.n_features_in_)}
    if hasattr(estimator, "classes_"):  # the classifier
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


def _storable(name, value):
    """Whether a parameter can be saved and come back equal, as plain data.

    The same test decides what :func:`load_model` accepts from a file, so it
    also keeps out anything Keras would deserialize: configurations,
    module paths, objects.
    """
    if name in OBJECT_PARAMETERS:
        return value is None
    if name in {"optimizer", "loss"}:
        return isinstance(value, str) and KERAS_NAME.fullmatch(value) is not None
    if name == "metrics":
        return value is None or (
            isinstance(value, list)
            and all(isinstance(m, str) and KERAS_NAME.fullmatch(m) for m in value)
        )
    if "__" in name:  # routed to Keras (optimizer__beta_1=0.8): numbers only
        return value is None or type(value) in (bool, int, float)
    try:
        return json.loads(json.dumps(value, allow_nan=False)) == value
    except (TypeError, ValueError):
        return False


def _plain_info(info):
    """`info` as JSON can hold it, or a TypeError saying what cannot."""
    if info is None:
        return {}
    try:
        return json.loads(json.dumps(dict(info), default=_plain_scalar))
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"info must hold JSON data (numbers, text, lists): {exc}"
        ) from exc


def _plain_scalar(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def _plain(value):
    """A NumPy scalar as the Python value it holds; other values as they are."""
    return value.item() if isinstance(value, np.generic) else value


def _network_weights(classifier):
    """The Dense layers' kernels and biases, by name, as the network holds them."""
    weights = {}
    for name in classifier._layer_names():
        layer = classifier.model_.get_layer(name)
        weights[f"{name}/kernel"] = layer.kernel.numpy()
        weights[f"{name}/bias"] = layer.bias.numpy()
    return weights


def _optimizer_state(optimizer):
    """The optimizer's variables by name, in its order ({} if never built)."""
    state = {v.name: np.asarray(v.numpy()) for v in optimizer.variables}
    if len(state) != len(optimizer.variables):
        raise ValueError(
            f"The {type(optimizer).__name__} optimizer has variables of the same "
            "name, which cannot be saved apart; save the model with "
            "include_optimizer=False."
        )
    return state


def _array_entry(name, array):
    return {"name": name, "shape": list(array.shape), "dtype": array.dtype.name}


# --- loading ----------------------------------------------------------------


def _read_model_file(path, *, with_optimizer):
    """The checked manifest, weights and (if asked and saved) optimizer state."""
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {path}.")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, path)
            step = manifest["steps"][-1]
            fitted = step["fitted"]
            shapes = weight_shapes(
                fitted["n_features_in_"],
                step["params"]["hidden_layer_sizes"],
                len(fitted["classes_"]),
            )
            expected = {name: (shape, "float32") for name, shape in shapes.items()}
            weights = _read_arrays(archive, WEIGHTS, expected, path)
            optimizer_state = None
            if with_optimizer and manifest["optimizer"] is not None:
                expected = {
                    entry["name"]: (tuple(entry["shape"]), entry["dtype"])
                    for entry in manifest["optimizer"]
                }
                optimizer_state = _read_arrays(archive, OPTIMIZER, expected, path)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ValueError(
            f"{path} is not a readable digit_classifier model file ({exc})."
        ) from exc
    return manifest, weights, optimizer_state


def _read_manifest(archive, path):
    names = archive.namelist()
    if MANIFEST not in names:
        raise ValueError(
            f"{path} is not a digit_classifier model file: it has no {MANIFEST} "
            f"(found {sorted(names)[:5]})."
        )
    if archive.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
        raise ValueError(f"{path}: {MANIFEST} is implausibly large.")
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: {MANIFEST} is not valid JSON ({exc}).") from exc
    _check_manifest(manifest, path)
    expected = {MANIFEST, WEIGHTS} | ({OPTIMIZER} if manifest["optimizer"] else set())
    if len(names) != len(set(names)) or set(names) != expected:
        raise ValueError(
            f"{path} is not a digit_classifier model file: expected "
            f"{sorted(expected)}, found {sorted(names)}."
        )
    return manifest


def _check_manifest(manifest, path):
    """Check the manifest's structure and values before anything is built."""

    def fail(problem):
        raise ValueError(f"{path}: {problem} in {MANIFEST}.")

    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        fail(f"not a {FORMAT} file: no format marker")
    if manifest.get("format_version") == 1:
        raise ValueError(
            f"{path} is a model file of format version 1, which held a Keras "
            "model: loading one can run code from the file, so this version of "
            "digit_classifier no longer reads it. Re-save the model by training "
            "it again with this version (digit-classifier train, or fit and "
            "save_model)."
        )
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
        if not _is_int(n_features) or n_features < 1:
            fail("n_features_in_ must be a positive integer")
        for name, value in step["params"].items():
            if not (isinstance(name, str) and _storable(name, value)):
                fail(f"parameter {name!r} holds {value!r}, which is not plain data")
    if len(steps) == 2 and steps[0]["params"]:
        fail("PixelNormalizer takes no parameters")
    params, fitted = steps[-1]["params"], steps[-1]["fitted"]
    sizes = params.get("hidden_layer_sizes")
    if not isinstance(sizes, list) or not all(_is_int(n) and n > 0 for n in sizes):
        fail("hidden_layer_sizes must be a list of positive integers")
    if params.get("activation") not in ACTIVATIONS:
        fail(f"activation must be one of {sorted(ACTIVATIONS)}")
    class_weight = params.get("class_weight")
    if not (
        class_weight in (None, "balanced")
        or isinstance(class_weight, list)
        and all(
            isinstance(pair, list)
            and len(pair) == 2
            and isinstance(pair[0], (int, str))
            and _is_number(pair[1])
            for pair in class_weight
        )
    ):
        fail("class_weight must be None, 'balanced' or [label, weight] pairs")
    classes = fitted.get("classes_")
    if not (
        isinstance(classes, list)
        and all(isinstance(label, (int, str)) for label in classes)
        and len(set(classes)) == len(classes) >= 2
    ):
        fail("classes_ must list at least 2 distinct integer or string labels")
    try:
        kind = np.dtype(fitted.get("classes_dtype")).kind
    except TypeError:
        fail(f"unknown classes_dtype {fitted.get('classes_dtype')!r}")
    if kind not in LABEL_KINDS:
        fail("classes_dtype is not a label dtype")
    n_iter, history = fitted.get("n_iter_"), fitted.get("history_")
    if not (_is_int(n_iter) and n_iter >= 0 and isinstance(history, dict)) or not all(
        isinstance(values, list) and all(_is_number(v) for v in values)
        for values in history.values()
    ):
        fail("n_iter_ must be a count and history_ lists of numbers by name")
    if not isinstance(manifest.get("info", {}) or {}, dict):
        fail("info must be a dict")
    optimizer = manifest.get("optimizer")
    if optimizer is not None and not (
        isinstance(optimizer, list) and all(map(_is_array_entry, optimizer))
    ):
        fail("optimizer must list arrays as {name, shape, dtype}")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_array_entry(entry):
    return (
        isinstance(entry, dict)
        and set(entry) == {"name", "shape", "dtype"}
        and isinstance(entry["name"], str)
        and isinstance(entry["shape"], list)
        and all(_is_int(n) and n >= 0 for n in entry["shape"])
        and entry["dtype"] in ARRAY_DTYPES
    )


def _read_arrays(archive, entry, expected, path):
    """The arrays of one safetensors entry, checked against `expected`.

    `expected` maps each name to its (shape, dtype). The entry's size is
    checked against them before it is read, so a file cannot make this read
    more into memory than the manifest's model needs.
    """
    where = f"{path}: {entry}"
    n_bytes = sum(
        int(np.prod(shape)) * np.dtype(dtype).itemsize
        for shape, dtype in expected.values()
    )
    size = archive.getinfo(entry).file_size
    if size > 8 + MAX_HEADER_BYTES + n_bytes:
        raise ValueError(
            f"{where} holds {size:,} bytes, far more than the {n_bytes:,} bytes "
            "of arrays the manifest implies; the file was altered or damaged."
        )
    try:
        arrays = safetensors.numpy.load(archive.read(entry))
    except SafetensorError as exc:
        raise ValueError(f"{where} is not a valid safetensors file ({exc}).") from exc
    missing = [name for name in expected if name not in arrays]
    extra = sorted(set(arrays) - set(expected))
    if missing or extra:
        raise ValueError(
            f"{where} does not hold the arrays the manifest implies: missing "
            f"{missing}, unexpected {extra}."
        )
    for name, (shape, dtype) in expected.items():
        array = arrays[name]
        if array.dtype != dtype or array.shape != tuple(shape):
            raise ValueError(
                f"{where}: array {name!r} is {array.dtype} of shape {array.shape}, "
                f"expected {dtype} of shape {tuple(shape)}."
            )
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise ValueError(f"{where}: array {name!r} holds NaN or infinity.")
    return {name: arrays[name] for name in expected}


def _classes(fitted, path):
    try:
        return np.array(fitted["classes_"], dtype=fitted["classes_dtype"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: classes_ do not match classes_dtype.") from exc


def _restore_classifier(step, weights, optimizer_state, path):
    """A fitted DigitMLPClassifier rebuilt by our builder from checked data."""
    from sklearn.utils import check_random_state

    from .classifier import DigitMLPClassifier

    params = {
        **step["params"],
        "hidden_layer_sizes": tuple(step["params"]["hidden_layer_sizes"]),
    }
    if isinstance(params.get("class_weight"), list):
        params["class_weight"] = {
            label: weight for label, weight in params["class_weight"]
        }
    known = DigitMLPClassifier().get_params(deep=False)
    unknown = [name for name in params if name not in known and "__" not in name]
    if unknown:
        raise ValueError(f"{path}: unknown DigitMLPClassifier parameters {unknown}.")
    classifier = DigitMLPClassifier(**params)
    try:
        classifier._validate_params()
        classifier._check_extra_params()
    except ValueError as exc:
        raise ValueError(f"{path}: invalid parameters in {MANIFEST}: {exc}") from exc

    # The state fit() leaves behind, as scikeras and scikit-learn expect it.
    fitted = step["fitted"]
    classes = _classes(fitted, path)
    classifier.classes_ = classes
    classifier.n_classes_ = len(classes)
    classifier.n_features_in_ = fitted["n_features_in_"]
    classifier.n_iter_ = fitted["n_iter_"]
    classifier.history_ = fitted["history_"]
    classifier.target_encoder_ = classifier.target_encoder.fit(classes)
    classifier.feature_encoder_ = classifier.feature_encoder.fit(
        np.zeros((1, classifier.n_features_in_), dtype=np.float32)
    )
    classifier._rng = check_random_state(classifier.random_state)
    try:
        classifier.model_ = classifier._build_keras_model()
    except ValueError as exc:  # e.g. a loss or optimizer name Keras does not know
        raise ValueError(f"{path}: the network cannot be built ({exc}).") from exc
    for layer_name in classifier._layer_names():
        classifier.model_.get_layer(layer_name).set_weights(
            [weights[f"{layer_name}/kernel"], weights[f"{layer_name}/bias"]]
        )
    if optimizer_state is not None:
        _restore_optimizer(classifier.model_, optimizer_state, path)
    classifier._initialize_callbacks()
    classifier._copy_weights()
    return classifier


def _restore_optimizer(model, state, path):
    """Give the compiled model's optimizer its saved variables."""
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    variables = optimizer.variables
    saved = list(state.values())
    # Matched by position, as Keras itself restores optimizers.
    if [(tuple(v.shape), v.dtype) for v in variables] != [
        (a.shape, a.dtype.name) for a in saved
    ]:
        raise ValueError(
            f"{path}: the arrays of {OPTIMIZER} do not fit the variables of the "
            f"{type(optimizer).__name__} optimizer that the parameters build; the "
            "file was altered, or saved with a Keras whose optimizer differs."
        )
    for variable, value in zip(variables, saved, strict=True):
        variable.assign(value)
