"""Named classifier settings: ``make_digit_pipeline(preset=...)`` and ``--preset``.

Kept apart from the classifier so that the command line can show them
without importing TensorFlow. Each was chosen on validation data only: a
validation split of MNIST's training set and the UCI optdigits (real
handwriting of 13 other writers, drawn as scans), never on MNIST's test set
or the other real sets; the README lists what each reaches on all of them.

Each preset names its ``members``: one (a pipeline) or several (a
committee), each with the :class:`~digit_classifier.DigitNormalizer`
settings it reads the digits with; its classifier settings, ``mlp``; and
``accept``, the fraction of held-out training digits whose ``score_samples``
its "not a digit" threshold accepts (``train`` chooses it so; see
:func:`~digit_classifier.model.calibrate_digits`).
The rule: every preset names the network, dropout, learning rate and epochs
it trains with, the augmentation it adds and its outlier exposure (5%
synthesised non-digits, so that the model can tell what is not a digit:
on validation, the same accuracy, the fit 1-10% longer); any other setting is
:class:`~digit_classifier.DigitMLPClassifier`'s default. Those defaults are
a plain MLP for any data, without augmentation (which needs square images):
the ``fast`` preset's network and learning rate, for 15 epochs.
"""

# The settings every preset names, which the command line's options override.
NAMED_SETTINGS = ("hidden_layer_sizes", "dropout", "learning_rate", "epochs")

PRESETS = {
    # DigitMLPClassifier's defaults for a third of the epochs, on deskewed
    # digits: a first model in seconds, for MNIST's own digits.
    "fast": {
        "members": {"sqrt": {"deskew": True, "aspect": "sqrt"}},
        "mlp": {
            "hidden_layer_sizes": (256, 128),
            "dropout": 0.3,
            "learning_rate": 2e-3,
            "epochs": 5,
            "outlier_exposure": 0.05,
        },
        "accept": 0.99,
    },
    # A network twice as wide as DigitMLPClassifier's default, on digits
    # deskewed with their aspect ratio mapped to its square root (Liu et
    # al. 2004), trained on copies randomly turned (up to 10 degrees),
    # elastically distorted a little and, half of them, made coarse, anew in
    # every epoch. On validation (MNIST's last 10,000 training digits, and
    # optdigits): 99.01% and 95.66%, against 98.56% and 95.38% without the
    # normalization and the elastic distortion. A committee of two such
    # networks for 12 epochs each, in the same time, read 98.89% and
    # 95.05%; the deskewed digits with their aspect ratio kept or filled,
    # 98.80-98.85% and 94-95%.
    "default": {
        "members": {"sqrt": {"deskew": True, "aspect": "sqrt"}},
        "mlp": {
            "hidden_layer_sizes": (512, 256),
            "dropout": 0.2,
            "learning_rate": 2e-3,
            "epochs": 20,
            "augment_rotation": 10.0,
            "augment_elastic": 0.02,
            "augment_low_resolution": 0.5,
            "outlier_exposure": 0.05,
        },
        # Accepting 99% of the held-out digits declines 1.1% of optdigits'
        # scans and 90% of the validation non-digits.
        "accept": 0.99,
    },
    # A committee of three wider networks, trained longer, that read the
    # digits each their own way: as they are, deskewed with the square root
    # of their aspect ratio, and deskewed filling the box. On validation:
    # 99.32% on MNIST and 96.83% on optdigits, against 99.13-99.22% and
    # 95.2-96.5% for each alone; about ten minutes on two CPU cores.
    "accurate": {
        "members": {
            "plain": {"deskew": False, "aspect": "keep"},
            "sqrt": {"deskew": True, "aspect": "sqrt"},
            "fill": {"deskew": True, "aspect": "fill"},
        },
        "mlp": {
            "hidden_layer_sizes": (1024, 1024),
            "dropout": 0.2,
            "learning_rate": 1e-3,
            "epochs": 40,
            "augment_rotation": 10.0,
            "augment_elastic": 0.03,
            "augment_low_resolution": 0.5,
            "outlier_exposure": 0.05,
        },
        # Surer of MNIST's digits than of other writers' than one network
        # is: accepting 99% of the held-out digits declined 4.0% of
        # optdigits' scans, 99.5% declines 1.5% (and 92% of the non-digits).
        "accept": 0.995,
    },
}

