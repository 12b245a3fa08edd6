"""Accuracy and training time of the default pipeline on MNIST.

Fits ``make_digit_pipeline()`` with its defaults (and ``random_state``) on
MNIST's 60,000 training images, scores it on the 10,000 test images, and
prints fit time, test accuracy and peak memory. Usage::

    DIGIT_CLASSIFIER_DATA=../shared/data/mnist python benchmarks/default_pipeline.py
"""

import argparse
import resource
import time

from digit_classifier import load_mnist, make_digit_pipeline


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()

    (X_train, y_train), (X_test, y_test) = load_mnist(args.data_dir)
    pipe = make_digit_pipeline(random_state=args.random_state)
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    accuracy = pipe.score(X_test, y_test)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"make_digit_pipeline(random_state={args.random_state}): fit {fit_time:.1f} s "
        f"({pipe['mlp'].n_iter_} epochs), test accuracy {accuracy:.4f}, "
        f"peak RSS {peak_mib:.0f} MiB"
    )


if __name__ == "__main__":
    main()
