"""Checks of parameters shared by the estimator, the search, the command line
and the image readers; free of TensorFlow and scikit-learn.
"""

from numbers import Integral

import numpy as np


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
