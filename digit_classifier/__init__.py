"""Handwritten-digit classification with a Keras MLP and a scikit-learn API.

The package's rooms, and what each may import:

- ``images/``: files, uploads and arrays to MNIST's form, the one way in
  (NumPy, SciPy and Pillow only);
- ``inference.py``: :class:`DigitPredictor`, a fitted network in NumPy;
- ``numbers.py``: :func:`read_number`, a line of digits read digit by digit
  (NumPy, as the predictor);
- ``persistence/``: model files that hold only data (no TensorFlow);
- ``samples.py``: a folder of the user's labelled digits (NumPy, as the
  input path);
- ``preprocessing.py``: the pipeline's scikit-learn transformers;
- ``model/``: :class:`DigitMLPClassifier`, its training input pipeline,
  augmentation and tuning: the only room that imports TensorFlow;
- ``datasets/``: MNIST, scikit-learn's digits, real handwriting, photos;
- ``reporting/``: tables and figures of results;
- ``apps/``: the command line and the web app, which parse and call the rest.
"""

import importlib

__version__ = "0.1.0"

# Public name -> module. Imported on first use, so that `import digit_classifier`
# (and the command line's --help) does not pay for TensorFlow until it is needed,
# and load_predictor and DigitPredictor never do.
_PUBLIC = {
    "DigitMLPClassifier": "model",
    "make_digit_pipeline": "model",
    "make_digit_committee": "model",
    "PixelNormalizer": "preprocessing",
    "DigitImagePreprocessor": "preprocessing",
    "DigitNormalizer": "preprocessing",
    "DigitImageError": "images",
    "load_digit_image": "images",
    "load_mnist": "datasets",
    "load_digits_split": "datasets",
    "save_model": "persistence",
    "load_model": "persistence",
    "load_predictor": "persistence",
    "DigitPredictor": "inference",
    "DigitCommittee": "inference",
    "read_number": "numbers",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name):
    if name in _PUBLIC:
        module = importlib.import_module(f".{_PUBLIC[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
