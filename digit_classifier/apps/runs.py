"""Runs: train, tune or evaluate a model once on a test split, and keep the results.

A run is what the command line's ``train``, ``tune`` and ``evaluate`` make:
the test metrics, the report files (confusion matrix, classification report,
galleries, training curves, search results) and, for training, the fitted
model. The same functions serve scripts and notebooks::

    run = train_run(X_train, y_train, X_test, y_test, preset="fast")
    print(run.report)  # the confusion matrix and classification report
    run.write("runs/first")  # metrics.json, the pictures, model.zip

:meth:`Run.write` is all or nothing: the files are written into a new
sibling folder that then takes the place of the run folder, so a run that
fails, in training or in writing, leaves an earlier run's folder as it was.
"""

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    log_loss,
)

from .. import reporting
from ..persistence import library_versions, save_model

METRICS = "metrics.json"
# train_run and tune_run hold out this much of the training split to fit the
# temperature and the decline threshold: 5,000 of MNIST's 60,000.
CALIBRATION_FRACTION = 1 / 12
MODEL = "model.zip"
# train_run's progress displays, as Keras's verbose levels.
PROGRESS_VERBOSITY = {"lines": 2, "bar": 1}
# DigitMLPClassifier parameters of these types are recorded in metrics.json.
RECORDED_TYPES = (int, float, str, bool, tuple, type(None))
# A member's normalization, as metrics.json records it.
NORMALIZATION = ("deskew", "aspect")


