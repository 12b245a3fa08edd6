"""The ready-made pipeline from raw pixels to digit labels."""

from sklearn.pipeline import Pipeline

from .classifier import DigitMLPClassifier
from .preprocessing import PixelNormalizer


def make_digit_pipeline(**mlp_params):
    """Build a pipeline that scales raw pixels and classifies them.

    Parameters
    ----------
    **mlp_params
        Parameters of the :class:`DigitMLPClassifier` step, such as
        ``hidden_layer_sizes=(128, 64)`` or ``random_state=0``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        ``Pipeline([("normalize", PixelNormalizer()), ("mlp",
        DigitMLPClassifier(**mlp_params))])``; grid-search its classifier
        through ``mlp__`` parameters.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import make_digit_pipeline
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X * 255 / 16  # load_digits pixels are 0-16; raw pixels are 0-255
    >>> pipe = make_digit_pipeline(hidden_layer_sizes=(64,), random_state=0)
    >>> pipe = pipe.fit(X, y)
    >>> pipe.score(X, y) > 0.95
    True
    """
    return Pipeline(
        [("normalize", PixelNormalizer()), ("mlp", DigitMLPClassifier(**mlp_params))]
    )
