"""Digit data sets: MNIST from local files or Keras, scikit-learn's 8x8 digits,
real handwriting from other sources drawn as scans, and MNIST digits drawn as
photos of handwriting on paper.
"""

import gzip
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from ._pixels import IMAGE_SHAPE

DATA_ENV_VAR = "DIGIT_CLASSIFIER_DATA"
REAL_DATA_ENV_VAR = "DIGIT_CLASSIFIER_REAL_DATA"
# draw_scans: small images are enlarged to about this side (8x8 ones 12
# times), and given a white margin of a quarter of their side, at least this.
SCAN_SIDE = 96
SCAN_MIN_MARGIN = 8
N_CLASSES = 10
NPZ_NAME = "mnist.npz"
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
# The four standard IDX files, in the order load_mnist returns their arrays.
IDX_NAMES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
IDX_UINT8_CODE = 0x08
# make_photo_digits: the 28x28 frame is enlarged 1.5 to 5 times (digits of
# about 30 to 100 px), on a canvas 1.2 to 2.5 times as large each way.
PHOTO_SCALE_RANGE = (1.5, 5.0)
PHOTO_CANVAS_RANGE = (1.2, 2.5)
# The fraction in chalk on a dark board rather than ink on paper, the largest
# fall of the light from one side to the other, the sensor noise and the
# JPEG quality.
PHOTO_LIGHT_INK_FRACTION = 0.2
PHOTO_MAX_LIGHT_FALLOFF = 0.3
PHOTO_NOISE_STD_RANGE = (2.0, 10.0)
PHOTO_JPEG_QUALITY_RANGE = (60, 90)
FIXES = (
    "To fix this, pass a folder holding the four MNIST IDX files or mnist.npz "
    "with --data-dir DIR (command line) or load_mnist(data_dir=...), or set "
    f"{DATA_ENV_VAR} to such a folder, or use --dataset digits "
    "(scikit-learn's built-in 8x8 digits, offline)."
)


def load_mnist(data_dir=None):
    """Load MNIST from a local folder, Keras's cache or Keras's download.

    Looks in these places and uses the first that has the data:

    1. the folder `data_dir`;
    2. the folder named by the environment variable ``DIGIT_CLASSIFIER_DATA``;
    3. Keras's cache, ``$KERAS_HOME/datasets/mnist.npz`` (by default
       ``~/.keras/datasets/mnist.npz``);
    4. Keras's download, :func:`keras.datasets.mnist.load_data`.

    A folder holds either the four standard IDX files
    (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each optionally
    gzipped with a ``.gz`` suffix) or ``mnist.npz`` as Keras stores it. Local
    files are checked strictly; Keras is imported only to download.

    Parameters
    ----------
    data_dir : str or os.PathLike, default=None
        Folder holding MNIST. When given, it must hold the data: the other
        places are not tried.

    Returns
    -------
    (X_train, y_train), (X_test, y_test) : tuple of tuples of ndarray
        uint8 images of shape ``(n_samples, 28, 28)`` with pixels in
        [0, 255] and uint8 labels of shape ``(n_samples,)`` in 0-9, as
        :func:`keras.datasets.mnist.load_data` returns them.

    Raises
    ------
    FileNotFoundError
        If `data_dir` or ``DIGIT_CLASSIFIER_DATA`` names a folder without
        MNIST, or if no place has the data and the download fails.

    ValueError
        If a file is corrupt or not MNIST; the message names the file.

    See Also
    --------
    load_digits_split : scikit-learn's 8x8 digits in the same form, offline.

    Examples
    --------
    From Keras's cache, or its download (11 MB) the first time:

    >>> from digit_classifier.datasets import load_mnist
    >>> (X_train, y_train), (X_test, y_test) = load_mnist()  # doctest: +SKIP
    >>> X_train.shape, y_train.shape, X_test.shape  # doctest: +SKIP
    ((60000, 28, 28), (60000,), (10000, 28, 28))

    From a folder holding ``mnist.npz`` or the IDX files; here, a tiny one:

    >>> import os, tempfile
    >>> import numpy as np
    >>> folder = tempfile.mkdtemp()
    >>> images = np.zeros((5, 28, 28), dtype=np.uint8)
    >>> labels = np.arange(5, dtype=np.uint8)
    >>> np.savez(os.path.join(folder, "mnist.npz"), x_train=images,
    ...          y_train=labels, x_test=images[:2], y_test=labels[:2])
    >>> (X_train, y_train), (X_test, y_test) = load_mnist(folder)
    >>> X_train.shape, X_test.shape, y_test
    ((5, 28, 28), (2, 28, 28), array([0, 1], dtype=uint8))
    """
    if data_dir is not None:
        return _load_folder(Path(data_dir), "data_dir")
    if os.environ.get(DATA_ENV_VAR):
        return _load_folder(Path(os.environ[DATA_ENV_VAR]), DATA_ENV_VAR)
    cache_file = _keras_cache_file()
    if cache_file.is_file():
        return _load_npz(cache_file)
    try:
        return _download_mnist()
    # Keras wraps network failures in a bare Exception, so nothing narrower works.
    except Exception as exc:
        raise FileNotFoundError(
            "MNIST was not found. Looked in:\n"
            "- data_dir: not given\n"
            f"- {DATA_ENV_VAR}: not set\n"
            f"- Keras's cache: {cache_file} does not exist\n"
            "- Keras's download, keras.datasets.mnist.load_data(): failed with "
            f"{type(exc).__name__}: {exc}\n" + FIXES
        ) from exc


