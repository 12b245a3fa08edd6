"""MNIST's form: the steps that bring a photo or scan of a digit to it.

MNIST's digits are light on a dark background, scaled so that the longer
side of their bounding box is 20 pixels and placed in a 28x28 frame with
their centre of mass at its centre. A model trained on MNIST reads other
images well only once they have that form too. From a decoded image (see
:mod:`._decode`) or an array:

1. grayscale: colour is weighed by luminance; large images are first shrunk
   to ``WORKING_SIZE``, and a clean drawing (uniform paper) to the size its
   digit needs (:func:`shrink_clean_drawing`);
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

import numpy as np
from PIL import Image
from scipy import ndimage

from .._pixels import IMAGE_SHAPE
from ._decode import on_white_paper
from ._errors import DigitImageError

IMAGE_SIZE = IMAGE_SHAPE[0]
# MNIST's digits fill a 20x20 box inside the 28x28 frame...
DIGIT_SIZE = 20
# ... and their centres of mass lie at the frame's centre, pixel (14, 14):
# the mean over the test set is (13.99, 14.00).
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
# count_marks: parts of the ink whose columns are closer than this fraction
# of the tallest part's height are one mark; marks shorter than this
# fraction of it are not digits.
MIN_MARK_GAP = 0.05
MIN_MARK_HEIGHT = 0.5
# Strokes thinner than this many pixels of the 20-pixel digit are widened to
# it (99% of MNIST's digits have wider strokes; the median is about 2.6 px),
# in digits of at least THICKEN_MIN_EXTENT pixels, large enough to measure.
MIN_STROKE_WIDTH = 2.0
THICKEN_MIN_EXTENT = 60
# A clean drawing is shrunk until its digit spans no fewer pixels than this:
# four times MNIST's 20, as much as the scaling to 20 pixels makes use of.
# Half of it reads a canvas a quarter faster, but leaves a fine pen's strokes
# too few pixels to be widened (THICKEN_MIN_EXTENT): held-out MNIST digits
# drawn with a thin pen on a large page read 87.6% right against 93.1%.
DRAWING_DIGIT_SIZE = 4 * DIGIT_SIZE


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
    DigitImageError
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
        raise DigitImageError("no digit found in image: it holds no ink.")
    ink = image[bounding_box(image > 0)]
    return centre(_scale_to_digit_size(ink))


def image_of_array(array, name):
    """An image array, checked, as a PIL image: "L" or "F" grey levels, or "RGB".

    Parameters
    ----------
    array : array-like of shape (height, width), (height, width, 1), \
