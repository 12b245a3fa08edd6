"""The command line's argument types: text to values, or argparse's error."""

import argparse
from pathlib import Path

from .._checks import check_hidden_layer_sizes


def hidden_layer_sizes(text):
    """``128,64`` as ``(128, 64)``; ``none`` as ``()``."""
    if text.strip().lower() == "none":
        return ()
    try:
        return check_hidden_layer_sizes([int(part) for part in text.split(",")])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid hidden layer sizes {text!r}: expected comma-separated "
            "positive integers such as 128,64, or 'none'"
        ) from None


def figure_path(text):
    """A picture's path, whose suffix names a format Matplotlib writes."""
    from ..reporting import figure_format  # Matplotlib: only when asked

    try:
        figure_format(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None
    return Path(text)


def positive_int(text):
    """A whole number above 0."""
    return _positive(text, int, "a positive integer")


def positive_float(text):
    """A number above 0."""
    return _positive(text, float, "a positive number")


def _positive(text, kind, what):
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if not value > 0:  # also refuses NaN
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value
