"""What each ``digit-classifier`` command does, once its arguments are parsed.

One function per command, with plain parameters: :mod:`.cli` parses the
command line and calls them, and scripts can too. They print what the
command prints (results on standard output, errors and notes on standard
error) and return its exit status. Nothing heavy is imported until a
command runs.
"""

import contextlib
import importlib.util
import json
import sys

PROG = "digit-classifier"


def train(
    *,
    dataset="mnist",
    data_dir=None,
    out=None,
    quiet=False,
    hidden=None,
    n_jobs=1,
    **options,
):
    """``digit-classifier train``: fit, evaluate once, write a run folder.

    Parameters
    ----------
    dataset : {"mnist", "digits"}, default="mnist"
        The data set.

    data_dir : str or os.PathLike, default=None
        Where MNIST is; see :func:`~digit_classifier.load_mnist`.

    out : str or os.PathLike, default=None
        The run folder; by default a new timestamped one in ``runs/``.

    quiet : bool, default=False
        Print only the final summary.

    hidden : tuple of int, default=None
        The hidden layer sizes; by default the preset's.

    n_jobs : int, default=1
        A committee's members trained at once, in worker processes.

    **options
        The training options: ``preset``, ``epochs``, ``batch_size``,
        ``dropout``, ``learning_rate``, ``early_stopping``,
        ``validation_fraction`` and ``random_state``; see :func:`run_params`.

    Returns
    -------
    status : int
    """
    from .runs import train_run

    train_split, test_split = _load_data(dataset, data_dir)  # fails fast
    out = _out_folder(out)
    _say(quiet, f"Training on {len(train_split[0])} {dataset} images; results in {out}")
    params = run_params(**options)
    if hidden is not None:
        params["hidden_layer_sizes"] = hidden
    progress = None if quiet else "bar" if sys.stdout.isatty() else "lines"
    run = train_run(
        *train_split,
        *test_split,
        progress=progress,
        dataset=dataset,
        n_jobs=n_jobs,
        **params,
    )
    return _finish(run, out, quiet)


def tune(
    *,
    hidden,
    aspect=None,
    dataset="mnist",
    data_dir=None,
    out=None,
    quiet=False,
    cv=3,
    halving=False,
    n_jobs=1,
    dask_local=None,
    dask=None,
    **options,
):
    """``digit-classifier tune``: search hidden sizes, refit the best, write a run.

    Parameters
    ----------
    hidden : list of tuple of int
        The candidate hidden layer sizes.

    aspect : list of str, default=None
        Candidate aspect ratios of the digits' normalization, searched with
        every hidden size; None keeps the preset's.

    dataset, data_dir, out, quiet
        As for :func:`train`.

    cv, halving, n_jobs
        As for :func:`~digit_classifier.runs.tune_run`.

    dask_local : int, default=None
        Run the fits on a local Dask cluster of this many workers.

    dask : str, default=None
        Run the fits on the Dask cluster at this scheduler address.

    **options
        The training options, as for :func:`train`.

    Returns
    -------
    status : int
    """
    from ..model.tuning import dask_cluster
    from .runs import tune_run

    train_split, test_split = _load_data(dataset, data_dir)
    out = _out_folder(out)
    on_dask = dask_local or dask
    where = f"Dask ({dask or 'local'})" if on_dask else f"{n_jobs} process(es)"
    _say(
        quiet,
        f"Searching {len(hidden)} candidates x {cv} folds on "
        f"{len(train_split[0])} {dataset} images, on {where}; results in {out}",
    )
    cluster = dask_cluster(dask, n_workers=dask_local or 1)
    with cluster if on_dask else contextlib.nullcontext():
        run = tune_run(
            *train_split,
            *test_split,
            hidden,
            aspects=aspect,
            cv=cv,
            halving=halving,
            n_jobs=-1 if on_dask else n_jobs,
            # scikit-learn's progress: "[CV 2/3] END ...; score=0.97 total time=3.1s"
            verbose=0 if quiet else 3,
            dataset=dataset,
            **run_params(**options),
        )
    return _finish(run, out, quiet)


def evaluate(*, model, dataset="mnist", data_dir=None, out=None, quiet=False):
    """``digit-classifier evaluate``: a saved model's reports on a test set.

    Parameters
    ----------
    model : str or os.PathLike
        A model file.

    dataset : {"mnist", "digits", "real"}, default="mnist"
        The test set; "real" reads real handwriting from other sources,
        drawn as scans, from `data_dir` (a folder of ``.npz`` files).

    data_dir, out, quiet
        As for :func:`train`.

    Returns
    -------
    status : int
    """
    from ._answers import load_pixel_predictor
    from .runs import evaluate_run

    predictor = load_pixel_predictor(model)
    sources = None
    if dataset == "real":
        from ..datasets import load_real_scans

        *test_split, sources = load_real_scans(data_dir)
    else:
        _, test_split = _load_data(dataset, data_dir)
    out = _out_folder(out)
    run = evaluate_run(
        predictor, *test_split, model_path=model, dataset=dataset, groups=sources
    )
    return _finish(run, out, quiet)


