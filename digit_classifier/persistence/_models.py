"""Saving and loading fitted estimators as model files that hold only data.

A file holds one network (a pipeline, or a bare classifier) or a committee
of them (a soft-voting VotingClassifier), each a member of the manifest.
The estimators say what they keep: :class:`~digit_classifier.DigitMLPClassifier`
gives its parameters, fitted attributes and arrays and takes them back;
this module turns them into the manifest's plain data and back, and reads
and writes the file with :mod:`._format`. :func:`load_predictor` imports
neither TensorFlow, Keras nor scikit-learn; the others import them only to
build the estimator.
"""

import json
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np

from .. import __version__
from ..inference import DigitCommittee, DigitPredictor, layer_names
from ._format import array_entry, read_model_file, write_model_file
from ._manifest import FORMAT, FORMAT_VERSION, LABEL_KINDS, storable, takes_pixels

LIBRARIES = ("scikit-learn", "scikeras", "keras", "tensorflow", "numpy", "safetensors")
# Parameters of how a step runs on this machine, not of the model: not saved,
# as a committee's n_jobs is not; a loaded step has their defaults.
RUNTIME_PARAMS = {"DigitNormalizer": ("n_jobs",)}


def save_model(estimator, path, *, include_optimizer=True, info=None, threshold=None):
    """Save a fitted digit classifier to one file.

    The file is written to a temporary name and renamed into place, so an
    interrupted save never leaves a half-written model where a good one was.

    Parameters
    ----------
    estimator : Pipeline, DigitMLPClassifier, VotingClassifier or \
CalibratedClassifierCV
        A fitted :func:`make_digit_pipeline` pipeline, a fitted
        :class:`DigitMLPClassifier`, or a fitted soft-voting committee of
        them (:func:`make_digit_committee`); or one of those calibrated by
        ``CalibratedClassifierCV(FrozenEstimator(model),
        method="temperature")``, whose temperature is saved with it.

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

    threshold : float, default=None
        The least ``score_samples`` of an input read as a digit, e.g. a low
        quantile of the scores of validation digits; a
        :class:`DigitPredictor` from :func:`load_predictor` has it as
        ``threshold``, and the command line and web app decline inputs
        below it ("not a digit"). None reads every input as a digit.

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
    estimator, temperature = _calibrated(estimator)
    members, committee = _members_of(estimator)
    unsaved, entries, weights, optimizer = [], [], {}, {}
    for name, steps in members:
        state = steps[-1][1]._saved_state()
        step_entries = [
            _step_entry(step_name, step, unsaved) for step_name, step in steps
        ]
        step_entries[-1]["fitted"] = _plain_fitted(state["fitted"])
        prefix = f"{name}/"
        weights |= {prefix + key: value for key, value in state["weights"].items()}
        saved = state["optimizer"] if include_optimizer else {}
        optimizer |= {prefix + key: value for key, value in saved.items()}
        entries.append(
            {
                "name": name,
                "steps": step_entries,
                "optimizer": [array_entry(k, v) for k, v in saved.items()] or None,
            }
        )
    if unsaved:
        warnings.warn(
            f"Parameters {', '.join(sorted(set(unsaved)))} cannot be stored as "
            "plain data and are not saved; the loaded model uses their defaults.",
            UserWarning,
            stacklevel=2,
        )
    # An optimizer that is not saved would not be rebuilt the same way.
    if "optimizer" in unsaved:
        optimizer = {}
        for entry in entries:
            entry["optimizer"] = None
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": library_versions(),
        "members": entries,
        "committee": None if committee is None else _committee_entry(committee),
        "info": _plain_info(info),
        "calibration": _calibration_entry(temperature, threshold),
    }
    write_model_file(path, manifest, weights, optimizer)


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
    estimator : Pipeline, DigitMLPClassifier, VotingClassifier or \
CalibratedClassifierCV
        The fitted estimator, predicting what the saved one did; with the
        optimizers' state when it was saved, so that ``partial_fit``
        continues training where it stopped. A model saved with a
        temperature comes back calibrated, in a ``CalibratedClassifierCV``;
        the decline threshold is a prediction setting:
        ``load_predictor(path).threshold``.

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
    path = Path(path)
    manifest, weights, optimizer_states = read_model_file(path, with_optimizer=True)
    members = [
        _restore_member(member, member_weights, optimizer_state, path)
        for member, member_weights, optimizer_state in zip(
            manifest["members"], weights, optimizer_states, strict=True
        )
    ]
    committee = manifest["committee"]
    if committee is None:
        estimator = members[0]
    else:
        estimator = _restore_committee(manifest["members"], members, committee, path)
    calibration = manifest["calibration"]
    if calibration is None or calibration["temperature"] == 1.0:
        return estimator
    from ..model._compat import temperature_calibrated

    return temperature_calibrated(estimator, calibration["temperature"])


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
    predictor : DigitPredictor or DigitCommittee
        Takes raw pixels (images or flat rows in [0, 255]) if a pipeline
        was saved, the classifier's own input rows if a bare classifier was
        (``scale_pixels`` is then False); a committee's members, each with
        its own normalization of the digits, if a committee was.

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
    manifest, weights, _ = read_model_file(path, with_optimizer=False)
    info = manifest.get("info") or {}
    predictors = [
        _predictor(member, member_weights, path)
        for member, member_weights in zip(manifest["members"], weights, strict=True)
    ]
    calibration = manifest["calibration"] or {"temperature": 1.0, "threshold": None}
    committee = manifest["committee"]
    if committee is None:
        [predictor] = predictors
        predictor.info = dict(info)
        predictor._set_calibration(**calibration)
        return predictor
    return DigitCommittee(
        predictors,
        _classes(committee, path),
        weights=committee.get("weights"),
        info=info,
        **calibration,
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
    return {"digit_classifier": __version__} | {lib: version(lib) for lib in LIBRARIES}


def _calibrated(estimator):
    """The model inside a temperature-calibrated one, and its temperature."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(estimator, CalibratedClassifierCV):
        return estimator, 1.0
    check_is_fitted(estimator)
    [calibrated] = estimator.calibrated_classifiers_[:1]
    if (
        estimator.method != "temperature"
        or not isinstance(estimator.estimator, FrozenEstimator)
        or len(estimator.calibrated_classifiers_) != 1
    ):
        raise TypeError(
            "save_model saves a CalibratedClassifierCV of one fitted model, "
            "frozen: CalibratedClassifierCV(FrozenEstimator(model), method="
            f'"temperature"); got method={estimator.method!r} and estimator '
            f"{type(estimator.estimator).__name__}."
        )
    [scaling] = calibrated.calibrators
    return estimator.estimator.estimator, 1.0 / float(scaling.beta_)


