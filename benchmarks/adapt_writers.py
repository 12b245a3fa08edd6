"""Writer adaptation: how ``digit-classifier adapt`` reads the hands a model misreads.

Each "hand" is a consistent way of writing that MNIST's writers do not
have, made from MNIST digits (enlarged, then strokes widened, turned,
squashed or stretched) and drawn as scans (``draw_scans``: dark ink on
white paper). Per hand and per number of samples per digit (``--per``), the
samples are written as PNG files into a samples folder
(``SAMPLES/<label>/<n>.png``) and given to ``adapt_model``, the function
behind ``digit-classifier adapt`` (model and MNIST loading, the
cross-validation and the fine-tuning: what the command does, timed whole);
the hand's other digits are then read, through the input path, by the
original and by the adapted model file (``load_predictor``), and MNIST's
digits too, to see what is forgotten.

By default the hands are made of MNIST's last 5,000 training digits and
MNIST is checked on the same 5,000 as they are: for a model trained on the
first 55,000 (validation; ``--rehearsal 55000`` rehearses only those).
``--test`` makes them of MNIST's test digits and checks the whole test set:
for the final figures of a model trained on all 60,000.

Usage::

    python benchmarks/adapt_writers.py runs/<run>/model.zip --test
    python benchmarks/adapt_writers.py VALIDATION_MODEL --rehearsal 55000
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from digit_classifier import load_digit_image, load_mnist, load_predictor
from digit_classifier.apps.adapting import adapt_model
from digit_classifier.datasets import draw_scans

DIGITS_PER_HAND = 1000


def bold(digit):
    """A broad pen: strokes about 4 pixels wider at MNIST's scale."""
    return ndimage.grey_dilation(_enlarged(digit), size=(9, 9))


def bold_turned(digit):
    """A broad pen, the page turned 25 degrees."""
    turned = ndimage.rotate(_enlarged(digit), 25, reshape=False, order=1)
    return ndimage.grey_dilation(turned, size=(7, 7))


def squat(digit):
    """Short, wide digits of a medium pen."""
    wider = ndimage.grey_dilation(_enlarged(digit), size=(5, 5))
    return ndimage.zoom(wider, (0.6, 1.4), order=1)


def wide(digit):
    """Digits half as wide again as they are tall."""
    return ndimage.grey_dilation(
        ndimage.zoom(digit.astype(float), (2, 3), order=1), size=(5, 5)
    )


HANDS = {"bold": bold, "bold_turned": bold_turned, "squat": squat, "wide": wide}


def _enlarged(digit):
    return ndimage.zoom(digit.astype(float), 2, order=1)


def hand_scans(hand, digits):
    """The digits written in `hand`, as scans of dark ink on white paper."""
    written = [np.clip(HANDS[hand](d), 0, 255).astype(np.uint8) for d in digits]
    return draw_scans(written)


def write_samples(folder, scans, labels):
    for n, (scan, label) in enumerate(zip(scans, labels, strict=True)):
        path = Path(folder) / str(label) / f"{n}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(scan).save(path)


def main(argv=None, sink=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a model.zip written by train")
    parser.add_argument(
        "--test", action="store_true", help="hands of MNIST's test digits"
    )
    parser.add_argument(
        "--per", type=int, nargs="+", default=[2, 5, 10], help="samples per digit"
    )
    parser.add_argument("--hands", nargs="+", choices=HANDS, default=list(HANDS))
    parser.add_argument(
        "--rehearsal",
        type=int,
        help="rehearse MNIST's first N training digits only (default: all)",
    )
    parser.add_argument(
        "--n", type=int, default=DIGITS_PER_HAND, help="digits per hand"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--set",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="adapt_digits settings over the defaults, e.g. epochs=10 n_in_hand=0",
    )
    args = parser.parse_args(argv)
    settings = {
        name: float(value) if "." in value or "e" in value else int(value)
        for name, value in (setting.split("=") for setting in args.set)
    }

    (X_train, y_train), (X_test, y_test) = load_mnist()
    if args.test:
        source, labels, X_check, y_check = X_test, y_test, X_test, y_test
    else:
        source, labels = X_train[55000:], y_train[55000:]
        X_check, y_check = source, labels
    rows = np.random.default_rng(args.seed).permutation(len(source))[: args.n]
    rehearsal = {}
    if args.rehearsal:
        rehearsal = dict(
            X_rehearsal=X_train[: args.rehearsal], y_rehearsal=y_train[: args.rehearsal]
        )
    original = load_predictor(args.model)
    flat = X_check.reshape(len(X_check), -1)
    mnist_before = original.score(flat, y_check)
    sink(f"MNIST {'test' if args.test else 'validation'} digits: {mnist_before:.2%}")
    sink(
        "hand          per  before  declined  adapted  declined  CV (orig -> adapted)"
        "  MNIST change  time"
    )
    for hand in args.hands:
        scans = hand_scans(hand, source[rows])
        digits = np.stack([load_digit_image(scan) for scan in scans]).reshape(
            len(rows), -1
        )
        y = labels[rows]
        for per in args.per:
            rng = np.random.default_rng(args.seed)
            user = np.concatenate(
                [
                    rng.permutation(np.flatnonzero(y == label))[:per]
                    for label in range(10)
                ]
            )
            others = np.setdiff1d(np.arange(len(y)), user)
            with tempfile.TemporaryDirectory() as folder:
                write_samples(
                    Path(folder) / "samples", [scans[i] for i in user], y[user]
                )
                start = time.perf_counter()
                adaptation = adapt_model(
                    args.model,
                    Path(folder) / "samples",
                    random_state=args.seed,
                    **rehearsal,
                    **settings,
                )
                seconds = time.perf_counter() - start
                adaptation.write(Path(folder) / "adapted.zip")
                adapted = load_predictor(Path(folder) / "adapted.zip")
            before = original.score(digits[others], y[others])
            after = adapted.score(digits[others], y[others])
            declined = [
                np.mean(p.score_samples(digits[others]) < p.threshold)
                for p in (original, adapted)
            ]
            scores = adaptation.scores
            change = adapted.score(flat, y_check) - mnist_before
            sink(
                f"{hand:<12} {per:>4}  {before:6.1%}  {declined[0]:8.1%}  "
                f"{after:7.1%}  {declined[1]:8.1%}  "
                f"{scores.original:6.1%} -> {scores.adapted:6.1%}"
                f"  {100 * change:+8.2f} pt  {seconds:4.0f} s"
            )


if __name__ == "__main__":
    main()
