"""This project's pipeline against the estimators a user would pick instead.

Fits five contenders one after another in this one process on MNIST
(DIGIT_CLASSIFIER_DATA or --data-dir), all with the same network: 784 ->
Dense(128, relu) -> Dense(64, relu) -> Dense(10, softmax), no dropout, Adam
with a constant learning rate of 1e-3, cross-entropy, the same epochs and
batch size, the training data reshuffled each epoch, no validation split and
no early stopping. Usage::

    DIGIT_CLASSIFIER_DATA=../shared/data/mnist python benchmarks/compare_alternatives.py

The contenders (``--only`` picks some of them, by these names):

- ``ours``: ``make_digit_pipeline(...)``, raw uint8 pixels in.
- ``ours-augmented``: the same with the ``default`` preset's augmentation
  (rotation, elastic distortion, low resolution), drawn anew for each batch:
  the ratio of its fit to ``ours``'s is what the augmentation costs.
- ``keras``: raw Keras, as the original projects used it: the model built,
  compiled and fitted with ``model.fit(X, y, batch_size, epochs)`` on pixels
  scaled to float32 / 255 once beforehand (that scaling is not timed, as a raw
  Keras user does it once), and ``model.predict(X).argmax(axis=1)``.
- ``scikeras``: stock ``scikeras.wrappers.KerasClassifier`` after a
  ``PixelNormalizer`` in a Pipeline.
- ``keras-sklearn``: Keras 3's ``keras.wrappers.SKLearnClassifier`` after a
  ``PixelNormalizer``; it one-hot encodes the labels, so its network is
  compiled with categorical rather than sparse categorical cross-entropy
  (the same loss).
- ``sklearn``: scikit-learn's ``MLPClassifier`` after a ``PixelNormalizer``
  (Adam, no L2 penalty, ``tol=0`` so that it runs every epoch).

Every pipeline starts with ``PixelNormalizer``, so they differ only in the
estimator. The Keras networks are compiled with ``metrics=["accuracy"]``, as
this project's is. The three Keras contenders that do not seed themselves get
``keras.utils.set_random_seed(random_state)`` before they are built; stock
scikeras is not given ``random_state``, as that would switch TensorFlow's op
determinism on for the contenders after it. Keras's progress output is sent
to os.devnull, and everything a contender prints costs it time.

Measured for each contender: fit wall time, the median of ``--fit-repeats``
fits (3 by default): after the first round of contenders, each is fitted
anew in turn, round after round, so that a machine that slows down or speeds
up in the meantime moves every contender's figure alike; accuracy on the test
images (of the first fit);
predicting all test images (best of 3 calls after a warm-up call); predicting
one image at a time (``predict(X_test[i:i+1])``, after ``--warmup-1`` (50)
untimed calls; median and 99th percentile of ``--repeats-1`` calls); and
peak resident memory while the contender was built, fitted and used,
sampled from /proc/self/statm every 5 ms (where /proc is missing: the
process's ``ru_maxrss`` when it finished) during its fit and its predictions
of all test images, but not while single images are timed, which the
sampling thread would slow down.
The contenders share one process, so each peak includes whatever the earlier
ones left allocated (TensorFlow's runtime above all) and run order matters:
run one contender at a time with ``--only`` to compare memory in isolation.
Before the first contender a throwaway Keras model is fitted on a few images,
so that no contender pays TensorFlow's one-time start-up.

The script also checks that the pipeline's ``predict_proba`` (NumPy, float64)
agrees with its Keras model's own ``predict`` (TensorFlow, float32) to within
1e-5 on the whole test set and on one image, and times the same model saved
and loaded with ``load_predictor`` (NumPy only, the command line's path).

Prints a Markdown table headed by the machine and library versions, and the
ratios of the project's targets; ``--json PATH`` also writes all of it as
JSON. Timings on a shared machine are noisy: compare ratios from one run.
"""

import argparse
import contextlib
import gc
import json
import os
import platform
import resource
import sys
import tempfile
import threading
import time
import warnings
from importlib import metadata

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline

from digit_classifier import (
    PixelNormalizer,
    load_mnist,
    load_predictor,
    make_digit_pipeline,
    save_model,
)
from digit_classifier._io import atomic_write
from digit_classifier.presets import PRESETS

HIDDEN_LAYER_SIZES = (128, 64)
LEARNING_RATE = 1e-3
# Single-image predictions made before the timed ones, by default.
WARMUP_CALLS = 50
RSS_INTERVAL_S = 0.005
VERSIONS = ("tensorflow", "keras", "scikit-learn", "scikeras", "numpy")


def build_network(n_features, n_classes):
    """The uncompiled 784-128-64-10 network every Keras contender trains."""
    import keras

    inputs = keras.Input(shape=(n_features,), dtype="float32")
    x = inputs
    for units in HIDDEN_LAYER_SIZES:
        x = keras.layers.Dense(units, activation="relu")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def _compile(model, loss="sparse_categorical_crossentropy"):
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss=loss,
        metrics=["accuracy"],
    )
    return model


class RawKeras:
    """What the original projects did: a compiled model and its fit/predict."""

    scaled_input = True  # takes float32 pixels / 255, scaled once beforehand

    def __init__(self, batch_size, epochs):
        self.batch_size = batch_size
        self.epochs = epochs

    def fit(self, X, y):
        self.model_ = _compile(build_network(X.shape[1], int(y.max()) + 1))
        self.model_.fit(X, y, batch_size=self.batch_size, epochs=self.epochs, verbose=0)
        return self

    def predict(self, X):
        return self.model_.predict(X, verbose=0).argmax(axis=1)


def _scikeras_network(meta):
    # scikeras compiles it with the wrapper's loss, optimizer and metrics.
    return build_network(meta["n_features_in_"], meta["n_classes_"])


def _keras_sklearn_network(X, y):
    # keras.wrappers.SKLearnClassifier passes y one-hot encoded.
    return _compile(build_network(X.shape[1], y.shape[1]), "categorical_crossentropy")


def _seed_keras(seed):
    import keras

    keras.utils.set_random_seed(seed)


def make_ours(args, **augmentation):
    # The fast preset trains without augmentation; the digits are left as
    # they are and no non-digits are added: the same network on the same
    # pixels as the others.
    return make_digit_pipeline(
        "fast",
        deskew=False,
        aspect="keep",
        hidden_layer_sizes=HIDDEN_LAYER_SIZES,
        dropout=0.0,
        learning_rate=LEARNING_RATE,
        learning_rate_schedule="constant",
        outlier_exposure=0.0,
        batch_size=args.batch_size,
        epochs=args.epochs,
        random_state=args.random_state,
        **augmentation,
    )


def make_ours_augmented(args):
    # The same, with the default preset's augmentation: what it costs.
    augmentation = {
        name: value
        for name, value in PRESETS["default"]["mlp"].items()
        if name.startswith("augment_")
    }
    return make_ours(args, **augmentation)


def make_raw_keras(args):
    _seed_keras(args.random_state)
    return RawKeras(args.batch_size, args.epochs)


def make_scikeras(args):
    from scikeras.wrappers import KerasClassifier

    _seed_keras(args.random_state)
    return Pipeline(
        [
            ("normalize", PixelNormalizer()),
            (
                "mlp",
                KerasClassifier(
                    model=_scikeras_network,
                    loss="sparse_categorical_crossentropy",
                    optimizer="adam",
                    optimizer__learning_rate=LEARNING_RATE,
                    metrics=["accuracy"],
                    batch_size=args.batch_size,
                    epochs=args.epochs,
                    verbose=0,
                ),
            ),
        ]
    )


def make_keras_sklearn(args):
    from keras.wrappers import SKLearnClassifier

    _seed_keras(args.random_state)
    fit_kwargs = {"batch_size": args.batch_size, "epochs": args.epochs, "verbose": 0}
    return Pipeline(
        [
            ("normalize", PixelNormalizer()),
            (
                "mlp",
                SKLearnClassifier(model=_keras_sklearn_network, fit_kwargs=fit_kwargs),
            ),
        ]
    )


