"""Accuracy of a model file on real handwriting that is not MNIST's.

For each set of real digits (``load_real_digits``: DIGIT_CLASSIFIER_REAL_DATA
or --data-dir, e.g. ../shared/data/real_digits), reads every digit three ways
and prints the accuracy of each, then the confusion matrix of the scans:

- scans: drawn as a user's scan (``draw_scans``: dark ink on white paper,
  small images enlarged, a white margin) and brought to MNIST's form by
  ``load_digit_image``, the path of ``digit-classifier predict`` (it reads
  the same pixels from a PNG file);
- tight crops: the same scans without the margin, the ink touching the
  border, as when a digit is cut out of a form; digits the preprocessing
  refuses ("no digit found") count as wrong;
- textbook: the clean arrays through MNIST's own steps (``to_mnist_form``),
  which separates the preprocessing's share of the errors from the model's.

Usage::

    DIGIT_CLASSIFIER_REAL_DATA=../shared/data/real_digits \\
        python benchmarks/real_digits.py runs/<run>/model.zip
"""

import argparse

import numpy as np
from sklearn.metrics import confusion_matrix

from digit_classifier import load_digit_image, load_predictor
from digit_classifier.datasets import draw_scans, load_real_digits
from digit_classifier.images import to_mnist_form
from digit_classifier.reporting import format_confusion_matrix

WAYS = ("scans", "tight crops", "textbook")


def read(images, way):
    """The digits in MNIST's form, and which of them the preprocessing refused."""
    if way == "textbook":
        return np.stack([to_mnist_form(image) for image in images]), np.zeros(
            len(images), dtype=bool
        )
    digits, refused = [], []
    for scan in draw_scans(images, margin=way == "scans"):
        try:
            digits.append(load_digit_image(scan))
            refused.append(False)
        except ValueError:  # "no digit found": a wrong answer
            digits.append(np.zeros((28, 28), dtype=np.uint8))
            refused.append(True)
    return np.stack(digits), np.array(refused)


def main(argv=None, sink=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a model.zip written by train")
    parser.add_argument("--data-dir", help="folder of real digits (.npz files)")
    parser.add_argument(
        "--n", type=int, help="use only the first N digits of each set (default: all)"
    )
    args = parser.parse_args(argv)

    model = load_predictor(args.model)
    report = {}
    sink(f"model: {args.model}")
    sink(f"| set | images | {' | '.join(WAYS)} |")
    sink(f"|---|---|{'---|' * len(WAYS)}")
    for name, (images, labels) in load_real_digits(args.data_dir).items():
        images, labels = images[: args.n], labels[: args.n]
        report[name] = result = {"images": len(images)}
        for way in WAYS:
            digits, refused = read(images, way)
            predicted = np.where(refused, -1, model.predict(digits))
            result[way] = float(np.mean(predicted == labels))
            result[f"{way} refused"] = int(refused.sum())
            if way == "scans":
                result["confusion"] = confusion_matrix(
                    labels, predicted, labels=model.classes_
                ).tolist()
                scans_predicted = predicted
        cells = [
            f"{result[way]:.2%}"
            + (
                f" ({result[f'{way} refused']} refused)"
                if result[f"{way} refused"]
                else ""
            )
            for way in WAYS
        ]
        sink(f"| {name} | {len(images)} | {' | '.join(cells)} |")
        matrix = confusion_matrix(labels, scans_predicted, labels=model.classes_)
        report[name]["table"] = format_confusion_matrix(matrix, model.classes_)
    for name, result in report.items():
        sink(f"\nScans of {name} (rows: true, columns: predicted)\n{result['table']}")
    return report


if __name__ == "__main__":
    main()