(height, width, 3) or (height, width, 4)
        Grey levels or RGB(A) pixels in [0, 255]; a boolean array is a
        drawing, True for ink.

    name : str
        The array's name for messages.

    Returns
    -------
    image : PIL.Image.Image
    """
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim != 2 and not (array.ndim == 3 and array.shape[2] in (3, 4)):
        raise DigitImageError(
            f"{name} must be a grayscale image of shape (height, width) or a "
            "colour one of shape (height, width, 3) or (height, width, 4), got "
            f"an array of shape {array.shape}."
        )
    if array.dtype.kind not in "biuf":
        raise DigitImageError(f"{name} must hold numbers, got dtype {array.dtype}.")
    if array.size == 0:
        raise DigitImageError(
            f"no digit found in {name}: the image has no pixels (shape {array.shape})."
        )
    if array.dtype == bool:  # a drawing: True where the ink is
        array = array * np.uint8(255)
    if not np.isfinite(array).all():
        raise DigitImageError(f"{name} contains NaN or infinity.")
    if array.min() < 0 or array.max() > 255:
        raise DigitImageError(
            f"{name} has pixel values outside [0, 255] (minimum {array.min():g}, "
            f"maximum {array.max():g}). Scale 16-bit or [0, 1] images to 8-bit "
            "values first."
        )
    if array.ndim == 2:
        return Image.fromarray(array.astype(np.float32))
    pixels = array.astype(np.uint8)
    if pixels.shape[2] == 4:
        return on_white_paper(Image.fromarray(pixels, "RGBA"))
    return Image.fromarray(pixels, "RGB")


def working_grayscale(image):
    """Grey levels in [0, 255] as float32, shrunk to at most WORKING_SIZE a side.

    Parameters
    ----------
    image : PIL.Image.Image
        Mode "L", "F" or "RGB".

    Returns
    -------
    gray : ndarray of shape (height, width), dtype float32
    """
    factor = max(image.size) // (2 * WORKING_SIZE)
    if factor > 1:
        # A box average by a whole factor first, in the image's own mode: a
        # large photo never exists as float32 pixels at its full size.
        image = image.reduce(factor)
    if image.mode == "RGB":
        image = image.convert("L")  # Pillow weighs by luminance (ITU-R 601-2)
    if max(image.size) > WORKING_SIZE:
        scale = WORKING_SIZE / max(image.size)
        size = [max(1, round(side * scale)) for side in image.size]
        # BOX averages the pixels each new pixel covers: anti-aliased.
        image = image.convert("F").resize(size, Image.Resampling.BOX)
    return np.asarray(image, dtype=np.float32)


def shrink_clean_drawing(gray):
    """A drawing on a uniform background shrunk to the size its digit needs.

    A canvas drawing or a clean scan has a background of one grey level
    (its whole border has it) and no lighting to estimate; its digit needs
    no more than ``DRAWING_DIGIT_SIZE`` pixels to be scaled to MNIST's 20,
    so the image is box-averaged by the whole factor that keeps the digit
    at least that large: a quarter of the pixels for a 280x280 canvas, and
    as much less work in every later step. Other images (photos, small
    images, digits that need their pixels) are returned as they are.

    Parameters
    ----------
    gray : ndarray of shape (height, width), dtype float32
        From :func:`working_grayscale`.

    Returns
    -------
    gray : ndarray, dtype float32
        The image, or it shrunk.

    Examples
    --------
    >>> import numpy as np
    >>> canvas = np.full((280, 280), 255, dtype=np.float32)
    >>> canvas[40:240, 130:150] = 0  # a "1" drawn 200 pixels tall
    >>> shrink_clean_drawing(canvas).shape
    (140, 140)
    """
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    ink = gray != border[0]
    if (border != border[0]).any() or not ink.any():
        return gray
    factor = _central_extent(ink) // DRAWING_DIGIT_SIZE
    if factor < 2:
        return gray
    return np.asarray(Image.fromarray(gray, "F").reduce(factor))


def _central_extent(ink):
    """The longer side of the box holding the middle 98% of the ink, each way:
    the digit's size, which specks of dust far from it do not enlarge."""
    extents = []
    for axis in (0, 1):
        cumulative = np.cumsum(np.count_nonzero(ink, axis=axis))
        low, high = np.searchsorted(cumulative, np.array([0.01, 0.99]) * cumulative[-1])
        extents.append(int(high - low) + 1)
    return max(extents)


def mnist_form(gray, name):
    """A float grayscale image in [0, 255] -> the 28x28 uint8 MNIST digit,
    and how many separate digit-sized marks it holds (see :func:`count_marks`)."""
    ink, digit, _ = ink_of(gray, name)
    return digit_form(ink, digit), count_marks(digit)