def make_sklearn(args):
    mlp = MLPClassifier(
        hidden_layer_sizes=HIDDEN_LAYER_SIZES,
        solver="adam",
        learning_rate_init=LEARNING_RATE,
        batch_size=args.batch_size,
        max_iter=args.epochs,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=args.epochs,
        shuffle=True,
        random_state=args.random_state,
    )
    return Pipeline([("normalize", PixelNormalizer()), ("mlp", mlp)])


CONTENDERS = {
    "ours": ("digit_classifier pipeline", make_ours),
    "ours-augmented": (
        "digit_classifier pipeline, default preset's augmentation",
        make_ours_augmented,
    ),
    "keras": ("raw Keras model.fit / predict", make_raw_keras),
    "scikeras": ("scikeras KerasClassifier", make_scikeras),
    "keras-sklearn": ("keras.wrappers.SKLearnClassifier", make_keras_sklearn),
    "sklearn": ("scikit-learn MLPClassifier", make_sklearn),
}
# (name, numerator, denominator, measurement, target): ours / other <= target.
TARGETS = (
    ("predict 1 median", "ours", "sklearn", "predict_1_median_ms", 1.0),
    ("predict all test images", "ours", "sklearn", "predict_all_ms", 1.0),
    ("fit time", "ours", "keras", "fit_s", 1.05),
    ("fit time", "ours-augmented", "ours", "fit_s", 1.30),
)


def _rss_bytes():
    """Resident set size now; the process's peak so far where /proc is missing."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return _maxrss_bytes()


def _maxrss_bytes():
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024  # KiB on Linux


class PeakRSS:
    """Highest resident set size of this process while the block runs."""

    def __enter__(self):
        self.peak = _rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(RSS_INTERVAL_S):
            self.peak = max(self.peak, _rss_bytes())

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())


def _elapsed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def _time_single_images(predict, X_test, args):
    """Median and 99th percentile of predict on one image, after warm-up calls."""
    for i in range(args.warmup_1):
        predict(X_test[i : i + 1])
    latencies = [
        _elapsed(predict, X_test[j : j + 1])
        for j in (i % len(X_test) for i in range(args.repeats_1))
    ]
    return {
        "predict_1_median_ms": 1000 * float(np.median(latencies)),
        "predict_1_p99_ms": 1000 * float(np.percentile(latencies, 99)),
    }


def _warm_up_tensorflow(X, y):
    """Fit and use a throwaway model: TensorFlow's one-time start-up."""
    model = _compile(build_network(X.shape[1], int(y.max()) + 1))
    model.fit(X[:256], y[:256], batch_size=32, epochs=1, verbose=0)
    model.predict(X[:256], verbose=0)


def measure(name, args, data):
    """Fit and time one contender; return its results and the fitted estimator."""
    title, factory = CONTENDERS[name]
    result = {"name": name, "contender": title, "status": "ok"}
    estimator = None
    with (
        warnings.catch_warnings(record=True) as caught,
        open(os.devnull, "w") as devnull,
        contextlib.redirect_stdout(devnull),
    ):
        warnings.simplefilter("always")
        # MLPClassifier warns that it stopped at max_iter: that is the plan.
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            estimator = factory(args)
            scaled = getattr(estimator, "scaled_input", False)
            X_train, X_test = data["scaled" if scaled else "pixels"]
            y_train, y_test = data["labels"]
            with PeakRSS() as rss:
                result["fit_s"] = _elapsed(estimator.fit, X_train, y_train)
                labels = estimator.predict(X_test)  # also the warm-up call
                predict_all = min(_elapsed(estimator.predict, X_test) for _ in range(3))
            result["peak_rss_mib"] = rss.peak / 2**20
            result["test_accuracy"] = float(np.mean(labels == y_test))
            result["predict_all_ms"] = 1000 * predict_all
            # Single images are timed without the memory sampler: its thread
            # would take the GIL whenever TensorFlow releases it, and a call
            # that releases it would then wait for it, up to 5 ms.
            result.update(_time_single_images(estimator.predict, X_test, args))
        except Exception as exc:  # one broken contender must not stop the others
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            result["status"] = f"failed: {type(exc).__name__}: {message}"
            estimator = None
    result["warnings"] = sorted(
        {f"{w.category.__name__}: {w.message}".splitlines()[0] for w in caught}
    )
    return result, estimator


