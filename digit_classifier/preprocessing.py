"""The pipeline's transformers: image files to MNIST's form, digits deskewed
and their proportions normalized, pixels to [0, 1].
"""

import math
import os
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._checks import check_max_pixels, check_normalizer_params
from ._pixels import check_pixel_range, scale_pixels
from ._validation import validate_rows
from .images import MAX_PIXELS, normalize_digits
from .images._inputs import digit_of
from .images._normalize import CHUNK_IMAGES

# Fewer images than this are normalized in this process whatever n_jobs says:
# 4,096 MNIST digits took 0.59 s in one process and 0.32 s in two workers
# (which take about a second to start, the first time); fewer gain less.
MIN_PARALLEL_IMAGES = 4096


# TransformerMixin stands left of BaseEstimator so its methods take precedence.
class DigitImagePreprocessor(TransformerMixin, BaseEstimator):
    """Bring image files or arrays of any size to MNIST's 28x28 form.

    Applies :func:`load_digit_image` to each image, so that a pipeline
    fitted on MNIST can take photos and scans directly. It learns nothing:
    :meth:`fit` only checks the parameters.

    Parameters
    ----------
    max_pixels : int, default=MAX_PIXELS
        Refuse image files with more pixels than this, before decoding them
        (a guard against decompression bombs).

    See Also
    --------
    load_digit_image : The same for one image.

    PixelNormalizer : The next step: flat rows scaled to [0, 1].

    Examples
    --------
    Put it before a pipeline fitted on 28x28 MNIST arrays; here, two
    strokes drawn in black on white paper:

    >>> import numpy as np
    >>> from digit_classifier import DigitImagePreprocessor
    >>> paper = np.full((100, 80), 255, dtype=np.uint8)
    >>> one, minus = paper.copy(), paper.copy()
    >>> one[10:90, 34:46] = 0
    >>> minus[45:55, 10:70] = 0
    >>> X = DigitImagePreprocessor().transform([one, minus])
    >>> X.shape, X.dtype
    ((2, 28, 28), dtype('uint8'))
    >>> for digit in X:
    ...     height = np.count_nonzero(digit.any(axis=1))
    ...     width = np.count_nonzero(digit.any(axis=0))
    ...     print(f"{height} rows x {width} columns")
    20 rows x 3 columns
    3 rows x 20 columns

    With a fitted MNIST model, ``make_pipeline(DigitImagePreprocessor(),
    model).predict(["photo.jpg", "scan.png"])`` reads image files.
    """

    def __init__(self, max_pixels=MAX_PIXELS):
        self.max_pixels = max_pixels

    def fit(self, X, y=None):
        """Check the parameters; nothing is learned.

        Parameters
        ----------
        X : list
            Ignored.

        y : None
            Ignored.

        Returns
        -------
        self : DigitImagePreprocessor
            This preprocessor.
        """
        check_max_pixels(self.max_pixels, type(self).__name__)
        return self

    def transform(self, X):
        """Bring each image to MNIST's form.

        Parameters
        ----------
        X : list of (str, os.PathLike or array-like)
            Image file paths, or arrays of shape ``(height, width)``,
            ``(height, width, 3)`` or ``(height, width, 4)`` with values in
            [0, 255]; the images may differ in size. A 3D array of shape
            ``(n_images, height, width)`` is read as that many grayscale
            images.

        Returns
        -------
        X_mnist : ndarray of shape (n_images, 28, 28), dtype uint8
            The digits, light on black, as in MNIST.

        Raises
        ------
        DigitImageError
            For the first image in which no digit is found, or that cannot
            be read; the message names it (its path, or ``X[i]``).
        """
        check_max_pixels(self.max_pixels, type(self).__name__)
        if isinstance(X, (str, os.PathLike)):
            raise ValueError(
                "Expected a list of image paths or arrays, got a single path "
                f"{os.fspath(X)!r}; wrap it in a list."
            )
        # One name per image, for the errors: its path, else its position.
        items = list(X)
        if not items:
            raise ValueError(
                "Found 0 images while a minimum of 1 is required by "
                "DigitImagePreprocessor."
            )
        digits = [
            digit_of(
                item,
                os.fspath(item) if isinstance(item, (str, os.PathLike)) else f"X[{i}]",
                self.max_pixels,
            )[0]
            for i, item in enumerate(items)
        ]
        return np.stack(digits)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Lists of paths or of images of any size, not a 2D feature matrix.
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.input_tags.string = True
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = []
        return tags


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
        self._validate_pixels(X, reset=True)
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
        return scale_pixels(self._validate_pixels(X, reset=False))

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
        return scale_pixels(self._validate_pixels(X, reset=True))

    def _validate_pixels(self, X, reset):
        return _pixel_rows(self, X, reset=reset)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


