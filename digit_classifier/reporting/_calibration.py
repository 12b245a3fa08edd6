"""How honest a classifier's probabilities are: the expected calibration
error and the reliability diagram of its most probable class.
"""

import numpy as np
from matplotlib.figure import Figure
from sklearn.calibration import CalibrationDisplay

# Bins of the top probability, as Guo et al. (2017) and the issues measure.
CALIBRATION_BINS = 15


def _top_label(y_true, proba, classes):
    proba = np.asarray(proba, dtype=float)
    classes = np.arange(proba.shape[1]) if classes is None else np.asarray(classes)
    correct = classes[proba.argmax(axis=1)] == np.asarray(y_true)
    return correct, proba.max(axis=1)


def expected_calibration_error(y_true, proba, classes=None, *, n_bins=CALIBRATION_BINS):
    """The expected calibration error of the most probable class.

    The top probabilities are put in `n_bins` equal bins of [0, 1]; in each,
    the gap between the mean top probability (the confidence) and the
    fraction right (the accuracy) is weighed by the bin's share of the
    samples (Naeini et al. 2015, Guo et al. 2017).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    proba : array-like of shape (n_samples, n_classes)
        Predicted probabilities, columns in the order of `classes`.

    classes : array-like of shape (n_classes,), default=None
        The label of each column; None for 0 to ``n_classes - 1``.

    n_bins : int, default=15
        Bins of the top probability.

    Returns
    -------
    ece : float
        In [0, 1]; 0 when every bin is as often right as it is confident.

    Examples
    --------
    >>> import numpy as np
    >>> proba = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.4, 0.6]])
    >>> round(expected_calibration_error([0, 1, 0, 1], proba), 3)
    0.4
    """
    correct, confidence = _top_label(y_true, proba, classes)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    gaps = np.bincount(bins, weights=confidence - correct, minlength=n_bins)
    return float(np.abs(gaps).sum() / max(counts.sum(), 1))


def plot_reliability_diagram(
    y_true, proba, classes=None, *, n_bins=CALIBRATION_BINS, ax=None, title=None
):
    """Draw how often the most probable class is right against its probability.

    scikit-learn's :class:`~sklearn.calibration.CalibrationDisplay` of the
    top label: for each bin of the top probability, the fraction of samples
    whose most probable class is the true one; a calibrated classifier lies
    on the diagonal. Grey bars (right axis, log scale) count the samples of
    each bin; the title gives the expected calibration error.

    Parameters
    ----------
    y_true, proba, classes, n_bins
        As for :func:`expected_calibration_error`.

    ax : matplotlib.axes.Axes, default=None
        Axes to draw into; None draws into a new figure.

    title : str, default=None
        Over the ECE in the title.

    Returns
    -------
    display : sklearn.calibration.CalibrationDisplay
        Its ``figure_`` holds the diagram.

    Examples
    --------
    >>> import numpy as np
    >>> proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.4, 0.6]])
    >>> display = plot_reliability_diagram([0, 0, 1, 0], proba)
    >>> display.ax_.get_xlabel()
    'Probability of the most probable class'
    """
    correct, confidence = _top_label(y_true, proba, classes)
    if ax is None:
        ax = Figure(figsize=(5, 5), layout="constrained").subplots()
    display = CalibrationDisplay.from_predictions(
        correct,
        confidence,
        n_bins=n_bins,
        ax=ax,
        name="most probable class",
        pos_label=True,
    )
    # How many samples each bin holds: most sit in the last one, and a
    # point of few samples says little.
    counts = ax.twinx()
    counts.hist(confidence, bins=n_bins, range=(0, 1), color="0.85", zorder=0)
    counts.set_yscale("log")
    counts.set_ylabel("Samples per bin")
    ax.set_zorder(counts.get_zorder() + 1)
    ax.patch.set_visible(False)
    ece = expected_calibration_error(y_true, proba, classes, n_bins=n_bins)
    heading = f"{title}\n" if title else ""
    ax.set_title(f"{heading}expected calibration error {ece:.2%}")
    ax.set_xlabel("Probability of the most probable class")
    ax.set_ylabel("Fraction right")
    return display
