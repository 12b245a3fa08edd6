"""The ``digit-classifier`` command: train, evaluate and predict.

This module parses arguments and calls the library. It imports nothing heavy
at module level, so that ``digit-classifier --help`` answers at once.
"""

import argparse
import contextlib
import json
import os
import sys
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
    _add_data_arguments(evaluate, real=True)
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
        type=_figure_path,
        metavar="OUT.png",
        help="also draw each input next to the 28x28 image the model saw, with "
        "the prediction, into this picture",
    )
    predict.set_defaults(run=_predict)

    serve = commands.add_parser(
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
    serve.add_argument("--port", type=_positive_int, default=8000, help="default: 8000")
    serve.add_argument(
        "--max-upload-mb",
        type=float,
        default=10,
        help="larger request bodies are refused (default: 10)",
    )
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="server processes, each with the model: more requests at once on "
        "more cores, more memory (default: 1)",
    )
    serve.set_defaults(run=_serve)
    return parser


def _add_data_arguments(parser, real=False):
    real_help = (
        ", or real handwriting from other sources drawn as scans (a folder of "
        ".npz files: --data-dir or $DIGIT_CLASSIFIER_REAL_DATA)"
        if real
        else ""
    )
    parser.add_argument(
        "--dataset",
        choices=["mnist", "digits", "real"] if real else ["mnist", "digits"],
        default="mnist",
        help="MNIST, scikit-learn's built-in 8x8 digits (offline)"
        f"{real_help} (default: mnist)",
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
    from ._checks import check_hidden_layer_sizes

    if text.strip().lower() == "none":
        return ()
    try:
        return check_hidden_layer_sizes([int(part) for part in text.split(",")])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid hidden layer sizes {text!r}: expected comma-separated "
            "positive integers such as 128,64, or 'none'"
        ) from None


