"""The checks of a model file's manifest: its structure, and parameters that
are plain data, nothing Keras would rebuild into an object.
"""

import json
import math
import re

import numpy as np

from .. import __version__
from .._checks import check_normalizer_params
from ..inference import ACTIVATIONS

FORMAT = "digit_classifier.model"
# Version 3 holds one network or a committee of them, each a list of steps
# that may begin with a DigitNormalizer; version 2 held one network.
FORMAT_VERSION = 3
MANIFEST = "manifest.json"
# The steps a network's file may hold: a bare classifier, or a pipeline.
STEP_CLASSES = [
    ["DigitMLPClassifier"],
    ["PixelNormalizer", "DigitMLPClassifier"],
    ["DigitNormalizer", "PixelNormalizer", "DigitMLPClassifier"],
]
# A member's name prefixes its arrays' names ("keep/hidden_1/kernel").
MEMBER_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")

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
    """Check a manifest's structure and values before anything is built.

    Parameters
    ----------
    manifest : object
        The parsed ``manifest.json``.

    path : pathlib.Path
        The model file, for messages.

    Returns
    -------
    manifest : dict
        In this version's form: a file of format version 2 (one network,
        its steps at the top) comes back as a version-3 manifest of one
        member whose arrays have no prefix.

    Raises
    ------
    ValueError
        For anything that does not fit, naming the file and the problem.
    """

    def fail(problem):
        raise ValueError(f"{path}: {problem} in {MANIFEST}.")

    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        fail(f"not a {FORMAT} file: no format marker")
    version = manifest.get("format_version")
    if version == 1:
        raise ValueError(
            f"{path} is a model file of format version 1, which held a Keras "
            "model: loading one can run code from the file, so this version of "
            "digit_classifier no longer reads it. Re-save the model by training "
            "it again with this version (digit-classifier train, or fit and "
            "save_model)."
        )
    if version == 2:
        manifest = _as_version_3(manifest, fail)
    elif version != FORMAT_VERSION:
        fail(
            f"unsupported format_version {version!r} (this digit_classifier "
            f"{__version__} reads versions 2 and {FORMAT_VERSION})"
        )
    members = manifest.get("members")
    if not (isinstance(members, list) and members):
        fail("members must list at least one network")
    for member in members:
        _check_member(member, fail, prefixed=version != 2)
    names = [member["name"] for member in members]
    if len(set(names)) != len(names):
        fail(f"member names must differ, got {names}")
    if len({member["steps"][0]["fitted"]["n_features_in_"] for member in members}) > 1:
        fail("members must take the same number of inputs")
    if len({takes_pixels(member) for member in members}) > 1:
        fail("members must all take raw pixels, or all not")
    committee = manifest.get("committee")
    if committee is not None:
        _check_committee(committee, members, fail)
    elif len(members) != 1:
        fail("several members need a committee")
    if not isinstance(manifest.get("info", {}) or {}, dict):
        fail("info must be a dict")
    _check_calibration(manifest.setdefault("calibration", None), fail)
    return manifest


def _check_calibration(calibration, fail):
    """The temperature and decline threshold, optional since they were added."""
    if calibration is None:
        return
    if not isinstance(calibration, dict) or set(calibration) != {
        "temperature",
        "threshold",
    }:
        fail("calibration must be a dict of temperature and threshold")
    temperature, threshold = calibration["temperature"], calibration["threshold"]
    if not (_is_number(temperature) and math.isfinite(temperature) and temperature > 0):
        fail(f"calibration temperature must be a positive number, got {temperature!r}")
    if threshold is not None and not (
        _is_number(threshold) and math.isfinite(threshold)
    ):
        fail(
            f"calibration threshold must be a finite number or null, got {threshold!r}"
        )


def takes_pixels(member):
    """Whether a member takes raw pixels: a pipeline with a PixelNormalizer."""
    return any(step["class"] == "PixelNormalizer" for step in member["steps"])


def _as_version_3(manifest, fail):
    """A version-2 manifest (one network) as a version-3 one of one member."""
    if not isinstance(manifest.get("pipeline"), bool):
        fail("pipeline must be true or false")
    return {
        **manifest,
        "members": [
            {
                "name": "",  # version 2 named its arrays without a prefix
                "steps": manifest.get("steps"),
                "optimizer": manifest.get("optimizer"),
            }
        ],
        "committee": None,
    }


def _check_member(member, fail, prefixed):
    """Check one network's steps, parameters and fitted attributes."""
    if not (isinstance(member, dict) and isinstance(member.get("name"), str)):
        fail("each member must have a name")
    if prefixed and not MEMBER_NAME.fullmatch(member["name"]):
        fail(f"member name {member['name']!r} is not a plain name")
    steps = member.get("steps")
    classes = (
        [step.get("class") if isinstance(step, dict) else None for step in steps]
        if isinstance(steps, list)
        else None
    )
    if classes not in STEP_CLASSES:
        fail(f"steps must be one of {STEP_CLASSES}, got {classes}")
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
        if n_features != steps[0]["fitted"]["n_features_in_"]:
            fail("the steps must take the same number of pixels")
        for name, value in step["params"].items():
            if not (isinstance(name, str) and storable(name, value)):
                fail(f"parameter {name!r} holds {value!r}, which is not plain data")
    for step in steps[:-1]:
        _check_transformer(step, fail)
    _check_classifier(steps[-1], fail)
    optimizer = member.get("optimizer")
    if optimizer is not None and not (
        isinstance(optimizer, list) and all(map(_is_array_entry, optimizer))
    ):
        fail("optimizer must list arrays as {name, shape, dtype}")


def _check_transformer(step, fail):
    params = step["params"]
    if step["class"] == "PixelNormalizer" and params:
        fail("PixelNormalizer takes no parameters")
    if step["class"] == "DigitNormalizer":
        if set(params) != {"deskew", "aspect"}:
            fail("DigitNormalizer takes deskew and aspect")
        try:
            check_normalizer_params(**params, owner="DigitNormalizer")
        except ValueError as exc:
            fail(str(exc).rstrip("."))
        side = math.isqrt(step["fitted"]["n_features_in_"])
        if side * side != step["fitted"]["n_features_in_"]:
            fail("DigitNormalizer takes square images")


def _check_classifier(step, fail):
    params, fitted = step["params"], step["fitted"]
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
    _check_classes(fitted, fail)
    n_iter, history = fitted.get("n_iter_"), fitted.get("history_")
    if not (_is_int(n_iter) and n_iter >= 0 and isinstance(history, dict)) or not all(
        isinstance(values, list) and all(_is_number(v) for v in values)
        for values in history.values()
    ):
        fail("n_iter_ must be a count and history_ lists of numbers by name")


def _check_committee(committee, members, fail):
    """Check a committee's weights and classes against its members."""
    if not isinstance(committee, dict):
        fail("committee must be a dict")
    _check_classes(committee, fail)
    n_classes = len(committee["classes_"])
    for member in members:
        # A committee's members learn its classes by their index, as
        # scikit-learn's VotingClassifier encodes them.
        if member["steps"][-1]["fitted"]["classes_"] != list(range(n_classes)):
            fail(f"member {member['name']!r} must have the classes 0-{n_classes - 1}")
    weights = committee.get("weights")
    if weights is not None and not (
        isinstance(weights, list)
        and len(weights) == len(members)
        and all(_is_number(w) and math.isfinite(w) and w >= 0 for w in weights)
        and sum(weights) > 0
    ):
        fail("weights must be None or a non-negative number per member")


def _check_classes(fitted, fail):
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