def ink_of(gray, name):
    """The ink of a float grayscale image in [0, 255], light on 0, and its mask.

    Steps 2 and 3 of the module's: polarity, background, the ink's pixels
    and its core mapped to 255; pixels away from the strokes are 0.

    Parameters
    ----------
    gray : ndarray of shape (height, width), dtype float32
        From :func:`working_grayscale`.

    name : str
        The image's name for messages.

    Returns
    -------
    ink : ndarray of shape (height + 2 * frame, width + 2 * frame), dtype float32

    digit : ndarray of the same shape, dtype bool
        The ink's pixels.

    frame : int
        The background added on each side of a tight crop (0 for none): pixel
        ``(row, col)`` of `ink` is ``(row - frame, col - frame)`` of `gray`.
    """
    if gray.size == 0:
        raise DigitImageError(
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
    frame = 0
    if _touches_the_border(digit):
        # A tight crop: read again in a frame of background, as a scan's
        # margin, so that it gives the digit that paper around it gives. The
        # background's level is a low quantile, below the ink however much
        # of the image it covers.
        frame = max(1, size // 4)
        level = np.percentile(smooth, 25)
        gray, smooth = (np.pad(a, frame, constant_values=level) for a in (gray, smooth))
        ink, digit = _find_ink(gray, smooth, noise_sigma, size, name)
    rows, cols = bounding_box(digit)
    extent = max(rows.stop - rows.start, cols.stop - cols.start)
    if extent < MIN_DIGIT_FRACTION * size:
        raise DigitImageError(
            f"no digit found in {name}: its marks span at most {extent} of its "
            f"{size} pixels, too small for a digit (a speck of dust or noise?)."
        )

    # Pixels near the strokes keep their soft edges; everything else is set to
    # black. The noise far from the digit tells how much to subtract near it.
    near = ndimage.maximum_filter(digit, size=2 * stroke_margin(extent) + 1)
    noise = max(0.0, np.percentile(ink[~near], 99)) if (~near).any() else 0.0
    contrast = np.percentile(ink[digit], INK_PERCENTILE) - noise
    if contrast < MIN_CONTRAST:
        raise DigitImageError(
            f"no digit found in {name}: its marks stand out from the background "
            f"by {max(contrast, 0):.0f} of 255 grey levels, fewer than "
            f"{MIN_CONTRAST}."
        )
    # MNIST's strokes are at full intensity in their core; map it to 255.
    return np.clip((ink - noise) / contrast, 0, 1) * 255 * near, digit, frame


def stroke_margin(extent):
    """How far, in pixels, a digit of `extent` pixels keeps its strokes' soft
    edges: half a pixel of the 20x20 digit, and at least one."""
    return 1 + extent // (2 * DIGIT_SIZE)


def digit_form(ink, digit):
    """Steps 4 and 5 of the module's: the ink of one digit to the 28x28 form.

    Parameters
    ----------
    ink : ndarray of shape (height, width)
        The digit's ink, light on 0, as :func:`ink_of` gives it.

    digit : ndarray of shape (height, width), dtype bool
        Its pixels.

    Returns
    -------
    digit : ndarray of shape (28, 28), dtype uint8
    """
    rows, cols = bounding_box(digit)
    extent = max(rows.stop - rows.start, cols.stop - cols.start)
    ink = _thicken(ink, digit, extent)
    ink = ink[bounding_box(ink)]
    return centre(_scale_to_digit_size(ink))


def count_marks(ink):
    """How many separate marks of a digit's size an ink mask holds, side by side.

    Parts of the ink (eight-connected) whose columns overlap, or nearly
    (closer than ``MIN_MARK_GAP`` of the tallest part's height), are one
    mark: the pieces of a broken stroke, a 5's detached bar. Marks shorter
    than ``MIN_MARK_HEIGHT`` of the tallest are not counted (a dot, a dash,
    a comma). Two or more counted marks are several digits, written apart.

    Parameters
    ----------
    ink : ndarray of shape (height, width), dtype bool
        The ink's pixels.

    Returns
    -------
    n_marks : int
        0 for no ink.

    Examples
    --------
    >>> import numpy as np
    >>> ink = np.zeros((20, 40), dtype=bool)
    >>> ink[2:18, 5:8] = True  # a 1
    >>> count_marks(ink)
    1
    >>> ink[3:18, 25:28] = True  # and another, well apart
    >>> count_marks(ink)
    2
    """
    labels, n_parts = ndimage.label(ink, structure=np.ones((3, 3)))
    if n_parts == 0:
        return 0
    boxes = ndimage.find_objects(labels)
    heights = np.array([rows.stop - rows.start for rows, _ in boxes])
    tallest = heights.max()
    spans = sorted(
        (cols.start, cols.stop, height)
        for (_, cols), height in zip(boxes, heights, strict=True)
    )
    # Parts left to right; a part that starts before the mark so far ends
    # (give or take the gap) joins it.
    n_marks, mark_end, mark_height = 0, -np.inf, 0
    for start, stop, height in spans:
        if start >= mark_end + MIN_MARK_GAP * tallest:
            n_marks += mark_height >= MIN_MARK_HEIGHT * tallest
            mark_end, mark_height = stop, height
        else:
            mark_end, mark_height = max(mark_end, stop), max(mark_height, height)
    return int(n_marks + (mark_height >= MIN_MARK_HEIGHT * tallest))


def bounding_box(image):
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
    background = ndimage.grey_erosion(smooth, size=window)
    # Paper with no lighting to estimate (a clean drawing's) erodes to one
    # level, which the dilation would only give back.
    if background.min() != background.max():
        background = ndimage.grey_dilation(background, size=window)
    ink, smooth = gray - background, smooth - background
    # The background's level: a low quantile, below the ink of a tight crop.
    level, median = np.percentile(smooth, [25, 50])
    if smooth.max() - median < MIN_CONTRAST:
        raise DigitImageError(
            f"no digit found in {name}: the image is blank (nothing stands out "
            f"from the background by {MIN_CONTRAST} of 255 grey levels)."
        )
    digit = _digit_mask(smooth, level, noise_sigma)
    if not digit.any():
        raise DigitImageError(
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


def _digit_mask(smooth, background, noise_sigma):
    """The ink's pixels: a robust threshold above the `background` level,
    then specks dropped."""
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
    return scale_to_box(
        ink, max(1, round(height * scale)), max(1, round(width * scale))
    )


def scale_to_box(ink, height, width):
    """Resample the ink to `height` x `width` pixels, its strongest at 255.

    Parameters
    ----------
    ink : ndarray of shape (rows, columns)
        A cropped digit, light on 0.

    height, width : int
        The size to resample it to.

    Returns
    -------
    ink : ndarray of shape (height, width), dtype float32
    """
    ink = np.ascontiguousarray(ink, dtype=np.float32)
    # The image shares the array's memory, and its result is read back as
    # bytes: Pillow's array interface costs as much as the resampling.
    image = Image.frombuffer("F", ink.shape[::-1], ink, "raw", "F", 0, 1)
    # Lanczos anti-aliases when shrinking and stays sharp when enlarging.
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    ink = np.frombuffer(image.tobytes(), dtype=np.float32).reshape(height, width)
    ink = np.clip(ink, 0, 255)
    # Thin strokes shrunk a lot come out faint; MNIST's reach 255.
    return ink * (255 / max(ink.max(), 1))


def centre(ink, side=IMAGE_SIZE):
    """Place a digit in a square frame, its centre of mass at the centre.

    Parameters
    ----------
    ink : ndarray of shape (height, width)
        The digit, no larger than the frame.

    side : int, default=28
        The frame's side.

    Returns
    -------
    frame : ndarray of shape (side, side), dtype uint8
    """
    height, width = ink.shape
    # ndimage.center_of_mass's sums, without its per-call set-up (a third
    # of the cost of normalizing a digit).
    mass = ink.sum()
    row = (ink * np.arange(height, dtype=float)[:, np.newaxis]).sum() / mass
    col = (ink * np.arange(width, dtype=float)).sum() / mass
    # Whole-pixel shifts keep the strokes sharp. The digit is kept whole even
    # when that leaves its centre of mass a pixel or two off.
    top = min(max(round(side / 2 - row), 0), side - height)
    left = min(max(round(side / 2 - col), 0), side - width)
    frame = np.zeros((side, side), dtype=np.uint8)
    # Rounded as float32, as the frame's values were before.
    frame[top : top + height, left : left + width] = np.round(
        ink.astype(np.float32, copy=False)
    )
    return frame
