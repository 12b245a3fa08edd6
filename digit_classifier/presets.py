"""Named classifier settings: ``make_digit_pipeline(preset=...)`` and ``--preset``.

Kept apart from the classifier so that the command line can list them
without importing TensorFlow. Each was chosen on a validation split of MNIST's
training set, never on its test set; the README lists the test accuracy and
training time each reaches.
"""

PRESETS = {
    # The default network for a third of the epochs: a first model in seconds.
    "fast": {"epochs": 5},
    # DigitMLPClassifier's own defaults: 98.3-98.4% on MNIST in under a minute.
    "default": {},
    # A wider network, trained longer on digits randomly turned (up to 10
    # degrees) and moved (up to 2.8 pixels) anew in every epoch, inside the
    # network and in training only: over 99%, in about five minutes on two
    # CPU cores. Elastic distortion was left out: Keras's layer for it
    # distorts only the first image of a batch when the batch size is unknown.
    "accurate": {
        "hidden_layer_sizes": (1024, 1024),
        "dropout": 0.1,
        "learning_rate": 1e-3,
        "epochs": 30,
        "augment_rotation": 10.0,
        "augment_shift": 0.1,
    },
}


def describe_preset(name):
    """The settings of a preset as text, e.g. for the command line's help.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS`.

    Returns
    -------
    text : str
        ``name=value`` pairs, or a note that the preset keeps the defaults.

    Examples
    --------
    >>> describe_preset("fast")
    'epochs=5'
    """
    settings = PRESETS[name]
    if not settings:
        return "DigitMLPClassifier's defaults"
    return ", ".join(f"{key}={value!r}" for key, value in settings.items())