# How ``digit-classifier adapt`` fine-tunes a model on a user's digits
# (:func:`~digit_classifier.model.adapt_digits`): epochs over the user's
# digits, each repeated, MNIST training digits written in the user's hand
# (its stroke width, proportions and turn) and MNIST training digits as
# they are (rehearsal), from a starting rate falling along half a cosine
# to 0. Chosen on validation (``benchmarks/adapt_writers.py --rehearsal
# 55000``: the default preset's network fitted on MNIST's first 55,000
# training digits; four synthetic hands made of MNIST's last 5,000, bold,
# bold and turned, squat and wide, that it reads 60-94% right; 10 samples
# per digit): without digits in the hand (``n_in_hand=0``) the hands' other
# digits are read 92.1, 91.6, 92.3 and 96.6% right; with 5,000, 94.8, 94.8,
# 95.4 and 97.8%, at -0.10 to -0.20 point of validation MNIST; with 10,000,
# 0.2-1.2 points more, at up to -0.32 point. 10,000 rehearsal digits rather
# than 5,000 cut the loss on MNIST from 0.47 to 0.17 point (without them).
ADAPTATION = {
    "epochs": 8,
    "learning_rate": 1e-3,
    "repeats": 20,
    "n_rehearsal": 10_000,
    "n_in_hand": 5_000,
}
# The distortions of the fine-tuning, whatever the model was trained with:
# the default preset's. Without them a few repeated digits are learnt by
# heart (the fast preset's network, adapted without: 84% -> 83% on a hand).
ADAPTATION_AUGMENTATION = {
    name: value
    for name, value in PRESETS["default"]["mlp"].items()
    if name.startswith("augment_")
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
        Its members' normalizations, then its classifier's settings.

    Examples
    --------
    >>> describe_preset("fast")  # doctest: +NORMALIZE_WHITESPACE
    'sqrt (deskew=True, aspect=sqrt); hidden_layer_sizes=(256, 128),
     dropout=0.3, learning_rate=0.002, epochs=5, outlier_exposure=0.05'
    """
    members = ", ".join(
        f"{member} (deskew={normalizer['deskew']}, aspect={normalizer['aspect']})"
        for member, normalizer in PRESETS[name]["members"].items()
    )
    if len(PRESETS[name]["members"]) > 1:
        members = f"a committee of {members}"
    settings = ", ".join(f"{k}={v!r}" for k, v in PRESETS[name]["mlp"].items())
    return f"{members}; {settings}"


def describe_setting(key):
    """One named setting across the presets, e.g. ``'5 (fast), 20 (default), ...'``.

    Parameters
    ----------
    key : str
        One of :data:`NAMED_SETTINGS`.

    Returns
    -------
    text : str
        Each preset's value, as the command line's option takes it
        (``512,256`` for hidden layer sizes).

    Examples
    --------
    >>> describe_setting("epochs")
    '5 (fast), 20 (default), 40 (accurate)'
    >>> describe_setting("hidden_layer_sizes")
    '256,128 (fast), 512,256 (default), 1024,1024 (accurate)'
    """
    return ", ".join(f"{_text(PRESETS[name]['mlp'][key])} ({name})" for name in PRESETS)


def _text(value):
    if isinstance(value, tuple):  # hidden layer sizes, as --hidden takes them
        return ",".join(map(str, value)) or "none"
    return repr(value)


def is_committee(name):
    """Whether a preset trains a committee (several members), or one pipeline.

    Examples
    --------
    >>> is_committee("fast"), is_committee("accurate")
    (False, True)
    """
    return len(PRESETS[name]["members"]) > 1
