"""MNIST from local files (IDX or Keras's mnist.npz), Keras's cache or its download."""

import gzip
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .._pixels import IMAGE_SHAPE

DATA_ENV_VAR = "DIGIT_CLASSIFIER_DATA"
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
