"""Writer adaptation: a fitted model fine-tuned on a few of a user's digits.

A model trained on MNIST alone misreads some hands (bold pens, another
school's shapes) however it is trained; a few labelled digits of that hand
teach it. :func:`adapt_digits` continues training each network of a copy of
the model on the user's digits, repeated, mixed with MNIST training digits
(rehearsal, so that the network does not forget the writers it read), with
the default preset's augmentation distorting both anew in every epoch
(whatever the model was trained with) and a learning rate that falls from
a fraction of the training's to zero.
:func:`cross_validate_adaptation` measures, by stratified k-fold on the
user's digits, how the adapted model reads the ones it did not see, against
the original.
"""

import copy
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import check_random_state

from ..presets import ADAPTATION, ADAPTATION_AUGMENTATION

# The fine-tuning's settings, chosen on validation (see presets.py).
EPOCHS, LEARNING_RATE, REPEATS, N_REHEARSAL = (
    ADAPTATION[name] for name in ("epochs", "learning_rate", "repeats", "n_rehearsal")
)
# Whatever the model was trained with, the fine-tuning's own settings.
FINE_TUNING = {
    "warm_start": True,
    "early_stopping": False,
    "validation_split": 0.0,
    "learning_rate_schedule": "cosine",
    "verbose": 0,
    **ADAPTATION_AUGMENTATION,
}
FINE_TUNED = (*FINE_TUNING, "epochs", "learning_rate", "random_state")
# Folds of the cross-validation, at most (fewer when a label has fewer digits).
MAX_FOLDS = 5


def adapt_digits(
    model,
    X,
    y,
    X_rehearsal,
    y_rehearsal,
    *,
    epochs=EPOCHS,
    learning_rate=LEARNING_RATE,
    repeats=REPEATS,
    n_rehearsal=N_REHEARSAL,
    random_state=None,
):
    """Fine-tune a copy of a fitted digit model on a few of a user's digits.

    Parameters
    ----------
    model : Pipeline, VotingClassifier or CalibratedClassifierCV
        A fitted :func:`~digit_classifier.make_digit_pipeline` pipeline or
        :func:`~digit_classifier.make_digit_committee` committee, or one of
        them calibrated (as :func:`~digit_classifier.load_model` returns a
        model that ``digit-classifier train`` wrote); it is not changed.

    X : array-like of shape (n_samples, 28, 28) or (n_samples, 784)
        The user's digits in MNIST's form, raw pixels in [0, 255] (as
        :func:`~digit_classifier.load_digit_image` returns them).

    y : array-like of shape (n_samples,)
        Their labels, among the model's classes.

    X_rehearsal, y_rehearsal : array-like
        Training digits of the model (MNIST's) and their labels, of which
        `n_rehearsal` are drawn to train with, so that it keeps reading them.

    epochs : int, default=10
        Passes over the user's digits (each `repeats` times) and the
        rehearsal digits.

    learning_rate : float, default=1e-3
        The fine-tuning's starting rate, falling along half a cosine to 0.

    repeats : int, default=50
        Copies of each of the user's digits in an epoch, each distorted
        anew (turned, elastically distorted, made coarse: the default
        preset's augmentation).

    n_rehearsal : int, default=10000
        MNIST digits trained with.

    random_state : int, RandomState instance or None, default=None
        Seeds the rehearsal digits drawn and, through each network's own
        seeds, the shuffling and distortions.

    Returns
    -------
    adapted : same type as `model`
        A copy of `model` whose networks learnt the user's digits; its
        parameters (and so what a later ``fit`` does) are the original's,
        its temperature too.

    Raises
    ------
    ValueError
        If a label of `y` is not one of the model's classes, or the images
        are not digits of the model's size.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import make_digit_pipeline
    >>> from digit_classifier.model import adapt_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X.reshape(-1, 8, 8) * 255 / 16
    >>> pipe = make_digit_pipeline("fast", hidden_layer_sizes=(32,), random_state=0)
    >>> pipe = pipe.fit(X[:1000], y[:1000])
    >>> inverted = 255 - X[1000:1100]  # a "hand" the model never saw
    >>> adapted = adapt_digits(pipe, inverted[:50], y[1000:1050], X[:1000],
    ...                        y[:1000], epochs=3, random_state=0)
    >>> bool(adapted.score(inverted[50:], y[1050:1100])
    ...      > pipe.score(inverted[50:], y[1050:1100]))
    True
    """
    X, y = _checked_digits(model, X, y, "X", "y")
    X_rehearsal, y_rehearsal = _checked_digits(
        model, X_rehearsal, y_rehearsal, "X_rehearsal", "y_rehearsal"
    )
    rng = check_random_state(random_state)
    n_rehearsal = min(n_rehearsal, len(X_rehearsal))
    rows = rng.choice(len(X_rehearsal), n_rehearsal, replace=False)
    X_train = np.concatenate([np.repeat(X, repeats, axis=0), X_rehearsal[rows]])
    y_train = np.concatenate([np.repeat(y, repeats), y_rehearsal[rows]])

    adapted = copy.deepcopy(model)
    for pipeline in _pipelines(adapted):
        *front, (_, mlp) = pipeline.steps
        X_mlp = pipeline[:-1].transform(X_train) if front else X_train
        kept = mlp.get_params(deep=False)
        mlp.set_params(
            **FINE_TUNING,
            epochs=epochs,
            learning_rate=learning_rate,
            random_state=_seed(rng),
        )
        try:
            mlp.fit(X_mlp, y_train)
        finally:
            mlp.set_params(**{name: kept[name] for name in FINE_TUNED})
    return adapted


