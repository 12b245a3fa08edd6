"""Accuracy on photo-like image files against the same digits as 28x28 arrays.

Fits ``make_digit_pipeline(random_state=0)`` on MNIST's 60,000 training
images, or loads a model file given with --model. Then draws each of the
10,000 test digits as a photo-like JPEG file (dark ink on coloured paper,
enlarged, off-centre on a larger canvas, uneven light, noise: the generator
the tests use), brings the files back to MNIST's form with
``DigitImagePreprocessor`` and prints the test accuracy on the arrays, on the
files, and the gap. Usage::

    DIGIT_CLASSIFIER_DATA=../shared/data/mnist python benchmarks/photo_accuracy.py
"""

import argparse
import tempfile
import time

from digit_classifier import (
    DigitImagePreprocessor,
    load_mnist,
    load_predictor,
    make_digit_pipeline,
)
from digit_classifier.datasets import make_photo_digits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--model", help="a model.zip to use instead of fitting one")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument(
        "--n-test", type=int, help="use only the first N test digits (default: all)"
    )
    args = parser.parse_args()

    (X_train, y_train), (X_test, y_test) = load_mnist(args.data_dir)
    X_test, y_test = X_test[: args.n_test], y_test[: args.n_test]
    if args.model:
        model, about = load_predictor(args.model), args.model
    else:
        model = make_digit_pipeline(random_state=args.random_state)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        about = (
            f"make_digit_pipeline(random_state={args.random_state}) fitted on "
            f"{len(X_train)} images in {time.perf_counter() - start:.1f} s"
        )

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        paths = make_photo_digits(X_test, folder, random_state=args.random_state)
        draw_time = time.perf_counter() - start
        start = time.perf_counter()
        X_photos = DigitImagePreprocessor().transform(paths)
        read_time = time.perf_counter() - start

    array_accuracy = model.score(X_test, y_test)
    photo_accuracy = model.score(X_photos, y_test)
    print(about)
    print(
        f"{len(X_test)} test digits; photo-like files drawn in {draw_time:.1f} s, "
        f"read back in {read_time:.1f} s ({1000 * read_time / len(X_test):.1f} ms "
        "each)"
    )
    print(f"accuracy on 28x28 arrays:     {array_accuracy:.4f}")
    print(f"accuracy on photo-like files: {photo_accuracy:.4f}")
    print(f"gap: {100 * (array_accuracy - photo_accuracy):.2f} percentage points")


if __name__ == "__main__":
    main()
