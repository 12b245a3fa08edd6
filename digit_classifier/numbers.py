"""Reading numbers: the digits of one line of handwriting, left to right.

:func:`read_number` segments the image into pieces (:mod:`digit_classifier.images`
over-segments its ink: connected parts, and wide parts cut where digits may
touch, in two ways where a part is wide enough for two digits), and lets the
classifier choose which runs of consecutive pieces are the digits: the
segmentation whose digits the model reads most surely, by dynamic
programming over the pieces, and of the over-segmentations the one whose
best costs least. Each digit goes through the same MNIST form and
normalization as a single digit; a part the model does not take for a digit
(its score below the model's threshold) is reported, not read. NumPy only,
as :class:`~digit_classifier.DigitPredictor`.
"""

from typing import NamedTuple

import numpy as np

from .images import IMAGE_SIZE, MAX_PIXELS, load_number_pieces

# What each digit of a segmentation costs, in nats, besides the negative log
# of the probability the model gives its label: without it, pieces of a
# digit that each look like a digit would outbid the digit they make.
DIGIT_COST = 0.3
# How a run's cost follows its score (score_samples) against the model's
# threshold: this many nats per unit below it, and this many less per unit
# above it, up to LIKENESS_CAP units: of two segmentations whose digits the
# model reads alike, the one whose parts look more like digits wins.
UNLIKENESS_COST = 2.0
LIKENESS_GAIN = 0.1
LIKENESS_CAP = 10.0
# What a digit costs per stroke that the cut separating it from its left
# neighbour crossed: touching digits meet in one stroke, one digit's halves
# in two or three.
CUT_COST = 1.0
# What a digit costs per unit its first piece's columns overlap those of the
# piece on its left (a fraction of the narrower's width): neighbouring
# digits overlap little, pieces of one digit much.
OVERLAP_COST = 1.0
# What a digit costs per line height it falls short of SHORT_HEIGHT line
# heights: the digits of a number are about as tall as each other; a piece
# of one is often much shorter.
SHORT_HEIGHT = 0.75
SHORT_COST = 4.0
# A part between digits is read as a digit when its score is at least the
# model's threshold less NUMBER_MARGIN: a digit-sized mark in a line of
# digits is a digit more often than a lone image is. A run cut from a part
# that goes on, less CUT_MARGIN: a doodle's pieces look like digits more
# often than the doodle does. (All chosen on validation numbers.)
NUMBER_MARGIN = 1.0
CUT_MARGIN = 0.0
# Why a part of a number is not read, in ``not_digits``.
NOT_A_DIGIT = "not a digit"
TOO_SMALL = "too small for a digit"
# Why no number is read, in ``reason``.
NO_DIGIT = "no digit (nothing in it looks like one)"


class ReadDigit(NamedTuple):
    """One digit of a number, as :func:`read_number` reads it."""

    label: object
    """The label the model reads, one of its ``classes_``."""
    probability: float
    box: list
    """``[x0, y0, x1, y1]``: its columns and rows in the image, ends excluded."""
    image: np.ndarray
    """The digit in MNIST's 28x28 form, as the model was given it."""


class NumberReading(NamedTuple):
    """What :func:`read_number` reads in an image."""

    name: str
    """The image's name, as messages give it."""
    text: str | None
    """The digits' labels, left to right; None when none can be read."""
    digits: list
    """A :class:`ReadDigit` for each digit, left to right."""
    not_digits: list
    """``{"box", "reason"}`` for each part that is not read as a digit."""
    reason: str | None
    """Why `text` is None; None when it is not."""
    size: tuple
    """The image's width and height, in pixels: the boxes' frame."""
    original: np.ndarray | None
    """The image shrunk to look at, when asked."""


def read_number(predictor, image, *, name=None, max_pixels=MAX_PIXELS, original=False):
    """Read the handwritten number in an image, digit by digit.

    Parameters
    ----------
    predictor : DigitPredictor or DigitCommittee
        A model of MNIST's 28x28 images that takes raw pixels, as
        :func:`~digit_classifier.load_predictor` loads a model file of
        ``digit-classifier train``.

    image : str, os.PathLike, bytes, binary file object or array-like
        One line of digits: an image file or pixels, as for
        :func:`~digit_classifier.load_digit_image`.

    name : str, default=None
        The image's name in error messages.

    max_pixels : int, default=MAX_PIXELS
        Refuse image files with more pixels than this, before decoding them.

    original : bool, default=False
        Whether to keep the image, shrunk to at most 400 pixels a side, to
        show the boxes on it.

    Returns
    -------
    reading : NumberReading
        ``text`` (``"2026"``), ``digits`` (label, probability, box and 28x28
        image of each), ``not_digits`` and ``reason``.

    Raises
    ------
    DigitImageError
        If the image cannot be read or holds no ink.

    ValueError
        If the predictor does not take MNIST's 784 raw pixels.

    See Also
    --------
    digit_classifier.load_digit_image : The same input path for one digit.

    Examples
    --------
    >>> import numpy as np
    >>> from digit_classifier import DigitPredictor, read_number
    >>> rng = np.random.default_rng(0)
    >>> predictor = DigitPredictor(
    ...     [rng.normal(0, 0.01, (784, 10))], [np.zeros(10)], list(range(10))
    ... )
    >>> paper = np.full((60, 160), 255, dtype=np.uint8)
    >>> paper[10:50, 20:26] = paper[10:50, 80:86] = 0  # two strokes, apart
    >>> reading = read_number(predictor, paper)
    >>> len(reading.digits), [digit.box for digit in reading.digits]
    (2, [[18, 8, 28, 52], [78, 8, 88, 52]])
    """
    n_pixels = getattr(predictor, "n_features_in_", None)
    if n_pixels != IMAGE_SIZE * IMAGE_SIZE or not getattr(
        predictor, "scale_pixels", True
    ):
        raise ValueError(
            "read_number needs a model of MNIST's 28x28 images that takes raw "
            f"pixels, as digit-classifier train writes; got {predictor!r}."
        )
    number = load_number_pieces(
        image, name=name, max_pixels=max_pixels, original=original
    )
    pieces, chosen, accepted, images, proba = _best_reading(
        predictor, number.segmentations
    )
    best = proba.argmax(axis=1)
    digits, not_digits = [], []
    for (run, i), is_digit in zip(chosen, accepted, strict=True):
        box = pieces.image_box(pieces.box(run))
        if is_digit:
            label = predictor.classes_[best[i]].item()
            digits.append(ReadDigit(label, float(proba[i, best[i]]), box, images[i]))
        else:
            not_digits.append({"box": box, "reason": NOT_A_DIGIT})
    not_digits += [
        {"box": pieces.image_box(mark), "reason": TOO_SMALL} for mark in pieces.marks
    ]
    not_digits.sort(key=lambda part: part["box"][0])
    if not digits:
        return NumberReading(
            number.name, None, [], not_digits, NO_DIGIT, number.size, number.original
        )
    text = "".join(str(digit.label) for digit in digits)
    return NumberReading(
        number.name, text, digits, not_digits, None, number.size, number.original
    )