def load_digits_split(test_size=0.25, random_state=0):
    """Load scikit-learn's 8x8 digits, split like MNIST's train and test sets.

    The 1797 images of :func:`sklearn.datasets.load_digits` ship with
    scikit-learn, so this works offline. Their pixels are brought from 0-16
    to 0-255, so that they take the same preprocessing as MNIST's.

    Parameters
    ----------
    test_size : float or int, default=0.25
        Fraction (float) or number (int) of images in the test set.

    random_state : int, RandomState instance or None, default=0
        Seed of the shuffle before the split; an int gives the same split on
        every call.

    Returns
    -------
    (X_train, y_train), (X_test, y_test) : tuple of tuples of ndarray
        uint8 images of shape ``(n_samples, 8, 8)`` with pixels in [0, 255]
        and uint8 labels of shape ``(n_samples,)``, stratified by label.

    See Also
    --------
    load_mnist : The 28x28 MNIST digits in the same form.

    Examples
    --------
    >>> from digit_classifier.datasets import load_digits_split
    >>> (X_train, y_train), (X_test, y_test) = load_digits_split()
    >>> X_train.shape, y_train.shape, X_test.shape
    ((1347, 8, 8), (1347,), (450, 8, 8))
    >>> print(X_train.dtype, X_train.min(), X_train.max())
    uint8 0 255
    """
    digits = load_digits()
    images = np.round(digits.images * 255 / 16).astype(np.uint8)
    labels = digits.target.astype(np.uint8)
    X_train, X_test, y_train, y_test = train_test_split(
        images,
        labels,
        test_size=test_size,
        stratify=labels,
        random_state=random_state,
    )
    return (X_train, y_train), (X_test, y_test)


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
    from .images import IMAGE_SIZE, load_digit_image

    digits, labels, sources = [], [], []
    for name, (images, targets) in load_real_digits(data_dir).items():
        for scan in draw_scans(images):
            try:
                digits.append(load_digit_image(scan))
            except ValueError:  # no digit found: a blank image, a likely error
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


