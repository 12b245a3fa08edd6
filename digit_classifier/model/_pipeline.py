"""The ready-made models from raw pixels to digit labels: a pipeline, and a
committee of pipelines that normalize the digits differently.
"""

from numbers import Integral

from sklearn.ensemble import VotingClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state

from ..preprocessing import DigitNormalizer, PixelNormalizer
from ..presets import PRESETS
from ._classifier import DigitMLPClassifier

# Seeds handed to the members of a committee must fit in an int32.
_MAX_SEED = 2**31 - 1


def make_digit_pipeline(preset="default", *, deskew=None, aspect=None, **mlp_params):
    """Build a pipeline that normalizes digits, scales raw pixels and classifies.

    Parameters
    ----------
    preset : {"fast", "default", "accurate"}, default="default"
        Starting settings, from :data:`digit_classifier.presets.PRESETS`:
        the digits' normalization and the classifier's network, training
        and augmentation; a committee preset's first member's normalization.
        The presets' augmentation needs square images (28x28, 8x8); for
        other data pass ``augment_low_resolution=0`` (and ``augment_*``).

    deskew, aspect : default=None
        The :class:`DigitNormalizer` step's parameters; None keeps the
        preset's.

    **mlp_params
        Parameters of the :class:`DigitMLPClassifier` step, such as
        ``hidden_layer_sizes=(128, 64)`` or ``random_state=0``; they take
        precedence over the preset's.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        ``Pipeline([("digit", DigitNormalizer(...)), ("normalize",
        PixelNormalizer()), ("mlp", DigitMLPClassifier(...))])``;
        grid-search it through ``digit__`` and ``mlp__`` parameters.

    See Also
    --------
    make_digit_committee : Several such pipelines voting.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import make_digit_pipeline
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X.reshape(-1, 8, 8) * 255 / 16  # raw pixels are 0-255
    >>> pipe = make_digit_pipeline(hidden_layer_sizes=(64,), random_state=0)
    >>> pipe = pipe.fit(X, y)
    >>> pipe.score(X, y) > 0.9  # trained on distorted copies: about 0.95
    True
    >>> [name for name, _ in pipe.steps]
    ['digit', 'normalize', 'mlp']
    >>> make_digit_pipeline("fast")["mlp"].epochs
    5
    """
    settings = _preset(preset)
    normalizer = next(iter(settings["members"].values()))
    given = {"deskew": deskew, "aspect": aspect}
    normalizer = {**normalizer, **{k: v for k, v in given.items() if v is not None}}
    return Pipeline(
        [
            ("digit", DigitNormalizer(**normalizer)),
            ("normalize", PixelNormalizer()),
            ("mlp", DigitMLPClassifier(**{**settings["mlp"], **mlp_params})),
        ]
    )


def make_digit_committee(preset="accurate", *, members=None, n_jobs=None, **mlp_params):
    """Build a committee of digit pipelines that vote with their probabilities.

    Each member is a :func:`make_digit_pipeline` pipeline that normalizes
    the digits its own way and is seeded apart; scikit-learn's
    :class:`~sklearn.ensemble.VotingClassifier` averages their probabilities
    (soft voting). Writers differ in ways no single normalization removes:
    a digit read by several views of it is read better (Meier et al. 2011,
    Ciresan et al. 2011).

    Parameters
    ----------
    preset : {"fast", "default", "accurate"}, default="accurate"
        Starting settings, as for :func:`make_digit_pipeline`, and the
        members' normalizations.

    members : dict of str to dict, default=None
        Each member's name and :class:`DigitNormalizer` parameters, e.g.
        ``{"keep": {"deskew": True, "aspect": "keep"}, ...}``; None takes
        the preset's.

    n_jobs : int, default=None
        Members trained at once, in worker processes (joblib); TensorFlow
        in each takes the cores, so on few cores 1 is as fast.

    **mlp_params
        Parameters of every member's :class:`DigitMLPClassifier`; an int
        ``random_state`` seeds the members with it, it plus 1, ...

    Returns
    -------
    committee : sklearn.ensemble.VotingClassifier
        With ``voting="soft"``; grid-search it through ``weights`` and
        ``<member>__digit__`` or ``<member>__mlp__`` parameters.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import make_digit_committee
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X.reshape(-1, 8, 8) * 255 / 16
    >>> plain, upright = {"deskew": False, "aspect": "keep"}, {"deskew": True}
    >>> committee = make_digit_committee(
    ...     "fast", members={"plain": plain, "upright": upright},
    ...     hidden_layer_sizes=(32,), epochs=10, random_state=0,
    ... )
    >>> committee = committee.fit(X, y)
    >>> [name for name, _ in committee.estimators], committee.score(X, y) > 0.9
    (['plain', 'upright'], True)
    """
    settings = _preset(preset)
    members = settings["members"] if members is None else members
    seeds = _member_seeds(mlp_params.pop("random_state", None), len(members))
    estimators = [
        (
            name,
            make_digit_pipeline(preset, **normalizer, random_state=seed, **mlp_params),
        )
        for (name, normalizer), seed in zip(members.items(), seeds, strict=True)
    ]
    return VotingClassifier(estimators, voting="soft", n_jobs=n_jobs)


def _preset(name):
    if name not in PRESETS:
        raise ValueError(
            f"Unknown preset {name!r}; choose one of {', '.join(map(repr, PRESETS))}."
        )
    return PRESETS[name]


def _member_seeds(random_state, n_members):
    """A seed for each member: apart, and reproducible from `random_state`."""
    if random_state is None:
        return [None] * n_members
    if isinstance(random_state, Integral):
        return [int(random_state) + i for i in range(n_members)]
    rng = check_random_state(random_state)
    return [int(rng.randint(_MAX_SEED)) for _ in range(n_members)]
