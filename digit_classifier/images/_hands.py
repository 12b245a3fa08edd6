"""A writer's hand, measured from a few of their digits, and MNIST's digits
written in it.

Writers differ from MNIST's most in their pen (bold or fine strokes), the
proportions of their digits (squat, narrow) and how they hold the page
(turned). :func:`measure_hand` estimates the three from a few labelled
digits against MNIST digits of the same labels: the turn as the angle
that, undone, lets a model read the writer's digits best; then, on the
digits turned back, the width-to-height ratio as the median, over labels,
of the writer's median over MNIST's, and the stroke as the one whose
MNIST digits have the writer's stroke width (ink area over boundary
length) relative to MNIST's own. :func:`write_in_hand`
renders digits in that hand (enlarged, turned, strokes widened, stretched,
then brought to MNIST's form again), so that writer adaptation can train on
thousands of MNIST's digits in the user's hand, not only the user's few.
"""

from typing import NamedTuple

import numpy as np
from scipy import ndimage

from ._mnist_form import IMAGE_SIZE, to_mnist_form

# Digits are styled at twice MNIST's size, for strokes of half-pixel steps.
SCALE = 2
# Square maximum filters (at SCALE) that widen the strokes: none, then
# about 1.3, 1.7, 2.0, 2.4, 2.7 and 3.0 times MNIST's stroke width.
STROKES = (1, 3, 5, 7, 9, 11, 13)
TURNS = (-30, -20, -10, 0, 10, 20, 30)
ASPECTS = (0.5, 2.5)
# MNIST digits measured to compare a hand with, and to size the strokes by.
N_REFERENCE = 500
N_STROKE_REFERENCE = 100


class Hand(NamedTuple):
    """How a writer's digits differ from MNIST's.

    Attributes
    ----------
    stroke : int
        The square maximum filter, at twice MNIST's size, that widens
        MNIST's strokes to the writer's (1: MNIST's own).
    turn : float
        Degrees the writer's digits are turned, counterclockwise.
    aspect : float
        Their width-to-height ratio over MNIST's.
    """

    stroke: int = 1
    turn: float = 0.0
    aspect: float = 1.0


def _likeliest_turn(digits, labels, log_likelihood):
    """The turn that, undone, lets the model read the digits best: the
    smallest whose mean log-likelihood is within one standard error of the
    best one's (Breiman's rule), as a turn that does not measurably help
    only skews the proportions measured after it."""
    scores = {
        turn: np.asarray(log_likelihood(_turned(digits, -turn), labels))
        for turn in TURNS
    }
    best = max(scores.values(), key=np.mean)
    margin = best.std() / np.sqrt(len(best))
    near = [turn for turn in TURNS if scores[turn].mean() >= best.mean() - margin]
    return min(near, key=abs)


