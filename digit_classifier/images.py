"""Bringing photos and scans of handwritten digits to MNIST's form.

MNIST's digits are light on a dark background, scaled so that the longer
side of their bounding box is 20 pixels and placed in a 28x28 frame with
their centre of mass at its centre. A model trained on MNIST reads other
images well only once they have that form too: :func:`load_digit_image` and
:class:`DigitImagePreprocessor` bring an image file or array of any size,
colour and polarity to it, in these steps:

1. grayscale: colour is weighed by luminance, transparency is composited on
   white paper, 16-bit samples are scaled to 8 bits and the EXIF orientation
   is applied; large images are first shrunk to ``WORKING_SIZE``;
2. polarity: dark ink on light paper is inverted, so that the ink is light;
3. background: a grey-level opening wider than any stroke estimates the
   background (uneven lighting included) and is subtracted; a threshold that
   is Otsu's, but never within the background's own noise, finds the ink,
   and small specks apart from the digit are dropped;
4. size: the digit's bounding box is cropped and scaled, with
   anti-aliasing, so that its longer side is 20 pixels; strokes much thinner
   than MNIST's (a fine pen in a large photo) are first widened to about
   MNIST's width, which MNIST's own steps do not need to do;
5. position: it is placed in the 28x28 frame with its centre of mass at the
   centre.

An MNIST digit goes through these steps nearly unchanged.
"""

import math
import os
import struct
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

from ._checks import check_max_pixels
from ._pixels import IMAGE_SHAPE

IMAGE_SIZE = IMAGE_SHAPE[0]
# MNIST's digits fill a 20x20 box inside the 28x28 frame...
DIGIT_SIZE = 20
# ... and their centres of mass lie at pixel (14, 14): the mean over the test
# set is (13.99, 14.00).
CENTRE = 14
# Refuse larger images before decoding them (decompression bombs). 50
# megapixels is more than phones' default photos; decoded in RGB, 150 MB.
MAX_PIXELS = 50_000_000
# Images are shrunk to this longer side first, which bounds the work per image
# and keeps a digit of a tenth of the photo at 50 pixels, well above 20.
WORKING_SIZE = 512
# Marks that stand out from the background by fewer grey levels (of 255) are
# taken for paper texture or noise, not for a digit.
MIN_CONTRAST = 32
# A digit spans at least this fraction of the image's longer side; smaller
# marks are specks of dust or noise.
MIN_DIGIT_FRACTION = 0.05
# The ink threshold stays this many robust standard deviations above the
# median, so that Otsu's method never splits the background's noise.
NOISE_SIGMAS = 5
# Parts of the ink smaller than this fraction of the largest part are specks
# of dust or noise, not strokes.
MIN_PART_FRACTION = 0.05
# The ink's core: this percentile of the ink's grey levels is mapped to 255.
INK_PERCENTILE = 90
# Strokes thinner than this many pixels of the 20-pixel digit are widened to
# it (99% of MNIST's digits have wider strokes; the median is about 2.6 px),
# in digits of at least THICKEN_MIN_EXTENT pixels, large enough to measure.
MIN_STROKE_WIDTH = 2.0
THICKEN_MIN_EXTENT = 60
# Originals kept to be looked at (read_digit_inputs) are shrunk to this many
# pixels a side at most: enough to look at, and far less memory than a photo.
THUMBNAIL_SIZE = 400
# Samples of 16-bit images are divided by this to give 8-bit ones.
UINT16_TO_UINT8 = 257
SIXTEEN_BIT_MODES = {"I;16", "I;16L", "I;16B", "I;16N", "I"}