def _calibration_entry(temperature, threshold):
    if threshold is not None:
        threshold = float(threshold)
        if not np.isfinite(threshold):
            raise ValueError(f"threshold must be a finite number, got {threshold}.")
    if temperature == 1.0 and threshold is None:
        return None
    return {"temperature": float(temperature), "threshold": threshold}


def _members_of(estimator):
    """[(name, [(step name, step), ...]), ...] and the committee, or None."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(estimator, VotingClassifier):
        return [("model", _network_steps(estimator))], None
    check_is_fitted(estimator)
    names = [name for name, member in estimator.estimators if member != "drop"]
    if estimator.voting != "soft" or len(names) != len(estimator.estimators):
        raise TypeError(
            "save_model saves soft-voting committees of digit pipelines, with "
            f"no member dropped; got voting={estimator.voting!r} and members "
            f"{[name for name, _ in estimator.estimators]}."
        )
    members = [
        (name, _network_steps(member))
        for name, member in zip(names, estimator.estimators_, strict=True)
    ]
    return members, estimator


def _network_steps(estimator):
    """[(name, step), ...] of a bare classifier or of a digit pipeline."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from ..model import DigitMLPClassifier
    from ..preprocessing import DigitNormalizer, PixelNormalizer

    if isinstance(estimator, DigitMLPClassifier):
        steps = [("mlp", estimator)]
    elif isinstance(estimator, Pipeline) and [
        type(step) for _, step in estimator.steps
    ] in (
        [PixelNormalizer, DigitMLPClassifier],
        [DigitNormalizer, PixelNormalizer, DigitMLPClassifier],
    ):
        steps = estimator.steps
    else:
        raise TypeError(
            "save_model expects a DigitMLPClassifier, a make_digit_pipeline() "
            "pipeline or a soft-voting VotingClassifier of them, got "
            f"{type(estimator).__name__}."
        )
    check_is_fitted(steps[-1][1], "coefs_")
    return steps