def predict(*, model, inputs, top_k=1, as_json=False, show=None):
    """``digit-classifier predict``: the labels of the digits in each input.

    Every input gets its own answer: one that cannot be read is reported on
    standard error (and with its ``error`` in the JSON), and the others are
    still read.

    Parameters
    ----------
    model : str or os.PathLike
        A model file.

    inputs : list of str or os.PathLike
        Image files of one digit each, or ``.npy`` arrays of digits.

    top_k : int, default=1
        Labels to print per digit.

    as_json : bool, default=False
        Print one JSON list instead of a line per digit.

    show : str or os.PathLike, default=None
        Also draw each input next to the 28x28 image the model saw, into
        this picture.

    Returns
    -------
    status : int
        1 if some input could not be read, else 0.
    """
    from ..images import DigitImageError
    from ._answers import answer_input, load_pixel_predictor

    predictor = load_pixel_predictor(model)
    results, shown, failed = [], [], 0
    for path in inputs:
        try:
            answers = answer_input(
                predictor, path, top_k=top_k, originals=show is not None
            )
        except (DigitImageError, OSError) as exc:
            results.append({"input": str(path), "error": error(exc)})
            failed += 1
            continue
        for answer in answers:
            name, top = answer.pop("input"), answer["top_k"]
            shown.append((answer.pop("original"), answer.pop("image"), name, answer))
            results.append({"input": name, **answer})
            if as_json:
                continue
            if answer["reason"]:
                guess = top[0]
                text = (
                    f"{answer['reason']} (best guess {guess['label']}, "
                    f"{guess['probability']:.2f})"
                )
            else:
                text = ", ".join(f"{t['label']} ({t['probability']:.3f})" for t in top)
            print(f"{name}: {text}")
    if as_json:
        print(json.dumps(results, indent=2))
    if show is not None and shown:
        from ..reporting import plot_preprocessed_images, save_figure

        originals, images, names, best = zip(*shown, strict=True)
        captions = [_caption(answer) for answer in best]
        fig = plot_preprocessed_images(originals, images, captions, names=names)
        save_figure(fig, show)
        print(f"{PROG}: wrote {show}", file=sys.stderr)
    return 1 if failed else 0


def read(*, model, inputs, as_json=False, show=None):
    """``digit-classifier read``: the number in each image, digit by digit.

    Every input gets its own answer: one that cannot be read is reported on
    standard error (and with its ``error`` in the JSON), and the others are
    still read.

    Parameters
    ----------
    model : str or os.PathLike
        A model file of 28x28 images.

    inputs : list of str or os.PathLike
        Image files, each of one line of digits.

    as_json : bool, default=False
        Print one JSON list instead of a line per input.

    show : str or os.PathLike, default=None
        Also draw each input with its digits' boxes and labels into this
        picture.

    Returns
    -------
    status : int
        1 if some input could not be read, else 0.
    """
    from ..images import DigitImageError
    from ._answers import load_pixel_predictor, read_input

    predictor = load_pixel_predictor(model, image_files=True)
    results, shown, failed = [], [], 0
    for path in inputs:
        try:
            answer = read_input(predictor, path, original=show is not None)
        except (DigitImageError, OSError) as exc:
            results.append({"input": str(path), "error": error(exc)})
            failed += 1
            continue
        if show is not None:
            shown.append((answer.pop("original"), answer))
        results.append(answer)
        if not as_json:
            print(f"{answer['input']}: {_number_line(answer)}")
    if as_json:
        print(json.dumps(results, indent=2))
    if shown:
        from ..reporting import plot_number_readings, save_figure

        originals, answers = zip(*shown, strict=True)
        names = [answer["input"] for answer in answers]
        save_figure(plot_number_readings(originals, answers, names=names), show)
        print(f"{PROG}: wrote {show}", file=sys.stderr)
    return 1 if failed else 0


def _number_line(answer):
    """A number's line: its digits and their probabilities, and what is not read."""
    if answer["text"] is None:
        line = answer["reason"]
    else:
        digits = ", ".join(
            f"{digit['label']} {digit['probability']:.2f}" for digit in answer["digits"]
        )
        line = f"{answer['text']} ({digits})"
    if answer["not_digits"]:
        count = len(answer["not_digits"])
        reasons = "; ".join(sorted({part["reason"] for part in answer["not_digits"]}))
        line += f"; {count} mark{'s' * (count > 1)} not read ({reasons})"
    return line


def _caption(answer):
    """A picture's caption of an answer: its label, or why there is none."""
    if answer["reason"]:
        return answer["reason"].split(" (")[0]
    return f"{answer['label']} (p = {answer['probability']:.2f})"