def read_image(path, *, max_pixels=MAX_PIXELS):
    """Read an image file as it looks, as an 8-bit array.

    The EXIF orientation is applied, transparent parts are composited on
    white and 16-bit samples are scaled to 8 bits; the digit is not touched.

    Parameters
    ----------
    path : str, os.PathLike or binary file object
        An image file in any format Pillow reads (PNG, JPEG, TIFF, BMP, GIF,
        WebP, ...), holding a single image; or an open binary file such as
        an upload's ``io.BytesIO`` (its ``name``, if any, names it in
        errors).

    max_pixels : int, default=MAX_PIXELS
        Refuse images with more pixels than this, before decoding them, so
        that a small file cannot fill the memory (a decompression bomb).

    Returns
    -------
    image : ndarray of shape (height, width) or (height, width, 3), dtype uint8
        Grayscale images as 2D arrays, colour ones as RGB.

    Raises
    ------
    ValueError
        If the file is not an image, is truncated or corrupt, has more than
        `max_pixels` pixels, or holds several frames (an animation or a
        multi-page file). The message names the file.

    OSError
        If the file cannot be opened (missing, unreadable).

    See Also
    --------
    load_digit_image : The image brought to MNIST's form.

    Examples
    --------
    >>> import os, tempfile
    >>> from PIL import Image
    >>> path = os.path.join(tempfile.mkdtemp(), "red.png")
    >>> Image.new("RGBA", (40, 30), (255, 0, 0, 255)).save(path)
    >>> image = read_image(path)
    >>> image.shape, image.dtype, image[0, 0].tolist()
    ((30, 40, 3), dtype('uint8'), [255, 0, 0])
    """
    check_max_pixels(max_pixels, "read_image")
    return _read_image(path, max_pixels)


def _read_image(path, max_pixels, least_side=None):
    """read_image; a JPEG is decoded at a reduced scale if still `least_side`."""
    name = _name_of(path)
    # max_pixels is the limit; Pillow's warning below its own limit would only
    # repeat it. Pillow's DecompressionBombError, at twice that, still applies.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except UnidentifiedImageError as exc:
            raise ValueError(f"{name} is not an image file Pillow can read.") from exc
        except Image.DecompressionBombError as exc:
            raise ValueError(f"{name} is too large to decode safely: {exc}") from exc
        with image:
            _check_single_image(image, name, max_pixels)
            if least_side is not None:
                # JPEG's decoder shrinks by 2, 4 or 8 as it decodes: a phone's
                # photo costs an eighth of the time and memory.
                image.draft(None, (least_side, least_side))
            try:
                image.load()
                image = ImageOps.exif_transpose(image)
            # What Pillow's decoders raise on bad data, e.g. "image file is
            # truncated" (OSError) or "broken PNG file" (SyntaxError).
            except (OSError, SyntaxError, EOFError, IndexError, struct.error) as exc:
                raise ValueError(f"{name} is truncated or corrupt: {exc}.") from exc
    try:
        return _as_8bit_array(image)
    except ValueError as exc:  # e.g. "conversion from LAB to RGB not supported"
        raise ValueError(f"{name} has an unsupported image mode: {exc}.") from exc


