"""The input path: image files, uploads and arrays to digits in MNIST's form.

Everything the library reads comes in here and nowhere else, and this
package imports only NumPy, SciPy and Pillow:

- :mod:`._decode`: files and uploads to 8-bit pixels. Only the formats of
  ``IMAGE_FORMATS`` are opened, the pixel count is checked from the header
  before decoding, and every failure becomes a :class:`DigitImageError`;
- :mod:`._mnist_form`: the steps that bring a photo or scan to MNIST's form;
- :mod:`._normalize`: digits in MNIST's form deskewed and their aspect ratio
  mapped, in training and prediction alike;
- :mod:`._segment`: the pieces of a handwritten number's digits;
- :mod:`._hands`: a writer's hand (stroke width, proportions, turn)
  measured from a few digits, and MNIST's digits written in it;
- :mod:`._inputs`: one function per kind of caller, all through the same
  steps: :func:`load_digit_image` (one image), :func:`read_digit_inputs`
  (the command line's inputs, ``.npy`` arrays too), :func:`load_number_pieces`
  (a number's pieces).
"""

from ._decode import FORMAT_NAMES, IMAGE_FORMATS, MAX_PIXELS, read_image
from ._errors import DigitImageError
from ._inputs import (
    DigitInputs,
    NumberImage,
    load_digit_image,
    load_number_pieces,
    read_digit_inputs,
)
from ._mnist_form import IMAGE_SIZE, to_mnist_form
from ._normalize import normalize_digits

__all__ = [
    "FORMAT_NAMES",
    "IMAGE_FORMATS",
    "IMAGE_SIZE",
    "MAX_PIXELS",
    "DigitImageError",
    "DigitInputs",
    "NumberImage",
    "load_digit_image",
    "load_number_pieces",
    "normalize_digits",
    "read_digit_inputs",
    "read_image",
    "to_mnist_form",
]
