"""Writer adaptation: a fitted model fine-tuned on a few of a user's digits.

A model trained on MNIST alone misreads some hands (bold pens, another
school's shapes) however it is trained; a few labelled digits of that hand
teach it. :func:`adapt_digits` continues training each network of a copy of
the model on the user's digits, repeated; on MNIST training digits written
in the user's hand (its stroke width, proportions and turn measured from
the user's digits: :mod:`digit_classifier.images._hands`), so that the
network learns the hand from thousands of digits, not ten; and on MNIST
training digits as they are (rehearsal, so that it does not forget the
writers it read). The default preset's augmentation distorts them all anew
in every epoch, whatever the model was trained with, and the learning rate
falls from a fraction of the training's to zero.
:func:`cross_validate_adaptation` measures, by stratified k-fold on the
user's digits, how the adapted model reads the ones it did not see, against
the original.
"""

import copy
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import VotingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state

from ..images import IMAGE_SIZE
from ..images._hands import measure_hand, write_in_hand
from ..presets import ADAPTATION, ADAPTATION_AUGMENTATION

# The fine-tuning's settings, chosen on validation (see presets.py).
EPOCHS, LEARNING_RATE, REPEATS, N_REHEARSAL, N_IN_HAND = (
    ADAPTATION[name]
    for name in ("epochs", "learning_rate", "repeats", "n_rehearsal", "n_in_hand")
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
MAX_FOLDS = 3


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
    n_in_hand=N_IN_HAND,
    hand=None,
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

    epochs : int, default=8
        Passes over the user's digits (each `repeats` times), the digits
        in their hand and the rehearsal digits.

    learning_rate : float, default=1e-3
        The fine-tuning's starting rate, falling along half a cosine to 0.

    repeats : int, default=20
        Copies of each of the user's digits in an epoch, each distorted
        anew (turned, elastically distorted, made coarse: the default
        preset's augmentation).

    n_rehearsal : int, default=10000
        Digits of `X_rehearsal` trained with as they are.

    n_in_hand : int, default=5000
        Digits of `X_rehearsal` trained with written in the user's hand
        (28x28 digits only; none for other sizes).

    hand : Hand, default=None
        The user's hand (:func:`user_hand`); None measures it from `X`.

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
    TypeError
        If `model` is not a fitted pipeline or committee.
    ValueError
        If a label of `y` is not one of the model's classes, or `X` and
        `y` do not match.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from digit_classifier import make_digit_pipeline
    >>> from digit_classifier.model import adapt_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X.reshape(-1, 8, 8) * 255 / 16
    >>> pipe = make_digit_pipeline("fast", hidden_layer_sizes=(32,), random_state=0)
    >>> pipe = pipe.fit(X[:1000], y[:1000])
    >>> mirrored = X[1000:1300, :, ::-1]  # a hand that writes mirror-wise
    >>> adapted = adapt_digits(pipe, mirrored[:100], y[1000:1100], X[:1000],
    ...                        y[:1000], random_state=0)
    >>> before = pipe.score(mirrored[100:], y[1100:1300])
    >>> after = adapted.score(mirrored[100:], y[1100:1300])
    >>> bool(after > before + 0.1)  # about 36% -> 63% of the others
    True
    """
    _pipelines(model)  # a TypeError before any work, if it is not one
    X, y = _checked_digits(model, X, y, "X", "y")
    X_rehearsal, y_rehearsal = _checked_digits(
        model, X_rehearsal, y_rehearsal, "X_rehearsal", "y_rehearsal"
    )
    rng = check_random_state(random_state)
    rows = rng.permutation(len(X_rehearsal))
    plain = rows[:n_rehearsal]
    X_parts = [_rows(np.repeat(X, repeats, axis=0)), _rows(X_rehearsal[plain])]
    y_parts = [np.repeat(y, repeats), y_rehearsal[plain]]
    if n_in_hand and _is_mnist_sized(X):
        if hand is None:
            hand = user_hand(model, X, y, X_rehearsal, y_rehearsal)
        # Other digits than the plain ones, when there are enough.
        in_hand = np.roll(rows, -n_rehearsal)[:n_in_hand]
        X_parts.append(_rows(write_in_hand(X_rehearsal[in_hand], hand)))
        y_parts.append(y_rehearsal[in_hand])
    X_train, y_train = np.concatenate(X_parts), np.concatenate(y_parts)

    adapted = copy.deepcopy(model)
    for pipeline in _pipelines(adapted):
        mlp = pipeline[-1]
        X_mlp = pipeline[:-1].transform(X_train) if len(pipeline) > 1 else X_train
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


def user_hand(model, X, y, X_rehearsal, y_rehearsal):
    """The user's hand, measured from their digits against MNIST's.

    Parameters
    ----------
    model : Pipeline, VotingClassifier or CalibratedClassifierCV
        The model to adapt: the turn of the hand is the one that, undone,
        lets it read the user's digits best.

    X, y, X_rehearsal, y_rehearsal
        As for :func:`adapt_digits`; 28x28 digits.

    Returns
    -------
    hand : Hand
        The stroke width, turn and proportions of the user's digits, for
        :func:`~digit_classifier.images._hands.write_in_hand`.
    """
    X, y = _checked_digits(model, X, y, "X", "y")
    classes = list(model.classes_)

    def log_likelihood(images, labels):
        proba = model.predict_proba(_rows(images))
        rows = np.arange(len(labels)), [classes.index(label) for label in labels]
        return np.log(np.maximum(proba[rows], 1e-12))

    return measure_hand(X, y, X_rehearsal, y_rehearsal, log_likelihood)


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
        ``repeats``, ``n_rehearsal``, ``n_in_hand``; each fold's hand is
        measured from its own digits.

    Returns
    -------
    scores : AdaptationScores
        What the original and the adapted models read of the user's
        digits, over ``min(3, fewest digits of a label)`` folds: each
        model adapts to two thirds of the digits (a half, with 2 of a
        label), so the figure is a little below what all of them teach.

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


def _rows(images):
    return images.reshape(len(images), -1)


def _is_mnist_sized(X):
    return X.shape[1:] in ((IMAGE_SIZE, IMAGE_SIZE), (IMAGE_SIZE * IMAGE_SIZE,))


def _seed(rng):
    return int(rng.randint(np.iinfo(np.int32).max))


def _pipelines(model):
    """The pipelines of a (calibrated) pipeline or committee, to fine-tune."""
    estimator = model
    if isinstance(estimator, CalibratedClassifierCV) and isinstance(
        estimator.estimator, FrozenEstimator
    ):
        estimator = estimator.estimator.estimator
    if isinstance(estimator, VotingClassifier) and hasattr(estimator, "estimators_"):
        return list(estimator.estimators_)
    if isinstance(estimator, Pipeline):
        return [estimator]
    raise TypeError(
        "adapt_digits fine-tunes a fitted digit pipeline or committee "
        "(make_digit_pipeline, make_digit_committee, or one calibrated as "
        f"load_model returns it), not {type(model).__name__}."
    )


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