def load_digit_image(path_or_array, *, max_pixels=MAX_PIXELS):
    """Bring a photo or scan of one handwritten digit to MNIST's form.

    Parameters
    ----------
    path_or_array : str, os.PathLike, binary file object or array-like
        An image file or an open one, such as an upload's ``io.BytesIO``
        (see :func:`read_image`; a large JPEG is decoded at a reduced scale,
        as it would be shrunk anyway), or the pixels of an image of any
        size: a 2D grayscale array of shape ``(height, width)`` or a
        3D colour array of shape ``(height, width, 3)`` (RGB) or
        ``(height, width, 4)`` (RGBA), with values in [0, 255] (a boolean
        array is a drawing: True for ink). The digit may be dark on light or
        light on dark, anywhere in the image.

    max_pixels : int, default=MAX_PIXELS
        Refuse image files with more pixels than this, before decoding them.

    Returns
    -------
    digit : ndarray of shape (28, 28), dtype uint8
        The digit light on a black background, its longer side 20 pixels,
        its centre of mass at pixel (14, 14), its strokes at full intensity.

    Raises
    ------
    ValueError
        If no digit is found (a blank image, or marks too faint to tell from
        the paper), if an array has the wrong shape or values, or for the
        bad files listed in :func:`read_image`.

    See Also
    --------
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
    return _load_digit(path_or_array, "image", max_pixels)


def to_mnist_form(image):
    """MNIST's own steps on a clean digit: crop, scale to 20 pixels, centre.

    For digit images that are already clean, light ink on a 0 background
    (another data set's, a drawing): the ink's bounding box is scaled so that
    its longer side is 20 pixels and placed with its centre of mass at the
    centre of a 28x28 frame, with no background estimation, as MNIST's
    authors made their digits. For photos and scans use
    :func:`load_digit_image`.

    Parameters
    ----------
    image : array-like of shape (height, width)
        A digit light on a 0 background, values in [0, 255].

    Returns
    -------
    digit : ndarray of shape (28, 28), dtype uint8
        Its strokes' brightest pixel at 255.

    Raises
    ------
    ValueError
        If the image holds no ink.

    Examples
    --------
    >>> import numpy as np
    >>> stroke = np.zeros((8, 8), dtype=np.uint8)
    >>> stroke[1:7, 3:5] = 255
    >>> digit = to_mnist_form(stroke)
    >>> rows = np.flatnonzero(digit.any(axis=1))
    >>> print(digit.shape, rows.min(), rows.max())
    (28, 28) 4 23
    """
    image = np.asarray(image, dtype=np.float32)
    if not (image > 0).any():
        raise ValueError("no digit found in image: it holds no ink.")
    ink = image[_bounding_box(image > 0)]
    return _centre(_scale_to_digit_size(ink))


class DigitInputs(NamedTuple):
    """The digits of one input file, as :func:`read_digit_inputs` returns them."""

    names: list
    """One name per digit: the file's, with ``[i]`` for an array's i-th image."""
    originals: list
    """The images as they were, shrunk to look at (None unless asked)."""
    images: np.ndarray
    """The digits in the model's form, ``(n, height, width)``, or flat rows
    ``(n, n_pixels)`` when the number of pixels is not a square."""


def read_digit_inputs(path, n_pixels, *, originals=False, max_pixels=MAX_PIXELS):
    """Read the digits of one input file, for a model of `n_pixels` inputs.

    A ``.npy`` file holds images in the model's form already: one image, a
    stack of images ``(n, height, width)`` or of flat rows ``(n,
    n_pixels)``; it is used as it is, and read without pickle. Any other
    file is a photo or scan of one digit, brought to MNIST's 28x28 form by
    :func:`load_digit_image`, so the model must take 784 pixels.

    Parameters
    ----------
    path : str or os.PathLike
        An image file or a ``.npy`` file.

    n_pixels : int
        Inputs of the model, ``n_features_in_``.

    originals : bool, default=False
        Whether to keep each original image, shrunk to at most
        ``THUMBNAIL_SIZE`` pixels a side, to show it.

    max_pixels : int, default=MAX_PIXELS
        As for :func:`read_image`.

    Returns
    -------
    inputs : DigitInputs
        ``names``, ``originals`` and ``images``.

    Raises
    ------
    ValueError
        If the file cannot be read, holds no digit, or does not fit a model
        of `n_pixels` inputs; the message says why.

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
    name = os.fspath(path)
    if Path(path).suffix.lower() == ".npy":
        images, names = _read_image_array(path, n_pixels)
        kept = list(images) if originals else [None] * len(images)
        return DigitInputs(names, kept, images)

    check_max_pixels(max_pixels, "read_digit_inputs")
    pixels = _read_image(path, max_pixels, least_side=WORKING_SIZE)
    if n_pixels != IMAGE_SIZE * IMAGE_SIZE:
        raise ValueError(
            f"image files are brought to MNIST's {IMAGE_SIZE}x{IMAGE_SIZE} form, "
            f"but this model takes images of {n_pixels} pixels; pass a .npy array "
            "of such images instead"
        )
    digit = _mnist_form(_grayscale(pixels), name)
    original = _thumbnail(pixels) if originals else None
    return DigitInputs([name], [original], digit[np.newaxis])


def _read_image_array(path, n_pixels):
    """The images of a .npy file and their names, checked against `n_pixels`."""
    # allow_pickle=False: a .npy file must not run code when loaded.
    array = np.load(path, allow_pickle=False)
    name = os.fspath(path)
    if array.ndim == 2 and array.shape[1] == n_pixels:  # flat rows
        side = math.isqrt(n_pixels)
        if side * side == n_pixels:
            array = array.reshape(len(array), side, side)
    elif array.ndim == 2 and array.size == n_pixels:  # one image
        return array[np.newaxis], [name]
    elif not (array.ndim == 3 and array.shape[1] * array.shape[2] == n_pixels):
        raise ValueError(
            f"expected one image of {n_pixels} pixels or a stack of them, of "
            f"shape (n, height, width) or (n, {n_pixels}); got an array of "
            f"shape {array.shape}"
        )
    return array, [f"{name}[{i}]" for i in range(len(array))]


def _thumbnail(image, size=THUMBNAIL_SIZE):
    """A large image shrunk (anti-aliased) to at most `size` pixels a side."""
    thumbnail = Image.fromarray(image)
    thumbnail.thumbnail((size, size))
    return np.asarray(thumbnail)


def _load_digit(path_or_array, name, max_pixels):
    if _is_file(path_or_array):
        name = _name_of(path_or_array)
        # Larger images are shrunk to WORKING_SIZE anyway: decode no more.
        pixels = _read_image(path_or_array, max_pixels, least_side=WORKING_SIZE)
    else:
        pixels = _check_pixels(path_or_array, name)
    return _mnist_form(_grayscale(pixels), name)


def _is_file(source):
    return isinstance(source, (str, os.PathLike)) or hasattr(source, "read")


def _name_of(source):
    """A file's name for messages: its path, an open file's name, or "image"."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "image"))


def _check_single_image(image, name, max_pixels):
    width, height = image.size
    if width * height > max_pixels:
        raise ValueError(
            f"{name} is {width}x{height} = {width * height:,} pixels, over the "
            f"limit of {max_pixels:,} (max_pixels) that guards against "
            "decompression bombs. Pass a larger max_pixels if you trust the file."
        )
    # An MPO file (as some cameras write) is a JPEG followed by extra views or
    # a depth map; its first frame is the photo. Other frames are ambiguous.
    n_frames = getattr(image, "n_frames", 1)
    if n_frames > 1 and image.format != "MPO":
        raise ValueError(
            f"{name} holds {n_frames} frames (an animation or a multi-page "
            "file); save the frame with the digit as an image of its own."
        )


def _as_8bit_array(image):
    """A decoded PIL image as a 2D grayscale or 3D RGB uint8 array."""
    if image.mode in SIXTEEN_BIT_MODES:
        # Pillow's convert("L") would clip 16-bit samples at 255.
        samples = np.asarray(image, dtype=np.float64) / UINT16_TO_UINT8
        return np.round(np.clip(samples, 0, 255)).astype(np.uint8)
    if image.mode == "F":
        return np.round(np.clip(np.asarray(image), 0, 255)).astype(np.uint8)
    grayscale = image.mode in {"1", "L", "LA", "La"} or (
        image.mode in {"P", "PA"} and image.palette.mode == "L"
    )
    if image.has_transparency_data:
        image = _on_white_paper(image)
    return np.asarray(image.convert("L" if grayscale else "RGB"))


def _on_white_paper(image):
    """Transparent parts show what is behind them: take it to be white paper."""
    paper = Image.new("RGBA", image.size, "white")
    return Image.alpha_composite(paper, image.convert("RGBA"))


def _check_pixels(array, name):
    """An image array's pixels as a 2D or 3D array in [0, 255]."""
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim != 2 and not (array.ndim == 3 and array.shape[2] in (3, 4)):
        raise ValueError(
            f"{name} must be a grayscale image of shape (height, width) or a "
            "colour one of shape (height, width, 3) or (height, width, 4), got "
            f"an array of shape {array.shape}."
        )
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype}.")
    if array.dtype == bool:  # a drawing: True where the ink is
        return array * np.uint8(255)
    if array.size and not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    if array.size and (array.min() < 0 or array.max() > 255):
        raise ValueError(
            f"{name} has pixel values outside [0, 255] (minimum {array.min():g}, "
            f"maximum {array.max():g}). Scale 16-bit or [0, 1] images to 8-bit "
            "values first."
        )
    return array


