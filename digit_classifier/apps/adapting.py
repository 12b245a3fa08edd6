"""Adapt a model file to a user's handwriting: ``digit-classifier adapt``.

:func:`adapt_model` reads the model and the user's samples folder
(:mod:`digit_classifier.samples`), measures by cross-validation what
adapting gains on the user's digits, fine-tunes the model on all of them
with MNIST training digits as rehearsal
(:func:`~digit_classifier.model.adapt_digits`), and returns an
:class:`Adaptation` that writes the new model file, which records where it
came from. Scripts call it as the command does::

    from digit_classifier.adapting import adapt_model

    adaptation = adapt_model("model.zip", "samples/")
    print(adaptation.report)  # the cross-validated accuracy, by label
    adaptation.write("adapted.zip")
"""

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from ..images import IMAGE_SIZE
from ..persistence import load_model, load_predictor, save_model
from ..presets import ADAPTATION
from ..samples import load_samples


@dataclass
class Adaptation:
    """A model adapted to a user's digits, and what it gains on them.

    Attributes
    ----------
    model : Pipeline, VotingClassifier or CalibratedClassifierCV
        The adapted model, of the original's type.
    threshold : float or None
        The original's decline threshold, kept.
    scores : AdaptationScores
        The cross-validated accuracy on the user's digits, before and after.
    info : dict
        What the new model file records about itself (``adapted_from``,
        ``samples_per_label``, ``cv_accuracy_original``,
        ``cv_accuracy_adapted``, ``cv_gain``, ...).
    """

    model: object
    threshold: float
    scores: object
    info: dict

    @property
    def report(self):
        """The user's hand, and the cross-validated accuracy on their digits,
        overall and by label, as text."""
        scores, hand = self.scores, self.info["hand"]
        lines = [
            f"Your hand: strokes widened by a {hand['stroke']}-pixel pen (1: MNIST's "
            f"own), turned {hand['turn']:+.0f} degrees, {hand['aspect']:.2f} times as "
            "wide as MNIST's digits",
            f"Cross-validated on your {len(scores.y)} digits ({scores.n_folds} "
            f"folds, each read by a model adapted to the others): original "
            f"{scores.original:.1%}, adapted {scores.adapted:.1%} "
            f"({100 * scores.gain:+.1f} points)",
            "label  digits  original  adapted",
        ]
        for label, (count, original, adapted) in scores.by_label().items():
            lines.append(f"{label!s:>5}  {count:>6}  {original:>8.0%}  {adapted:>7.0%}")
        return "\n".join(lines)

    def write(self, path):
        """Write the adapted model file (atomically, as :func:`save_model`).

        Parameters
        ----------
        path : str or os.PathLike
            The new model file, conventionally ``.zip``.
        """
        save_model(self.model, path, info=self.info, threshold=self.threshold)


