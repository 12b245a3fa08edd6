"""Saving and loading fitted estimators as model files that hold only data.

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
from ..inference import DigitPredictor, layer_names
from ._format import array_entry, read_model_file, write_model_file
from ._manifest import FORMAT, FORMAT_VERSION, LABEL_KINDS, storable

LIBRARIES = ("scikit-learn", "scikeras", "keras", "tensorflow", "numpy", "safetensors")


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
    steps = _named_steps(estimator)
    state = steps[-1][1]._saved_state()
    unsaved = []
    entries = [
        _step_entry(name, type(step).__name__, step.get_params(deep=False), unsaved)
        for name, step in steps
    ]
    if len(steps) == 2:
        entries[0]["fitted"] = {"n_features_in_": int(steps[0][1].n_features_in_)}
    entries[-1]["fitted"] = _plain_fitted(state["fitted"])
    if unsaved:
        warnings.warn(
            f"Parameters {', '.join(unsaved)} cannot be stored as plain data and "
            "are not saved; the loaded model uses their defaults.",
            UserWarning,
            stacklevel=2,
        )
    # An optimizer that is not saved would not be rebuilt the same way.
    optimizer = state["optimizer"]
    if not include_optimizer or "optimizer" in unsaved:
        optimizer = None
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": library_versions(),
        "pipeline": len(steps) == 2,
        "steps": entries,
        "optimizer": (
            [array_entry(name, value) for name, value in optimizer.items()]
            if optimizer
            else None
        ),
        "info": _plain_info(info),
    }
    write_model_file(path, manifest, state["weights"], optimizer)


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

    from ..model import DigitMLPClassifier
    from ..preprocessing import PixelNormalizer

    path = Path(path)
    manifest, weights, optimizer_state = read_model_file(path, with_optimizer=True)
    steps = manifest["steps"]
    try:
        classifier = DigitMLPClassifier._from_saved_state(
            _python_params(steps[-1]["params"]),
            {**steps[-1]["fitted"], "classes_": _classes(steps[-1]["fitted"], path)},
            weights,
            optimizer_state,
        )
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
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
        was saved, the classifier's own input rows if a bare classifier was
        (``scale_pixels`` is then False).

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
    return {"digit_classifier": __version__} | {lib: version(lib) for lib in LIBRARIES}


def _named_steps(estimator):
    """[(name, step), ...] of a bare classifier or of a digit pipeline."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from ..model import DigitMLPClassifier
    from ..preprocessing import PixelNormalizer

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


def _step_entry(name, class_name, params, unsaved):
    """The manifest entry of one step: its parameters as plain data."""
    stored = {}
    for param, value in params.items():
        if param == "hidden_layer_sizes":
            value = [int(units) for units in np.ravel(value)]
        elif param == "class_weight" and isinstance(value, dict):
            # JSON's keys are strings: the label 0 would come back as "0".
            value = [[_plain(label), _plain(weight)] for label, weight in value.items()]
        if storable(param, value):
            stored[param] = value
        else:
            unsaved.append(param)
    return {"name": name, "class": class_name, "params": stored}


def _plain_fitted(fitted):
    """The classifier's fitted attributes as JSON data."""
    classes = fitted["classes_"]
    if classes.dtype.kind not in LABEL_KINDS or (
        classes.dtype.kind == "O" and not all(isinstance(c, str) for c in classes)
    ):
        raise TypeError(
            f"Class labels of dtype {classes.dtype} cannot be saved; use "
            "integer or string labels."
        )
    return {
        "n_features_in_": int(fitted["n_features_in_"]),
        "classes_": classes.tolist(),
        "classes_dtype": classes.dtype.str,
        "n_iter_": int(fitted["n_iter_"]),
        "history_": fitted["history_"],
    }


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