def measure_hand(digits, labels, reference, reference_labels, log_likelihood):
    """Estimate a writer's hand from a few labelled digits.

    Parameters
    ----------
    digits : array-like of shape (n_samples, 28, 28)
        The writer's digits in MNIST's form (as ``load_digit_image`` gives
        them).

    labels : array-like of shape (n_samples,)
        Their labels.

    reference, reference_labels : array-like
        MNIST digits (raw MNIST images) and labels, among which those of
        the writer's labels are measured.

    log_likelihood : callable
        ``log_likelihood(images, labels)``: the log-probability a model
        gives the label of each image in MNIST's form, to find the turn.

    Returns
    -------
    hand : Hand
    """
    digits = _images(digits)
    labels = np.asarray(labels)
    reference = _images(reference)[:N_REFERENCE]
    reference_labels = np.asarray(reference_labels)[:N_REFERENCE]
    mnist = np.stack([to_mnist_form(image) for image in reference])
    # The turn first, on the digits as they are; the rest on them turned back.
    turn = _likeliest_turn(digits, labels, log_likelihood)
    upright = _turned(digits, -turn)
    widths = _paired_ratio(stroke_widths, upright, labels, mnist, reference_labels)
    aspects = _paired_ratio(aspect_ratios, upright, labels, mnist, reference_labels)
    few, few_labels = (
        reference[:N_STROKE_REFERENCE],
        reference_labels[:N_STROKE_REFERENCE],
    )
    # Wider strokes make a digit's ink box wider too, and stretching it
    # thins its strokes once it is scaled back to 20 pixels: the stroke and
    # the proportions that give MNIST's digits the writer's measures are
    # found in turn, twice.
    aspect, stroke = aspects, 1
    for _ in range(2):
        written = {s: write_in_hand(few, Hand(s, 0, aspect)) for s in STROKES}
        stroke = min(
            STROKES,
            key=lambda s: abs(
                _paired_ratio(
                    stroke_widths, written[s], few_labels, mnist, reference_labels
                )
                - widths
            ),
        )
        written_aspects = _paired_ratio(
            aspect_ratios, written[stroke], few_labels, mnist, reference_labels
        )
        aspect = float(np.clip(aspect * aspects / written_aspects, *ASPECTS))
    return Hand(int(stroke), float(turn), aspect)


def write_in_hand(images, hand):
    """Digits written in a hand, in MNIST's form.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width)
        Digits light on a 0 background (MNIST's images).

    hand : Hand
        The hand to write them in.

    Returns
    -------
    digits : ndarray of shape (n_images, 28, 28), dtype uint8
    """
    written = []
    for image in _images(images):
        big = ndimage.zoom(image.astype(np.float32), SCALE, order=1)
        if hand.turn:
            big = ndimage.rotate(big, hand.turn, reshape=False, order=1)
        if hand.stroke > 1:
            big = ndimage.grey_dilation(big, size=(hand.stroke, hand.stroke))
        if hand.aspect != 1:
            big = ndimage.zoom(big, (1, hand.aspect), order=1)
        written.append(to_mnist_form(np.clip(big, 0, 255).astype(np.uint8)))
    return np.stack(written)


def stroke_widths(digits):
    """Each digit's mean stroke width in pixels: twice its ink's area over
    the length of the ink's boundary.

    Parameters
    ----------
    digits : ndarray of shape (n_digits, height, width)

    Returns
    -------
    widths : ndarray of shape (n_digits,)
    """
    ink = np.asarray(digits) > 127
    area = ink.sum(axis=(1, 2))
    inner = ndimage.binary_erosion(ink, structure=np.ones((1, 3, 3))).sum(axis=(1, 2))
    return 2 * area / np.maximum(area - inner, 1)


def aspect_ratios(digits):
    """Each digit's ink's width over its height.

    Parameters
    ----------
    digits : ndarray of shape (n_digits, height, width)

    Returns
    -------
    ratios : ndarray of shape (n_digits,)
    """
    ink = np.asarray(digits) > 0
    return ink.any(axis=1).sum(axis=1) / np.maximum(ink.any(axis=2).sum(axis=1), 1)


def _paired_ratio(measure, digits, labels, mnist, mnist_labels):
    """The median over the writer's labels of their median `measure` over
    MNIST's of the same label."""
    ratios = [
        np.median(measure(digits[labels == label]))
        / np.median(measure(mnist[mnist_labels == label]))
        for label in np.unique(labels)
        if np.any(mnist_labels == label)
    ]
    return float(np.median(ratios)) if ratios else 1.0


def _turned(digits, degrees):
    if not degrees:
        return digits
    return np.stack(
        [
            to_mnist_form(
                np.clip(
                    ndimage.rotate(d.astype(np.float32), degrees, order=1), 0, 255
                ).astype(np.uint8)
            )
            for d in digits
        ]
    )


def _images(images):
    images = np.asarray(images)
    if images.ndim == 2:  # flat rows of MNIST's images
        return images.reshape(len(images), IMAGE_SIZE, IMAGE_SIZE)
    return images
