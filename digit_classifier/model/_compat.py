"""The private names of other packages that this library cannot do without.

Kept in this one module so that a release that moves them breaks one import,
and so that they are easy to review; it lives in the model's room, the only
one that needs them (scikeras imports TensorFlow). Checked with scikit-learn
1.7.2 to 1.9.1 and scikeras 0.13.0 (its last release):

- ``route_params``: scikeras routes prefixed parameters
  (``optimizer__beta_1=...``) to their destination with it; our fit uses it
  as scikeras's own fit does.
- ``Interval``, ``StrOptions``: scikit-learn's parameter constraints, the
  way for estimators outside scikit-learn to declare the
  ``_parameter_constraints`` that check_estimator's check_param_validation
  reads; scikit-learn has no public module for them.
"""

from scikeras._utils import route_params
from sklearn.utils._param_validation import Interval, StrOptions

__all__ = ["Interval", "StrOptions", "route_params"]
