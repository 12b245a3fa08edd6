"""Scaling raw pixel arrays for the classifier."""

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

MAX_PIXEL_VALUE = 255


# Mixins stand left of BaseEstimator so their methods and tags take precedence.
class PixelNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Flatten grayscale images and scale their pixels from [0, 255] to [0, 1].

    Accepts image stacks of shape ``(n_samples, height, width)`` or rows of
    shape ``(n_samples, height * width)`` of any integer or float dtype, and
    returns float32 rows. It learns nothing but the number of features, so it
    can sit first in a :class:`~sklearn.pipeline.Pipeline` and take raw
    pixels such as MNIST's uint8 images.

    Attributes
    ----------
    n_features_in_ : int
        Number of pixels per image seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :meth:`fit`, defined only when `X` has
        string feature names.

    See Also
    --------
    make_digit_pipeline : This normalizer followed by the classifier.

    Examples
    --------
    >>> import numpy as np
    >>> from digit_classifier import PixelNormalizer
    >>> images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    >>> PixelNormalizer().fit_transform(images)
    array([[0. , 1. , 0.2, 0.4]], dtype=float32)
    """

    def fit(self, X, y=None):
        """Record the number of pixels per image.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or \
(n_samples, height, width)
            Images with pixel values in [0, 255].

        y : None
            Ignored.

        Returns
        -------
        self : PixelNormalizer
            The fitted normalizer.
        """
        self._validate_pixels(X, reset=True, copy=False)
        return self

    def transform(self, X):
        """Flatten the images and scale their pixels to [0, 1].

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or \
(n_samples, height, width)
            Images with pixel values in [0, 255].

        Returns
        -------
        X_scaled : ndarray of shape (n_samples, n_pixels), dtype float32
            The pixels divided by 255.
        """
        check_is_fitted(self)
        return self._scale(self._validate_pixels(X, reset=False))

    def fit_transform(self, X, y=None):
        """Record the number of pixels, then flatten and scale the images.

        The same as ``fit(X).transform(X)`` with a single conversion of the
        pixels to float32.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or \
(n_samples, height, width)
            Images with pixel values in [0, 255].

        y : None
            Ignored.

        Returns
        -------
        X_scaled : ndarray of shape (n_samples, n_pixels), dtype float32
            The pixels divided by 255.
        """
        return self._scale(self._validate_pixels(X, reset=True))

    @staticmethod
    def _scale(X):
        # X is our own float32 copy (validated with copy=True): scale in place.
        return np.divide(X, MAX_PIXEL_VALUE, out=X, dtype=np.float32)

    def _validate_pixels(self, X, reset, copy=True):
        if not (issparse(X) or hasattr(X, "columns")):
            X = np.asarray(X)
            if X.ndim == 3:
                X = X.reshape(len(X), -1)
        X = validate_data(self, X, reset=reset, dtype=np.float32, copy=copy)
        if X.min() < 0:
            raise ValueError(
                f"Negative values in data passed to PixelNormalizer (minimum "
                f"{X.min():g}). Pass raw grayscale pixels in [0, {MAX_PIXEL_VALUE}], "
                "not centred data."
            )
        if X.max() > MAX_PIXEL_VALUE:
            raise ValueError(
                f"Values above {MAX_PIXEL_VALUE} in data passed to PixelNormalizer "
                f"(maximum {X.max():g}). Pass 8-bit grayscale pixels in "
                f"[0, {MAX_PIXEL_VALUE}]."
            )
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
