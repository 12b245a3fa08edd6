"""Regenerate the README's pictures from a run of ``digit-classifier train``.

Trains on MNIST with the command's defaults (about a minute on two CPU
cores), then writes into this folder (or ``--out-dir``):

- ``confusion_matrix.png`` and ``sample_predictions.png``, as ``train`` draws
  them for the test set;
- ``predict_show.png``: photo-like images of test digits next to the 28x28
  images the model saw, as ``digit-classifier predict --show`` draws them.

Usage::

    python docs/make_figures.py [--data-dir DIR] [--out-dir DIR] [TRAIN_OPTION ...]

Other options go to ``train``: ``--epochs 1`` makes a quick check. MNIST is
read as the command reads it (``--data-dir``, else ``DIGIT_CLASSIFIER_DATA``,
else Keras's cache or download).
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from digit_classifier import load_mnist
from digit_classifier.datasets import make_photo_digits

DOCS = Path(__file__).resolve().parent
TRAIN_PICTURES = ("confusion_matrix.png", "sample_predictions.png")
SHOW_PICTURE = "predict_show.png"
N_PHOTOS = 4  # one row of predict --show's gallery


def command(*args, cwd=None):
    """Run ``digit-classifier ARGS`` (as ``python -m``: the same command)."""
    subprocess.run(
        [sys.executable, "-m", "digit_classifier", *args], cwd=cwd, check=True
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="folder holding MNIST")
    parser.add_argument("--out-dir", type=Path, default=DOCS, help="default: docs/")
    args, train_options = parser.parse_known_args(argv)
    data = [] if args.data_dir is None else ["--data-dir", str(args.data_dir)]
    out_dir = args.out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        command("train", *data, *train_options, "--quiet", "--out", str(run))
        for name in TRAIN_PICTURES:
            shutil.copyfile(run / name, out_dir / name)

        (_, _), (X_test, _) = load_mnist(args.data_dir)
        paths = make_photo_digits(X_test[:N_PHOTOS], tmp, random_state=0)
        # Short relative names, as the picture's captions show them.
        photos = [path.name for path in paths]
        show = str(out_dir / SHOW_PICTURE)
        command("predict", str(run / "model.zip"), *photos, "--show", show, cwd=tmp)

    for name in (*TRAIN_PICTURES, SHOW_PICTURE):
        print(f"wrote {out_dir / name}")


if __name__ == "__main__":
    main()