def _step_entry(name, step, unsaved):
    """The manifest entry of one step: its parameters as plain data."""
    stored = {}
    for param, value in step.get_params(deep=False).items():
        if param in RUNTIME_PARAMS.get(type(step).__name__, ()):
            continue
        if param == "hidden_layer_sizes":
            value = [int(units) for units in np.ravel(value)]
        elif param == "class_weight" and isinstance(value, dict):
            # JSON's keys are strings: the label 0 would come back as "0".
            value = [[_plain(label), _plain(weight)] for label, weight in value.items()]
        elif isinstance(value, np.generic):
            value = value.item()
        if storable(param, value):
            stored[param] = value
        else:
            unsaved.append(param)
    fitted = {"n_features_in_": int(step.n_features_in_)}
    return {
        "name": name,
        "class": type(step).__name__,
        "params": stored,
        "fitted": fitted,
    }


def _committee_entry(committee):
    """A committee's manifest entry: its members' weights and its classes."""
    weights = committee.weights
    return {
        "weights": None if weights is None else [float(w) for w in weights],
        **_plain_classes(committee.classes_),
    }


def _restore_member(member, weights, optimizer_state, path):
    """A member's estimator: its classifier rebuilt, in its pipeline."""
    from sklearn.pipeline import Pipeline

    from ..model import DigitMLPClassifier
    from ..preprocessing import DigitNormalizer, PixelNormalizer

    *transformers, classifier_step = member["steps"]
    try:
        classifier = DigitMLPClassifier._from_saved_state(
            _python_params(classifier_step["params"]),
            {
                **classifier_step["fitted"],
                "classes_": _classes(classifier_step["fitted"], path),
            },
            weights,
            optimizer_state,
        )
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if not transformers:
        return classifier
    classes = {"PixelNormalizer": PixelNormalizer, "DigitNormalizer": DigitNormalizer}
    steps = []
    for step in transformers:
        transformer = classes[step["class"]](**step["params"])
        transformer.n_features_in_ = step["fitted"]["n_features_in_"]
        steps.append((step["name"], transformer))
    return Pipeline([*steps, (classifier_step["name"], classifier)])


def _restore_committee(entries, members, committee, path):
    """A fitted soft-voting VotingClassifier of the members."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.preprocessing import LabelEncoder
    from sklearn.utils import Bunch

    names = [entry["name"] for entry in entries]
    voting = VotingClassifier(
        list(zip(names, members, strict=True)),
        voting="soft",
        weights=committee.get("weights"),
    )
    # The state fit() leaves behind, as scikit-learn's VotingClassifier has it.
    voting.le_ = LabelEncoder().fit(_classes(committee, path))
    voting.classes_ = voting.le_.classes_
    voting.estimators_ = members
    voting.named_estimators_ = Bunch(**dict(zip(names, members, strict=True)))
    return voting


def _predictor(member, weights, path):
    """A member's network as a NumPy DigitPredictor, with its normalization."""
    *transformers, classifier = member["steps"]
    normalizer = next(
        (step["params"] for step in transformers if step["class"] == "DigitNormalizer"),
        None,
    )
    layers = layer_names(len(classifier["params"]["hidden_layer_sizes"]))
    return DigitPredictor(
        coefs=[weights[f"{layer}/kernel"] for layer in layers],
        intercepts=[weights[f"{layer}/bias"] for layer in layers],
        classes=_classes(classifier["fitted"], path),
        activation=classifier["params"]["activation"],
        scale_pixels=takes_pixels(member),
        normalizer=normalizer,
    )


def _plain_fitted(fitted):
    """The classifier's fitted attributes as JSON data."""
    return {
        "n_features_in_": int(fitted["n_features_in_"]),
        **_plain_classes(fitted["classes_"]),
        "n_iter_": int(fitted["n_iter_"]),
        "history_": fitted["history_"],
    }


def _plain_classes(classes):
    """``classes_`` and ``classes_dtype``: labels as JSON data, and their dtype."""
    if classes.dtype.kind not in LABEL_KINDS or (
        classes.dtype.kind == "O" and not all(isinstance(c, str) for c in classes)
    ):
        raise TypeError(
            f"Class labels of dtype {classes.dtype} cannot be saved; use "
            "integer or string labels."
        )
    return {"classes_": classes.tolist(), "classes_dtype": classes.dtype.str}


def _python_params(params):
    """A manifest's parameters as the estimator takes them."""
    params = {**params, "hidden_layer_sizes": tuple(params["hidden_layer_sizes"])}
    if isinstance(params.get("class_weight"), list):
        params["class_weight"] = dict(map(tuple, params["class_weight"]))
    return params


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


def _classes(fitted, path):
    try:
        return np.array(fitted["classes_"], dtype=fitted["classes_dtype"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: classes_ do not match classes_dtype.") from exc