def make_photo_digits(digits, folder, *, random_state=None):
    """Draw MNIST digits as photos of them written on paper; save them as JPEG.

    Each digit is drawn as a phone's photo of it might look: dark ink on
    light, coloured paper (now and then chalk, light on a dark board),
    enlarged, off-centre on a larger canvas, under uneven light, with sensor
    noise, saved as a JPEG file of random quality. The tests, the photo
    benchmark and the README's pictures use these to check that
    :func:`~digit_classifier.load_digit_image` brings photos back to MNIST's
    form; they are MNIST's own handwriting, so they say nothing of how the
    model reads other writers.

    Parameters
    ----------
    digits : array-like of shape (n_digits, 28, 28), dtype uint8
        MNIST digits, light on dark.

    folder : str or os.PathLike
        An existing folder for the files ``photo00000.jpg``, ...

    random_state : int or None, default=None
        Seed of the random drawing; an int gives the same files every time.

    Returns
    -------
    paths : list of pathlib.Path
        The files, in the order of `digits`.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from digit_classifier.datasets import make_photo_digits
    >>> digit = np.zeros((28, 28), dtype=np.uint8)
    >>> digit[4:24, 12:16] = 255  # a "1"
    >>> [path] = make_photo_digits([digit], tempfile.mkdtemp(), random_state=0)
    >>> path.name, Image.open(path).format, Image.open(path).mode
    ('photo00000.jpg', 'JPEG', 'RGB')
    """
    rng = np.random.default_rng(random_state)
    paths = []
    for i, digit in enumerate(np.asarray(digits, dtype=np.uint8)):
        path = Path(folder) / f"photo{i:05d}.jpg"
        quality = int(rng.integers(*PHOTO_JPEG_QUALITY_RANGE, endpoint=True))
        _photo_of(digit, rng).save(path, quality=quality)
        paths.append(path)
    return paths


def _photo_of(digit, rng):
    """One MNIST digit drawn as an RGB photo of it on paper (a PIL image)."""
    side = round(digit.shape[0] * rng.uniform(*PHOTO_SCALE_RANGE))
    ink = Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC)
    coverage = np.asarray(ink, dtype=np.float32)[..., np.newaxis] / 255

    height, width = (round(side * rng.uniform(*PHOTO_CANVAS_RANGE)) for _ in range(2))
    top = rng.integers(0, height - side + 1)
    left = rng.integers(0, width - side + 1)
    if rng.random() < PHOTO_LIGHT_INK_FRACTION:
        paper, ink_colour = rng.uniform(0, 70, 3), rng.uniform(190, 255, 3)
    else:
        paper, ink_colour = rng.uniform(170, 255, 3), rng.uniform(0, 90, 3)
    canvas = np.empty((height, width, 3), dtype=np.float32)
    canvas[:] = paper
    placed = canvas[top : top + side, left : left + side]
    placed[:] = placed * (1 - coverage) + ink_colour * coverage

    # Uneven light: brightness falls linearly along a random direction.
    angle = rng.uniform(0, 2 * np.pi)
    rows, cols = np.mgrid[0:height, 0:width]
    along = rows * np.sin(angle) + cols * np.cos(angle)
    along = (along - along.min()) / max(np.ptp(along), 1)
    canvas *= (1 - rng.uniform(0, PHOTO_MAX_LIGHT_FALLOFF) * along)[..., np.newaxis]
    canvas += rng.normal(0, rng.uniform(*PHOTO_NOISE_STD_RANGE), canvas.shape)
    return Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))


def _download_mnist():
    # Imported here: Keras imports TensorFlow, which local files do not need.
    from keras.datasets import mnist

    return mnist.load_data()


def _keras_cache_file():
    # The folder Keras downloads into, picked as keras/src/backend/config.py
    # does; read at call time because Keras reads it once, at import.
    keras_home = os.environ.get("KERAS_HOME")
    if keras_home is None:
        home = os.path.expanduser("~")
        keras_home = os.path.join(
            home if os.access(home, os.W_OK) else "/tmp", ".keras"
        )
    return Path(keras_home).expanduser() / "datasets" / NPZ_NAME


def _load_folder(folder, given_as):
    if not folder.is_dir():
        raise FileNotFoundError(f"{given_as}={folder} is not a folder. {FIXES}")
    idx_paths = {name: _find_idx_file(folder, name) for name in IDX_NAMES}
    missing = [f"{name}[.gz]" for name, path in idx_paths.items() if path is None]
    if not missing:
        train_images, train_labels, test_images, test_labels = idx_paths.values()
        return (
            _load_idx_pair(train_images, train_labels),
            _load_idx_pair(test_images, test_labels),
        )
    if (folder / NPZ_NAME).is_file():
        return _load_npz(folder / NPZ_NAME)
    raise FileNotFoundError(
        f"{given_as}={folder} holds no MNIST data: it has neither {NPZ_NAME} nor "
        f"all four IDX files (missing: {', '.join(missing)}). {FIXES}"
    )


