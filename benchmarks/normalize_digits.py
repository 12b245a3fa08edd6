"""Digit normalization's speed in one process and in worker processes.

Times ``DigitNormalizer(deskew=True, aspect="sqrt")`` (the ``default``
preset's) on the first ``--n`` MNIST training digits (55,000 by default, what
``digit-classifier train`` fits on; repeated if the data holds fewer), as
``fit_transform`` in this process (``n_jobs=None``) and in ``--n-jobs``
worker processes: the first call, which starts the workers (as a train run's
first normalization does), then the best of ``--repeats`` calls once they
run. Checks that both give the same digits, bit for bit. Usage::

    DIGIT_CLASSIFIER_DATA=../shared/data/mnist python benchmarks/normalize_digits.py
"""

import argparse
import os
import platform
import time

import numpy as np

from digit_classifier import DigitNormalizer
from digit_classifier.datasets import load_mnist


def _timed(normalizer, images):
    start = time.perf_counter()
    digits = normalizer.fit_transform(images)
    return time.perf_counter() - start, digits


def main(argv=None, sink=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--n", type=int, default=55_000, help="digits to normalize")
    parser.add_argument("--n-jobs", type=int, default=-1, help="worker processes")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    (images, _), _ = load_mnist(args.data_dir)
    images = np.resize(images, (args.n, *images.shape[1:]))
    serial = DigitNormalizer(deskew=True, aspect="sqrt")
    parallel = DigitNormalizer(deskew=True, aspect="sqrt", n_jobs=args.n_jobs)
    first_s, in_workers = _timed(parallel, images)
    times = {"one process": [], "workers": []}
    for _ in range(args.repeats):
        for name, normalizer in (("one process", serial), ("workers", parallel)):
            seconds, digits = _timed(normalizer, images)
            times[name].append(seconds)
            if normalizer is serial:
                in_one_process = digits
    report = {
        "machine": f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores",
        "n_images": args.n,
        "n_jobs": args.n_jobs,
        "one_process_s": min(times["one process"]),
        "workers_first_s": first_s,
        "workers_s": min(times["workers"]),
        "identical": bool(np.array_equal(in_workers, in_one_process)),
    }
    sink(
        f"{report['machine']}: {args.n:,} MNIST digits normalized (deskewed, square "
        f"root of the aspect ratio)\n"
        f"- one process: {report['one_process_s']:.2f} s (best of {args.repeats})\n"
        f"- n_jobs={args.n_jobs}: {report['workers_first_s']:.2f} s the first call "
        f"(starting the workers), then {report['workers_s']:.2f} s (best of "
        f"{args.repeats}): {report['one_process_s'] / report['workers_s']:.2f}x "
        f"faster\n"
        f"- the same digits bit for bit: {report['identical']}"
    )
    return report


if __name__ == "__main__":
    main()
