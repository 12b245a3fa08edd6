"""Checks of parameters shared by the estimator, the search, the command line
and the image readers; free of TensorFlow and scikit-learn.
"""

from numbers import Integral

import numpy as np

# DigitNormalizer's aspect ratios: kept, mapped to their square root, discarded.
ASPECTS = ("keep", "sqrt", "fill")


def check_hidden_layer_sizes(hidden_layer_sizes):
    """`hidden_layer_sizes` as a tuple of positive ints, or a ValueError.

    Parameters
    ----------
    hidden_layer_sizes : int or array-like of int
        Units of each hidden layer; ``()`` for none.

    Returns
    -------
    sizes : tuple of int

    Examples
    --------
    >>> check_hidden_layer_sizes([128, 64])
    (128, 64)
    >>> check_hidden_layer_sizes((0,))
    Traceback (most recent call last):
    ...
    ValueError: hidden_layer_sizes must be > 0, got (0,).
    """
    sizes = np.asarray(hidden_layer_sizes, dtype=object)
    if sizes.ndim > 1 or not all(
        isinstance(units, Integral) and not isinstance(units, bool)
        for units in sizes.ravel()
    ):
        raise ValueError(
            f"hidden_layer_sizes must contain integers, got {hidden_layer_sizes!r}."
        )
    if any(units <= 0 for units in sizes.ravel()):
        raise ValueError(f"hidden_layer_sizes must be > 0, got {hidden_layer_sizes!r}.")
    return tuple(int(units) for units in sizes.ravel())


def check_max_pixels(max_pixels, owner):
    """Raise a ValueError unless `max_pixels` is a positive integer.

    Parameters
    ----------
    max_pixels : object
        The value to check.

    owner : str
        The class or function whose parameter it is, for the message.
    """
    if (
        not isinstance(max_pixels, Integral)
        or isinstance(max_pixels, bool)
        or max_pixels < 1
    ):
        raise ValueError(
            f"The 'max_pixels' parameter of {owner} must be an int in the range "
            f"[1, inf). Got {max_pixels!r} instead."
        )


def check_normalizer_params(deskew, aspect, owner):
    """Raise a ValueError unless `deskew` is a bool and `aspect` an aspect mode.

    Parameters
    ----------
    deskew, aspect : object
        The values to check, as :class:`~digit_classifier.DigitNormalizer`
        takes them.

    owner : str
        The class or file whose parameters they are, for the message.

    Examples
    --------
    >>> check_normalizer_params(True, "wide", "DigitNormalizer")
    Traceback (most recent call last):
    ...
    ValueError: The 'aspect' parameter of DigitNormalizer must be a str among \
{'fill', 'keep', 'sqrt'}. Got 'wide' instead.
    """
    if not isinstance(deskew, (bool, np.bool_)):
        raise ValueError(
            f"The 'deskew' parameter of {owner} must be an instance of 'bool'. "
            f"Got {deskew!r} instead."
        )
    if not (isinstance(aspect, str) and aspect in ASPECTS):
        raise ValueError(
            f"The 'aspect' parameter of {owner} must be a str among "
            f"{{{', '.join(map(repr, sorted(ASPECTS)))}}}. Got {aspect!r} instead."
        )


def check_aspect(aspect):
    """`aspect` if it is one of :data:`ASPECTS`, else a ValueError.

    Examples
    --------
    >>> check_aspect("sqrt")
    'sqrt'
    """
    if aspect not in ASPECTS:
        raise ValueError(
            f"aspect must be one of {', '.join(map(repr, ASPECTS))}, got {aspect!r}."
        )
    return aspect
