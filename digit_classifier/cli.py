"""The ``digit-classifier`` command: train, evaluate and predict.

This module parses arguments and calls the library. It imports nothing heavy
at module level, so that ``digit-classifier --help`` answers at once.
"""

import argparse
import contextlib
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

PROG = "digit-classifier"


def main(argv=None):
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 1 on a runtime error (argparse exits with 2 on a
        usage error).

    Examples
    --------
    ``digit-classifier ARGS`` in a shell is ``main([ARGS])`` here. Train on
    scikit-learn's built-in 8x8 digits (offline, seconds) into a run folder:

    >>> import os, tempfile
    >>> from digit_classifier.cli import main
    >>> run = os.path.join(tempfile.mkdtemp(), "run")
    >>> main(["train", "--dataset", "digits", "--preset", "fast", "--quiet",
    ...       "--out", run])  # doctest: +ELLIPSIS
    test accuracy 0.9..., test loss 0.1..., 5 epochs in ... s; wrote .../run
    0
    >>> sorted(os.listdir(run))  # doctest: +NORMALIZE_WHITESPACE
    ['classification_report.txt', 'confusion_matrix.csv', 'confusion_matrix.png',
     'metrics.json', 'misclassified.png', 'model.zip', 'sample_predictions.png',
     'training_curves.png']

    An error is one line on standard error and a non-zero status:

    >>> main(["evaluate", os.path.join(run, "missing.zip"), "--dataset", "digits"])
    1
    """
    args = _parser().parse_args(argv)
    # Set before TensorFlow is imported: its C++ start-up chatter is noise here.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 1


def _one_line(exc):
    message = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, (ValueError, TypeError, OSError)):
        return message
    return f"{type(exc).__name__}: {message} (run with --debug for the traceback)"


def _parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train, evaluate and use a handwritten-digit classifier "
        "(a Keras MLP behind a scikit-learn pipeline).",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an error"
    )
    commands = parser.add_subparsers(title="commands", required=True)

    train = commands.add_parser(
        "train",
        help="fit a model, evaluate it on the test split and write a run folder",
        description="Fit the pipeline on the training split (validation curves "
        "come from a held-out part of it), evaluate once on the test split, and "
        "write the model, metrics and pictures into a run folder.",
    )
    _add_data_arguments(train)
    train.add_argument(
        "--hidden",
        type=_hidden_layer_sizes,
        metavar="SIZES",
        help="hidden layer sizes, e.g. 128,64 ('none' for no hidden layer; "
        "default: 256,128)",
    )
    _add_model_arguments(train)
    _add_output_arguments(train)
    train.set_defaults(run=_train)

    tune = commands.add_parser(
        "tune",
        help="cross-validate hidden layer sizes, refit the best, write a run folder",
        description="Grid-search the hidden layer sizes with stratified "
        "cross-validation on the training split, print the ranked candidates, "
        "refit the best on the whole training split and evaluate it once on "
        "the test split, writing the same run folder as train plus "
        "cv_results.csv and cv_results.png.",
    )
    _add_data_arguments(tune)
    tune.add_argument(
        "--hidden",
        type=_hidden_layer_sizes,
        nargs="+",
        required=True,
        metavar="SIZES",
        help="candidates, e.g. --hidden 64 128 128,64 256,128",
    )
    tune.add_argument("--cv", type=_positive_int, default=3, help="folds (default: 3)")
    tune.add_argument(
        "--halving",
        action="store_true",
        help="successive halving over the number of training samples",
    )
    where = tune.add_mutually_exclusive_group()
    where.add_argument(
        "--n-jobs", type=int, default=1, help="fits in parallel on this machine"
    )
    where.add_argument(
        "--dask-local",
        type=_positive_int,
        metavar="N",
        help="run the fits on a local Dask cluster of N worker processes",
    )
    where.add_argument(
        "--dask",
        metavar="SCHEDULER_ADDRESS",
        help="run the fits on the Dask cluster at this address",
    )
    _add_model_arguments(tune)
    _add_output_arguments(tune)
    tune.set_defaults(run=_tune)

    evaluate = commands.add_parser(
        "evaluate",
        help="evaluate a saved model on the test split and write its reports",
    )
    evaluate.add_argument("model", type=Path, help="a model.zip written by train")
    _add_data_arguments(evaluate)
    _add_output_arguments(evaluate)
    evaluate.set_defaults(run=_evaluate)

    predict = commands.add_parser(
        "predict",
        help="predict the digits in photos, scans or .npy arrays",
        description="Print the predicted label and its probability for each "
        "input: an image file of one handwritten digit (a photo or scan of any "
        "size, colour and position, brought to MNIST's 28x28 form first), or a "
        ".npy array of one or many images already in the model's form (light "
        "digits on dark, as in MNIST). An input that cannot be read is reported "
        "and skipped; the exit status is then 1.",
    )
    predict.add_argument("model", type=Path, help="a model.zip written by train")
    predict.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    predict.add_argument(
        "--top-k", type=_positive_int, default=1, help="labels to show per input"
    )
    predict.add_argument(
        "--json", action="store_true", help="print one JSON list on stdout"
    )
    predict.add_argument(
        "--show",
        type=Path,
        metavar="OUT.png",
        help="also draw each input next to the 28x28 image the model saw, with "
        "the prediction, into this picture",
    )
    predict.set_defaults(run=_predict)
    return parser


def _add_data_arguments(parser):
    parser.add_argument(
        "--dataset",
        choices=["mnist", "digits"],
        default="mnist",
        help="MNIST, or scikit-learn's built-in 8x8 digits (offline; default: mnist)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="folder with the four MNIST IDX files or mnist.npz (default: "
        "$DIGIT_CLASSIFIER_DATA, then Keras's cache, then Keras's download)",
    )


def _add_model_arguments(parser):
    from .presets import PRESETS, describe_preset

    presets = "; ".join(f"{name}: {describe_preset(name)}" for name in PRESETS)
    parser.add_argument(
        "--preset",
        choices=list(PRESETS),
        default="default",
        help=f"starting settings, which the other options override ({presets}; "
        "default: default)",
    )
    parser.add_argument("--epochs", type=_positive_int, help="default: 15")
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        help="default: min(256, training images / 32)",
    )
    parser.add_argument("--dropout", type=float, help="default: 0.3")
    parser.add_argument(
        "--learning-rate",
        type=float,
        help="starting learning rate of the cosine schedule (default: 0.002)",
    )
    parser.add_argument(
        "--early-stopping",
        action="store_true",
        help="stop when the validation loss stops improving; keep the best epoch",
    )
    parser.add_argument(
        "--validation-fraction",
        type=float,
        default=0.1,
        help="part of the training data held out for validation curves "
        "(0 for none; default: 0.1)",
    )
    parser.add_argument("--random-state", type=int, default=0, help="default: 0")


def _add_output_arguments(parser):
    parser.add_argument(
        "--out",
        type=Path,
        metavar="RUN_DIR",
        help="folder for the results (default: a new timestamped folder in runs/)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print only the final summary"
    )


def _hidden_layer_sizes(text):
    if text.strip().lower() == "none":
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"invalid hidden layer sizes {text!r}: expected comma-separated "
            "positive integers such as 128,64, or 'none'"
        )
    return sizes


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


# --- train ------------------------------------------------------------------


def _train(args):
    (X_train, y_train), test = _load_data(args)  # first: fails fast on bad data

    from . import make_digit_pipeline

    pipe = make_digit_pipeline(**_mlp_params(args))
    out = _run_dir(args.out)
    _say(args, f"Training on {len(X_train)} {args.dataset} images; results in {out}")

    # The progress display serves this run only; it is not part of the model.
    if not args.quiet:
        bar = sys.stdout.isatty()  # Keras's bar on a terminal, else lines
        pipe.set_params(mlp__verbose=int(bar), mlp__callbacks=[_progress(pipe, bar)])
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    pipe.set_params(mlp__callbacks=None, mlp__verbose=0)
    return _finish_run(pipe, X_train, test, args, out, fit_time)


def _tune(args):
    import numpy as np

    (X_train, y_train), test = _load_data(args)
    if args.cv > np.unique(y_train, return_counts=True)[1].min():
        raise ValueError(
            f"--cv {args.cv} is larger than the smallest class of the training "
            "split; use fewer folds"
        )

    from .tuning import (
        cv_results_csv,
        cv_results_table,
        dask_cluster,
        format_cv_results,
        plot_cv_results,
        tune_hidden_sizes,
    )

    out = _run_dir(args.out)
    params = _mlp_params(args)
    params.pop("hidden_layer_sizes", None)
    n_fits = len(args.hidden) * args.cv
    where = (
        f"a local Dask cluster of {args.dask_local} workers"
        if args.dask_local
        else f"the Dask cluster at {args.dask}"
        if args.dask
        else f"{args.n_jobs} local process(es)"
    )
    _say(
        args,
        f"Searching {len(args.hidden)} candidates x {args.cv} folds = {n_fits} fits "
        f"on {len(X_train)} {args.dataset} images, on {where}; results in {out}",
    )
    with contextlib.ExitStack() as stack:
        n_jobs = args.n_jobs
        if args.dask_local or args.dask:
            stack.enter_context(dask_cluster(args.dask, n_workers=args.dask_local or 1))
            n_jobs = -1
        start = time.perf_counter()
        search = tune_hidden_sizes(
            X_train,
            y_train,
            args.hidden,
            cv=args.cv,
            n_jobs=n_jobs,
            halving=args.halving,
            # scikit-learn's progress: "[CV 2/3] END ...; score=0.97 total time=3.1s"
            verbose=0 if args.quiet else 3,
            **params,
        )
        search_time = time.perf_counter() - start

    rows = cv_results_table(search)
    best = search.best_estimator_
    _say(args, f"\nCandidates, best first ({args.cv}-fold CV accuracy)")
    _say(args, format_cv_results(rows))
    files = {
        "cv_results.csv": cv_results_csv(rows),
        "cv_results.png": plot_cv_results(rows),
    }
    metrics = {
        "search_time_s": round(search_time, 2),
        "best_hidden_layer_sizes": list(search.best_params_["mlp__hidden_layer_sizes"]),
        "cv": args.cv,
        "halving": args.halving,
        "cv_results": [
            {**row, "hidden_layer_sizes": list(row["hidden_layer_sizes"])}
            for row in rows
        ],
    }
    return _finish_run(
        best, X_train, test, args, out, search.refit_time_, metrics, files
    )


def _mlp_params(args):
    """DigitMLPClassifier parameters from train's and tune's options."""
    from .presets import PRESETS

    options = {
        "hidden_layer_sizes": args.hidden,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "dropout": args.dropout,
        "learning_rate": args.learning_rate,
        "early_stopping": args.early_stopping,
        "random_state": args.random_state,
    }
    params = {
        **PRESETS[args.preset],
        **{name: value for name, value in options.items() if value is not None},
    }
    if args.early_stopping:
        params["validation_fraction"] = args.validation_fraction
    else:
        params["validation_split"] = args.validation_fraction
    return params


def _finish_run(pipe, X_train, test, args, out, fit_time, metrics=None, files=None):
    """Evaluate a fitted pipeline once on the test split; write the run folder."""
    from . import save_model
    from .reporting import plot_training_curves

    test_metrics, report_files = _evaluate_and_report(pipe, test, args)
    metrics = {**test_metrics, **(metrics or {})}
    files = {**report_files, **(files or {})}
    mlp = pipe["mlp"]
    metrics.update(
        preset=args.preset,
        fit_time_s=round(fit_time, 2),
        epochs_run=mlp.n_iter_,
        n_train=len(X_train),
        parameters={
            name: (list(value) if isinstance(value, tuple) else value)
            for name, value in mlp.get_params().items()
            if isinstance(value, (int, float, str, bool, tuple, type(None)))
        },
    )
    files["training_curves.png"] = plot_training_curves(mlp.history_)
    files["metrics.json"] = json.dumps(metrics, indent=2, default=_json_default)
    _write_run(out, files)
    save_model(pipe, out / "model.zip")
    print(
        f"test accuracy {metrics['test_accuracy']:.4f}, test loss "
        f"{metrics['test_loss']:.4f}, {mlp.n_iter_} epochs in {fit_time:.1f} s; "
        f"wrote {out}"
    )
    return 0


def _json_default(value):
    return value.item() if hasattr(value, "item") else str(value)


def _progress(pipe, bar):
    import keras

    class EpochLine(keras.callbacks.Callback):
        """One line per epoch: losses, accuracies and elapsed time."""

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            if bar:
                return  # Keras's own progress bar is showing
            values = "  ".join(f"{key} {value:.4f}" for key, value in logs.items())
            total = pipe["mlp"].epochs
            elapsed = time.perf_counter() - self.start
            print(f"epoch {epoch + 1}/{total}  {values}  {elapsed:.1f}s", flush=True)

    return EpochLine()


# --- evaluate ---------------------------------------------------------------


def _evaluate(args):
    from . import load_predictor

    model = load_predictor(args.model)
    _, test = _load_data(args)
    out = _run_dir(args.out)
    metrics, files = _evaluate_and_report(model, test, args)
    metrics["model"] = str(args.model)
    files["metrics.json"] = json.dumps(metrics, indent=2, default=_json_default)
    _write_run(out, files)
    print(
        f"test accuracy {metrics['test_accuracy']:.4f}, test loss "
        f"{metrics['test_loss']:.4f}; wrote {out}"
    )
    return 0


def _evaluate_and_report(estimator, test, args):
    """Score on the test split and print the tables.

    Returns the metrics and the report files, by name, for _write_run.
    """
    from sklearn.metrics import accuracy_score, classification_report, log_loss

    from . import reporting
    from .persistence import library_versions

    X_test, y_test = test
    proba = estimator.predict_proba(X_test)
    classes = estimator.classes_
    y_pred = classes[proba.argmax(axis=1)]
    metrics = {
        "dataset": args.dataset,
        "n_test": len(X_test),
        "test_accuracy": accuracy_score(y_test, y_pred),
        "test_loss": log_loss(y_test, proba, labels=classes),
        "versions": library_versions(),
    }
    report = classification_report(
        y_test, y_pred, labels=classes, digits=4, zero_division=0
    )
    table = reporting.format_confusion_matrix(y_test, y_pred, labels=classes)
    _say(args, f"\nConfusion matrix (rows: true, columns: predicted)\n{table}")
    _say(args, f"\nClassification report\n{report}")

    files = {
        "classification_report.txt": report,
        "confusion_matrix.csv": reporting.confusion_matrix_csv(
            y_test, y_pred, labels=classes
        ),
        "confusion_matrix.png": reporting.plot_confusion_matrix(
            y_test, y_pred, labels=classes
        ),
        "sample_predictions.png": reporting.plot_predictions(X_test, y_test, y_pred),
        "misclassified.png": reporting.plot_misclassified(
            X_test, y_test, y_pred, proba.max(axis=1)
        ),
    }
    return metrics, files


# --- predict ----------------------------------------------------------------

# --show draws originals with at most this many pixels a side.
SHOW_ORIGINAL_SIZE = 400


def _predict(args):
    figure_format = _check_figure_path(args.show)  # before any slow work

    import numpy as np

    from . import load_predictor

    model = load_predictor(args.model)
    classes = model.classes_
    results, shown, failed = [], [], 0
    for path in args.inputs:
        try:
            names, originals, images = _read_inputs(path, model, args.show)
            proba = model.predict_proba(images)
        except (ValueError, OSError) as exc:
            message = _one_line(exc)
            # Name the input once: the errors about image files name it.
            if str(path) not in message:
                message = f"{path}: {message}"
            print(f"{PROG}: error: {message}", file=sys.stderr)
            failed += 1
            continue
        for name, original, image, row in zip(
            names, originals, images, proba, strict=True
        ):
            best = np.argsort(row)[::-1][: args.top_k]
            top = [
                {"label": classes[i].item(), "probability": float(row[i])} for i in best
            ]
            results.append({"input": name, **top[0], "top_k": top})
            if args.show is not None:
                caption = f"{top[0]['label']} (p = {top[0]['probability']:.2f})"
                shown.append((original, image, name, caption))
            if not args.json:
                text = ", ".join(f"{t['label']} ({t['probability']:.3f})" for t in top)
                print(f"{name}: {text}")
    if args.json:
        print(json.dumps(results, indent=2))
    if shown:
        _write_figure(args.show, figure_format, shown)
    return 1 if failed else 0


def _read_inputs(path, model, show):
    """Names, originals (with --show) and the model's images in one input file.

    A .npy file holds images in the model's form already and is used as it
    is. An image file is a photo or scan of one digit, brought to MNIST's
    28x28 form; a digit already in that form comes out nearly unchanged.
    """
    import numpy as np

    if path.suffix.lower() == ".npy":
        # allow_pickle=False: a .npy file must not run code when loaded.
        array = np.load(path, allow_pickle=False)
        if array.ndim == 2 and array.shape[1] == 784:  # flat rows, an image each
            array = array.reshape(len(array), 28, 28)
        if array.ndim == 2:  # a single image
            return [str(path)], array[np.newaxis], array[np.newaxis]
        if array.ndim != 3:
            raise ValueError(
                f"expected one (28, 28) image or a stack (n, 28, 28) or (n, 784), "
                f"got an array of shape {array.shape}"
            )
        return [f"{path}[{i}]" for i in range(len(array))], array, array

    from .images import IMAGE_SIZE, load_digit_image, read_image

    digit = load_digit_image(path)
    n_pixels = getattr(model, "n_features_in_", digit.size)
    if n_pixels != digit.size:
        raise ValueError(
            f"image files are brought to MNIST's {IMAGE_SIZE}x{IMAGE_SIZE} form, "
            f"but this model takes images of {n_pixels} pixels; pass a .npy array "
            "of such images instead"
        )
    original = _thumbnail(read_image(path)) if show else None
    return [str(path)], [original], digit[np.newaxis]


def _thumbnail(image, size=SHOW_ORIGINAL_SIZE):
    """A large original shrunk (anti-aliased): enough to look at, less memory."""
    import numpy as np
    from PIL import Image

    thumbnail = Image.fromarray(image)
    thumbnail.thumbnail((size, size))
    return np.asarray(thumbnail)


def _check_figure_path(path):
    """The figure format of --show's path (before any work is done), or None."""
    if path is None:
        return None
    from matplotlib.backend_bases import FigureCanvasBase

    figure_format = path.suffix.lstrip(".").lower()
    supported = FigureCanvasBase.get_supported_filetypes()
    if figure_format not in supported:
        raise ValueError(
            f"--show {path}: unsupported picture format {figure_format!r}; use a "
            "file name ending in .png, .jpg, .pdf or .svg"
        )
    return figure_format