def _best_reading(predictor, segmentations):
    """The segmentation whose digits cost least, and its digits.

    Returns the segmentation; its chosen runs, each with its row in the
    images, and whether each is read; the 28x28 images of every run of every
    segmentation, and their probabilities.
    """
    runs = [pieces.runs for pieces in segmentations]
    # Each digit formed and read once: a run of whole parts is the same in
    # every segmentation.
    distinct = {}
    for pieces, its_runs in zip(segmentations, runs, strict=True):
        for first, stop in its_runs:
            key = tuple(pieces.keys[first:stop])
            distinct.setdefault(key, (pieces, (first, stop)))
    index = {key: i for i, key in enumerate(distinct)}
    images = np.stack([pieces.digit(run) for pieces, run in distinct.values()])
    proba, scores = predictor.predict_proba_and_score(images.reshape(len(images), -1))
    best = None
    for pieces, its_runs in zip(segmentations, runs, strict=True):
        rows = np.array([index[tuple(pieces.keys[a:b])] for a, b in its_runs])
        chosen, accepted, cost = _choose_digits(
            pieces, its_runs, proba[rows], scores[rows], predictor.threshold
        )
        if best is None or cost < best[0]:
            found = [(its_runs[i], rows[i]) for i in chosen]
            best = (cost, pieces, found, accepted)
    _, pieces, found, accepted = best
    return pieces, found, accepted, images, proba


def _choose_digits(pieces, runs, proba, scores, threshold):
    """Which runs of pieces are the digits, and which of those to read.

    Parameters
    ----------
    pieces : NumberPieces

    runs : list of tuple
        ``pieces.runs``.

    proba, scores : ndarray
        The model's probabilities and ``score_samples`` of each run's digit.

    threshold : float or None
        The model's threshold of ``score_samples``.

    Returns
    -------
    chosen : list of int
        The runs, by index, that cover the pieces at the least cost, left to
        right.

    accepted : ndarray of bool
        For each chosen run, whether it is read as a digit.

    cost : float
        Their total cost.
    """
    costs = DIGIT_COST - np.log(np.maximum(proba.max(axis=1), 1e-12))
    if threshold is not None:
        costs += UNLIKENESS_COST * np.maximum(0, threshold - scores)
        costs -= LIKENESS_GAIN * np.clip(scores - threshold, 0, LIKENESS_CAP)
    firsts = [first for first, _ in runs]
    costs += CUT_COST * pieces.cut_strokes[firsts]
    costs += OVERLAP_COST * pieces.left_overlap[firsts]
    heights = np.array([rows.stop - rows.start for rows, _ in map(pieces.box, runs)])
    costs += SHORT_COST * np.maximum(0, SHORT_HEIGHT - heights / pieces.line_height)
    chosen = _cheapest_segmentation(runs, costs, pieces.n_pieces)
    cost = float(costs[chosen].sum())
    if threshold is None:
        return chosen, np.ones(len(chosen), dtype=bool), cost
    # A run cut from a part that goes on must look like a digit on its own.
    is_cut = [_is_cut(pieces, runs[i]) for i in chosen]
    margin = np.where(is_cut, CUT_MARGIN, NUMBER_MARGIN)
    return chosen, scores[chosen] >= threshold - margin, cost


def _is_cut(pieces, run):
    """Whether a run was cut from the rest of its part, on either side."""
    first, stop = run
    return bool(pieces.cut[first] or (stop < pieces.n_pieces and pieces.cut[stop]))


def _cheapest_segmentation(runs, costs, n_pieces):
    """The runs that cover the pieces, in order, at the least total cost."""
    total = np.full(n_pieces + 1, np.inf)
    total[0] = 0.0
    last = np.zeros(n_pieces + 1, dtype=np.intp)
    # Runs come ordered by their first piece: each extends a solved prefix.
    for i, (first, stop) in enumerate(runs):
        if total[first] + costs[i] < total[stop]:
            total[stop], last[stop] = total[first] + costs[i], i
    chosen, stop = [], n_pieces
    while stop > 0:
        chosen.append(last[stop])
        stop = runs[last[stop]][0]
    return chosen[::-1]