def _figure_path(text):
    from .reporting import figure_format

    try:
        figure_format(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None
    return Path(text)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


# --- commands ---------------------------------------------------------------


def _train(args):
    from .runs import train_run

    train, test = _load_data(args)  # first: fails fast on bad data
    out = _out_folder(args)
    _say(args, f"Training on {len(train[0])} {args.dataset} images; results in {out}")
    hidden = {} if args.hidden is None else {"hidden_layer_sizes": args.hidden}
    progress = None if args.quiet else "bar" if sys.stdout.isatty() else "lines"
    run = train_run(*train, *test, progress=progress, **_run_params(args), **hidden)
    return _finish(run, out, args)


def _tune(args):
    from .runs import tune_run
    from .tuning import dask_cluster

    train, test = _load_data(args)
    out = _out_folder(args)
    on_dask = args.dask_local or args.dask
    where = (
        f"Dask ({args.dask or 'local'})" if on_dask else f"{args.n_jobs} process(es)"
    )
    _say(
        args,
        f"Searching {len(args.hidden)} candidates x {args.cv} folds on "
        f"{len(train[0])} {args.dataset} images, on {where}; results in {out}",
    )
    cluster = dask_cluster(args.dask, n_workers=args.dask_local or 1)
    with cluster if on_dask else contextlib.nullcontext():
        run = tune_run(
            *train,
            *test,
            args.hidden,
            cv=args.cv,
            halving=args.halving,
            n_jobs=-1 if on_dask else args.n_jobs,
            # scikit-learn's progress: "[CV 2/3] END ...; score=0.97 total time=3.1s"
            verbose=0 if args.quiet else 3,
            **_run_params(args),
        )
    return _finish(run, out, args)


def _evaluate(args):
    from . import load_predictor
    from .runs import evaluate_run

    model = load_predictor(args.model)
    sources = None
    if args.dataset == "real":
        from .datasets import load_real_scans

        *test, sources = load_real_scans(args.data_dir)
    else:
        _, test = _load_data(args)
    out = _out_folder(args)
    run = evaluate_run(
        model, *test, model_path=args.model, dataset=args.dataset, groups=sources
    )
    return _finish(run, out, args)


def _predict(args):
    from . import load_predictor
    from .images import read_digit_inputs

    model = load_predictor(args.model)
    results, shown, failed = [], [], 0
    for path in args.inputs:
        try:
            inputs = read_digit_inputs(
                path, model.n_features_in_, originals=args.show is not None
            )
            rows = inputs.images.reshape(len(inputs.images), -1)
            top_k = model.predict_top_k(rows, args.top_k)
        except (ValueError, OSError) as exc:
            message = _one_line(exc)
            # Name the input once: the errors about image files name it.
            if str(path) not in message:
                message = f"{path}: {message}"
            print(f"{PROG}: error: {message}", file=sys.stderr)
            failed += 1
            continue
        for name, original, image, top in zip(*inputs, top_k, strict=True):
            results.append({"input": name, **top[0], "top_k": top})
            shown.append((original, image, name, top[0]))
            if not args.json:
                text = ", ".join(f"{t['label']} ({t['probability']:.3f})" for t in top)
                print(f"{name}: {text}")
    if args.json:
        print(json.dumps(results, indent=2))
    if args.show is not None and shown:
        from .reporting import plot_preprocessed_images, save_figure

        originals, images, names, best = zip(*shown, strict=True)
        captions = [f"{t['label']} (p = {t['probability']:.2f})" for t in best]
        fig = plot_preprocessed_images(originals, images, captions, names=names)
        save_figure(fig, args.show)
        print(f"{PROG}: wrote {args.show}", file=sys.stderr)
    return 1 if failed else 0


def _serve(args):
    try:
        import uvicorn

        from .serving import MAX_UPLOAD_ENV_VAR, MODEL_ENV_VAR, make_app
    except ImportError as exc:
        raise ImportError(
            f"serve needs the serve extra ({exc.name} is missing): "
            "pip install 'digit_classifier[serve]'"
        ) from exc
    if args.max_upload_mb <= 0:
        raise ValueError("--max-upload-mb must be positive")
    max_upload_bytes = int(args.max_upload_mb * 2**20)
    app = make_app(args.model, max_upload_bytes=max_upload_bytes)  # checks the model
    if args.workers > 1:
        # Each worker process builds its own app from these.
        os.environ[MODEL_ENV_VAR] = str(args.model)
        os.environ[MAX_UPLOAD_ENV_VAR] = str(max_upload_bytes)
        app = "digit_classifier.serving:app_from_environment"
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"{PROG}: warning: the API has no authentication: anyone who can "
            f"reach {args.host}:{args.port} can use it",
            file=sys.stderr,
        )
    print(f"Serving {args.model} at http://{args.host}:{args.port}/ (Ctrl+C stops)")
    options = {"factory": True, "workers": args.workers} if args.workers > 1 else {}
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", **options)
    return 0


# --- shared -----------------------------------------------------------------


def _load_data(args):
    from .datasets import load_digits_split, load_mnist

    if args.dataset == "digits":
        if args.data_dir is not None:
            raise ValueError("--data-dir applies to --dataset mnist only")
        return load_digits_split(random_state=0)
    return load_mnist(args.data_dir)


def _run_params(args):
    """train_run's and tune_run's parameters from the options."""
    options = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "dropout": args.dropout,
        "learning_rate": args.learning_rate,
        "early_stopping": args.early_stopping or None,
        "random_state": args.random_state,
    }
    params = {name: value for name, value in options.items() if value is not None}
    held_out = "validation_fraction" if args.early_stopping else "validation_split"
    params[held_out] = args.validation_fraction
    return {"preset": args.preset, "dataset": args.dataset, **params}


def _out_folder(args):
    from .runs import new_run_folder

    return args.out if args.out is not None else new_run_folder()


def _finish(run, out, args):
    _say(args, f"\n{run.report}")
    run.write(out)
    print(f"{run.summary()}; wrote {out}")
    return 0


def _say(args, text):
    if not args.quiet:
        print(text)