@dataclass
class Run:
    """The results of a training, search or evaluation, ready to write.

    Parameters
    ----------
    metrics : dict
        What ``metrics.json`` holds: ``test_accuracy``, ``test_loss``,
        ``test_ece`` (expected calibration error) and the others the run
        records (``test_declined``, the fraction of test digits that the
        model's threshold would decline, when it has one).

    files : dict of str to (str or matplotlib.figure.Figure)
        Report files by name: text, or figures written as PNG.

    model : Pipeline or DigitMLPClassifier, default=None
        The fitted model, written as ``model.zip``, if the run made one.

    report : str, default=""
        The run's tables as text, for a terminal: the search's candidates,
        the confusion matrix and the classification report.

    threshold : float, default=None
        The model's decline threshold, saved with it (see
        :func:`~digit_classifier.save_model`).

    Examples
    --------
    >>> import os, tempfile
    >>> from digit_classifier.runs import Run
    >>> run = Run(metrics={"test_accuracy": 0.5, "test_loss": 0.7},
    ...           files={"notes.txt": "a run by hand"})
    >>> run.summary()
    'test accuracy 0.5000, test loss 0.7000'
    >>> folder = os.path.join(tempfile.mkdtemp(), "run")
    >>> run.write(folder)
    >>> sorted(os.listdir(folder))
    ['metrics.json', 'notes.txt']
    """

    metrics: dict
    files: dict = field(default_factory=dict)
    model: object = None
    report: str = ""
    threshold: float = None

    def summary(self):
        """One line: the test accuracy and loss, and the training's length.

        Returns
        -------
        line : str
        """
        line = (
            f"test accuracy {self.metrics['test_accuracy']:.4f}, "
            f"test loss {self.metrics['test_loss']:.4f}"
        )
        if "epochs_run" in self.metrics:
            line += (
                f", {self.metrics['epochs_run']} epochs in "
                f"{self.metrics['fit_time_s']:.1f} s"
            )
        return line

    def write(self, folder):
        """Write the run into `folder`, replacing an earlier run there whole.

        Everything is written into a new sibling folder first, which then
        takes the place of `folder`: a failure on the way (a full disk, a
        figure that cannot be drawn) leaves `folder` as it was, and a folder
        never mixes the files of two runs.

        Parameters
        ----------
        folder : str or os.PathLike
            A new folder, an empty one or an earlier run's (one with a
            ``metrics.json``); its parents are created as needed.

        Raises
        ------
        ValueError
            If `folder` is a file, or holds files but no ``metrics.json``: it
            is not a run folder, and nothing in it is replaced.
        """
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise ValueError(
                f"{folder} is a file, not a folder; write the run into a new "
                "folder (a run is a folder of files: the model, the metrics and "
                "the pictures)."
            )
        is_run = (folder / METRICS).is_file()
        if folder.is_dir() and any(folder.iterdir()) and not is_run:
            raise ValueError(
                f"{folder} holds files but no {METRICS}, so it is not a run "
                "folder; write the run into a new folder, or an earlier "
                "run's, which it replaces."
            )
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.tmp")
        staging.mkdir()
        try:
            if self.model is not None:
                facts = ("preset", "dataset", "n_train", "test_accuracy", "test_loss")
                info = {key: self.metrics[key] for key in facts if key in self.metrics}
                save_model(
                    self.model, staging / MODEL, info=info, threshold=self.threshold
                )
            texts = {METRICS: json.dumps(self.metrics, indent=2, default=_json_value)}
            for name, content in {**self.files, **texts}.items():
                if isinstance(content, str):
                    text = content if content.endswith("\n") else content + "\n"
                    (staging / name).write_text(text, encoding="utf-8")
                else:
                    content.savefig(staging / name, format="png", dpi=100)
            _replace_folder(folder, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def train_run(
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    preset="default",
    progress=None,
    dataset=None,
    n_jobs=None,
    calibration_fraction=CALIBRATION_FRACTION,
    **mlp_params,
):
    """Fit the digit pipeline or committee, calibrate it, then evaluate it once
    on the test split.

    Parameters
    ----------
    X_train, y_train : array-like
        Training images (pixels in [0, 255]) and labels. A stratified
        `calibration_fraction` of them is held out to fit the model's
        temperature and choose its decline threshold
        (:func:`~digit_classifier.model.calibrate_digits`, accepting the
        preset's ``accept`` fraction of them); validation
        curves, when asked (``validation_split``), come from the rest.

    X_test, y_test : array-like
        Test images and labels, used once, after training.

    preset : {"fast", "default", "accurate"}, default="default"
        Starting settings; see :func:`~digit_classifier.make_digit_pipeline`.
        A preset of several members trains a committee of them
        (:func:`~digit_classifier.make_digit_committee`).

    progress : {None, "lines", "bar"}, default=None
        Training output on standard output for this run, whatever the
        model's ``verbose``: Keras's own, one line per epoch (losses,
        accuracies, time) or its progress bar; None keeps the model's.

    dataset : str, default=None
        The data set's name, recorded in the metrics.

    n_jobs : int, default=None
        A committee's members trained at once, in worker processes, each
        TensorFlow with its share of the cores.

    calibration_fraction : float in [0, 1), default=CALIBRATION_FRACTION
        The training images held out for calibration; 0 trains on all of
        them and leaves the model uncalibrated, reading every input as a
        digit.

    **mlp_params
        :class:`~digit_classifier.DigitMLPClassifier` parameters, over the
        preset's.

    Returns
    -------
    run : Run
        Test metrics (calibration and declined digits too), training time and
        epochs, the parameters, the report files with the training curves
        and the reliability diagram, and the fitted pipeline or committee,
        calibrated, with its decline threshold.
    """
    from ..model import make_digit_committee, make_digit_pipeline
    from ..model._workers import tensorflow_threads
    from ..presets import is_committee

    X_train, y_train, X_calibration, y_calibration = _calibration_split(
        X_train, y_train, calibration_fraction, mlp_params.get("random_state")
    )
    committee = is_committee(preset)
    if committee:
        model = make_digit_committee(preset, n_jobs=n_jobs, **mlp_params)
    else:
        model = make_digit_pipeline(preset, **mlp_params)
    # The progress display serves this run only: the model keeps its verbose.
    verbose = _classifiers(model)[0].verbose
    if progress is not None:
        for mlp in _classifiers(model):
            mlp.set_params(verbose=PROGRESS_VERBOSITY[progress])
    # Normalizing digits takes one core per process (Python around Pillow):
    # this run's, in training and evaluation, on all cores.
    _normalize_on(model, n_jobs=-1)
    start = time.perf_counter()
    try:
        with tensorflow_threads(n_jobs if committee else None):
            model.fit(X_train, y_train)
    finally:
        for mlp in _classifiers(model) + _classifiers(model, fitted=False):
            mlp.set_params(verbose=verbose)
    fit_time = time.perf_counter() - start
    try:
        return _finished_run(
            model,
            X_train,
            X_test,
            y_test,
            fit_time,
            preset,
            dataset,
            (X_calibration, y_calibration),
            mlp_params.get("random_state"),
        )
    finally:
        _normalize_on(model, n_jobs=None)  # as the model was built


def tune_run(
    X_train,
    y_train,
    X_test,
    y_test,
    hidden_layer_sizes,
    *,
    aspects=None,
    cv=3,
    halving=False,
    n_jobs=None,
    verbose=0,
    preset="default",
    dataset=None,
    calibration_fraction=CALIBRATION_FRACTION,
    **mlp_params,
):
    """Search hidden-layer sizes on the training split, then test the best once.

    Parameters
    ----------
    X_train, y_train, X_test, y_test : array-like
        As for :func:`train_run`; the search sees the training split only.

    hidden_layer_sizes : list of tuple of int
        The candidates.

    aspects, cv, halving, n_jobs, verbose
        As for :func:`~digit_classifier.tuning.tune_hidden_sizes`; run it
        inside :func:`~digit_classifier.tuning.dask_cluster` with
        ``n_jobs=-1`` to search on Dask.

    preset : {"fast", "default", "accurate"}, default="default"
        Starting settings of every candidate.

    dataset : str, default=None
        The data set's name, recorded in the metrics.

    calibration_fraction : float in [0, 1), default=CALIBRATION_FRACTION
        As for :func:`train_run`: held out of the search, to calibrate the
        best candidate.

    **mlp_params
        Other :class:`~digit_classifier.DigitMLPClassifier` parameters.

    Returns
    -------
    run : Run
        As from :func:`train_run`, with the best candidate refitted on the
        whole training split, the ranked candidates in the metrics and the
        report, and ``cv_results.csv`` and ``cv_results.png``.
    """
    from ..model.tuning import cv_results_table, tune_hidden_sizes

    mlp_params.pop("hidden_layer_sizes", None)  # the candidates are searched
    X_train, y_train, X_calibration, y_calibration = _calibration_split(
        X_train, y_train, calibration_fraction, mlp_params.get("random_state")
    )
    start = time.perf_counter()
    search = tune_hidden_sizes(
        X_train,
        y_train,
        hidden_layer_sizes,
        aspects=aspects,
        cv=cv,
        n_jobs=n_jobs,
        halving=halving,
        verbose=verbose,
        preset=preset,
        **mlp_params,
    )
    search_time = time.perf_counter() - start
    rows = cv_results_table(search)
    run = _finished_run(
        search.best_estimator_,
        X_train,
        X_test,
        y_test,
        search.refit_time_,
        preset,
        dataset,
        (X_calibration, y_calibration),
        mlp_params.get("random_state"),
    )
    run.metrics.update(
        search_time_s=round(search_time, 2),
        best_hidden_layer_sizes=list(search.best_params_["mlp__hidden_layer_sizes"]),
        best_aspect=search.best_estimator_["digit"].aspect,
        cv=cv,
        halving=halving,
        cv_results=[
            {**row, "hidden_layer_sizes": list(row["hidden_layer_sizes"])}
            for row in rows
        ],
    )
    run.files.update(
        {
            "cv_results.csv": reporting.cv_results_csv(rows),
            "cv_results.png": reporting.plot_cv_results(rows),
        }
    )
    run.report = (
        f"Candidates, best first ({cv}-fold CV accuracy)\n"
        f"{reporting.format_cv_results(rows)}\n\n{run.report}"
    )
    return run


def evaluate_run(model, X_test, y_test, *, model_path=None, dataset=None, groups=None):
    """Evaluate a fitted model once on a test split.

    Parameters
    ----------
    model : DigitPredictor, Pipeline or DigitMLPClassifier
        A fitted model, e.g. from :func:`~digit_classifier.load_predictor`.

    X_test, y_test : array-like
        Test images (pixels in [0, 255]) and labels.

    model_path : str or os.PathLike, default=None
        Where the model was loaded from, recorded in the metrics.

    dataset : str, default=None
        The data set's name, recorded in the metrics.

    groups : array-like of shape (n_samples,), default=None
        The group of each test image (e.g. the set it comes from): the
        metrics then also hold ``test_accuracy_by_group``.

    Returns
    -------
    run : Run
        The test metrics and report files; no model.

    Examples
    --------
    >>> import numpy as np
    >>> from digit_classifier import DigitPredictor
    >>> from digit_classifier.runs import evaluate_run
    >>> predictor = DigitPredictor([np.eye(4)[:, :2]], [np.zeros(2)], [0, 1])
    >>> images = np.array([[255, 0, 0, 0], [0, 255, 0, 0], [255, 0, 0, 0]])
    >>> run = evaluate_run(predictor, images, [0, 1, 1])
    >>> print(run.summary())
    test accuracy 0.6667, test loss 0.6466
    >>> sorted(run.files)  # doctest: +NORMALIZE_WHITESPACE
    ['classification_report.txt', 'confusion_matrix.csv', 'confusion_matrix.png',
     'misclassified.png', 'reliability_diagram.png', 'sample_predictions.png']
    """
    threshold = getattr(model, "threshold", None)
    scores = model.score_samples(X_test) if threshold is not None else None
    metrics, files, report = _evaluation(
        model, X_test, y_test, dataset, scores, threshold
    )
    if model_path is not None:
        metrics["model"] = str(model_path)
    if groups is not None:
        groups, right = np.asarray(groups), model.predict(X_test) == np.asarray(y_test)
        by_group = {str(g): float(right[groups == g].mean()) for g in np.unique(groups)}
        metrics["test_accuracy_by_group"] = by_group
        lines = [f"{name}: {accuracy:.4f}" for name, accuracy in by_group.items()]
        report = "Accuracy by group\n" + "\n".join(lines) + f"\n\n{report}"
    return Run(metrics=metrics, files=files, report=report)


def new_run_folder(parent="runs"):
    """A new, timestamped folder name under `parent` (not created).

    Parameters
    ----------
    parent : str or os.PathLike, default="runs"
        Where runs are kept.

    Returns
    -------
    folder : pathlib.Path
        ``parent/YYYYmmdd-HHMMSS``, with ``-2``, ``-3``... when taken.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(parent) / stamp
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = Path(parent) / f"{stamp}-{suffix}"
    return folder


def _calibration_split(X, y, fraction, random_state):
    """The training images and labels, and those held out for calibration."""
    if not 0 <= fraction < 1:
        raise ValueError(f"calibration_fraction must be in [0, 1), got {fraction!r}.")
    if not fraction:
        return X, y, None, None
    from sklearn.model_selection import train_test_split

    X_fit, X_calibration, y_fit, y_calibration = train_test_split(
        X, y, test_size=fraction, stratify=y, random_state=_seed(random_state)
    )
    return X_fit, y_fit, X_calibration, y_calibration


def _seed(random_state):
    """The calibration's seed: the model's, when it is an int, else 0, so that
    a run's split and distortions are the same every time."""
    return random_state if isinstance(random_state, int) else 0


def _finished_run(
    model,
    X_train,
    X_test,
    y_test,
    fit_time,
    preset,
    dataset,
    calibration=(None, None),
    random_state=None,
):
    """Calibrate a fitted model, evaluate it once; the run with its record.

    A committee's members share their settings but for their normalization
    and seed: the metrics give the first member's, and each member's
    normalization; the curves are the first member's.
    """
    from ..model import calibrate_digits, digit_scores
    from ..presets import PRESETS

    fitted, threshold, X_calibration = model, None, calibration[0]
    if X_calibration is not None:
        model, threshold = calibrate_digits(
            fitted,
            X_calibration,
            calibration[1],
            accept=PRESETS[preset]["accept"],
            random_state=_seed(random_state),
        )
    scores = digit_scores(fitted, X_test) if threshold is not None else None
    metrics, files, report = _evaluation(
        model, X_test, y_test, dataset, scores, threshold
    )
    members = _members(fitted)
    mlp = _classifiers(fitted)[0]
    if threshold is not None:
        metrics.update(
            n_calibration=len(X_calibration),
            temperature=_temperature(model),
            threshold=threshold,
        )
    metrics.update(
        preset=preset,
        fit_time_s=round(fit_time, 2),
        epochs_run=mlp.n_iter_,
        n_train=len(X_train),
        parameters={
            name: list(value) if isinstance(value, tuple) else value
            for name, value in mlp.get_params().items()
            if isinstance(value, RECORDED_TYPES)
        },
        members={
            name: {key: member["digit"].get_params()[key] for key in NORMALIZATION}
            for name, member in members
        },
    )
    files["training_curves.png"] = reporting.plot_training_curves(mlp.history_)
    return Run(
        metrics=metrics, files=files, model=model, report=report, threshold=threshold
    )


def _temperature(calibrated):
    [classifier] = calibrated.calibrated_classifiers_
    return 1 / float(classifier.calibrators[0].beta_)


def _normalize_on(model, n_jobs):
    """Set the n_jobs of the model's DigitNormalizer steps, fitted or not."""
    for _, member in _members(model, fitted=False) + _members(model):
        member["digit"].set_params(n_jobs=n_jobs)


def _members(model, fitted=True):
    """[(name, pipeline), ...]: a committee's members, or the one pipeline."""
    if not hasattr(model, "estimators"):  # a pipeline
        return [("digit", model)]
    if fitted and hasattr(model, "estimators_"):
        return list(model.named_estimators_.items())
    return list(model.estimators)


def _classifiers(model, fitted=True):
    """The DigitMLPClassifier of each member: fitted ones, once there are."""
    return [member["mlp"] for _, member in _members(model, fitted)]


def _evaluation(model, X_test, y_test, dataset, scores=None, threshold=None):
    """The test metrics, report files and text tables of a fitted model; with
    the test digits' scores, how many its threshold would decline."""
    proba = model.predict_proba(X_test)
    classes = model.classes_
    y_pred = classes[proba.argmax(axis=1)]
    metrics = {
        "dataset": dataset,
        "n_test": len(X_test),
        "test_accuracy": accuracy_score(y_test, y_pred),
        "test_loss": log_loss(y_test, proba, labels=classes),
        "test_ece": reporting.expected_calibration_error(y_test, proba, classes),
    }
    if threshold is not None:
        metrics["test_declined"] = float(np.mean(scores < threshold))
    metrics["versions"] = library_versions()
    report = classification_report(
        y_test, y_pred, labels=classes, digits=4, zero_division=0
    )
    matrix = confusion_matrix(y_test, y_pred, labels=classes)
    table = reporting.format_confusion_matrix(matrix, classes)
    files = {
        "classification_report.txt": report,
        "confusion_matrix.csv": reporting.confusion_matrix_csv(matrix, classes),
        "confusion_matrix.png": reporting.draw_confusion_matrix(
            matrix, classes
        ).figure_,
        "sample_predictions.png": reporting.plot_predictions(X_test, y_test, y_pred),
        "misclassified.png": reporting.plot_misclassified(
            X_test, y_test, y_pred, proba.max(axis=1)
        ),
        "reliability_diagram.png": reporting.plot_reliability_diagram(
            y_test, proba, classes, title="Test digits"
        ).figure_,
    }
    calibration = f"Expected calibration error {metrics['test_ece']:.2%}"
    if threshold is not None:
        calibration += (
            f"; {metrics['test_declined']:.2%} of the test digits would be declined "
            "as not a digit"
        )
    text = (
        f"{calibration}\n\n"
        f"Confusion matrix (rows: true, columns: predicted)\n{table}\n\n"
        f"Classification report\n{report}"
    )
    return metrics, files, text


def _replace_folder(folder, staging):
    """Put the finished `staging` folder where `folder` is."""
    if not folder.exists():
        os.replace(staging, folder)
        return
    # Two renames, so the earlier run is gone only once the new one is in
    # place; were this interrupted in between, it would be in the hidden
    # sibling folder.
    retired = staging.with_suffix(".old")
    os.replace(folder, retired)
    os.replace(staging, folder)
    shutil.rmtree(retired, ignore_errors=True)


def _json_value(value):
    """NumPy scalars as numbers, anything else JSON lacks as text."""
    return value.item() if hasattr(value, "item") else str(value)
