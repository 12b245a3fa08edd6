"""Named classifier settings: ``make_digit_pipeline(preset=...)`` and ``--preset``.

Kept apart from the classifier so that the command line can list them
without importing TensorFlow. Each was chosen on validation data only: a
validation split of MNIST's training set and the UCI optdigits (real
handwriting of 13 other writers, drawn as scans), never on MNIST's test set
or the other real sets; the README lists what each reaches on all of them.
"""

PRESETS = {
    # DigitMLPClassifier's defaults for a third of the epochs: a first model
    # in seconds, for MNIST's own digits.
    "fast": {"epochs": 5},
    # The default network trained on digits of which half are made coarse
    # anew in every epoch (shrunk and enlarged back): 4 to 5 points more on
    # other writers' digits than without (optdigits 94% against 89-90%), at
    # the same accuracy on MNIST, in well under a minute. Rotation, shift,
    # slant, elastic distortion and stroke-width changes were measured too:
    # each cost accuracy on the real digits at this size.
    "default": {"epochs": 20, "augment_low_resolution": 0.5},
    # A wider network, trained longer on digits randomly turned (up to 10
    # degrees), moved (up to 2.8 pixels) and, half of them, made coarse, anew
    # in every epoch: over 99% on MNIST and about 95% on optdigits, in a few
    # minutes on two CPU cores.
    "accurate": {
        "hidden_layer_sizes": (1024, 1024),
        "dropout": 0.1,
        "learning_rate": 1e-3,
        "epochs": 30,
        "augment_rotation": 10.0,
        "augment_shift": 0.1,
        "augment_low_resolution": 0.5,
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