def time_fit(name, args, data):
    """The wall time of fitting one more fresh estimator of a contender."""
    factory = CONTENDERS[name][1]
    with (
        warnings.catch_warnings(),
        open(os.devnull, "w") as devnull,
        contextlib.redirect_stdout(devnull),
    ):
        warnings.simplefilter("ignore")
        estimator = factory(args)
        scaled = getattr(estimator, "scaled_input", False)
        X_train = data["scaled" if scaled else "pixels"][0]
        seconds = _elapsed(estimator.fit, X_train, data["labels"][0])
    del estimator
    gc.collect()
    return seconds


def check_predict_proba(pipe, X_test):
    """Compare the pipeline's predict_proba with its Keras model's predict."""
    model = pipe[-1].model_
    scaled = PixelNormalizer().fit_transform(X_test)
    proba = pipe.predict_proba(X_test)
    keras_proba = model.predict(scaled, verbose=0)
    single = pipe.predict_proba(X_test[:1])
    single_keras = model.predict(scaled[:1], verbose=0)
    return {
        "max_abs_diff_vs_model_predict": float(np.max(np.abs(proba - keras_proba))),
        "max_abs_diff_single_image": float(np.max(np.abs(single - single_keras))),
        "same_labels": float(np.mean(proba.argmax(1) == keras_proba.argmax(1))),
    }