def _write_figure(path, figure_format, shown):
    from ._io import atomic_write
    from .reporting import plot_preprocessed_images

    originals, images, names, captions = zip(*shown, strict=True)
    fig = plot_preprocessed_images(originals, images, captions, names=names)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as file:
        fig.savefig(file, format=figure_format, dpi=100)
    print(f"{PROG}: wrote {path}", file=sys.stderr)


# --- shared -----------------------------------------------------------------


def _load_data(args):
    from .datasets import load_digits_split, load_mnist

    if args.dataset == "digits":
        if args.data_dir is not None:
            raise ValueError("--data-dir applies to --dataset mnist only")
        return load_digits_split(random_state=0)
    return load_mnist(args.data_dir)


def _run_dir(out):
    """The requested folder, or a new timestamped one under runs/."""
    if out is not None:
        return out
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    run = Path("runs") / stamp
    suffix = 1
    while run.exists():
        suffix += 1
        run = Path("runs") / f"{stamp}-{suffix}"
    return run


def _say(args, text):
    if not args.quiet:
        print(text)


def _write_run(out, files):
    """Write text and figures into `out`, each file atomically.

    Called once everything is computed, so a run that fails earlier leaves
    the files of an earlier run in `out` as they were.
    """
    from ._io import atomic_write

    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, str):
            with atomic_write(out / name, "w", encoding="utf-8") as file:
                file.write(content if content.endswith("\n") else content + "\n")
        else:
            with atomic_write(out / name) as file:
                content.savefig(file, format="png", dpi=100)