@dataclass
class AdaptationScores:
    """How a model reads a user's digits before and after adapting to them.

    Each digit is read by a model adapted to the other folds' digits only.

    Attributes
    ----------
    y : ndarray of shape (n_samples,)
        The user's labels.
    original_predicted : ndarray of shape (n_samples,)
        What the original model reads.
    adapted_predicted : ndarray of shape (n_samples,)
        What the model adapted to the other folds reads.
    n_folds : int
        The folds of the stratified k-fold.
    """

    y: np.ndarray
    original_predicted: np.ndarray
    adapted_predicted: np.ndarray
    n_folds: int

    @property
    def original(self):
        """The original model's accuracy on the user's digits."""
        return float(np.mean(self.original_predicted == self.y))

    @property
    def adapted(self):
        """The cross-validated accuracy of the adapted models."""
        return float(np.mean(self.adapted_predicted == self.y))

    @property
    def gain(self):
        """``adapted - original``, in accuracy."""
        return self.adapted - self.original

    def by_label(self):
        """``{label: (digits, original accuracy, adapted accuracy)}``."""
        return {
            label.item(): (
                int(np.sum(rows)),
                float(np.mean(self.original_predicted[rows] == label)),
                float(np.mean(self.adapted_predicted[rows] == label)),
            )
            for label in np.unique(self.y)
            for rows in [self.y == label]
        }


def cross_validate_adaptation(
    model, X, y, X_rehearsal, y_rehearsal, *, random_state=None, **adapt_params
):
    """How well adapting reads a user's digits it did not see, against the original.

    Stratified k-fold over the user's digits: each fold's digits are read by
    the model adapted to the other folds' (:func:`adapt_digits`), so the
    adapted accuracy is that of digits the adaptation never saw, as the
    user's next digits will be.

    Parameters
    ----------
    model, X, y, X_rehearsal, y_rehearsal
        As for :func:`adapt_digits`; every label of `y` needs 2 digits or
        more.

    random_state : int, RandomState instance or None, default=None
        Seeds the folds and each fold's adaptation.

    **adapt_params
        :func:`adapt_digits`'s settings: ``epochs``, ``learning_rate``,
        ``repeats``, ``n_rehearsal``.

    Returns
    -------
    scores : AdaptationScores
        What the original and the adapted models read of the user's
        digits, over ``min(5, fewest digits of a label)`` folds.

    Raises
    ------
    ValueError
        If a label has fewer than 2 digits, or as :func:`adapt_digits`.
    """
    X, y = _checked_digits(model, X, y, "X", "y")
    labels, counts = np.unique(y, return_counts=True)
    if counts.min() < 2:
        raise ValueError(
            f"Cross-validating the adaptation needs 2 digits or more of each "
            f"label, but label {labels[counts.argmin()]} has {counts.min()}."
        )
    rng = check_random_state(random_state)
    n_folds = min(MAX_FOLDS, int(counts.min()))
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=_seed(rng))
    predicted = np.empty_like(y)
    for train, test in folds.split(X, y):
        adapted = adapt_digits(
            model,
            X[train],
            y[train],
            X_rehearsal,
            y_rehearsal,
            random_state=_seed(rng),
            **adapt_params,
        )
        predicted[test] = adapted.predict(X[test])
    return AdaptationScores(y, model.predict(X), predicted, n_folds)


def _seed(rng):
    return int(rng.randint(np.iinfo(np.int32).max))


def _pipelines(model):
    """The pipelines of a (calibrated) pipeline or committee, to fine-tune."""
    if hasattr(model, "calibrated_classifiers_"):
        model = model.estimator.estimator  # CalibratedClassifierCV(FrozenEstimator)
    if hasattr(model, "estimators_"):
        return list(model.estimators_)
    return [model]


def _checked_digits(model, X, y, X_name, y_name):
    """`X` as an array of images or rows and `y` as labels of the model's."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim not in (2, 3) or len(X) == 0:
        raise ValueError(
            f"{X_name} must be digits of shape (n_samples, height, width) or "
            f"(n_samples, n_pixels) with n_samples >= 1; got shape {X.shape}."
        )
    if y.shape != (len(X),):
        raise ValueError(
            f"{y_name} must hold one label per digit of {X_name}: {len(X)} "
            f"labels, got shape {y.shape}."
        )
    unknown = np.setdiff1d(y, model.classes_)
    if unknown.size:
        raise ValueError(
            f"{y_name} has labels the model does not have: "
            f"{', '.join(map(str, unknown))}; its classes are "
            f"{', '.join(map(str, model.classes_))}."
        )
    return X, y
