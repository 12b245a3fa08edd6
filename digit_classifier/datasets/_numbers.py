"""Handwritten numbers composed of single digits, to measure reading numbers."""

import numpy as np
from PIL import Image

# Spacings of make_numbers: the gap between neighbours, as a fraction of the
# mean width of the number's digits (a range to draw from); "touching" has
# one pair touching and the others tight.
SPACINGS = {"spaced": (0.15, 0.60), "tight": (0.02, 0.12), "touching": (0.02, 0.12)}
# Each number's digits are this many pixels tall, give or take SIZE_JITTER
# of it from digit to digit, on baselines that wander by BASELINE_JITTER.
DIGIT_HEIGHT = (28, 64)
SIZE_JITTER = 0.12
BASELINE_JITTER = 0.08


def make_numbers(
    images, labels, n_numbers, *, spacing="spaced", n_digits=(2, 6), random_state=None
):
    """Numbers written with the given digits, as images of dark ink on paper.

    Each number draws 2 to 6 of the digits (without replacement within it),
    scales each to a height that varies a little within the number, sets
    them on a wandering baseline with the `spacing`'s gaps, and draws the
    line as dark ink on white paper with a margin.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width)
        Single digits light on a dark background (MNIST's or another set's).

    labels : array-like of shape (n_images,)
        Their digits (or any labels: a number's text joins them).

    n_numbers : int
        How many numbers to write.

    spacing : {"spaced", "tight", "touching"}, default="spaced"
        Gaps of 15-60% of a digit's width, or 2-12%; "touching" is tight
        with one pair of neighbours touching.

    n_digits : tuple of int, default=(2, 6)
        The fewest and most digits of a number.

    random_state : int or numpy.random.Generator, default=None

    Returns
    -------
    numbers : list of ndarray of shape (height, width), dtype uint8
        The images, each its own width.

    texts : list of str
        Their numbers' digits.

    Examples
    --------
    >>> import numpy as np
    >>> digits = np.zeros((10, 28, 28), dtype=np.uint8)
    >>> digits[:, 4:24, 12:16] = 255  # ten ones
    >>> numbers, texts = make_numbers(digits, np.ones(10, int), 2, random_state=0)
    >>> texts, numbers[0].dtype
    (['111111', '111'], dtype('uint8'))
    """
    if spacing not in SPACINGS:
        raise ValueError(f"spacing must be one of {sorted(SPACINGS)}, got {spacing!r}.")
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(
            "images must be an array of shape (n_images, height, width) with one "
            f"label each; got images of shape {images.shape} and {len(labels)} "
            "labels."
        )
    if not (images.reshape(len(images), -1) > 0).any(axis=1).all():
        raise ValueError("images must each hold a digit: some have no ink.")
    fewest, most = n_digits
    if not 1 <= fewest <= most <= len(images):
        raise ValueError(
            f"n_digits must be (fewest, most) with 1 <= fewest <= most <= "
            f"{len(images)} (the images given), got {n_digits!r}."
        )
    rng = np.random.default_rng(random_state)
    numbers, texts = [], []
    for _ in range(n_numbers):
        count = rng.integers(fewest, most + 1)
        chosen = rng.choice(len(images), size=count, replace=False)
        height = rng.uniform(*DIGIT_HEIGHT)
        touching = rng.integers(count - 1) if spacing == "touching" else None
        numbers.append(_write(images[chosen], height, SPACINGS[spacing], touching, rng))
        texts.append("".join(str(label) for label in labels[chosen]))
    return numbers, texts


def _write(digits, height, gaps, touching, rng):
    """One number: the digits scaled, set on a line, as dark ink on paper."""
    inks = []
    for digit in digits:
        rows, cols = np.nonzero(digit)
        ink = digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        scale = height * (1 + rng.uniform(-SIZE_JITTER, SIZE_JITTER)) / ink.shape[0]
        size = (
            max(1, round(ink.shape[1] * scale)),
            max(1, round(ink.shape[0] * scale)),
        )
        inks.append(
            np.asarray(
                Image.fromarray(ink.astype(np.uint8)).resize(
                    size, Image.Resampling.BILINEAR
                )
            )
        )
    mean_width = np.mean([ink.shape[1] for ink in inks])
    margin = round(height / 2)
    line = np.zeros(
        (round(3 * height), round(sum(i.shape[1] for i in inks) * 2 + 4 * margin))
    )
    baseline = 2 * height
    right = margin  # where the ink so far ends, column
    for i, ink in enumerate(inks):
        top = (
            round(baseline + rng.uniform(-1, 1) * BASELINE_JITTER * height)
            - ink.shape[0]
        )
        rows = slice(top, top + ink.shape[0])
        if i == 0:
            left = margin
        elif touching == i - 1:
            left = _touching_column(line[rows], ink)
        else:
            left = right + round(rng.uniform(*gaps) * mean_width)
        line[rows, left : left + ink.shape[1]] = np.maximum(
            line[rows, left : left + ink.shape[1]], ink
        )
        right = max(right, left + ink.shape[1])
    line = line[:, : right + margin]
    rows = np.flatnonzero(line.any(axis=1))
    line = line[max(0, rows[0] - margin) : rows[-1] + 1 + margin]
    return (255 - line).astype(np.uint8)


def _touching_column(line, ink):
    """The column to put `ink` at so that it touches the line's ink, no more."""
    # The strokes' cores, not their faint edges, touch.
    written, strokes = line > 127, ink > 127
    last = np.where(
        written.any(axis=1),
        written.shape[1] - 1 - np.argmax(written[:, ::-1], axis=1),
        -1,
    )
    first = np.where(strokes.any(axis=1), np.argmax(strokes, axis=1), ink.shape[1])
    # As far left as it goes while, in every row where both hold strokes, its
    # first stroke pixel is at or right of the line's last: they meet in one.
    both = (last >= 0) & (first < ink.shape[1])
    return int(np.max(last[both] - first[both])) if both.any() else int(last.max()) + 1