def adapt(*, model, samples, out, data_dir=None, random_state=0, quiet=False):
    """``digit-classifier adapt``: a model fine-tuned on a user's samples folder.

    Prints the cross-validated accuracy on the samples, of the original and
    of the adapted model, before writing the new model file.

    Parameters
    ----------
    model : str or os.PathLike
        A model file of 28x28 digits.

    samples : str or os.PathLike
        A samples folder, ``samples/<label>/<file>``.

    out : str or os.PathLike
        The new model file.

    data_dir : str or os.PathLike, default=None
        Where MNIST is (its training digits are rehearsed); see
        :func:`~digit_classifier.load_mnist`.

    random_state : int, default=0
        Seeds the folds, the rehearsal digits and the fine-tuning.

    quiet : bool, default=False
        Print only the summary line.

    Returns
    -------
    status : int
        1 if the samples folder cannot be used (each problem on its own
        line of standard error), else 0.
    """
    from ..samples import SampleFolderError
    from .adapting import adapt_model

    _say(quiet, f"Adapting {model} to the digits in {samples}")
    try:
        adaptation = adapt_model(
            model, samples, data_dir=data_dir, random_state=random_state
        )
    except SampleFolderError as exc:
        print(f"{PROG}: error: {exc.summary}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    _say(quiet, adaptation.report)
    adaptation.write(out)
    scores = adaptation.scores
    print(
        f"your digits, cross-validated: {scores.original:.1%} -> {scores.adapted:.1%} "
        f"({100 * scores.gain:+.1f} points); wrote {out}"
    )
    if scores.gain <= 0:
        print(
            f"{PROG}: warning: the adapted model reads your digits no better than "
            f"{model}; keep using it, or add more samples",
            file=sys.stderr,
        )
    return 0


def serve(
    *, model, host="127.0.0.1", port=8000, max_upload_mb=10, workers=1, samples=None
):
    """``digit-classifier serve``: the web page and JSON API, until interrupted.

    Parameters
    ----------
    model : str or os.PathLike
        A model file of 28x28 images.

    host, port, workers
        As for :func:`~digit_classifier.apps.serve.run_server`.

    max_upload_mb : float, default=10
        Larger request bodies are refused.

    samples : str or os.PathLike, default=None
        A folder where the page saves the user's corrections, for
        :func:`adapt`; None offers no corrections.

    Returns
    -------
    status : int
    """
    # Looked for, not imported: the supervisor of several workers need not
    # hold FastAPI (see run_server).
    for package in ("fastapi", "uvicorn"):
        if importlib.util.find_spec(package) is None:
            raise ImportError(
                f"serve needs the serve extra ({package} is missing): "
                "pip install 'digit_classifier[serve]'"
            )
    from .serve import run_server

    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"{PROG}: warning: the API has no authentication: anyone who can "
            f"reach {host}:{port} can use it",
            file=sys.stderr,
        )
    max_upload_bytes = int(max_upload_mb * 2**20)
    run_server(
        model,
        host=host,
        port=port,
        max_upload_bytes=max_upload_bytes,
        workers=workers,
        samples=samples,
    )
    return 0


def error(exc):
    """Print an error as one line on standard error; return its message.

    Parameters
    ----------
    exc : Exception

    Returns
    -------
    message : str
    """
    message = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, (ValueError, TypeError, OSError)):
        message = f"{type(exc).__name__}: {message} (--debug shows the traceback)"
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return message


def run_params(
    *,
    preset="default",
    epochs=None,
    batch_size=None,
    dropout=None,
    learning_rate=None,
    early_stopping=False,
    validation_fraction=0.1,
    random_state=0,
):
    """The training options as train_run's and tune_run's parameters.

    Options left at None keep the preset's value. `validation_fraction` is
    the held-out part: for the validation curves (``validation_split``), or
    for early stopping (``validation_fraction``) when it is on.

    Returns
    -------
    params : dict
        ``preset`` and :class:`~digit_classifier.DigitMLPClassifier`
        parameters.

    Examples
    --------
    >>> run_params(preset="fast", epochs=3)
    {'preset': 'fast', 'epochs': 3, 'random_state': 0, 'validation_split': 0.1}
    """
    options = {
        "epochs": epochs,
        "batch_size": batch_size,
        "dropout": dropout,
        "learning_rate": learning_rate,
        "early_stopping": early_stopping or None,
        "random_state": random_state,
    }
    params = {name: value for name, value in options.items() if value is not None}
    held_out = "validation_fraction" if early_stopping else "validation_split"
    return {"preset": preset, **params, held_out: validation_fraction}


def _load_data(dataset, data_dir):
    from ..datasets import load_digits_split, load_mnist

    if dataset == "digits":
        if data_dir is not None:
            raise ValueError("--data-dir applies to --dataset mnist only")
        return load_digits_split(random_state=0)
    return load_mnist(data_dir)


def _out_folder(out):
    from .runs import new_run_folder

    return out if out is not None else new_run_folder()


def _finish(run, out, quiet):
    _say(quiet, f"\n{run.report}")
    run.write(out)
    print(f"{run.summary()}; wrote {out}")
    return 0


def _say(quiet, text):
    if not quiet:
        print(text)
