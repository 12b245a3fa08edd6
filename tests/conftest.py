import os

# Quieten TensorFlow's C++ start-up messages; set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import struct  # noqa: E402
import zlib  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

# Enough MNIST digits that a real loss of accuracy shows, few enough to stay quick.
N_MODEL_TRAIN = 15_000


@pytest.fixture(scope="session")
def mnist():
    """MNIST from DIGIT_CLASSIFIER_DATA; the tests that need it skip without it."""
    source = os.environ.get("DIGIT_CLASSIFIER_DATA")
    if not source:
        pytest.skip("DIGIT_CLASSIFIER_DATA is not set: no MNIST files to read")
    from digit_classifier import load_mnist

    return load_mnist(source)


@pytest.fixture(scope="session")
def real_digits_dir():
    """The folder of real digits of DIGIT_CLASSIFIER_REAL_DATA, or a skip."""
    source = os.environ.get("DIGIT_CLASSIFIER_REAL_DATA")
    if not source:
        pytest.skip("DIGIT_CLASSIFIER_REAL_DATA is not set: no real digits to read")
    return source


def mnist_slice(mnist, folder, n_train, n_test):
    """`folder` with MNIST's first `n_train` / `n_test` images as mnist.npz."""
    (X_train, y_train), (X_test, y_test) = mnist
    np.savez(
        folder / "mnist.npz",
        x_train=X_train[:n_train],
        y_train=y_train[:n_train],
        x_test=X_test[:n_test],
        y_test=y_test[:n_test],
    )
    return folder


@pytest.fixture(scope="session")
def mnist_slice_dir(mnist, tmp_path_factory):
    """A folder with the first 3,000 / 1,000 MNIST images as mnist.npz."""
    return mnist_slice(mnist, tmp_path_factory.mktemp("mnist-slice"), 3000, 1000)


@pytest.fixture(scope="session")
def rehearsal_dir(mnist, tmp_path_factory):
    """A folder with MNIST's first 1,500 training digits as mnist.npz: the
    digits `digit-classifier adapt` rehearses, few for speed."""
    return mnist_slice(mnist, tmp_path_factory.mktemp("rehearsal"), 1500, 10)


@pytest.fixture(scope="session")
def mnist_model(mnist):
    """The default network, 5 epochs on 15,000 MNIST digits: about 96% accurate."""
    from digit_classifier import make_digit_pipeline

    (X_train, y_train), _ = mnist
    pipe = make_digit_pipeline("fast", random_state=0)
    return pipe.fit(X_train[:N_MODEL_TRAIN], y_train[:N_MODEL_TRAIN])


@pytest.fixture(scope="session")
def mnist_model_file(mnist, mnist_model, tmp_path_factory):
    """mnist_model saved with save_model, with facts as train records them."""
    from digit_classifier import save_model

    _, (X_test, y_test) = mnist
    info = {
        "dataset": "mnist",
        "n_train": N_MODEL_TRAIN,
        "test_accuracy": mnist_model.score(X_test, y_test),
    }
    path = tmp_path_factory.mktemp("mnist-model") / "model.zip"
    save_model(mnist_model, path, info=info)
    return path


@pytest.fixture(scope="session")
def calibrated_file(mnist, mnist_model, tmp_path_factory):
    """mnist_model calibrated on digits it never saw, saved with its threshold:
    (path, calibrated model, threshold)."""
    from digit_classifier import save_model
    from digit_classifier.model import calibrate_digits

    (X_train, y_train), _ = mnist
    calibrated, threshold = calibrate_digits(
        mnist_model, X_train[15000:17000], y_train[15000:17000], random_state=0
    )
    path = tmp_path_factory.mktemp("calibrated") / "model.zip"
    save_model(calibrated, path, threshold=threshold)
    return path, calibrated, threshold


@pytest.fixture(scope="session")
def png_header():
    """Make a PNG file of a few bytes that claims a size: a decompression bomb."""

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    def make(width, height):
        header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b""))
            + chunk(b"IEND", b"")
        )

    return make


class ServerURL(str):
    """A live server's URL, which knows the server's samples folder."""

    def __new__(cls, url, samples):
        self = super().__new__(cls, url)
        self.samples = samples
        return self


@pytest.fixture(scope="session")
def live_server(mnist_model_file, tmp_path_factory):
    """`digit-classifier serve --samples DIR`'s app for mnist_model_file, on a
    free local port; its URL, and its samples folder as `.samples`."""
    import socket
    import threading
    import time

    import uvicorn

    from digit_classifier.serving import make_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    samples = tmp_path_factory.mktemp("served") / "samples"
    config = uvicorn.Config(
        make_app(mnist_model_file, samples=samples),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield ServerURL(f"http://127.0.0.1:{port}", samples)
    server.should_exit = True
    thread.join(timeout=10)
