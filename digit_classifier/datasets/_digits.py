"""scikit-learn's built-in 8x8 digits, split like MNIST: a data set for offline use."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


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
