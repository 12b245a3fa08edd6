"""The private names of other packages that this library cannot do without.

Kept in this one module so that a release that moves them breaks one import,
and so that they are easy to review; it lives in the model's room, the only
one that needs them (scikeras imports TensorFlow). Checked with scikit-learn
1.8.0 to 1.9.1 and scikeras 0.13.0 (its last release):

- ``route_params``: scikeras routes prefixed parameters
  (``optimizer__beta_1=...``) to their destination with it; our fit uses it
  as scikeras's own fit does.
- ``Interval``, ``StrOptions``: scikit-learn's parameter constraints, the
  way for estimators outside scikit-learn to declare the
  ``_parameter_constraints`` that check_estimator's check_param_validation
  reads; scikit-learn has no public module for them.
- ``_CalibratedClassifier``, ``_TemperatureScaling`` (scikit-learn >= 1.8):
  what a fitted ``CalibratedClassifierCV(method="temperature")`` holds;
  :func:`temperature_calibrated` rebuilds one from a saved temperature.
"""

import numpy as np
from scikeras._utils import route_params
from sklearn.calibration import (
    CalibratedClassifierCV,
    _CalibratedClassifier,
    _TemperatureScaling,
)
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import Interval, StrOptions

__all__ = ["Interval", "StrOptions", "route_params", "temperature_calibrated"]


def temperature_calibrated(estimator, temperature):
    """``CalibratedClassifierCV(FrozenEstimator(estimator), method="temperature")``
    as if fitted to `temperature`, without data."""
    frozen = FrozenEstimator(estimator)
    scaling = _TemperatureScaling()
    scaling.beta_ = 1.0 / temperature
    calibrated = CalibratedClassifierCV(frozen, method="temperature")
    calibrated.calibrated_classifiers_ = [
        _CalibratedClassifier(
            frozen, [scaling], method="temperature", classes=estimator.classes_
        )
    ]
    calibrated.classes_ = np.asarray(estimator.classes_)
    calibrated.n_features_in_ = estimator.n_features_in_
    return calibrated