# Mixins stand left of BaseEstimator so their methods and tags take precedence.
class DigitNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Deskew digits in MNIST's form and map their aspect ratio.

    Each writer slants and proportions digits differently; taking that out
    in training and in prediction alike lets a network trained on MNIST's
    writers read others: each digit is sheared upright (by its image
    moments), cropped, scaled into MNIST's 20-pixel box (of 28) with its
    aspect ratio kept, mapped to its square root (Liu et al. 2004) or
    discarded, and centred by its centre of mass. See
    :func:`digit_classifier.images.normalize_digits`.

    It learns nothing but the number of pixels. Put it first in a pipeline
    (``make_digit_pipeline`` does, as its ``"digit"`` step): the model file
    keeps its parameters, and :class:`DigitPredictor` normalizes the same
    way, with NumPy.

    Parameters
    ----------
    deskew : bool, default=True
        Whether to shear each digit upright.

    aspect : {"keep", "sqrt", "fill"}, default="keep"
        The digit's aspect ratio in its box: kept, mapped to its square
        root, or discarded (the box filled). With ``deskew=False``,
        ``"keep"`` leaves the digits as they are (a committee's plain
        member).

    n_jobs : int, default=None
        Worker processes (joblib's) that share the normalization of large
        inputs, of 4,096 images or more: it is Python around Pillow, which
        threads would not run in parallel (10,000 MNIST digits: 0.7 s in
        two processes against 1.4 s in one, once the workers have started).
        ``None`` means 1 unless in a :func:`joblib.parallel_config` context;
        ``-1`` means all processors. Each process takes whole chunks of the
        images, as one process does, so the digits are the same (bit for
        bit on MNIST here; the slant's small matrix products could round a
        pixel a grey level apart with a BLAS whose threads change them). It
        is the machine's setting, not the model's: model files do not keep it.

    Attributes
    ----------
    n_features_in_ : int
        Number of pixels per image seen during :meth:`fit`: a square.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :meth:`fit`, defined only when `X` has
        string feature names.

    See Also
    --------
    PixelNormalizer : The next step: flat rows scaled to [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from digit_classifier import DigitNormalizer
    >>> slanted = np.zeros((1, 28, 28), dtype=np.uint8)
    >>> for row in range(4, 24):
    ...     slanted[0, row, 18 - row // 2 : 21 - row // 2] = 255
    >>> upright = DigitNormalizer(aspect="sqrt").fit_transform(slanted)
    >>> upright.shape, upright.dtype
    ((1, 784), dtype('uint8'))
    >>> columns = np.flatnonzero(upright.reshape(28, 28).any(axis=0))
    >>> len(columns) < 10  # was 13 wide, slanted
    True
    """

    def __init__(self, deskew=True, aspect="keep", n_jobs=None):
        self.deskew = deskew
        self.aspect = aspect
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        """Check the parameters and record the number of pixels per image.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or \
(n_samples, side, side)
            Square images with pixel values in [0, 255].

        y : None
            Ignored.

        Returns
        -------
        self : DigitNormalizer
            The fitted normalizer.
        """
        self._images(X, reset=True)
        return self

    def transform(self, X):
        """Deskew the digits and map their aspect ratio.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or \
(n_samples, side, side)
            Square images of digits in MNIST's form, values in [0, 255].

        Returns
        -------
        X_normalized : ndarray of shape (n_samples, n_pixels), dtype uint8
            The normalized digits, as flat rows.
        """
        check_is_fitted(self)
        return self._normalize(self._images(X, reset=False))

    def fit_transform(self, X, y=None):
        """Record the number of pixels, then deskew the digits and map their
        aspect ratio.

        The same as ``fit(X).transform(X)``, with the images checked once.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or \
(n_samples, side, side)
            Square images of digits in MNIST's form, values in [0, 255].

        y : None
            Ignored.

        Returns
        -------
        X_normalized : ndarray of shape (n_samples, n_pixels), dtype uint8
            The normalized digits, as flat rows.
        """
        return self._normalize(self._images(X, reset=True))

    def _normalize(self, images):
        params = {"deskew": self.deskew, "aspect": self.aspect}
        n_jobs = 1
        if len(images) >= MIN_PARALLEL_IMAGES:
            n_jobs = min(effective_n_jobs(self.n_jobs), len(images) // CHUNK_IMAGES)
        if n_jobs == 1:
            normalized = normalize_digits(images, **params)
        else:
            # Shares of whole chunks: each image goes through the same
            # products, among the same images, as in one process.
            chunks = -(-len(images) // CHUNK_IMAGES)
            starts = [CHUNK_IMAGES * (chunks * job // n_jobs) for job in range(n_jobs)]
            stops = [*starts[1:], len(images)]
            normalized = np.concatenate(
                Parallel(n_jobs=n_jobs)(
                    delayed(normalize_digits)(images[start:stop], **params)
                    for start, stop in zip(starts, stops, strict=True)
                )
            )
        return normalized.reshape(len(normalized), -1)

    def _images(self, X, reset):
        """`X` checked, as a stack of square images."""
        check_normalizer_params(self.deskew, self.aspect, type(self).__name__)
        n_jobs = self.n_jobs
        if n_jobs is not None and (
            not isinstance(n_jobs, Integral) or isinstance(n_jobs, bool) or n_jobs == 0
        ):
            raise ValueError(
                f"The 'n_jobs' parameter of {type(self).__name__} must be an int "
                f"other than 0, or None. Got {n_jobs!r} instead."
            )
        X = _pixel_rows(self, X, reset=reset)
        side = math.isqrt(X.shape[1])
        if side * side != X.shape[1]:
            raise ValueError(
                f"{type(self).__name__} takes square images, but X has "
                f"{X.shape[1]} features, not a perfect square; pass images of "
                "shape (n_samples, side, side) or their flat rows."
            )
        return X.reshape(len(X), side, side)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Stacks of square images, flat or not; not any table of features.
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = []
        return tags


def _pixel_rows(estimator, X, *, reset):
    """`X` validated as rows of pixels in [0, 255], images flattened: uint8
    as it came (MNIST's pixels, never copied), any other dtype as float32."""
    if not (issparse(X) or hasattr(X, "columns")):
        X = np.asarray(X)
        if X.ndim == 3:
            X = X.reshape(len(X), -1)
    if reset:
        X = validate_data(estimator, X, reset=True, dtype=[np.float32, np.uint8])
    else:
        X = validate_rows(estimator, X, (np.float32, np.uint8))
    check_pixel_range(X, type(estimator).__name__)
    return X
