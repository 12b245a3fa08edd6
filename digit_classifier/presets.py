"""Named classifier settings: ``make_digit_pipeline(preset=...)`` and ``--preset``.

Kept apart from the classifier so that the command line can show them
without importing TensorFlow. Each was chosen on validation data only: a
validation split of MNIST's training set and the UCI optdigits (real
handwriting of 13 other writers, drawn as scans), never on MNIST's test set
or the other real sets; the README lists what each reaches on all of them.

The rule: every preset names the network, dropout, learning rate and epochs
it trains with, and the augmentation it adds; any other setting is
:class:`~digit_classifier.DigitMLPClassifier`'s default. Those defaults are
a plain MLP for any data, without augmentation (which needs square images):
the ``fast`` preset's network and learning rate, for 15 epochs.
"""

# The settings every preset names, which the command line's options override.
NAMED_SETTINGS = ("hidden_layer_sizes", "dropout", "learning_rate", "epochs")

PRESETS = {
    # DigitMLPClassifier's defaults for a third of the epochs: a first model
    # in seconds, for MNIST's own digits.
    "fast": {
        "hidden_layer_sizes": (256, 128),
        "dropout": 0.3,
        "learning_rate": 2e-3,
        "epochs": 5,
    },
    # A network twice as wide as DigitMLPClassifier's default, trained on
    # digits randomly turned (up to 10 degrees) and, half of them, made
    # coarse (shrunk and enlarged back), anew in every epoch: 5 to 6 points
    # more on other writers' digits than the default network without them
    # (optdigits 94-95% against 89-90%), a little more on MNIST, in about a
    # minute. Shift, zoom, slant, elastic distortion and stroke-width changes
    # were measured too: each cost accuracy on the real digits.
    "default": {
        "hidden_layer_sizes": (512, 256),
        "dropout": 0.2,
        "learning_rate": 2e-3,
        "epochs": 20,
        "augment_rotation": 10.0,
        "augment_low_resolution": 0.5,
    },
    # A wider network, trained longer on digits randomly turned (up to 10
    # degrees), elastically distorted (Simard et al. 2003) and, half of
    # them, made coarse, anew in every epoch: over 99% on MNIST and about
    # 95-96% on optdigits, in about seven minutes on two CPU cores. Random
    # shifts gained a little on MNIST but cost a point on optdigits.
    "accurate": {
        "hidden_layer_sizes": (1024, 1024),
        "dropout": 0.2,
        "learning_rate": 1e-3,
        "epochs": 60,
        "augment_rotation": 10.0,
        "augment_elastic": 0.03,
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
        ``name=value`` pairs.

    Examples
    --------
    >>> describe_preset("fast")
    'hidden_layer_sizes=(256, 128), dropout=0.3, learning_rate=0.002, epochs=5'
    """
    return ", ".join(f"{key}={value!r}" for key, value in PRESETS[name].items())


def describe_setting(key, show=repr):
    """One named setting across the presets, e.g. ``'5 (fast), 20 (default), ...'``.

    Parameters
    ----------
    key : str
        One of :data:`NAMED_SETTINGS`.

    show : callable, default=repr
        How to write a value.

    Returns
    -------
    text : str

    Examples
    --------
    >>> describe_setting("epochs")
    '5 (fast), 20 (default), 60 (accurate)'
    """
    return ", ".join(f"{show(PRESETS[name][key])} ({name})" for name in PRESETS)