def _grayscale(pixels):
    """Grey levels in [0, 255] as float32, shrunk to at most WORKING_SIZE."""
    if pixels.ndim == 3:
        pixels = pixels.astype(np.uint8)
        if pixels.shape[2] == 4:
            image = _on_white_paper(Image.fromarray(pixels, "RGBA"))
        else:
            image = Image.fromarray(pixels, "RGB")
        # Pillow weighs the channels by luminance (ITU-R 601-2).
        image = image.convert("L")
    else:
        image = Image.fromarray(pixels.astype(np.float32))
    if max(image.size) > WORKING_SIZE:
        scale = WORKING_SIZE / max(image.size)
        size = [max(1, round(side * scale)) for side in image.size]
        # BOX averages the pixels each new pixel covers: anti-aliased.
        image = image.convert("F").resize(size, Image.Resampling.BOX)
    return np.asarray(image, dtype=np.float32)


def _mnist_form(gray, name):
    """A float grayscale image in [0, 255] -> the 28x28 uint8 MNIST digit."""
    if gray.size == 0:
        raise ValueError(
            f"no digit found in {name}: the image has no pixels (shape {gray.shape})."
        )
    # The smoothed copy decides polarity, background and ink, so that single
    # noisy pixels or JPEG artefacts do not; the output keeps the real pixels.
    smooth = ndimage.gaussian_filter(gray, sigma=1)
    if _is_dark_on_light(smooth):
        gray, smooth = 255 - gray, 255 - smooth
    # Every other pixel each way: as good an estimate, a quarter of the work.
    noise_sigma = _smoothed_noise_sigma(gray[::2, ::2] - smooth[::2, ::2])
    size = max(gray.shape)
    ink, digit = _find_ink(gray, smooth, noise_sigma, size, name)
    if _touches_the_border(digit):
        # A tight crop: read again in a frame of background, as a scan's
        # margin, so that it gives the digit that paper around it gives. The
        # background's level is a low quantile, below the ink however much
        # of the image it covers.
        frame = max(1, size // 4)
        level = np.percentile(smooth, 25)
        gray, smooth = (np.pad(a, frame, constant_values=level) for a in (gray, smooth))
        ink, digit = _find_ink(gray, smooth, noise_sigma, size, name)
    rows, cols = _bounding_box(digit)
    extent = max(rows.stop - rows.start, cols.stop - cols.start)
    if extent < MIN_DIGIT_FRACTION * size:
        raise ValueError(
            f"no digit found in {name}: its marks span at most {extent} of its "
            f"{size} pixels, too small for a digit (a speck of dust or noise?)."
        )

    # Pixels near the strokes keep their soft edges; everything else is set to
    # black. The noise far from the digit tells how much to subtract near it.
    margin = 1 + extent // (2 * DIGIT_SIZE)  # half a pixel of the 20x20 digit
    near = ndimage.maximum_filter(digit, size=2 * margin + 1)
    noise = max(0.0, np.percentile(ink[~near], 99)) if (~near).any() else 0.0
    contrast = np.percentile(ink[digit], INK_PERCENTILE) - noise
    if contrast < MIN_CONTRAST:
        raise ValueError(
            f"no digit found in {name}: its marks stand out from the background "
            f"by {max(contrast, 0):.0f} of 255 grey levels, fewer than "
            f"{MIN_CONTRAST}."
        )
    # MNIST's strokes are at full intensity in their core; map it to 255.
    ink = np.clip((ink - noise) / contrast, 0, 1) * 255 * near
    ink = _thicken(ink, digit, extent)

    ink = ink[_bounding_box(ink)]
    return _centre(_scale_to_digit_size(ink))


def _bounding_box(image):
    """The rows and columns, as slices, that hold the image's nonzero pixels."""
    # From the rows' and columns' projections: a fraction of np.nonzero's cost.
    rows = np.flatnonzero(image.any(axis=1))
    cols = np.flatnonzero(image.any(axis=0))
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def _thicken(ink, digit, extent):
    """Widen strokes much thinner than MNIST's (a fine pen on a large photo)."""
    if extent < THICKEN_MIN_EXTENT:
        return ink  # MNIST-sized or smaller: too few pixels to measure strokes
    # A stroke's width is its area over its length, half the outline's length.
    outline = np.count_nonzero(digit & ~ndimage.binary_erosion(digit))
    width = 2 * np.count_nonzero(digit) / outline
    target = MIN_STROKE_WIDTH * extent / DIGIT_SIZE
    if width >= target:
        return ink
    grow = int(round(target - width)) + 1
    return ndimage.grey_dilation(ink, size=(grow, grow))


def _find_ink(gray, smooth, noise_sigma, size, name):
    """The ink above the background, and the digit's pixels."""
    # Opening (erosion, then dilation) with a window wider than any stroke
    # removes the strokes and keeps the background, uneven lighting included.
    window = max(3, size // 2)
    background = ndimage.grey_opening(smooth, size=window)
    ink, smooth = gray - background, smooth - background
    if smooth.max() - np.median(smooth) < MIN_CONTRAST:
        raise ValueError(
            f"no digit found in {name}: the image is blank (nothing stands out "
            f"from the background by {MIN_CONTRAST} of 255 grey levels)."
        )
    digit = _digit_mask(smooth, noise_sigma)
    if not digit.any():
        raise ValueError(
            f"no digit found in {name}: nothing stands out from the noise of "
            "the background."
        )
    return ink, digit


def _touches_the_border(digit):
    """Whether the digit's pixels reach the image's edge: a tight crop."""
    return bool(digit[[0, -1]].any() or digit[:, [0, -1]].any())


def _is_dark_on_light(gray):
    """Whether the background (the median of the border) is nearer white."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    background = np.median(border)
    return background - gray.min() > gray.max() - background


def _smoothed_noise_sigma(detail):
    """The standard deviation of the pixel noise left in the smoothed image.

    Measured on the finest scale, the `detail` that the smoothing removed,
    where strokes are a minority of the pixels however much of the image
    they cover (a tight crop): not on the grey levels themselves, whose
    spread is the ink's once it covers half the image.
    """
    # White noise of std s leaves 0.873 s in the detail and 0.282 s after a
    # Gaussian smoothing of sigma 1.
    sigma = 1.4826 * np.median(np.abs(detail - np.median(detail))) / 0.873
    return 0.282 * sigma


def _digit_mask(smooth, noise_sigma):
    """The ink's pixels: a robust threshold, then specks dropped."""
    # The background's level: a low quantile, below the ink of a tight crop.
    background = np.percentile(smooth, 25)
    threshold = max(_otsu_threshold(smooth), background + NOISE_SIGMAS * noise_sigma)
    # Eight-connected, as MNIST's thin diagonal strokes are.
    labels, n_parts = ndimage.label(smooth > threshold, structure=np.ones((3, 3)))
    if n_parts == 0:
        return labels > 0
    areas = np.bincount(labels.ravel())[1:]
    # Whether to keep each part, looked up by label (0, the background, not).
    keep = np.concatenate([[False], areas >= MIN_PART_FRACTION * areas.max()])
    return keep[labels]


def _otsu_threshold(values, bins=256):
    """Otsu's threshold: the split that maximises the between-class variance."""
    low, high = float(values.min()), float(values.max())
    width = max(high - low, 1e-6) / bins
    # Equal bins: np.histogram's counts, from their indices at a fraction of
    # its cost.
    index = np.minimum(((values - low) / width).astype(np.intp), bins - 1)
    counts = np.bincount(index.ravel(), minlength=bins)
    edges = low + width * np.arange(bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    n_low = np.cumsum(counts)
    n_high = n_low[-1] - n_low
    sum_low = np.cumsum(counts * centres)
    mean_low = sum_low / np.maximum(n_low, 1)
    mean_high = (sum_low[-1] - sum_low) / np.maximum(n_high, 1)
    between = n_low * n_high * (mean_low - mean_high) ** 2
    return edges[np.argmax(between) + 1]


def _scale_to_digit_size(ink):
    """Scale so that the longer side is DIGIT_SIZE, keeping the aspect ratio."""
    height, width = ink.shape
    scale = DIGIT_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Lanczos anti-aliases when shrinking and stays sharp when enlarging.
    image = Image.fromarray(ink.astype(np.float32)).resize(
        size, Image.Resampling.LANCZOS
    )
    ink = np.clip(np.asarray(image), 0, 255)
    # Thin strokes shrunk a lot come out faint; MNIST's reach 255.
    return ink * (255 / max(ink.max(), 1))


def _centre(ink):
    """Place the digit in the 28x28 frame, centre of mass at the centre."""
    height, width = ink.shape
    row, col = ndimage.center_of_mass(ink)
    # Whole-pixel shifts keep the strokes sharp. The digit is kept whole even
    # when that leaves its centre of mass a pixel or two off.
    top = int(np.clip(round(CENTRE - row), 0, IMAGE_SIZE - height))
    left = int(np.clip(round(CENTRE - col), 0, IMAGE_SIZE - width))
    frame = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    frame[top : top + height, left : left + width] = ink
    return np.round(frame).astype(np.uint8)
