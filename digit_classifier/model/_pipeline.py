"""The ready-made pipeline from raw pixels to digit labels."""

from sklearn.pipeline import Pipeline

from ..preprocessing import PixelNormalizer
from ..presets import PRESETS
from ._classifier import DigitMLPClassifier


def make_digit_pipeline(preset="default", **mlp_params):
    """Build a pipeline that scales raw pixels and classifies them.

    Parameters
    ----------
    preset : {"fast", "default", "accurate"}, default="default"
        Starting settings of the classifier, from
        :data:`digit_classifier.presets.PRESETS`: "default" trains the
        default network for 20 epochs on images of which half are made
        coarse anew in every epoch (it reads other writers' digits better);
        "fast" trains it for 5 epochs without augmentation; "accurate"
        trains a wider network for longer on augmented images (minutes on a
        CPU rather than seconds, over 99% on MNIST). The presets' settings
        need square images (28x28, 8x8); for other data pass
        ``augment_low_resolution=0``.

    **mlp_params
        Parameters of the :class:`DigitMLPClassifier` step, such as
        ``hidden_layer_sizes=(128, 64)`` or ``random_state=0``; they take
        precedence over the preset's.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        ``Pipeline([("normalize", PixelNormalizer()), ("mlp",
        DigitMLPClassifier(**params))])``; grid-search its classifier
        through ``mlp__`` parameters.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import make_digit_pipeline
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X * 255 / 16  # load_digits pixels are 0-16; raw pixels are 0-255
    >>> pipe = make_digit_pipeline(hidden_layer_sizes=(64,), random_state=0)
    >>> pipe = pipe.fit(X, y)
    >>> pipe.score(X, y) > 0.9  # trained on distorted copies: about 0.95
    True
    >>> make_digit_pipeline("fast")["mlp"].epochs
    5
    """
    if preset not in PRESETS:
        raise ValueError(
            f"Unknown preset {preset!r}; choose one of {', '.join(map(repr, PRESETS))}."
        )
    params = {**PRESETS[preset], **mlp_params}
    return Pipeline(
        [("normalize", PixelNormalizer()), ("mlp", DigitMLPClassifier(**params))]
    )
