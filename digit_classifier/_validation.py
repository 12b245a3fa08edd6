"""scikit-learn's input validation of fitted estimators, with a shortcut for
the arrays that a pipeline's steps pass on to each other."""

import numpy as np
from sklearn.utils.validation import validate_data


def validate_rows(estimator, X, dtypes):
    """`X` checked as ``validate_data(estimator, X, reset=False, dtype=dtypes)``
    checks it, and returned as it returns it.

    A 2D ndarray of one of `dtypes`, with rows, the fitted number of columns
    and finite values, is what ``validate_data`` returns unchanged; for it
    only those checks are made here, without ``validate_data``'s search for
    dataframes and feature names (most of the time a pipeline takes to
    predict one image). Anything else goes to ``validate_data``, which
    converts it or refuses it in scikit-learn's words.

    Parameters
    ----------
    estimator : fitted estimator
        With ``n_features_in_``.

    X : object
        The input to check.

    dtypes : tuple of numpy dtypes
        Kept as they are; other dtypes are converted to the first.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features_in_)
    """
    if (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype in dtypes
        and len(X) > 0
        and X.shape[1] == getattr(estimator, "n_features_in_", None)
        and not hasattr(estimator, "feature_names_in_")
        and (X.dtype.kind in "iu" or np.isfinite(X).all())
    ):
        return X
    return validate_data(estimator, X, reset=False, dtype=list(dtypes))
