"""What both doors answer: the command line and the web app read an input and
give its digits' labels the same way, through the same code, and decline
the same inputs: several digits side by side, or what does not look like a
digit to the model (its ``score_samples`` below the model file's threshold).
"""

import numpy as np

from ..images import IMAGE_SIZE, MAX_PIXELS, read_digit_inputs
from ..numbers import read_number
from ..persistence import load_predictor

# Why an input is not read as a digit, in the answers' "reason".
SEVERAL_DIGITS = "several digits (use `digit-classifier read`)"
NOT_A_DIGIT = "not a digit"


def load_pixel_predictor(path, *, image_files=False):
    """A saved model for the apps, which feed it raw pixels, as a predictor.

    Parameters
    ----------
    path : str or os.PathLike
        A model file written by :func:`~digit_classifier.save_model`.

    image_files : bool, default=False
        Whether it must read image files, brought to MNIST's 28x28 form: a
        model of 784 pixels.

    Returns
    -------
    predictor : DigitPredictor

    Raises
    ------
    ValueError
        If the file holds a bare classifier, which takes the rows it was
        fitted on rather than raw pixels, or (with `image_files`) a model of
        other images than 28x28.
    """
    predictor = load_predictor(path)
    if not predictor.scale_pixels:
        raise ValueError(
            f"{path} holds a bare DigitMLPClassifier, which takes the rows it was "
            "fitted on, not raw 0-255 pixels; save the make_digit_pipeline() "
            "pipeline (as digit-classifier train does) to predict from images."
        )
    n_pixels = IMAGE_SIZE * IMAGE_SIZE
    if image_files and predictor.n_features_in_ != n_pixels:
        raise ValueError(
            f"{path} is a model of {predictor.n_features_in_} pixels; images are "
            f"read into MNIST's {IMAGE_SIZE}x{IMAGE_SIZE} form, so it needs a "
            f"model of {n_pixels} pixels (trained on MNIST)."
        )
    return predictor


def answer_input(
    predictor, source, *, name=None, top_k=1, originals=False, max_pixels=MAX_PIXELS
):
    """The labels the model reads in one input, one answer per digit.

    Parameters
    ----------
    predictor : DigitPredictor
        From :func:`load_pixel_predictor`.

    source : str, os.PathLike, bytes or binary file object
        An image file or a ``.npy`` file (a path), or an upload's bytes; see
        :func:`~digit_classifier.images.read_digit_inputs`.

    name : str, default=None
        The input's name in the answers and in errors.

    top_k : int, default=1
        Labels per digit, most probable first.

    originals : bool, default=False
        Whether each answer keeps the input image, shrunk, to show it.

    max_pixels : int, default=MAX_PIXELS
        The most pixels of an image file (values of a ``.npy`` file).

    Returns
    -------
    answers : list of dict
        For each digit: ``input`` (its name), ``label`` and ``probability``
        (the most probable; both None when the input is declined),
        ``reason`` (why it is declined: ``SEVERAL_DIGITS`` or
        ``NOT_A_DIGIT``; None when read), ``top_k`` (``{"label",
        "probability"}`` each, the guesses even when declined), ``image``
        (the digit in the model's form) and ``original`` (or None).

    Raises
    ------
    DigitImageError
        If the input cannot be read or holds no digit.
    OSError
        If a path cannot be opened.
    """
    inputs = read_digit_inputs(
        source,
        predictor.n_features_in_,
        name=name,
        originals=originals,
        max_pixels=max_pixels,
    )
    rows = inputs.images.reshape(len(inputs.images), -1)
    # What the network reads too: the digits as the model normalizes them.
    proba, scores, seen = predictor.predict_proba_and_score(rows, return_images=True)
    best = predictor.top_k_of(proba, top_k)
    is_digit = predictor.accepted(scores)
    seen = np.round(seen.reshape(inputs.images.shape)).astype(np.uint8)
    answers = []
    for name, original, image, top, marks, digit in zip(
        inputs.names, inputs.originals, seen, best, inputs.marks, is_digit, strict=True
    ):
        reason = SEVERAL_DIGITS if marks > 1 else None if digit else NOT_A_DIGIT
        read = {"label": None, "probability": None} if reason else top[0]
        answers.append(
            {
                "input": name,
                **read,
                "reason": reason,
                "top_k": top,
                "image": image,
                "original": original,
            }
        )
    return answers


def read_input(predictor, source, *, name=None, original=False, max_pixels=MAX_PIXELS):
    """The number one input holds, digit by digit, as the apps answer it.

    Parameters
    ----------
    predictor : DigitPredictor
        From :func:`load_pixel_predictor` with ``image_files=True``.

    source : str, os.PathLike, bytes or binary file object
        An image file (a path) or an upload's bytes.

    name : str, default=None
        The input's name in the answer and in errors.

    original : bool, default=False
        Whether the answer keeps the image, shrunk, to show it.

    max_pixels : int, default=MAX_PIXELS
        The most pixels of an image file.

    Returns
    -------
    answer : dict
        ``input``, ``text`` (None when no digit is read), ``reason`` (why,
        or None), ``digits`` (``{"label", "probability", "box"}`` each, left
        to right; ``box`` is ``[x0, y0, x1, y1]`` in the image's pixels, ends
        excluded), ``not_digits`` (``{"box", "reason"}`` each), ``size``
        (the image's ``[width, height]``) and, if asked, ``original``.

    Raises
    ------
    DigitImageError
        If the input cannot be read or holds no ink.
    OSError
        If a path cannot be opened.
    """
    reading = read_number(
        predictor, source, name=name, max_pixels=max_pixels, original=original
    )
    answer = {
        "input": reading.name,
        "text": reading.text,
        "reason": reading.reason,
        "digits": [
            {"label": digit.label, "probability": digit.probability, "box": digit.box}
            for digit in reading.digits
        ],
        "not_digits": reading.not_digits,
        "size": list(reading.size),
    }
    if original:
        answer["original"] = reading.original
    return answer
