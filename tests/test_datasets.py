"""load_mnist (IDX, npz, Keras cache and download) and load_digits_split."""

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digit_classifier import load_digit_image
from digit_classifier.datasets import (
    draw_scans,
    load_digits_split,
    load_mnist,
    load_real_digits,
    load_real_scans,
)

RNG = np.random.default_rng(0)
TRAIN_IMAGES = RNG.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
TRAIN_LABELS = np.array([5, 0, 4], dtype=np.uint8)
TEST_IMAGES = RNG.integers(0, 256, size=(2, 28, 28), dtype=np.uint8)
TEST_LABELS = np.array([7, 2], dtype=np.uint8)
IDX_ARRAYS = {
    "train-images-idx3-ubyte": TRAIN_IMAGES,
    "train-labels-idx1-ubyte": TRAIN_LABELS,
    "t10k-images-idx3-ubyte": TEST_IMAGES,
    "t10k-labels-idx1-ubyte": TEST_LABELS,
}
NPZ_ARRAYS = {
    "x_train": TRAIN_IMAGES,
    "y_train": TRAIN_LABELS,
    "x_test": TEST_IMAGES,
    "y_test": TEST_LABELS,
}
# Read at import, before the autouse fixture below unsets it for every test.
REAL_MNIST = os.environ.get("DIGIT_CLASSIFIER_DATA")


