"""The checks of a model file's manifest: its structure, and parameters that
are plain data, nothing Keras would rebuild into an object.
"""

import json
import re

import numpy as np

from .. import __version__
from ..inference import ACTIVATIONS

FORMAT = "digit_classifier.model"
FORMAT_VERSION = 2
MANIFEST = "manifest.json"

# Label dtypes that JSON can carry back exactly.
LABEL_KINDS = {"b", "i", "u", "U", "O"}
# Array dtypes a model file may hold (the optimizer counts its steps in int64).
ARRAY_DTYPES = {"float32", "int64"}
# Keras resolves optimizer, loss and metric names itself ("adam", "accuracy").
# Only plain names are stored, never a serialized object for Keras to rebuild.
KERAS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Parameters that hold objects, never stored: they must be None in a file.
OBJECT_PARAMETERS = {"callbacks", "model", "build_fn"}


def storable(name, value):
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


def check_manifest(manifest, path):
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
            if not (isinstance(name, str) and storable(name, value)):
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
