"""Real handwriting from other sources than MNIST, and how a user's scans of it look."""

import os
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

REAL_DATA_ENV_VAR = "DIGIT_CLASSIFIER_REAL_DATA"
# draw_scans: small images are enlarged to about this side (8x8 ones 12
# times), and given a white margin of a quarter of their side, at least this.
SCAN_SIDE = 96
SCAN_MIN_MARGIN = 8


def load_real_digits(data_dir=None):
    """Load sets of real handwritten digits that are not MNIST.

    Reads every ``.npz`` file of a folder that holds ``x`` (uint8 images of
    one size, ink light on a dark background, in [0, 255]) and ``y`` (their
    digits), without pickle: for example the UCI optdigits and the
    pyclustering digits, to measure how a model trained on MNIST reads other
    writers (``benchmarks/real_digits.py``, ``digit-classifier evaluate
    --dataset real``).

    Parameters
    ----------
    data_dir : str or os.PathLike, default=None
        The folder; by default the one named by the environment variable
        ``DIGIT_CLASSIFIER_REAL_DATA``.

    Returns
    -------
    sources : dict of str to (ndarray, ndarray)
        ``(images, labels)`` by file name without its suffix, in name order.

    Raises
    ------
    FileNotFoundError
        If no folder is given or it does not exist.
    ValueError
        If the folder holds no such file, or a file is not one.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> folder = tempfile.mkdtemp()
    >>> x = np.zeros((2, 16, 16), dtype=np.uint8)
    >>> np.savez(os.path.join(folder, "mine.npz"), x=x, y=np.array([3, 7]))
    >>> sources = load_real_digits(folder)
    >>> {name: (x.shape, y.tolist()) for name, (x, y) in sources.items()}
    {'mine': ((2, 16, 16), [3, 7])}
    """
    if data_dir is None and not os.environ.get(REAL_DATA_ENV_VAR):
        raise FileNotFoundError(
            "No folder of real digits given: pass data_dir (--data-dir on the "
            f"command line) or set {REAL_DATA_ENV_VAR} to a folder of .npz files "
            "holding x (images) and y (labels)."
        )
    folder = Path(data_dir if data_dir is not None else os.environ[REAL_DATA_ENV_VAR])
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of real digits.")
    sources = {}
    for path in sorted(folder.glob("*.npz")):
        try:
            with np.load(path, allow_pickle=False) as npz:
                images, labels = npz["x"], npz["y"]
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ValueError(
                f"{path} is not a set of digits: an .npz file holding x and y ({exc})."
            ) from exc
        if images.dtype != np.uint8 or images.ndim != 3 or len(labels) != len(images):
            raise ValueError(
                f"{path}: x must be uint8 images (n, height, width) and y one "
                f"label each; got x {images.dtype} {images.shape}, y {labels.shape}."
            )
        sources[path.stem] = images, labels
    if not sources:
        raise ValueError(f"{folder} holds no .npz file of digits.")
    return sources


def load_real_scans(data_dir=None):
    """Real digits as a model trained on MNIST sees a user's scans of them.

    Every digit of :func:`load_real_digits` is drawn as a scan
    (:func:`draw_scans`) and brought to MNIST's form by
    :func:`~digit_classifier.load_digit_image`, as ``digit-classifier
    predict`` reads a scan; a digit it finds none in stays blank.

    Parameters
    ----------
    data_dir : str or os.PathLike, default=None
        As for :func:`load_real_digits`.

    Returns
    -------
    X : ndarray of shape (n_digits, 28, 28), dtype uint8
        The digits in MNIST's form, set after set.

    y : ndarray of shape (n_digits,)
        Their labels.

    sources : ndarray of shape (n_digits,)
        The name of the set each comes from.
    """
    from ..images import IMAGE_SIZE, DigitImageError, load_digit_image

    digits, labels, sources = [], [], []
    for name, (images, targets) in load_real_digits(data_dir).items():
        for scan in draw_scans(images):
            try:
                digits.append(load_digit_image(scan))
            except DigitImageError:  # no digit found: a blank image, a likely error
                digits.append(np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8))
        labels.append(targets)
        sources += [name] * len(images)
    return np.stack(digits), np.concatenate(labels), np.array(sources)


def draw_scans(images, *, margin=True):
    """Draw light-on-dark digit images as scans: dark ink on white paper.

    Each image is inverted, enlarged with bicubic interpolation when small
    (an 8x8 one 12 times, to 96x96) and, with `margin`, given a white margin
    of a quarter of its side (at least 8 pixels) on each side, as RGB: what a
    user's scan of such a digit looks like to
    :func:`~digit_classifier.load_digit_image`. Without `margin` it is a
    tight crop, the ink touching the border.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width), dtype uint8
        Digits light on dark, as :func:`load_real_digits` gives them.

    margin : bool, default=True
        Whether to add the white margin.

    Returns
    -------
    scans : list of ndarray of shape (side, side, 3), dtype uint8

    Examples
    --------
    >>> import numpy as np
    >>> digit = np.zeros((8, 8), dtype=np.uint8)
    >>> digit[1:7, 3:5] = 255
    >>> [scan] = draw_scans([digit])
    >>> scan.shape, scan[0, 0].tolist(), scan[72, 72].tolist()
    ((144, 144, 3), [255, 255, 255], [0, 0, 0])
    """
    scans = []
    for image in np.asarray(images, dtype=np.uint8):
        paper = Image.fromarray(255 - image)
        factor = max(1, SCAN_SIDE // max(image.shape))
        if factor > 1:
            paper = paper.resize(
                (image.shape[1] * factor, image.shape[0] * factor),
                Image.Resampling.BICUBIC,
            )
        pixels = np.asarray(paper)
        if margin:
            width = max(SCAN_MIN_MARGIN, max(pixels.shape) // 4)
            pixels = np.pad(pixels, width, constant_values=255)
        scans.append(np.repeat(pixels[..., np.newaxis], 3, axis=2))
    return scans
