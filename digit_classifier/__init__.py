"""Handwritten-digit classification with a Keras MLP and a scikit-learn API."""

import importlib

__version__ = "0.1.0"

# Public name -> module. Imported on first use, so that `import digit_classifier`
# (and the command line's --help) does not pay for TensorFlow until it is needed,
# and load_predictor and DigitPredictor never do.
_PUBLIC = {
    "DigitMLPClassifier": "classifier",
    "PixelNormalizer": "preprocessing",
    "DigitImagePreprocessor": "preprocessing",
    "load_digit_image": "images",
    "make_digit_pipeline": "pipeline",
    "load_mnist": "datasets",
    "load_digits_split": "datasets",
    "save_model": "persistence",
    "load_model": "persistence",
    "load_predictor": "persistence",
    "DigitPredictor": "inference",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name):
    if name in _PUBLIC:
        module = importlib.import_module(f".{_PUBLIC[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
