"""Figures of numbers read digit by digit: each image with its digits' boxes."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ._plots import _shorten

# Inches per image, wide: numbers are wider than they are tall.
NUMBER_WIDTH = 6.0
NUMBER_HEIGHT = 2.4
DIGIT_COLOUR = "tab:blue"
NOT_A_DIGIT_COLOUR = "tab:red"


def plot_number_readings(images, readings, *, names=None):
    """Show each image with the box and label of each digit read in it.

    Parameters
    ----------
    images : list of ndarray
        The images, grayscale ``(height, width)`` or RGB ``(height, width,
        3)``, in [0, 255], as :func:`~digit_classifier.read_number` keeps
        them (``original=True``) or at their own size.

    readings : list of dict
        For each image, ``size`` (its width and height in the boxes' pixels),
        ``text``, ``reason``, ``digits`` (``label``, ``probability``,
        ``box``) and ``not_digits`` (``box``, ``reason``): the JSON of
        ``digit-classifier read``.

    names : list of str, default=None
        The title of each image; by default ``"input 1"``, ...

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per image: digits boxed in blue with their label and
        probability, parts not read boxed in red, the number as its title.

    Examples
    --------
    >>> import numpy as np
    >>> paper = np.full((40, 100), 255, dtype=np.uint8)
    >>> reading = {"size": [100, 40], "text": "7", "reason": None,
    ...            "digits": [{"label": 7, "probability": 0.99,
    ...                        "box": [10, 5, 30, 35]}], "not_digits": []}
    >>> fig = plot_number_readings([paper], [reading], names=["seven.png"])
    >>> fig.axes[0].get_title()
    'seven.png: 7'
    """
    if names is None:
        names = [f"input {i + 1}" for i in range(len(images))]
    if not (len(images) == len(readings) == len(names)):
        raise ValueError(
            "images, readings and names must have the same length, got "
            f"{len(images)}, {len(readings)} and {len(names)}."
        )
    if not images:
        raise ValueError("No images to plot: pass at least one image.")
    fig = Figure(
        figsize=(NUMBER_WIDTH, NUMBER_HEIGHT * len(images)), layout="constrained"
    )
    for ax, image, reading, name in zip(
        fig.subplots(len(images), 1, squeeze=False)[:, 0],
        images,
        readings,
        names,
        strict=True,
    ):
        image = np.asarray(image)
        ax.imshow(image, cmap="gray", vmin=0, vmax=255)
        # Boxes are in the input's pixels; the image may be shrunk.
        scale = image.shape[1] / reading["size"][0]
        for digit in reading["digits"]:
            _box(ax, digit["box"], scale, DIGIT_COLOUR)
            x0, y0 = (corner * scale for corner in digit["box"][:2])
            ax.text(
                x0,
                y0,
                f"{digit['label']} ({digit['probability']:.2f})",
                color="white",
                fontsize=8,
                va="bottom",
                bbox={"facecolor": DIGIT_COLOUR, "pad": 1, "linewidth": 0},
            )
        for part in reading["not_digits"]:
            _box(ax, part["box"], scale, NOT_A_DIGIT_COLOUR, linestyle="--")
        text = reading["text"] if reading["text"] is not None else reading["reason"]
        ax.set_title(f"{_shorten(name, 40)}: {text}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def _box(ax, box, scale, colour, linestyle="-"):
    x0, y0, x1, y1 = (corner * scale for corner in box)
    ax.add_patch(
        Rectangle(
            (x0 - 0.5, y0 - 0.5),
            x1 - x0,
            y1 - y0,
            fill=False,
            edgecolor=colour,
            linewidth=1.5,
            linestyle=linestyle,
        )
    )
