"""Regenerate the README's pictures from a run of ``digit-classifier train``.

Trains on MNIST with the command's defaults (about a minute on two CPU
cores), then writes into this folder (or ``--out-dir``):

- ``confusion_matrix.png`` and ``sample_predictions.png``, as ``train`` draws
  them for the test set;
- ``predict_show.png``: photo-like images of test digits next to the 28x28
  images the model saw, as ``digit-classifier predict --show`` draws them;
- ``read_show.png``: numbers written with test digits (spaced, tight, one
  pair touching), their digits boxed and labelled, as ``digit-classifier
  read --show`` draws them.

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

from PIL import Image

from digit_classifier import load_mnist
from digit_classifier.datasets import make_numbers, make_photo_digits

DOCS = Path(__file__).resolve().parent
TRAIN_PICTURES = ("confusion_matrix.png", "sample_predictions.png")
SHOW_PICTURE = "predict_show.png"
READ_PICTURE = "read_show.png"
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

        (_, _), (X_test, y_test) = load_mnist(args.data_dir)
        paths = make_photo_digits(X_test[:N_PHOTOS], tmp, random_state=0)
        # Short relative names, as the picture's captions show them.
        photos = [path.name for path in paths]
        show = str(out_dir / SHOW_PICTURE)
        command("predict", str(run / "model.zip"), *photos, "--show", show, cwd=tmp)
        numbers = write_numbers(X_test, y_test, tmp)
        show = str(out_dir / READ_PICTURE)
        command("read", str(run / "model.zip"), *numbers, "--show", show, cwd=tmp)

    for name in (*TRAIN_PICTURES, SHOW_PICTURE, READ_PICTURE):
        print(f"wrote {out_dir / name}")


def write_numbers(images, labels, folder):
    """A number of each spacing, written with test digits, as PNG files in
    `folder`; returns their names."""
    names = []
    for seed, spacing in enumerate(("spaced", "tight", "touching")):
        [number], _ = make_numbers(
            images, labels, 1, spacing=spacing, n_digits=(4, 5), random_state=seed
        )
        names.append(f"{spacing}.png")
        Image.fromarray(number).save(Path(folder) / names[-1])
    return names


if __name__ == "__main__":
    main()
