"""Honest probabilities and a decline threshold, chosen on validation digits.

A network's probabilities are as right as they say on digits like its
training digits, and overconfident on the digits of other writers, pens and
scanners. :func:`calibrate_digits` fits a temperature (Guo et al., 2017:
scikit-learn's ``CalibratedClassifierCV(method="temperature")``) on
validation digits half as they are and half distorted as users' digits
differ from MNIST's (turned, slanted, elastically distorted, thicker or
thinner, coarse), so that the temperature sees that shift; and it chooses
the threshold of ``score_samples`` below which an input is not read as a
digit, on the undistorted validation digits.
"""

import math

import numpy as np
import tensorflow as tf
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.utils import check_random_state

from .._pixels import MAX_PIXEL_VALUE
from ._augmentation import augment

# The distortions of the validation digits the temperature is fitted on: a
# little more than the default preset trains with, as users' digits differ
# more from MNIST's than MNIST's own distorted ones do.
USER_SHIFT = {
    "rotation": 15.0,
    "shear": 0.2,
    "elastic": 0.03,
    "stroke": 0.5,
    "low_resolution": 0.5,
}
# Of the validation digits, the fraction score_samples accepts by default.
ACCEPT = 0.99


def calibrate_digits(model, X, y, *, accept=ACCEPT, random_state=None):
    """Fit a temperature and choose a decline threshold on validation digits.

    Parameters
    ----------
    model : Pipeline or VotingClassifier
        A fitted digit pipeline or committee
        (:func:`~digit_classifier.make_digit_pipeline`,
        :func:`~digit_classifier.make_digit_committee`) that takes raw
        pixels of square images; digits it was not trained on.

    X : array-like of shape (n_samples, height, width) or (n_samples, n_pixels)
        Validation digits, raw pixels in [0, 255].

    y : array-like of shape (n_samples,)
        Their labels.

    accept : float in (0, 1], default=0.99
        The fraction of the validation digits (as they are) whose
        ``score_samples`` is at least the threshold.

    random_state : int, RandomState instance or None, default=None
        Seeds the distortions.

    Returns
    -------
    calibrated : sklearn.calibration.CalibratedClassifierCV
        ``CalibratedClassifierCV(FrozenEstimator(model),
        method="temperature")`` fitted on the validation digits and their
        distorted copies; :func:`~digit_classifier.save_model` saves it.

    threshold : float
        The ``1 - accept`` quantile of the model's ``score_samples`` on `X`;
        give it to :func:`~digit_classifier.save_model`.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import make_digit_pipeline
    >>> from digit_classifier.model import calibrate_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X.reshape(-1, 8, 8) * 255 / 16
    >>> pipe = make_digit_pipeline("fast", hidden_layer_sizes=(32,), random_state=0)
    >>> pipe = pipe.fit(X[:1200], y[:1200])
    >>> calibrated, threshold = calibrate_digits(pipe, X[1200:], y[1200:],
    ...                                          random_state=0)
    >>> calibrated.predict_proba(X[:2]).shape, bool(
    ...     (pipe.score_samples(X[1200:]) >= threshold).mean() >= 0.99)
    ((2, 10), True)
    """
    if not 0 < accept <= 1:
        raise ValueError(f"accept must be in (0, 1], got {accept!r}.")
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y)
    rows = X.reshape(len(X), -1)
    side = math.isqrt(rows.shape[1])
    if side * side != rows.shape[1]:
        raise ValueError(
            f"calibrate_digits distorts square images, but X has {rows.shape[1]} "
            "pixels per image, not a perfect square."
        )
    scores = digit_scores(model, rows)
    threshold = float(np.quantile(scores, 1 - accept, method="lower"))
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max, size=2)
    distorted = augment(
        tf.constant(rows / MAX_PIXEL_VALUE),
        tf.constant(seed, dtype=tf.int64),
        side=side,
        **USER_SHIFT,
    )
    distorted = distorted.numpy() * MAX_PIXEL_VALUE
    calibrated = CalibratedClassifierCV(FrozenEstimator(model), method="temperature")
    calibrated.fit(np.concatenate([rows, distorted]), np.concatenate([y, y]))
    return calibrated, threshold


def digit_scores(model, X):
    """``score_samples`` of a pipeline, or its members' weighted mean for a
    committee (a VotingClassifier has none of its own), as
    :class:`~digit_classifier.inference.DigitCommittee` computes it."""
    if not hasattr(model, "estimators_"):
        return model.score_samples(X)
    scores = [member.score_samples(X) for member in model.estimators_]
    return np.average(scores, axis=0, weights=model.weights)