@pytest.fixture(autouse=True)
def no_real_data_or_network(monkeypatch, tmp_path):
    """Hide the environment variable and Keras's cache, and forbid downloads."""
    monkeypatch.delenv("DIGIT_CLASSIFIER_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def forbidden_download(*args, **kwargs):
        pytest.fail("the test tried to download MNIST")

    monkeypatch.setattr("keras.datasets.mnist.load_data", forbidden_download)


def idx_bytes(array, magic=None):
    """Serialise `array` as an IDX file: magic number, big-endian dims, data."""
    magic = 0x0800 | array.ndim if magic is None else magic
    dims = np.array(array.shape, dtype=">u4").tobytes()
    return magic.to_bytes(4, "big") + dims + array.tobytes()


def write_bytes(path, data):
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def write_idx_folder(folder, suffix=".gz"):
    folder.mkdir(exist_ok=True)
    for name, array in IDX_ARRAYS.items():
        write_bytes(folder / f"{name}{suffix}", idx_bytes(array))
    return folder


def write_npz(path, **replaced):
    """Write mnist.npz as Keras stores it, with arrays replaced or (None) left out."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {**NPZ_ARRAYS, **replaced}
    np.savez(path, **{key: array for key, array in arrays.items() if array is not None})
    return path


def assert_small_mnist(data):
    (X_train, y_train), (X_test, y_test) = data
    for array, expected in zip(
        (X_train, y_train, X_test, y_test), NPZ_ARRAYS.values(), strict=True
    ):
        assert array.dtype == np.uint8
        np.testing.assert_array_equal(array, expected)


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_reads_idx_files(tmp_path, suffix):
    folder = write_idx_folder(tmp_path / "mnist", suffix)
    assert_small_mnist(load_mnist(folder))


def test_reads_npz(tmp_path):
    write_npz(tmp_path / "mnist" / "mnist.npz")
    assert_small_mnist(load_mnist(str(tmp_path / "mnist")))


def test_arrays_are_writable(tmp_path):
    (X_train, _), _ = load_mnist(write_idx_folder(tmp_path / "mnist"))
    X_train[0, 0, 0] = 1


def test_data_dir_beats_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGIT_CLASSIFIER_DATA", str(tmp_path / "missing"))
    assert_small_mnist(load_mnist(write_idx_folder(tmp_path / "mnist")))


def test_environment_variable_is_used_without_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGIT_CLASSIFIER_DATA", str(write_idx_folder(tmp_path / "m")))
    assert_small_mnist(load_mnist())


def test_reads_keras_cache_under_keras_home(tmp_path):
    write_npz(tmp_path / "keras_home" / "datasets" / "mnist.npz")
    assert_small_mnist(load_mnist())


def test_reads_keras_cache_under_home_without_keras_home(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    write_npz(tmp_path / "home" / ".keras" / "datasets" / "mnist.npz")
    assert_small_mnist(load_mnist())


def test_local_files_do_not_import_tensorflow(tmp_path):
    folder = write_idx_folder(tmp_path / "mnist")
    code = (
        "import sys; from digit_classifier.datasets import load_mnist; "
        f"load_mnist({str(folder)!r}); assert 'tensorflow' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


CORRUPT_IDX = [
    (
        "truncated payload",
        "train-images-idx3-ubyte.gz",
        idx_bytes(TRAIN_IMAGES)[:-10],
        "is truncated: expected 2352 bytes of pixels after the header, found 2342.",
    ),
    (
        "truncated header",
        "train-labels-idx1-ubyte.gz",
        b"\x00\x00\x08",
        "is truncated: expected an IDX header of 8 bytes, found 3.",
    ),
    (
        "trailing bytes, plain file",
        "t10k-labels-idx1-ubyte",
        idx_bytes(TEST_LABELS) + b"\x00\x00",
        "has 2 trailing bytes: expected 2 bytes of labels after the header, found 4.",
    ),
    (
        "wrong magic",
        "train-images-idx3-ubyte.gz",
        idx_bytes(TRAIN_IMAGES, magic=0x0802),
        "has magic number 0x00000802, expected 0x00000803 (an IDX file of uint8 "
        "images).",
    ),
    (
        "wrong dtype code",
        "train-labels-idx1-ubyte.gz",
        idx_bytes(TRAIN_LABELS, magic=0x0D01),
        "has magic number 0x00000d01, expected 0x00000801 (an IDX file of uint8 "
        "labels).",
    ),
    (
        "wrong image size",
        "t10k-images-idx3-ubyte.gz",
        idx_bytes(TEST_IMAGES[:, :, :27].copy()),
        "holds images of shape (28, 27), expected (28, 28).",
    ),
    (
        "label out of range",
        "train-labels-idx1-ubyte.gz",
        idx_bytes(np.array([5, 10, 4], dtype=np.uint8)),
        "holds labels up to 10, expected labels 0-9.",
    ),
]


@pytest.mark.parametrize(
    ("file_name", "data", "message"),
    [case[1:] for case in CORRUPT_IDX],
    ids=[case[0] for case in CORRUPT_IDX],
)
def test_corrupt_idx_file(tmp_path, file_name, data, message):
    folder = write_idx_folder(tmp_path / "mnist", Path(file_name).suffix)
    path = folder / file_name
    write_bytes(path, data)
    with pytest.raises(ValueError, match=re.escape(f"{path} {message}")):
        load_mnist(folder)


@pytest.mark.parametrize(
    "corrupt",
    [lambda gz: b"not gzip at all", lambda gz: gz[:-20], lambda gz: gz[:30] + gz[40:]],
    ids=["not gzip", "truncated stream", "damaged stream"],
)
def test_corrupt_gzip(tmp_path, corrupt):
    folder = write_idx_folder(tmp_path / "mnist")
    path = folder / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(corrupt(path.read_bytes()))
    with pytest.raises(ValueError, match=re.escape(f"{path} is not a valid gzip")):
        load_mnist(folder)


def test_label_and_image_counts_differ(tmp_path):
    folder = write_idx_folder(tmp_path / "mnist")
    write_bytes(folder / "train-labels-idx1-ubyte.gz", idx_bytes(TRAIN_LABELS[:2]))
    message = (
        f"{folder / 'train-labels-idx1-ubyte.gz'} holds 2 labels but "
        f"{folder / 'train-images-idx3-ubyte.gz'} holds 3 images."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        load_mnist(folder)


@pytest.mark.parametrize(
    ("replaced", "message"),
    [
        (
            {"y_test": None},
            "lacks the key(s) y_test; expected x_train, y_train, x_test, y_test",
        ),
        (
            {"x_train": TRAIN_IMAGES.astype(np.float32)},
            "x_train in {path} has dtype float32, expected uint8.",
        ),
        (
            {"x_test": TEST_IMAGES.reshape(2, -1)},
            "x_test in {path} holds images of shape (784,), expected (28, 28).",
        ),
        (
            {"y_train": TRAIN_LABELS[:2]},
            "y_train in {path} holds 2 labels but x_train in {path} holds 3 images.",
        ),
        (
            {"y_test": np.array([7, 12], dtype=np.uint8)},
            "y_test in {path} holds labels up to 12, expected labels 0-9.",
        ),
    ],
    ids=["missing key", "wrong dtype", "wrong shape", "count mismatch", "bad label"],
)
def test_invalid_npz(tmp_path, replaced, message):
    path = write_npz(tmp_path / "mnist" / "mnist.npz", **replaced)
    with pytest.raises(ValueError, match=re.escape(message.format(path=path))):
        load_mnist(path.parent)


def test_npz_that_is_not_a_zip(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"not an npz file")
    message = f"{tmp_path / 'mnist.npz'} is not a valid npz file"
    with pytest.raises(ValueError, match=re.escape(message)):
        load_mnist(tmp_path)


def test_explicit_folder_without_mnist_does_not_fall_through(tmp_path):
    # Keras's cache holds valid data, but the named folder wins and is empty.
    write_npz(tmp_path / "keras_home" / "datasets" / "mnist.npz")
    folder = tmp_path / "empty"
    folder.mkdir()
    message = (
        f"data_dir={folder} holds no MNIST data: it has neither mnist.npz nor all "
        "four IDX files (missing: train-images-idx3-ubyte[.gz], "
        "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], "
        "t10k-labels-idx1-ubyte[.gz])."
    )
    with pytest.raises(FileNotFoundError, match=re.escape(message)):
        load_mnist(folder)


def test_partial_idx_folder_names_the_missing_files(tmp_path):
    folder = write_idx_folder(tmp_path / "mnist")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(
        FileNotFoundError, match=re.escape("(missing: t10k-labels-idx1-ubyte[.gz])")
    ):
        load_mnist(folder)


def test_environment_variable_naming_no_folder(tmp_path, monkeypatch):
    write_npz(tmp_path / "keras_home" / "datasets" / "mnist.npz")
    monkeypatch.setenv("DIGIT_CLASSIFIER_DATA", str(tmp_path / "missing"))
    message = f"DIGIT_CLASSIFIER_DATA={tmp_path / 'missing'} is not a folder."
    with pytest.raises(FileNotFoundError, match=re.escape(message)):
        load_mnist()


def test_no_data_anywhere_lists_places_and_fixes(tmp_path, monkeypatch):
    def offline_download(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr("keras.datasets.mnist.load_data", offline_download)
    with pytest.raises(FileNotFoundError) as excinfo:
        load_mnist()
    message = str(excinfo.value)
    cache_file = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    for expected in [
        "- data_dir: not given",
        "- DIGIT_CLASSIFIER_DATA: not set",
        f"- Keras's cache: {cache_file} does not exist",
        "keras.datasets.mnist.load_data(): failed with OSError: no network",
        "--data-dir DIR",
        "load_mnist(data_dir=...)",
        "set DIGIT_CLASSIFIER_DATA",
        "--dataset digits",
    ]:
        assert expected in message
    assert isinstance(excinfo.value.__cause__, OSError)


@pytest.mark.skipif(
    not REAL_MNIST, reason="DIGIT_CLASSIFIER_DATA does not name the MNIST folder"
)
def test_real_mnist_files(monkeypatch):
    monkeypatch.setenv("DIGIT_CLASSIFIER_DATA", REAL_MNIST)
    (X_train, y_train), (X_test, y_test) = load_mnist()
    assert X_train.shape == (60000, 28, 28)
    assert X_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,)
    assert y_test.shape == (10000,)
    assert {X_train.dtype, y_train.dtype, X_test.dtype, y_test.dtype} == {
        np.dtype(np.uint8)
    }
    np.testing.assert_array_equal(y_train[:5], [5, 0, 4, 1, 9])
    np.testing.assert_array_equal(y_test[:5], [7, 2, 1, 0, 4])
    np.testing.assert_array_equal(
        np.bincount(y_train),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    )


def test_digits_split_shapes_and_pixels():
    (X_train, y_train), (X_test, y_test) = load_digits_split(test_size=0.25)
    assert X_train.shape == (1347, 8, 8)
    assert X_test.shape == (450, 8, 8)
    assert y_train.shape == (1347,)
    assert y_test.shape == (450,)
    assert {X_train.dtype, y_train.dtype, X_test.dtype, y_test.dtype} == {
        np.dtype(np.uint8)
    }
    assert X_train.min() == 0
    assert X_train.max() == 255


def test_digits_split_is_stratified():
    (_, y_train), (_, y_test) = load_digits_split(test_size=0.25)
    train_counts, test_counts = np.bincount(y_train), np.bincount(y_test)
    expected_test_counts = (train_counts + test_counts) * 0.25
    assert np.all(np.abs(test_counts - expected_test_counts) <= 1)


def test_digits_split_is_deterministic():
    first = load_digits_split(random_state=1)
    second = load_digits_split(random_state=1)
    np.testing.assert_array_equal(first[0][0], second[0][0])
    np.testing.assert_array_equal(first[1][1], second[1][1])
    assert not np.array_equal(first[0][0], load_digits_split(random_state=2)[0][0])


# --- real digits of other writers -------------------------------------------


def real_digits_folder(folder):
    """Two small sets in the shape of ../shared/data/real_digits."""
    folder.mkdir()
    digits = load_digits_split()[1]
    np.savez(folder / "eights.npz", x=digits[0][:6], y=digits[1][:6])
    larger = np.zeros((4, 32, 32), np.uint8)
    larger[:, 4:28, 14:18] = 255  # a 1 each
    np.savez(folder / "ones.npz", x=larger, y=np.ones(4, np.int64))
    return folder


def test_real_digits_are_read_set_by_set(tmp_path, monkeypatch):
    folder = real_digits_folder(tmp_path / "real")
    sources = load_real_digits(folder)
    assert list(sources) == ["eights", "ones"]
    assert sources["eights"][0].shape == (6, 8, 8)
    np.testing.assert_array_equal(sources["ones"][1], [1, 1, 1, 1])
    monkeypatch.setenv("DIGIT_CLASSIFIER_REAL_DATA", str(folder))
    assert list(load_real_digits()) == ["eights", "ones"]


def test_real_scans_are_what_predict_makes_of_a_scan(tmp_path):
    folder = real_digits_folder(tmp_path / "real")
    X, y, sources = load_real_scans(folder)
    assert X.shape == (10, 28, 28)
    assert sources.tolist() == ["eights"] * 6 + ["ones"] * 4
    images = load_real_digits(folder)["eights"][0]
    np.testing.assert_array_equal(X[0], load_digit_image(draw_scans(images[:1])[0]))
    np.testing.assert_array_equal(y[6:], [1, 1, 1, 1])


def test_scans_are_dark_ink_on_white_with_or_without_a_margin():
    digit = np.zeros((8, 8), np.uint8)
    digit[1:7, 3:5] = 255
    [scan], [tight] = draw_scans([digit]), draw_scans([digit], margin=False)
    assert scan.shape == (144, 144, 3)  # 8 x 12, and a quarter on each side
    assert tight.shape == (96, 96, 3)
    assert (scan[:24] == 255).all()  # white paper around
    assert tight[48, 48].tolist() == [0, 0, 0]  # ink, dark, to the border


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda folder: None, FileNotFoundError, "No folder of real digits given"),
        (lambda folder: folder / "absent", FileNotFoundError, "is not a folder"),
        (lambda folder: folder, ValueError, "holds no .npz file"),
    ],
)
def test_real_digits_errors(tmp_path, monkeypatch, make, error, message):
    monkeypatch.delenv("DIGIT_CLASSIFIER_REAL_DATA", raising=False)
    with pytest.raises(error, match=message):
        load_real_digits(make(tmp_path))


def test_a_file_that_is_not_a_set_of_digits(tmp_path):
    np.savez(tmp_path / "other.npz", images=np.zeros((2, 8, 8), np.uint8))
    with pytest.raises(ValueError, match="other.npz is not a set of digits"):
        load_real_digits(tmp_path)
    np.savez(tmp_path / "other.npz", x=np.zeros((2, 8, 8)), y=[1, 2])
    with pytest.raises(ValueError, match="x must be uint8 images"):
        load_real_digits(tmp_path)
