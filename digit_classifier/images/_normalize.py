"""Normalising digits in MNIST's form: the slant removed, the proportions mapped.

Writers slant their digits and draw them narrow or wide; a network trained
on MNIST's writers reads others better once those differences are taken
out, in training and in prediction alike:

- deskewing: each image is sheared along its rows so that its principal
  axis, from its second moments, is vertical (slants up to 45 degrees);
- aspect ratio: the digit is then cropped and scaled into a square box as
  large as the longer side of its box before (MNIST's 20 pixels of 28 for
  a digit in MNIST's form), keeping its aspect ratio ("keep", as MNIST's own
  digits), with its aspect ratio mapped to the square root of itself
  ("sqrt": narrow digits widened and wide ones narrowed, part of the way;
  Liu et al. 2004, aspect-ratio adaptive normalisation), or filling the box
  ("fill");
- it is placed with its centre of mass at the centre, as MNIST's digits.

These are NumPy and SciPy operations on whole batches, so that the training
images and each input at prediction go through the same code.
"""

import math

import numpy as np

from .._checks import check_normalizer_params
from ._mnist_form import centre, scale_to_box

# Slants are taken out up to 45 degrees (a row moved by its distance from
# the centre); steeper "slants" are strokes, not slant.
MAX_SKEW = 1.0
# Images are deskewed this many at a time: the sampling coordinates of a
# whole training set would not fit in memory.
CHUNK_IMAGES = 256


def normalize_digits(images, *, deskew=True, aspect="keep"):
    """Deskew digits in MNIST's form and map their aspect ratio.

    Parameters
    ----------
    images : array-like of shape (n_images, side, side)
        Digits light on a 0 background, values in [0, 255], as
        :func:`load_digit_image` or MNIST gives them (any square side: 8x8
        digits too).

    deskew : bool, default=True
        Whether to shear each digit upright.

    aspect : {"keep", "sqrt", "fill"}, default="keep"
        The digit's aspect ratio in its box: kept, mapped to its square
        root, or discarded (the box filled). With ``deskew=False``,
        ``"keep"`` leaves the digits as they are.

    Returns
    -------
    normalized : ndarray of shape (n_images, side, side), dtype uint8
        The digits, each in a box as large as the longer side of its own box
        before (20 pixels in MNIST's form), centred by their centre of mass;
        blank images stay blank.

    Examples
    --------
    A digit "1" slanted to the right stands up, and with ``aspect="fill"``
    fills the 20x20 box:

    >>> import numpy as np
    >>> one = np.zeros((28, 28), dtype=np.uint8)
    >>> for row in range(4, 24):
    ...     one[row, 18 - row // 2 : 21 - row // 2] = 255
    >>> [upright] = normalize_digits([one])
    >>> columns = np.flatnonzero(upright.sum(axis=0) > 255)
    >>> len(columns) <= 5  # a narrow, upright stroke
    True
    >>> [filled] = normalize_digits([one], aspect="fill")
    >>> filled.any(axis=0).sum(), filled.any(axis=1).sum()
    (np.int64(20), np.int64(20))
    """
    check_normalizer_params(deskew, aspect, "normalize_digits")
    if not deskew and aspect == "keep":  # nothing to normalize
        images = np.asarray(images)
        if images.dtype == np.uint8:
            return images.copy()
        return np.round(images.astype(np.float32)).astype(np.uint8)
    images = np.asarray(images, dtype=np.float32)
    side = images.shape[1]
    normalized = np.zeros(images.shape, dtype=np.uint8)
    for start in range(0, len(images), CHUNK_IMAGES):
        chunk = images[start : start + CHUNK_IMAGES]
        # Room for the shear to move strokes into: a digit of MNIST's form
        # spans 20 rows of 28, so its rows move by up to a third of the side.
        margin = math.ceil(MAX_SKEW * side / 4)
        canvas = np.pad(chunk, ((0, 0), (margin, margin), (margin, margin)))
        if deskew:
            canvas = _deskewed(canvas)
        # The boxes of a whole chunk at once: per image, they cost as much as
        # the resampling.
        before_rows, before_cols = _extents(chunk > 0)
        top, bottom, left, right = _boxes(canvas > 0)
        for i in np.flatnonzero(before_rows > 0):  # blank stays blank
            # The digit keeps its size: the longer side of its box (20 pixels
            # in MNIST's form), whatever its slant and proportions were.
            box = int(max(before_rows[i], before_cols[i]))
            crop = canvas[i, top[i] : bottom[i], left[i] : right[i]]
            height, width = _box_size(*crop.shape, box, aspect)
            normalized[start + i] = centre(scale_to_box(crop, height, width), side)
    return normalized


def _boxes(masks):
    """The first and last-plus-one rows and columns of each mask's True pixels."""
    rows, cols = masks.any(axis=2), masks.any(axis=1)
    top, left = rows.argmax(axis=1), cols.argmax(axis=1)
    bottom = rows.shape[1] - rows[:, ::-1].argmax(axis=1)
    right = cols.shape[1] - cols[:, ::-1].argmax(axis=1)
    return top, bottom, left, right


def _extents(masks):
    """The height and width of each mask's box of True pixels (0 when blank)."""
    top, bottom, left, right = _boxes(masks)
    blank = ~masks.any(axis=(1, 2))
    return np.where(blank, 0, bottom - top), np.where(blank, 0, right - left)


def _box_size(height, width, box, aspect):
    """The height and width of a digit of this size in a box of `box` pixels."""
    if aspect == "fill":
        return box, box
    ratio = min(height, width) / max(height, width)
    if aspect == "sqrt":
        ratio = math.sqrt(ratio)
    shorter = max(1, round(box * ratio))
    return (box, shorter) if height >= width else (shorter, box)


def _deskewed(images):
    """Shear each image along its rows so that its principal axis is vertical."""
    _, height, width = images.shape
    rows = np.arange(height, dtype=np.float32)
    cols = np.arange(width, dtype=np.float32)
    # The moments from the rows' and columns' profiles, and one contraction.
    row_profile, col_profile = images.sum(axis=2), images.sum(axis=1)
    mass = np.maximum(row_profile.sum(axis=1), 1e-6)
    row_offset = rows - (row_profile @ rows / mass)[:, None]
    col_offset = cols - (col_profile @ cols / mass)[:, None]
    variance = (row_profile * row_offset**2).sum(axis=1) / mass
    covariance = ((images @ col_offset[:, :, None])[..., 0] * row_offset).sum(1) / mass
    skew = np.clip(covariance / np.maximum(variance, 1e-6), -MAX_SKEW, MAX_SKEW)
    # Each row moves along itself by the skew times its distance from the
    # centre of mass: output pixel c takes the input at c + shift, linearly
    # interpolated between its two neighbours (0 outside the image).
    shift = (skew[:, None] * row_offset)[:, :, None]
    whole = np.floor(shift)
    part = shift - whole
    left = np.arange(width) + whole.astype(np.intp)
    # Padded with zeros as far as any row can move, the images give each
    # pixel's two neighbours by one flat gather each.
    reach = int(np.abs(whole).max(initial=0)) + 1
    padded = np.pad(images, ((0, 0), (0, 0), (reach, reach))).ravel()
    starts = np.arange(images.shape[0] * height).reshape(-1, height, 1)
    starts = starts * (width + 2 * reach) + reach
    return (1 - part) * padded[starts + left] + part * padded[starts + left + 1]