def adapt_model(
    model,
    samples,
    *,
    X_rehearsal=None,
    y_rehearsal=None,
    data_dir=None,
    random_state=0,
    **adapt_params,
):
    """Adapt a model file to the digits of a samples folder.

    Parameters
    ----------
    model : str or os.PathLike
        A model file of 28x28 digits (``digit-classifier train``'s).

    samples : str or os.PathLike
        A samples folder, ``samples/<label>/<file>``
        (:func:`~digit_classifier.samples.load_samples`): two digits or more
        of each label it has.

    X_rehearsal, y_rehearsal : array-like, default=None
        The digits to rehearse with; by default MNIST's training split,
        from `data_dir` (see :func:`~digit_classifier.load_mnist`).

    data_dir : str or os.PathLike, default=None
        Where MNIST is, when `X_rehearsal` is not given.

    random_state : int, default=0
        Seeds the folds, the rehearsal digits and the fine-tuning.

    **adapt_params
        :func:`~digit_classifier.model.adapt_digits`'s settings.

    Returns
    -------
    adaptation : Adaptation
        The adapted model, its cross-validated scores and its record; call
        ``write`` to save it.

    Raises
    ------
    FileNotFoundError
        If the model file or the samples folder does not exist.
    ValueError
        If the model is not one of 28x28 digits; or the samples folder
        cannot be used (a :class:`~digit_classifier.samples.SampleFolderError`
        naming each problem).

    See Also
    --------
    digit_classifier.model.adapt_digits : The fine-tuning, on arrays.
    digit_classifier.samples.load_samples : How the folder is read.

    Examples
    --------
    A model of random pixels, and a samples folder of ones and sevens drawn
    on paper (a model trained on MNIST and its digits, in real use):

    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from digit_classifier import load_predictor, make_digit_pipeline, save_model
    >>> from digit_classifier.adapting import adapt_model
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.integers(0, 256, (60, 28, 28)), np.arange(60) % 10
    >>> folder = tempfile.mkdtemp()
    >>> model = os.path.join(folder, "model.zip")
    >>> save_model(make_digit_pipeline("fast", epochs=1).fit(X, y), model)
    >>> for label, top in (("1", 10), ("7", 10), ("1", 14), ("7", 14)):
    ...     page = np.full((80, 80), 255, dtype=np.uint8)
    ...     page[top:70, 38:44] = 0  # the stem
    ...     if label == "7":
    ...         page[top:top + 6, 20:44] = 0  # and the bar
    ...     label_folder = os.path.join(folder, "samples", label)
    ...     os.makedirs(label_folder, exist_ok=True)
    ...     Image.fromarray(page).save(os.path.join(label_folder, f"{top}.png"))
    >>> adaptation = adapt_model(model, os.path.join(folder, "samples"),
    ...                          X_rehearsal=X, y_rehearsal=y, epochs=1)
    >>> adaptation.info["samples_per_label"], adaptation.scores.n_folds
    ({'1': 2, '7': 2}, 2)
    >>> adaptation.write(os.path.join(folder, "adapted.zip"))
    >>> load_predictor(os.path.join(folder, "adapted.zip")).info["adapted_from"]["file"]
    'model.zip'
    """
    predictor = load_predictor(model)  # checks the file before TensorFlow loads
    if predictor.n_features_in_ != IMAGE_SIZE * IMAGE_SIZE or not getattr(
        predictor, "scale_pixels", True
    ):
        raise ValueError(
            f"{model} is a model of {predictor.n_features_in_} features, not of "
            f"{IMAGE_SIZE}x{IMAGE_SIZE} digits' pixels; adapt a model that "
            "digit-classifier train wrote from MNIST."
        )
    user = load_samples(samples, predictor.classes_)
    # TensorFlow, MNIST and the time they take, once the inputs are known good.
    from ..datasets import load_mnist
    from ..model import adapt_digits, cross_validate_adaptation, user_hand

    if X_rehearsal is None:
        (X_rehearsal, y_rehearsal), _ = load_mnist(data_dir)
    estimator = load_model(model)
    start = time.perf_counter()
    scores = cross_validate_adaptation(
        estimator,
        user.images,
        user.labels,
        X_rehearsal,
        y_rehearsal,
        random_state=random_state,
        **adapt_params,
    )
    hand = user_hand(estimator, user.images, user.labels, X_rehearsal, y_rehearsal)
    adapted = adapt_digits(
        estimator,
        user.images,
        user.labels,
        X_rehearsal,
        y_rehearsal,
        hand=hand,
        random_state=random_state,
        **adapt_params,
    )
    info = {
        "adapted_from": {
            "file": Path(model).name,
            "sha256": _sha256(model),
            "info": predictor.info,
        },
        "samples_per_label": {str(k): v for k, v in user.counts().items()},
        "hand": hand._asdict(),
        "cv_folds": scores.n_folds,
        "cv_accuracy_original": scores.original,
        "cv_accuracy_adapted": scores.adapted,
        "cv_gain": scores.gain,
        "adaptation": {**ADAPTATION, **adapt_params},
        "adapt_time_s": round(time.perf_counter() - start, 2),
    }
    for fact in ("preset", "dataset"):
        if fact in predictor.info:
            info[fact] = predictor.info[fact]
    return Adaptation(adapted, predictor.threshold, scores, info)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()
