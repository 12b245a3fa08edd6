"""One way in: a path, an upload's bytes or an array to digits in the model's form.

The command line, the web app and :class:`~digit_classifier.DigitImagePreprocessor`
all read their inputs here, so they accept the same inputs and refuse the
others with the same :class:`DigitImageError` messages.
"""

import math
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import ImageOps

from .._checks import check_max_pixels
from .._pixels import MAX_PIXEL_VALUE
from ._decode import DRAFT_SCALE, MAX_PIXELS, name_of, open_image
from ._errors import DigitImageError, display_name
from ._mnist_form import (
    IMAGE_SIZE,
    WORKING_SIZE,
    image_of_array,
    mnist_form,
    shrink_clean_drawing,
    working_grayscale,
)
from ._segment import number_segmentations

# Originals kept to be looked at (read_digit_inputs) are shrunk to this many
# pixels a side at most: enough to look at, and far less memory than a photo.
THUMBNAIL_SIZE = 400
NPY_SUFFIX = ".npy"


class DigitInputs(NamedTuple):
    """The digits of one input, as :func:`read_digit_inputs` returns them."""

    names: list
    """One name per digit: the input's, with ``[i]`` for an array's i-th image."""
    originals: list
    """The images as they were, shrunk to look at (None unless asked)."""
    images: np.ndarray
    """The digits in the model's form, ``(n, height, width)``, or flat rows
    ``(n, n_pixels)`` when the number of pixels is not a square."""
    marks: list
    """How many separate digit-sized marks each image holds, side by side
    (1 for the images of a ``.npy`` file): more than one is several digits,
    not one."""


class NumberImage(NamedTuple):
    """An image of a number, as :func:`load_number_pieces` reads it."""

    name: str
    """The input's name, as messages give it."""
    size: tuple
    """Its width and height, in pixels."""
    original: np.ndarray | None
    """The image shrunk to look at (None unless asked)."""
    segmentations: list
    """The pieces of its ink, a :class:`NumberPieces` per over-segmentation;
    their ``image_box`` is in the input's pixels."""


def load_digit_image(source, *, max_pixels=MAX_PIXELS, name=None):
    """Bring a photo or scan of one handwritten digit to MNIST's form.

    Parameters
    ----------
    source : str, os.PathLike, bytes, binary file object or array-like
        An image file (PNG, JPEG, GIF, BMP, TIFF or WebP, see
        :func:`read_image`): its path, its bytes or an open binary file such
        as an upload's ``io.BytesIO``; a large JPEG is decoded at a reduced
        scale, as it would be shrunk anyway. Or the pixels of an image of
        any size: a 2D grayscale array of shape ``(height, width)`` or a 3D
        colour array of shape ``(height, width, 3)`` (RGB) or ``(height,
        width, 4)`` (RGBA), with values in [0, 255] (a boolean array is a
        drawing: True for ink). The digit may be dark on light or light on
        dark, anywhere in the image.

    max_pixels : int, default=MAX_PIXELS
        Refuse image files with more pixels than this, before decoding them.

    name : str, default=None
        The input's name in error messages; by default its path, an open
        file's ``name``, or "image".

    Returns
    -------
    digit : ndarray of shape (28, 28), dtype uint8
        The digit light on a black background, its longer side 20 pixels,
        its centre of mass at pixel (14, 14), its strokes at full intensity.

    Raises
    ------
    DigitImageError
        If no digit is found (a blank image, or marks too faint to tell from
        the paper), if an array has the wrong shape or values, or for the
        bad files listed in :func:`read_image`.

    OSError
        If a path cannot be opened (missing, unreadable).

    See Also
    --------
    read_digit_inputs : The same for the command line's inputs, ``.npy`` too.
    DigitImagePreprocessor : The same for many images, in a pipeline.

    Examples
    --------
    A dark vertical stroke, a "1", low in a large grey photo:

    >>> import numpy as np
    >>> from digit_classifier import load_digit_image
    >>> photo = np.full((300, 200), 200, dtype=np.uint8)
    >>> photo[150:270, 40:55] = 30
    >>> digit = load_digit_image(photo)
    >>> digit.shape, digit.dtype, digit.max()
    ((28, 28), dtype('uint8'), np.uint8(255))
    >>> rows = np.flatnonzero(digit.any(axis=1))
    >>> print(rows.min(), rows.max())  # 20 rows, centred on row 14
    4 23
    """
    check_max_pixels(max_pixels, "load_digit_image")
    digit, _, _ = digit_of(source, name_of(source, name), max_pixels)
    return digit


