"""The ``digit-classifier`` command: train, tune, evaluate, predict, read, adapt,
serve.

This module parses arguments and calls the library. It imports nothing heavy
at module level, so that ``digit-classifier --help`` answers at once.
"""

import argparse
import gc
import os
import sys
import warnings
from pathlib import Path

from .. import presets
from .._checks import ASPECTS
from . import commands
from ._argtypes import figure_path, hidden_layer_sizes, positive_float, positive_int
from .commands import PROG


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
    >>> from digit_classifier.apps.cli import main
    >>> run = os.path.join(tempfile.mkdtemp(), "run")
    >>> main(["train", "--dataset", "digits", "--preset", "fast", "--quiet",
    ...       "--out", run])  # doctest: +ELLIPSIS
    test accuracy 0.9..., test loss 0.1..., 5 epochs in ... s; wrote .../run
    0
    >>> sorted(os.listdir(run))  # doctest: +NORMALIZE_WHITESPACE
    ['classification_report.txt', 'confusion_matrix.csv', 'confusion_matrix.png',
     'metrics.json', 'misclassified.png', 'model.zip', 'reliability_diagram.png',
     'sample_predictions.png', 'training_curves.png']

    An error is one line on standard error and a non-zero status:

    >>> main(["evaluate", os.path.join(run, "missing.zip"), "--dataset", "digits"])
    1
    """
    args = _parser().parse_args(argv)
    options = vars(args)
    command, debug = options.pop("command"), options.pop("debug")
    # Set before TensorFlow is imported: its C++ start-up chatter is noise here.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        with warnings.catch_warnings():
            # Pillow's warnings about the files it reads (odd EXIF data, a
            # truncated tag) repeat what the answers say, or are noise.
            warnings.filterwarnings("ignore", module=r"PIL\.")
            return command(**options)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            raise
        commands.error(exc)
        return 1


def run():
    """The ``digit-classifier`` console script: :func:`main`, then exit with
    its status."""
    status = main()
    # The process ends here, and its objects with it: the interpreter's last
    # garbage collection, over TensorFlow's and Keras's hundreds of thousands
    # of objects, took over a second of a command's exit.
    gc.freeze()
    sys.exit(status)


def _parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train, evaluate and use a handwritten-digit classifier "
        "(a Keras MLP behind a scikit-learn pipeline).",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    subcommands = parser.add_subparsers(title="commands", required=True)

    train = subcommands.add_parser(
        "train",
        help="fit a model, evaluate it on the test split and write a run folder",
        description="Fit the pipeline on the training split (validation curves "
        "come from a held-out part of it; a twelfth calibrates the model and "
        "sets its 'not a digit' threshold), evaluate once on the test split, and "
        "write the model, metrics and pictures into a run folder.",
    )
    _add_data_arguments(train)
    sizes = presets.describe_setting("hidden_layer_sizes")
    train.add_argument(
        "--hidden",
        type=hidden_layer_sizes,
        metavar="SIZES",
        help=f"hidden layer sizes, e.g. 128,64, or 'none' (default: {sizes})",
    )
    train.add_argument(
        "--n-jobs", type=int, default=1, help="a committee's members trained at once"
    )
    _add_model_arguments(train)
    train.set_defaults(command=commands.train)

    tune = subcommands.add_parser(
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
        type=hidden_layer_sizes,
        nargs="+",
        required=True,
        metavar="SIZES",
        help="candidates, e.g. --hidden 64 128 128,64 256,128",
    )
    tune.add_argument(
        "--aspect", nargs="+", choices=ASPECTS, help="also search these aspect ratios"
    )
    tune.add_argument("--cv", type=positive_int, default=3, help="folds (default: 3)")
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
        type=positive_int,
        metavar="N",
        help="run the fits on a local Dask cluster of N worker processes",
    )
    where.add_argument(
        "--dask",
        metavar="SCHEDULER_ADDRESS",
        help="run the fits on the Dask cluster at this address",
    )
    _add_model_arguments(tune)
    tune.set_defaults(command=commands.tune)

    evaluate = subcommands.add_parser(
        "evaluate", help="evaluate a saved model on the test split, write reports"
    )
    evaluate.add_argument("model", type=Path, help="a model.zip written by train")
    _add_data_arguments(evaluate, real=True)
    _add_output_arguments(evaluate)
    evaluate.set_defaults(command=commands.evaluate)

    predict = subcommands.add_parser(
        "predict",
        help="predict the digits in photos, scans or .npy arrays",
        description="Print the predicted label and its probability for each "
        "input: an image file of one handwritten digit (PNG, JPEG, GIF, BMP, "
        "TIFF or WebP; a photo or scan of any size, colour and position, "
        "brought to MNIST's 28x28 form first), or a .npy array of one or many "
        "images already in the model's form (light digits on dark, as in "
        "MNIST). An input that cannot be read is reported, one line each, and "
        "the others are still predicted; the exit status is then 1.",
    )
    predict.add_argument("model", type=Path, help="a model.zip written by train")
    predict.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    predict.add_argument(
        "--top-k", type=positive_int, default=1, help="labels to show per input"
    )
    _add_answer_arguments(
        predict,
        "draw each input next to the 28x28 image the model saw, with the prediction",
    )
    predict.set_defaults(command=commands.predict)

    read = subcommands.add_parser(
        "read",
        help="read the number in each image, digit by digit",
        description="Print the number in each image file (one line of "
        "handwritten digits: a photo, scan or drawing) with each digit's "
        "probability; marks that do not look like digits are reported, not "
        "read. An input that cannot be read is reported, one line each, and "
        "the others are still read; the exit status is then 1.",
    )
    read.add_argument("model", type=Path, help="a model.zip written by train")
    read.add_argument("inputs", nargs="+", type=Path, metavar="IMAGE")
    _add_answer_arguments(read, "draw each image with its digits' boxes and labels")
    read.set_defaults(command=commands.read)

    adapt = subcommands.add_parser(
        "adapt",
        help="fine-tune a model on your own handwriting",
        description="Fine-tune a model on a samples folder of your own digits "
        "(SAMPLES/<label>/<file>: SAMPLES/7/ holds sevens, as image files of "
        "any format predict reads; 2 or more of each label you give) "
        "with MNIST's training digits rehearsed, so that it learns "
        "your hand without forgetting MNIST's. Prints what adapting gains on "
        "your digits, by cross-validation, then writes the new model. Needs "
        "MNIST (--data-dir or $DIGIT_CLASSIFIER_DATA).",
    )
    adapt.add_argument("model", type=Path, help="a model.zip written by train")
    adapt.add_argument("samples", type=Path, help="the samples folder")
    adapt.add_argument(
        "--out", type=Path, required=True, metavar="NEW.zip", help="the new model file"
    )
    _add_data_dir_argument(adapt)
    adapt.add_argument("--random-state", type=int, default=0, help="default: 0")
    adapt.add_argument("--quiet", action="store_true", help="print only the summary")
    adapt.set_defaults(command=commands.adapt)

    serve = subcommands.add_parser(
        "serve",
        help="serve a web page to draw or upload digits, and a JSON API",
        description="Start a local web server: a page where you draw a digit or "
        "drop a photo and see what the model reads, and a JSON API (POST "
        "/predict, POST /predict/batch, GET /model, GET /health). Needs the "
        "serve extra: pip install 'digit_classifier[serve]'.",
    )
    serve.add_argument("model", type=Path, help="a model.zip written by train")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    serve.add_argument("--port", type=positive_int, default=8000, help="default: 8000")
    serve.add_argument(
        "--max-upload-mb",
        type=positive_float,
        default=10,
        help="larger request bodies are refused (default: 10)",
    )
    serve.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help="server processes, each with the model: more requests at once on "
        "more cores, more memory (default: 1)",
    )
    serve.add_argument(
        "--samples",
        type=Path,
        metavar="DIR",
        help="collect corrections: the page offers 'Not right? It is: 0 ... 9' "
        "under each answer and saves the image into DIR/<label>/, for "
        "digit-classifier adapt (default: off)",
    )
    serve.set_defaults(command=commands.serve)
    return parser


def _add_answer_arguments(parser, show_help):
    parser.add_argument(
        "--json", action="store_true", dest="as_json", help="print one JSON list"
    )
    parser.add_argument(
        "--show",
        type=figure_path,
        metavar="OUT.png",
        help=f"also {show_help}, into this picture",
    )


def _add_data_arguments(parser, real=False):
    datasets = ["mnist", "digits", "real"] if real else ["mnist", "digits"]
    real_help = (
        ", or real handwriting from other sources drawn as scans (a folder of "
        ".npz files: --data-dir or $DIGIT_CLASSIFIER_REAL_DATA)"
        if real
        else ""
    )
    parser.add_argument(
        "--dataset",
        choices=datasets,
        default="mnist",
        help="MNIST, scikit-learn's built-in 8x8 digits (offline)"
        f"{real_help} (default: mnist)",
    )
    _add_data_dir_argument(parser)


def _add_data_dir_argument(parser):
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="folder with the four MNIST IDX files or mnist.npz (default: "
        "$DIGIT_CLASSIFIER_DATA, then Keras's cache, then Keras's download)",
    )


def _add_model_arguments(parser):
    """The preset and the settings that override it; then the output options."""
    names = "; ".join(f"{n}: {presets.describe_preset(n)}" for n in presets.PRESETS)
    parser.add_argument(
        "--preset",
        choices=list(presets.PRESETS),
        default="default",
        help=f"starting settings, which the options below override ({names}; "
        "default: default)",
    )
    described = {key: presets.describe_setting(key) for key in presets.NAMED_SETTINGS}
    parser.add_argument(
        "--epochs", type=positive_int, help=f"default: {described['epochs']}"
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        help="default: min(256, training images / 32)",
    )
    parser.add_argument(
        "--dropout", type=float, help=f"default: {described['dropout']}"
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        help="starting learning rate of the cosine schedule (default: "
        f"{described['learning_rate']})",
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
    _add_output_arguments(parser)


def _add_output_arguments(parser):
    parser.add_argument(
        "--out",
        type=Path,
        metavar="RUN_DIR",
        help="folder for the results (default: a new timestamped folder in runs/)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
