"""Digit data sets: MNIST from local files or Keras, scikit-learn's 8x8 digits,
real handwriting from other sources drawn as scans, MNIST digits drawn as
photos of handwriting on paper, and numbers composed of single digits.
"""

from ._digits import load_digits_split
from ._mnist import DATA_ENV_VAR, load_mnist
from ._non_digits import make_non_digits
from ._numbers import make_numbers
from ._photos import make_photo_digits
from ._real import REAL_DATA_ENV_VAR, draw_scans, load_real_digits, load_real_scans

__all__ = [
    "DATA_ENV_VAR",
    "REAL_DATA_ENV_VAR",
    "draw_scans",
    "load_digits_split",
    "load_mnist",
    "load_real_digits",
    "load_real_scans",
    "make_non_digits",
    "make_numbers",
    "make_photo_digits",
]