def measure_predictor(pipe, X_test, y_test, args):
    """Time the fitted pipeline saved and loaded with load_predictor (NumPy)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.zip")
        save_model(pipe, path)
        predictor = load_predictor(path)
    labels = predictor.predict(X_test)  # also the warm-up call
    result = {
        "test_accuracy": float(np.mean(labels == y_test)),
        "predict_all_ms": 1000
        * min(_elapsed(predictor.predict, X_test) for _ in range(3)),
    }
    result.update(_time_single_images(predictor.predict, X_test, args))
    return result


def ratios(results):
    """The project's targets, as ours / the other contender's measurement."""
    by_name = {r["name"]: r for r in results if r["status"] == "ok"}
    rows = []
    for label, ours, other, key, target in TARGETS:
        row = {"ratio": f"{ours} / {other}, {label}", "target": target}
        if ours in by_name and other in by_name:
            row["value"] = by_name[ours][key] / by_name[other][key]
            row["met"] = row["value"] <= target
        else:
            row["value"] = row["met"] = None
        rows.append(row)
    return rows


def machine():
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = {"python": platform.python_version()}
    for package in VERSIONS:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "versions": versions,
    }


def markdown(report):
    """The report as a Markdown header, table and ratios."""
    info, settings = report["machine"], report["settings"]
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    n_test = f"{settings['n_test']:,}"
    lines = [
        f"Machine: {info['cpu']}, {info['cpu_count']} cores; {versions}",
        "",
        f"MNIST, {settings['n_train']:,} training / {n_test} test images; "
        f"784-{'-'.join(map(str, HIDDEN_LAYER_SIZES))}-10, {settings['epochs']} "
        f"epochs, batch {settings['batch_size']}, Adam {LEARNING_RATE:g}; "
        f"fit: median of {settings['fit_repeats']} fits in turn; "
        f"predict 1 over {settings['repeats_1']} calls after "
        f"{settings['warmup_1']} untimed ones",
        "",
        f"| contender | fit (s) | test accuracy | predict {n_test} (ms) "
        "| predict 1 median (ms) | predict 1 p99 (ms) | peak RSS (MiB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["contenders"]:
        if r["status"] != "ok":
            lines.append(f"| {r['contender']} | {r['status']} | | | | | |")
            continue
        lines.append(
            f"| {r['contender']} | {r['fit_s']:.1f} | {r['test_accuracy']:.4f} "
            f"| {r['predict_all_ms']:.1f} | {r['predict_1_median_ms']:.2f} "
            f"| {r['predict_1_p99_ms']:.2f} | {r['peak_rss_mib']:.0f} |"
        )
    lines.append("")
    for row in report["ratios"]:
        if row["value"] is None:
            verdict = "n/a (a contender did not run)"
        else:
            met = "met" if row["met"] else "not met"
            verdict = f"{row['value']:.2f}x (target <= {row['target']:g}: {met})"
        lines.append(f"- {row['ratio']}: {verdict}")
    check = report.get("predict_proba_check")
    if check:
        lines.append(
            "- our predict_proba against model_.predict: max |difference| "
            f"{check['max_abs_diff_vs_model_predict']:.2g} on the test images, "
            f"{check['max_abs_diff_single_image']:.2g} on one image; same labels "
            f"for {check['same_labels']:.2%}"
        )
    predictor = report.get("predictor")
    if predictor:
        lines.append(
            f"- the same model from load_predictor: predict {n_test} "
            f"{predictor['predict_all_ms']:.1f} ms, predict 1 median "
            f"{predictor['predict_1_median_ms']:.3f} ms (p99 "
            f"{predictor['predict_1_p99_ms']:.3f} ms), test accuracy "
            f"{predictor['test_accuracy']:.4f}"
        )
    lines.append(f"- process peak RSS (ru_maxrss): {report['ru_maxrss_mib']:.0f} MiB")
    return "\n".join(lines)


def main(argv=None, sink=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--repeats-1", type=int, default=300, help="timed single-image predictions"
    )
    parser.add_argument(
        "--warmup-1",
        type=int,
        default=WARMUP_CALLS,
        help="untimed single-image predictions before them",
    )
    parser.add_argument(
        "--fit-repeats", type=int, default=3, help="fits of each contender, in turn"
    )
    parser.add_argument("--only", nargs="+", choices=list(CONTENDERS))
    parser.add_argument("--n-train", type=int, help="fit on the first N images")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    (X_train, y_train), (X_test, y_test) = load_mnist(args.data_dir)
    X_train, y_train = X_train[: args.n_train], y_train[: args.n_train]
    normalizer = PixelNormalizer().fit(X_train)
    data = {
        "pixels": (X_train, X_test),
        "scaled": (normalizer.transform(X_train), normalizer.transform(X_test)),
        "labels": (y_train, y_test),
    }
    report = {
        "machine": machine(),
        "settings": {
            "n_train": len(X_train),
            "n_test": len(X_test),
            "hidden_layer_sizes": list(HIDDEN_LAYER_SIZES),
            "learning_rate": LEARNING_RATE,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "repeats_1": args.repeats_1,
            "warmup_1": args.warmup_1,
            "fit_repeats": args.fit_repeats,
            "random_state": args.random_state,
        },
        "contenders": [],
    }

    names = args.only or list(CONTENDERS)
    if set(names) - {"sklearn"}:
        _warm_up_tensorflow(data["scaled"][0], y_train)
    for name in names:
        print(f"{name}...", file=sys.stderr, flush=True)
        result, estimator = measure(name, args, data)
        report["contenders"].append(result)
        if name == "ours" and estimator is not None:
            report["predict_proba_check"] = check_predict_proba(estimator, X_test)
            report["predictor"] = measure_predictor(estimator, X_test, y_test, args)
        del estimator
        gc.collect()
    fitted = [r for r in report["contenders"] if r["status"] == "ok"]
    for result in fitted:
        result["fit_s_runs"] = [result["fit_s"]]
    for _ in range(args.fit_repeats - 1):
        for result in fitted:
            print(f"{result['name']} fit...", file=sys.stderr, flush=True)
            result["fit_s_runs"].append(time_fit(result["name"], args, data))
    for result in fitted:
        result["fit_s"] = float(np.median(result["fit_s_runs"]))
    report["ratios"] = ratios(report["contenders"])
    report["ru_maxrss_mib"] = _maxrss_bytes() / 2**20

    sink(markdown(report))
    if args.json:
        with atomic_write(args.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)
            file.write("\n")
    return report


if __name__ == "__main__":
    main()
