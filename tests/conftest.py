import os

# Quieten TensorFlow's C++ start-up messages; set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib  # noqa: E402

matplotlib.use("Agg")


import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def mnist_slice_dir(tmp_path_factory):
    """A folder with the first 3,000 / 1,000 MNIST images as mnist.npz."""
    source = os.environ.get("DIGIT_CLASSIFIER_DATA")
    if not source:
        pytest.skip("DIGIT_CLASSIFIER_DATA is not set: no MNIST files to read")
    from digit_classifier import load_mnist

    (X_train, y_train), (X_test, y_test) = load_mnist(source)
    folder = tmp_path_factory.mktemp("mnist-slice")
    np.savez(
        folder / "mnist.npz",
        x_train=X_train[:3000],
        y_train=y_train[:3000],
        x_test=X_test[:1000],
        y_test=y_test[:1000],
    )
    return folder
