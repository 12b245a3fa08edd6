"""The model: the only part of the library that imports TensorFlow and Keras.

- :class:`DigitMLPClassifier`: the Keras MLP behind scikeras's
  ``KerasClassifier``, with scikit-learn's checks and tags;
- :mod:`._training`: its seeded ``tf.data`` input pipeline;
- :mod:`._augmentation`: the distortions drawn in that pipeline;
- :func:`make_digit_pipeline`: pixels to labels, from a preset, and
  :func:`make_digit_committee`: several such pipelines voting;
- :mod:`.tuning`: searching the hidden-layer sizes;
- :func:`calibrate_digits`: a fitted model's temperature and decline
  threshold, on validation digits;
- :func:`adapt_digits`: a fitted model fine-tuned on a few of a user's
  digits, and :func:`cross_validate_adaptation`, what that gains.

Prediction needs none of this: :mod:`digit_classifier.inference` computes a
fitted network with NumPy.
"""

from ._adaptation import (
    AdaptationScores,
    adapt_digits,
    cross_validate_adaptation,
    user_hand,
)
from ._calibration import calibrate_digits, digit_scores
from ._classifier import DigitMLPClassifier
from ._pipeline import make_digit_committee, make_digit_pipeline

__all__ = [
    "AdaptationScores",
    "DigitMLPClassifier",
    "adapt_digits",
    "calibrate_digits",
    "cross_validate_adaptation",
    "digit_scores",
    "make_digit_committee",
    "make_digit_pipeline",
    "user_hand",
]