def read_digit_inputs(
    source, n_pixels, *, name=None, originals=False, max_pixels=MAX_PIXELS
):
    """Read the digits of one input, for a model of `n_pixels` inputs.

    A ``.npy`` file holds images in the model's form already: one image, a
    stack of images ``(n, height, width)`` or of flat rows ``(n,
    n_pixels)``; its header is checked before anything is read, and it is
    read without pickle. Any other input is a photo or scan of one digit (a
    path, bytes, an open file or an array), brought to MNIST's 28x28 form by
    :func:`load_digit_image`, so the model must take 784 pixels: that is
    checked before anything is decoded.

    Parameters
    ----------
    source : str, os.PathLike, bytes, binary file object or array-like
        A ``.npy`` path, or an image as for :func:`load_digit_image`.

    n_pixels : int
        Inputs of the model, ``n_features_in_``.

    name : str, default=None
        The input's name in messages and in ``names``; by default its path,
        an open file's ``name``, or "image".

    originals : bool, default=False
        Whether to keep each original image, shrunk to at most
        ``THUMBNAIL_SIZE`` pixels a side, to show it.

    max_pixels : int, default=MAX_PIXELS
        The most pixels of an image file, or values of a ``.npy`` file.

    Returns
    -------
    inputs : DigitInputs
        ``names``, ``originals`` and ``images``.

    Raises
    ------
    DigitImageError
        If the input cannot be read, holds no digit, or does not fit a model
        of `n_pixels` inputs; the message names it and says why.

    OSError
        If a path cannot be opened (missing, unreadable).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "stack.npy")
    >>> np.save(path, np.zeros((3, 784), dtype=np.uint8))
    >>> inputs = read_digit_inputs(path, 784)
    >>> [os.path.basename(name) for name in inputs.names], inputs.images.shape
    (['stack.npy[0]', 'stack.npy[1]', 'stack.npy[2]'], (3, 28, 28))
    """
    check_max_pixels(max_pixels, "read_digit_inputs")
    name = display_name(name_of(source, name))
    if isinstance(source, (str, os.PathLike)) and _is_npy(source):
        return _read_npy(source, name, n_pixels, max_pixels, originals)
    if n_pixels != IMAGE_SIZE * IMAGE_SIZE:
        raise DigitImageError(
            f"{name}: image files are brought to MNIST's {IMAGE_SIZE}x{IMAGE_SIZE} "
            f"form, but this model takes images of {n_pixels} pixels; pass a .npy "
            "array of such images instead."
        )
    digit, original, marks = digit_of(source, name, max_pixels, originals=originals)
    return DigitInputs([name], [original], digit[np.newaxis], [marks])


def digit_of(source, name, max_pixels, *, originals=False):
    """The MNIST-form digit of an image file or array, and its thumbnail.

    Parameters
    ----------
    source : str, os.PathLike, bytes, binary file object or array-like
        An image, as for :func:`load_digit_image`.

    name : str
        Its name for messages.

    max_pixels : int
        The most pixels of an image file.

    originals : bool, default=False
        Whether to return the image as it was, shrunk to look at.

    Returns
    -------
    digit : ndarray of shape (28, 28), dtype uint8

    original : ndarray or None

    marks : int
        How many separate digit-sized marks the image holds.
    """
    name = display_name(name)
    gray, _, original = _working_image(source, name, max_pixels, originals)
    digit, marks = mnist_form(shrink_clean_drawing(gray), name)
    return digit, original, marks


def _working_image(source, name, max_pixels, original):
    """An image file's or array's working grayscale (see
    :func:`working_grayscale`), its width and height, and its thumbnail
    (None unless `original`)."""
    if _is_file(source):
        # Larger images are shrunk to WORKING_SIZE anyway: decode no more.
        with open_image(source, name, max_pixels, least_side=WORKING_SIZE) as image:
            draft_scale = image.info[DRAFT_SCALE]
            size = tuple(round(side * draft_scale) for side in image.size)
            thumbnail = _thumbnail(image) if original else None
            return working_grayscale(image), size, thumbnail
    image = image_of_array(source, name)
    thumbnail = _thumbnail(image) if original else None
    return working_grayscale(image), image.size, thumbnail


