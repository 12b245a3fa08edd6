"""Wall time and memory of ``digit-classifier predict MODEL IMAGE``, start to end.

Runs the installed command in fresh processes, as a user does, on one image
at a time: a photo-like PNG of an MNIST test digit (a few hundred pixels a
side, drawn by the tests' photo generator) and the same photo enlarged to a
12-megapixel JPEG, as a phone takes it. Prints, for each, the median and
largest wall time over ``--repeats`` runs, the largest peak resident memory
of a run (the child's own ``ru_maxrss``), and what was written to standard
error (TensorFlow's start-up lines would be). Usage::

    python benchmarks/predict_command.py runs/<run>/model.zip
    DIGIT_CLASSIFIER_DATA=../shared/data/mnist python benchmarks/predict_command.py

Without a model file, the default pipeline is fitted on MNIST and saved
first (under a minute). The images and the model are made by a separate
Python process: a child's peak memory counts the memory of the process it
was forked from, so this one imports nothing heavy. Timings vary with what
else the machine does.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PHONE_PHOTO_SIZE = (4000, 3000)
IMAGES = {
    "one.png": "photo-like PNG of an MNIST test digit",
    "phone.jpg": "the same photo as a 12-megapixel JPEG, 4000x3000",
}


def prepare(folder, data_dir, fit_model):
    """Write the images (and, if asked, a default model) into `folder`."""
    from PIL import Image

    from digit_classifier import load_mnist
    from digit_classifier.datasets import make_photo_digits

    (X_train, y_train), (X_test, _) = load_mnist(data_dir)
    if fit_model:
        from digit_classifier import make_digit_pipeline, save_model

        pipe = make_digit_pipeline(random_state=0).fit(X_train, y_train)
        save_model(pipe, folder / "model.zip")
    [jpeg] = make_photo_digits(X_test[:1], folder, random_state=0)
    with Image.open(jpeg) as photo:
        photo.save(folder / "one.png")
        photo.resize(PHONE_PHOTO_SIZE).save(folder / "phone.jpg", quality=90)


def run_once(command):
    """Wall seconds, peak RSS in MiB, exit status and stderr of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    stderr = process.stderr.read()
    process.stderr.close()
    # wait4 reaps the child and returns its own resource usage.
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped: tell Popen
    return wall, usage.ru_maxrss / 1024, process.returncode, stderr


def measure(executable, model, image, repeats):
    command = [executable, "predict", str(model), str(image)]
    runs = [run_once(command) for _ in range(repeats)]
    walls = [wall for wall, *_ in runs]
    return {
        "median_s": statistics.median(walls),
        "max_s": max(walls),
        "peak_rss_mib": max(rss for _, rss, _, _ in runs),
        "failed_runs": sum(status != 0 for _, _, status, _ in runs),
        "stderr": sorted({stderr for *_, stderr in runs}),
    }


def main(argv=None, sink=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="a model.zip (default: fit one)")
    parser.add_argument("--data-dir")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        return prepare(args.prepare, args.data_dir, fit_model=args.model is None)

    # The command installed beside this Python first, as an activated venv has it.
    executable = shutil.which(
        "digit-classifier", path=os.path.dirname(sys.executable)
    ) or shutil.which("digit-classifier")
    if executable is None:
        sys.exit("digit-classifier is not installed: pip install -e .")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        helper = [sys.executable, __file__, "--prepare", str(folder)]
        helper += ["--data-dir", args.data_dir] if args.data_dir else []
        subprocess.run(helper + ([args.model] if args.model else []), check=True)
        model = args.model or folder / "model.zip"

        sink(f"digit-classifier predict {model} IMAGE, {args.repeats} runs each")
        results = {}
        for image, about in IMAGES.items():
            result = measure(executable, model, folder / image, args.repeats)
            results[image] = result
            stderr = " | ".join(result["stderr"]).strip() or "nothing"
            sink(
                f"- {about}: median {result['median_s']:.2f} s, max "
                f"{result['max_s']:.2f} s, peak RSS {result['peak_rss_mib']:.0f} MiB, "
                f"{result['failed_runs']} failed runs; stderr: {stderr}"
            )
    return results


if __name__ == "__main__":
    main()
