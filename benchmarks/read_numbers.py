"""How well and how fast a model file reads numbers, digit by digit.

Numbers of 2 to 6 digits are composed with
:func:`~digit_classifier.datasets.make_numbers` from digits the model never
trained on: MNIST's validation part (the last 5,000 training digits, for a
model fitted on the first 55,000, as the settings of ``read_number`` were
chosen) or, with ``--test``, its test set; and the real handwriting of
``load_real_digits`` (8x8 images enlarged 12 times, as the scans of
``benchmarks/real_digits.py``). Three spacings: gaps of 15-60% of a digit's
width ("spaced"), 2-12% ("tight"), and tight with one pair touching.

Printed: per source and spacing, the numbers read exactly, those read with
the right count of digits, and the milliseconds per number; how many of
``benchmarks/open_set.py``'s validation non-digits (drawn doodles and
letters, photos, text, patterns) read as no number at all; and the time to
read a 6-digit number in a photo: from the decoded pixels of a 1600x500
photo (the issue's figure), and from a 12-megapixel JPEG file, decoding
included.

Usage::

    DIGIT_CLASSIFIER_DATA=../shared/data/mnist \\
    DIGIT_CLASSIFIER_REAL_DATA=../shared/data/real_digits \\
        python benchmarks/read_numbers.py runs/<run>/model.zip [--test] [--n 300]
"""

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from digit_classifier import load_predictor, read_number
from digit_classifier.datasets import load_mnist, load_real_digits, make_numbers
from digit_classifier.images import DigitImageError

sys.path.insert(0, str(Path(__file__).parent))
from open_set import non_digit_files  # noqa: E402

SPACINGS = ("spaced", "tight", "touching")
# Small images of real digits are enlarged to about this side first.
REAL_SIDE = 96


def main(argv=None, sink=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a model.zip written by train")
    parser.add_argument("--n", type=int, default=300, help="numbers per set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--test", action="store_true", help="MNIST's test set")
    parser.add_argument("--non-digits", type=int, default=100, help="per family")
    parser.add_argument("--runs", type=int, default=30, help="timed reads")
    parser.add_argument("--data-dir", help="MNIST (default: DIGIT_CLASSIFIER_DATA)")
    parser.add_argument(
        "--real-dir", help="real digits (default: DIGIT_CLASSIFIER_REAL_DATA)"
    )
    args = parser.parse_args(argv)
    predictor = load_predictor(args.model)
    (X_train, y_train), (X_test, y_test) = load_mnist(args.data_dir)
    mnist = "MNIST test" if args.test else "MNIST validation"
    sources = {
        mnist: (X_test, y_test) if args.test else (X_train[55000:], y_train[55000:])
    }
    for name, (images, labels) in load_real_digits(args.real_dir).items():
        sources[name] = (_enlarged(images), labels)

    results = {"exact": {}, "count": {}, "ms": {}}
    sink(
        f"{'numbers of 2-6 digits':28} {'spacing':9} {'exact':>7} {'count':>7} "
        f"{'ms':>6}"
    )
    for name, (images, labels) in sources.items():
        for spacing in SPACINGS:
            numbers, texts = make_numbers(
                images, labels, args.n, spacing=spacing, random_state=args.seed
            )
            start = time.perf_counter()
            read = [read_number(predictor, number).text or "" for number in numbers]
            ms = 1000 * (time.perf_counter() - start) / len(numbers)
            exact = np.mean([r == t for r, t in zip(read, texts, strict=True)])
            count = np.mean(
                [len(r) == len(t) for r, t in zip(read, texts, strict=True)]
            )
            key = (name, spacing)
            results["exact"][key], results["count"][key], results["ms"][key] = (
                exact,
                count,
                ms,
            )
            sink(f"{name:28} {spacing:9} {exact:7.1%} {count:7.1%} {ms:6.1f}")

    sink("\nnon-digits read as no number (an input refused counts as none)")
    results["no_number"] = {}
    for family, files in non_digit_files(args.non_digits, args.seed).items():
        none = [_reads_nothing(predictor, data) for data in files]
        results["no_number"][family] = np.mean(none)
        sink(f"  {family:10} {np.mean(none):7.1%}")

    photo, text = _number_photo(sources[mnist], args.seed)
    sink(f"\na 6-digit number in a photo ({text}), median of {args.runs} reads")
    results["photo_ms"] = _median_ms(lambda: read_number(predictor, photo), args.runs)
    reading = read_number(predictor, photo)
    sink(
        f"  {photo.shape[1]}x{photo.shape[0]} decoded pixels: "
        f"{results['photo_ms']:.1f} ms, read {reading.text}"
    )
    large = _jpeg(_framed(photo, (4032, 3024)))
    results["jpeg_ms"] = _median_ms(lambda: read_number(predictor, large), args.runs)
    reading = read_number(predictor, large)
    sink(
        f"  4032x3024 JPEG file ({len(large) / 1e6:.1f} MB), decoding included: "
        f"{results['jpeg_ms']:.1f} ms, read {reading.text}"
    )
    return results


def _enlarged(images):
    """Small images of digits enlarged (bicubic) to about REAL_SIDE a side."""
    factor = max(1, round(REAL_SIDE / images.shape[1]))
    if factor == 1:
        return images
    size = (images.shape[2] * factor, images.shape[1] * factor)
    return np.stack(
        [
            np.asarray(Image.fromarray(i).resize(size, Image.Resampling.BICUBIC))
            for i in images
        ]
    )


def _reads_nothing(predictor, data):
    try:
        return read_number(predictor, data).text is None
    except DigitImageError:
        return True


def _number_photo(source, seed):
    """A 6-digit number written on paper, as a phone's photo's pixels."""
    rng = np.random.default_rng(seed)
    [number], [text] = make_numbers(*source, 1, n_digits=(6, 6), random_state=seed)
    ink = Image.fromarray(255 - number).resize((1600, 500), Image.Resampling.BICUBIC)
    coverage = np.asarray(ink, dtype=np.float32)[..., np.newaxis] / 255
    paper, colour = rng.uniform(180, 240, 3), rng.uniform(10, 70, 3)
    photo = paper * (1 - coverage) + colour * coverage
    # Light falling off across the page, and sensor noise.
    photo *= np.linspace(1.0, 0.8, photo.shape[1])[np.newaxis, :, np.newaxis]
    photo += rng.normal(0, 4, photo.shape)
    pixels = np.clip(photo, 0, 255).astype(np.uint8)
    return np.asarray(Image.open(io.BytesIO(_jpeg(pixels)))), text


def _framed(photo, size):
    """The photo in the middle of a larger sheet of the same paper."""
    width, height = size
    sheet = np.empty((height, width, 3), dtype=np.uint8)
    sheet[:] = np.median(photo.reshape(-1, 3), axis=0).astype(np.uint8)
    top, left = (height - photo.shape[0]) // 2, (width - photo.shape[1]) // 2
    sheet[top : top + photo.shape[0], left : left + photo.shape[1]] = photo
    return sheet


def _jpeg(pixels, quality=85):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _median_ms(read, runs):
    read()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        read()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


if __name__ == "__main__":
    main()