def _find_idx_file(folder, name):
    for path in (folder / name, folder / f"{name}.gz"):
        if path.is_file():
            return path
    return None


def _load_idx_pair(images_path, labels_path):
    images = _read_idx(images_path, ndim=3, content="images", unit="pixels")
    labels = _read_idx(labels_path, ndim=1, content="labels", unit="labels")
    _check_split(images, labels, images_path, labels_path)
    return images, labels


def _read_idx(path, ndim, content, unit):
    data = _read_bytes(path)
    header_size = 4 + 4 * ndim  # the magic number, then one uint32 per dim
    if len(data) < header_size:
        raise ValueError(
            f"{path} is truncated: expected an IDX header of {header_size} "
            f"bytes, found {len(data)}."
        )
    # Magic number: two zero bytes, the dtype code, then the number of dims.
    magic = int.from_bytes(data[:4], "big")
    expected_magic = (IDX_UINT8_CODE << 8) | ndim
    if magic != expected_magic:
        raise ValueError(
            f"{path} has magic number 0x{magic:08x}, expected "
            f"0x{expected_magic:08x} (an IDX file of uint8 {content})."
        )
    shape = tuple(int(dim) for dim in np.frombuffer(data, ">u4", ndim, offset=4))
    expected_size = int(np.prod(shape))
    found_size = len(data) - header_size
    if found_size < expected_size:
        raise ValueError(
            f"{path} is truncated: expected {expected_size} bytes of {unit} "
            f"after the header, found {found_size}."
        )
    if found_size > expected_size:
        raise ValueError(
            f"{path} has {found_size - expected_size} trailing bytes: expected "
            f"{expected_size} bytes of {unit} after the header, found {found_size}."
        )
    # Copied so that the array is writable, as Keras's are.
    return np.frombuffer(data, np.uint8, offset=header_size).reshape(shape).copy()


def _read_bytes(path):
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        with gzip.open(path) as file:
            return file.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path} is not a valid gzip file: {exc}") from exc


def _load_npz(path):
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in NPZ_KEYS if key in npz.files}
    # numpy raises ValueError for pickled arrays or a file that is no npz at all.
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as exc:
        raise ValueError(f"{path} is not a valid npz file: {exc}") from exc
    missing = [key for key in NPZ_KEYS if key not in arrays]
    if missing:
        raise ValueError(
            f"{path} lacks the key(s) {', '.join(missing)}; expected "
            f"{', '.join(NPZ_KEYS)} as keras.datasets.mnist stores them."
        )
    for key, array in arrays.items():
        if array.dtype != np.uint8:
            raise ValueError(
                f"{key} in {path} has dtype {array.dtype}, expected uint8."
            )
    for split in ("train", "test"):
        _check_split(
            arrays[f"x_{split}"],
            arrays[f"y_{split}"],
            f"x_{split} in {path}",
            f"y_{split} in {path}",
        )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _check_split(images, labels, images_name, labels_name):
    if images.shape[1:] != IMAGE_SHAPE:
        raise ValueError(
            f"{images_name} holds images of shape {images.shape[1:]}, expected "
            f"{IMAGE_SHAPE}."
        )
    if labels.ndim != 1:
        raise ValueError(
            f"{labels_name} has shape {labels.shape}, expected (n_samples,)."
        )
    if len(labels) != len(images):
        raise ValueError(
            f"{labels_name} holds {len(labels)} labels but {images_name} holds "
            f"{len(images)} images."
        )
    if labels.size and labels.max() >= N_CLASSES:
        raise ValueError(
            f"{labels_name} holds labels up to {labels.max()}, expected labels "
            f"0-{N_CLASSES - 1}."
        )
