"""Raw pixels: MNIST's image shape and value range, their check and scaling.

Shared by the dataset loaders, the image readers, PixelNormalizer and
DigitPredictor; free of scikit-learn, so that prediction from a model file
starts fast.
"""

import numpy as np

# MNIST's images: 28x28 grey levels from 0 to 255.
IMAGE_SHAPE = (28, 28)
MAX_PIXEL_VALUE = 255


def check_pixel_range(X, owner):
    """Raise ValueError unless every value of `X` lies in [0, 255].

    Parameters
    ----------
    X : ndarray
        Finite pixel values.

    owner : str
        The class name that the message names.
    """
    if X.size == 0 or X.dtype == np.uint8:
        return
    if X.min() < 0:
        raise ValueError(
            f"Negative values in data passed to {owner} (minimum {X.min():g}). "
            f"Pass raw grayscale pixels in [0, {MAX_PIXEL_VALUE}], not centred data."
        )
    if X.max() > MAX_PIXEL_VALUE:
        raise ValueError(
            f"Values above {MAX_PIXEL_VALUE} in data passed to {owner} (maximum "
            f"{X.max():g}). Pass 8-bit grayscale pixels in [0, {MAX_PIXEL_VALUE}]."
        )


def scale_pixels(X):
    """Pixels of any dtype divided by 255, into a new float32 array (one pass:
    uint8 pixels are never converted to float32 first)."""
    return np.divide(X, MAX_PIXEL_VALUE, dtype=np.float32)