def load_number_pieces(source, *, name=None, max_pixels=MAX_PIXELS, original=False):
    """The pieces of the digits of a handwritten number in one image.

    The image is read as for :func:`load_digit_image` (the same files and
    arrays, the same errors), then its ink is over-segmented into pieces,
    left to right, whose runs make the digits, in one way or a few; see
    :func:`number_segmentations`.

    Parameters
    ----------
    source : str, os.PathLike, bytes, binary file object or array-like
        An image, as for :func:`load_digit_image`.

    name : str, default=None
        The input's name in error messages.

    max_pixels : int, default=MAX_PIXELS
        Refuse image files with more pixels than this, before decoding them.

    original : bool, default=False
        Whether to keep the image as it was, shrunk to at most
        ``THUMBNAIL_SIZE`` pixels a side, to show it.

    Returns
    -------
    number : NumberImage
        ``name``, ``size``, ``original`` and ``segmentations``.

    Raises
    ------
    DigitImageError
        As :func:`load_digit_image`.

    Examples
    --------
    Two strokes apart, and a dot: two pieces, too far apart to be one digit
    together, and a mark too small for a digit.

    >>> import numpy as np
    >>> paper = np.full((60, 200), 255, dtype=np.uint8)
    >>> paper[10:50, 20:26] = paper[10:50, 80:86] = 0
    >>> paper[44:50, 140:146] = 0
    >>> [pieces] = load_number_pieces(paper).segmentations
    >>> pieces.n_pieces, pieces.runs, [pieces.image_box(m) for m in pieces.marks]
    (2, [(0, 1), (1, 2)], [[140, 44, 146, 50]])
    """
    check_max_pixels(max_pixels, "load_number_pieces")
    name = display_name(name_of(source, name))
    gray, size, thumbnail = _working_image(source, name, max_pixels, original)
    segmentations = number_segmentations(gray, name, to_image=size[0] / gray.shape[1])
    return NumberImage(name, size, thumbnail, segmentations)


def _is_file(source):
    return isinstance(
        source, (str, os.PathLike, bytes, bytearray, memoryview)
    ) or hasattr(source, "read")


def _is_npy(path):
    return Path(path).suffix.lower() == NPY_SUFFIX


def _thumbnail(image, size=THUMBNAIL_SIZE):
    """A large image shrunk (anti-aliased) to at most `size` pixels a side."""
    if max(image.size) > size:
        image = ImageOps.contain(image, (size, size))
    return np.asarray(image)


def _read_npy(path, name, n_pixels, max_pixels, originals):
    """The images of a .npy file and their names; the header checked first."""
    with open(path, "rb") as file:  # OSError: as it is
        shape, fortran_order, dtype = _npy_header(file, name)
        count = math.prod(shape)
        available = os.fstat(file.fileno()).st_size - file.tell()
        if count * dtype.itemsize > available:
            raise DigitImageError(
                f"{name} is truncated: its header declares an array of shape "
                f"{shape} ({count * dtype.itemsize:,} bytes), but {available:,} "
                "bytes follow it."
            )
        if count > max_pixels:
            raise DigitImageError(
                f"{name} holds {count:,} values, over the limit of {max_pixels:,} "
                "(max_pixels); split it into smaller files."
            )
        images_shape, names = _npy_images(shape, n_pixels, name)
        array = np.fromfile(file, dtype=dtype, count=count)
    order = "F" if fortran_order else "C"
    array = array.reshape(shape, order=order).reshape(images_shape)
    if not np.isfinite(array).all():
        raise DigitImageError(f"{name} contains NaN or infinity.")
    if array.min() < 0 or array.max() > MAX_PIXEL_VALUE:
        raise DigitImageError(
            f"{name} has values outside [0, {MAX_PIXEL_VALUE}] (minimum "
            f"{array.min():g}, maximum {array.max():g}): a .npy input holds raw "
            "pixels, light digits on dark, as MNIST's."
        )
    kept = list(array) if originals else [None] * len(array)
    return DigitInputs(names, kept, array, [1] * len(names))


def _npy_header(file, name):
    """The (shape, fortran_order, dtype) of a .npy file, or DigitImageError."""
    try:
        version = np.lib.format.read_magic(file)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(file)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(file)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    # NumPy raises ValueError for a bad magic string or header; a header made
    # to trip its parser could raise others.
    except Exception as exc:
        raise DigitImageError(f"{name} is not a readable .npy file: {exc}.") from exc
    if dtype.hasobject or dtype.fields is not None or dtype.kind not in "biuf":
        raise DigitImageError(
            f"{name} holds values of dtype {dtype}, not numbers; .npy inputs hold "
            "pixels (and arrays of Python objects are never loaded: they could "
            "run code)."
        )
    if not all(isinstance(n, int) and n >= 0 for n in shape) or not math.prod(shape):
        raise DigitImageError(f"{name} holds no images (an array of shape {shape}).")
    return shape, fortran_order, dtype


def _npy_images(shape, n_pixels, name):
    """The shape to read a .npy array in, as images, and their names."""
    if len(shape) == 2 and shape[1] == n_pixels:  # flat rows
        side = math.isqrt(n_pixels)
        images = (shape[0], side, side) if side * side == n_pixels else shape
    elif len(shape) == 2 and shape[0] * shape[1] == n_pixels:  # one image
        return (1, *shape), [name]
    elif len(shape) == 3 and shape[1] * shape[2] == n_pixels:
        images = shape
    else:
        raise DigitImageError(
            f"{name}: expected one image of {n_pixels} pixels or a stack of them, "
            f"of shape (n, height, width) or (n, {n_pixels}); got an array of "
            f"shape {shape}."
        )
    return images, [f"{name}[{i}]" for i in range(images[0])]
