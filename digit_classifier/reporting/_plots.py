"""Figures of a classifier's results: confusion matrices, training curves,
galleries of digits, hidden-size searches.

Every function works on plain arrays (labels, images, a Keras-style history
dict), so it serves the command line, scripts and notebooks alike. Each one
draws into the axes it is given (``ax=``) or builds a new
:class:`matplotlib.figure.Figure` without registering it with pyplot, and
never shows it: save it with :func:`save_figure` or ``fig.savefig(path)``,
let a notebook display it, or, with Matplotlib 3.11 or newer, hand it to
pyplot with ``plt.figure(fig)`` and ``plt.show()``. Where scikit-learn has a
Display object (:class:`~sklearn.metrics.ConfusionMatrixDisplay`), that is
what is returned.
"""

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix
from sklearn.utils.multiclass import unique_labels

from ._tables import hidden_name

# Inches per image in the galleries: room for a 28x28 digit and a two-line title.
GALLERY_CELL_WIDTH = 1.8
GALLERY_CELL_HEIGHT = 2.1
# Wide enough for the suptitle even when only a few images are shown.
GALLERY_MIN_WIDTH = 6.5
# Characters of a file name that fit over an image in the galleries.
GALLERY_CAPTION_WIDTH = 22
# Beyond this many epochs, markers on every point only clutter the curves.
MAX_EPOCHS_WITH_MARKERS = 30
MISTAKE_COLOR = "tab:red"
CORRECT_COLOR = "0.15"
NORMALIZE_TITLES = {
    None: "",
    "true": " (normalized over true labels)",
    "pred": " (normalized over predicted labels)",
    "all": " (normalized over all samples)",
}


def plot_confusion_matrix(y_true, y_pred, *, labels=None, normalize=None, ax=None):
    """Plot the confusion matrix of predictions, every cell annotated.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    y_pred : array-like of shape (n_samples,)
        Predicted labels.

    labels : array-like of shape (n_classes,), default=None
        Labels in the order of the rows and columns. By default, the sorted
        labels found in `y_true` and `y_pred`.

    normalize : {"true", "pred", "all"}, default=None
        Show counts divided by the row sums ("true"), the column sums
        ("pred") or the total ("all") instead of raw counts.

    ax : matplotlib.axes.Axes, default=None
        The axes to draw into; by default those of a new figure.

    Returns
    -------
    display : sklearn.metrics.ConfusionMatrixDisplay
        Its ``figure_`` is the figure, ``ax_`` the axes.

    See Also
    --------
    draw_confusion_matrix : The same from a matrix computed already.
    format_confusion_matrix : The counts as a plain-text table.

    Examples
    --------
    >>> display = plot_confusion_matrix([0, 1, 1], [0, 1, 0])
    >>> display.confusion_matrix.tolist()
    [[1, 0], [1, 1]]
    >>> [text.get_text() for text in display.ax_.texts]
    ['1', '0', '1', '1']
    """
    if normalize not in NORMALIZE_TITLES:
        raise ValueError(
            f'normalize must be one of "true", "pred", "all" or None, '
            f"got {normalize!r}."
        )
    if labels is None:
        labels = unique_labels(y_true, y_pred)
    matrix = confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
    title = "Confusion matrix" + NORMALIZE_TITLES[normalize]
    return draw_confusion_matrix(matrix, labels, title=title, ax=ax)


def draw_confusion_matrix(matrix, labels, *, title="Confusion matrix", ax=None):
    """Draw a confusion matrix computed already, every cell annotated.

    Parameters
    ----------
    matrix : array-like of shape (n_classes, n_classes)
        Counts (shown as integers) or fractions (two decimals), as
        :func:`sklearn.metrics.confusion_matrix` returns them.

    labels : array-like of shape (n_classes,)
        The labels of the rows and columns.

    title : str, default="Confusion matrix"
        The title of the axes.

    ax : matplotlib.axes.Axes, default=None
        The axes to draw into; by default those of a new figure.

    Returns
    -------
    display : sklearn.metrics.ConfusionMatrixDisplay

    Examples
    --------
    >>> import numpy as np
    >>> display = draw_confusion_matrix(np.array([[3, 1], [0, 4]]), ["a", "b"])
    >>> [label.get_text() for label in display.ax_.get_xticklabels()]
    ['a', 'b']
    """
    matrix = np.asarray(matrix)
    if ax is None:
        ax = Figure(figsize=(7, 6), layout="constrained").subplots()
    display = ConfusionMatrixDisplay(matrix, display_labels=labels)
    values_format = "d" if matrix.dtype.kind in "iu" else ".2f"
    display.plot(values_format=values_format, cmap="Blues", ax=ax)
    ax.set_title(title)
    return display


def plot_training_curves(history, *, ax=None):
    """Plot loss and accuracy per epoch, for training and validation.

    Parameters
    ----------
    history : dict of str to list of float
        Per-epoch values as in Keras's ``History.history`` or the fitted
        classifier's ``history_``: "loss" and optionally "accuracy",
        "val_loss" and "val_accuracy". Validation curves are drawn only when
        present; without "accuracy" only the loss is plotted.

    ax : sequence of matplotlib.axes.Axes, default=None
        The axes to draw into, one per metric plotted (loss, then accuracy
        when the history has it); by default those of a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure of the axes: loss on the left and, when available,
        accuracy on the right.

    Examples
    --------
    >>> fig = plot_training_curves({"loss": [0.5, 0.3], "accuracy": [0.8, 0.9]})
    >>> len(fig.axes)
    2
    >>> [ax.get_title() for ax in fig.axes]
    ['Loss per epoch', 'Accuracy per epoch']
    """
    if "loss" not in history:
        raise ValueError(
            f'history has no "loss" entry; got keys {sorted(history)}. Pass a '
            "Keras History.history dict or the classifier's history_."
        )
    if len(history["loss"]) == 0:
        raise ValueError("history has no epochs: its loss list is empty.")

    metrics = ["loss", "accuracy"] if "accuracy" in history else ["loss"]
    if ax is None:
        fig = Figure(figsize=(6 * len(metrics), 4.5), layout="constrained")
        axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    else:
        axes = np.ravel(ax)
        if len(axes) != len(metrics):
            raise ValueError(
                f"ax must hold {len(metrics)} axes, one for each of {metrics}, "
                f"got {len(axes)}."
            )
        fig = axes[0].figure
    for axes_of_metric, metric in zip(axes, metrics, strict=True):
        for prefix, label in [("", "training"), ("val_", "validation")]:
            values = history.get(prefix + metric)
            if values is None:
                continue
            epochs = np.arange(1, len(values) + 1)
            marker = "o" if len(values) <= MAX_EPOCHS_WITH_MARKERS else None
            axes_of_metric.plot(epochs, values, marker=marker, label=label)
        axes_of_metric.set_title(f"{metric.capitalize()} per epoch")
        axes_of_metric.set_xlabel("Epoch")
        axes_of_metric.set_ylabel(metric.capitalize())
        axes_of_metric.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes_of_metric.grid(True, alpha=0.3)
        axes_of_metric.legend()
    return fig


def plot_predictions(images, y_true, y_pred, *, n_images=25, ncols=5):
    """Show the first images with their true and predicted labels.

    Mistakes get a red title and a red frame.

    Parameters
    ----------
    images : array-like of shape (n_samples, height, width) or \
(n_samples, n_pixels)
        Grayscale images, ink bright on a dark background as in MNIST. Flat
        rows must have a square number of pixels (784 for 28x28).

    y_true : array-like of shape (n_samples,)
        True labels, integers or strings.

    y_pred : array-like of shape (n_samples,)
        Predicted labels.

    n_images : int, default=25
        How many images to show, from the first; fewer if fewer are given.

    ncols : int, default=5
        Images per row of the grid.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per image shown.

    See Also
    --------
    plot_misclassified : Only the mistakes, most confident first.

    Examples
    --------
    >>> import numpy as np
    >>> images = np.zeros((3, 64))
    >>> fig = plot_predictions(images, [1, 2, 3], [1, 2, 5])
    >>> [ax.get_title() for ax in fig.axes]
    ['true 1 / pred 1', 'true 2 / pred 2', 'true 3 / pred 5']
    """
    images = _as_square_images(images)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    _check_same_length(images=images, y_true=y_true, y_pred=y_pred)
    shown = slice(0, n_images)
    titles = [
        f"true {true} / pred {pred}" for true, pred in zip(y_true, y_pred, strict=True)
    ]
    return _plot_image_grid(
        images[shown],
        titles[shown],
        is_mistake=(y_true != y_pred)[shown],
        ncols=ncols,
        suptitle="Test images: true and predicted labels (mistakes in red)",
    )


def plot_misclassified(images, y_true, y_pred, confidence, *, n_images=16, ncols=4):
    """Show the mistakes the model was most confident about.

    Parameters
    ----------
    images : array-like of shape (n_samples, height, width) or \
(n_samples, n_pixels)
        Grayscale images; flat rows must have a square number of pixels.

    y_true : array-like of shape (n_samples,)
        True labels.

    y_pred : array-like of shape (n_samples,)
        Predicted labels.

    confidence : array-like of shape (n_samples,)
        Probability the model gave its predicted label, e.g.
        ``predict_proba(X).max(axis=1)``.

    n_images : int, default=16
        Show at most this many mistakes.

    ncols : int, default=4
        Images per row of the grid.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per mistake shown, highest confidence first. Without any
        mistake, a small figure that says so, so that it can still be saved.

    See Also
    --------
    misclassified_indices : The indices of the mistakes in that order.

    Examples
    --------
    >>> import numpy as np
    >>> images = np.zeros((3, 8, 8))
    >>> fig = plot_misclassified(images, [1, 2, 3], [7, 2, 5], [0.6, 0.9, 0.8])
    >>> [ax.get_title() for ax in fig.axes]
    ['true 3, pred 5\\np = 0.80', 'true 1, pred 7\\np = 0.60']
    """
    images = _as_square_images(images)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    confidence = np.asarray(confidence)
    _check_same_length(images=images, y_true=y_true)
    indices = misclassified_indices(y_true, y_pred, confidence)[:n_images]
    if len(indices) == 0:
        fig = Figure(figsize=(5, 1.5), layout="constrained")
        fig.text(0.5, 0.5, "No misclassified images", ha="center", va="center")
        return fig

    titles = [
        f"true {y_true[i]}, pred {y_pred[i]}\np = {confidence[i]:.2f}" for i in indices
    ]
    return _plot_image_grid(
        images[indices],
        titles,
        is_mistake=np.ones(len(indices), dtype=bool),
        ncols=ncols,
        suptitle="Most confident mistakes (p: probability of the predicted label)",
    )


def misclassified_indices(y_true, y_pred, confidence):
    """Indices of the wrong predictions, most confident first.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    y_pred : array-like of shape (n_samples,)
        Predicted labels.

    confidence : array-like of shape (n_samples,)
        Probability the model gave its predicted label.

    Returns
    -------
    indices : ndarray of shape (n_mistakes,)
        Positions where `y_pred` differs from `y_true`, sorted by descending
        confidence; ties keep their original order.

    Examples
    --------
    >>> misclassified_indices([1, 2, 3, 4], [7, 2, 5, 0], [0.6, 0.9, 0.8, 0.7])
    array([2, 3, 0])
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    confidence = np.asarray(confidence, dtype=float)
    _check_same_length(y_true=y_true, y_pred=y_pred, confidence=confidence)
    mistakes = np.flatnonzero(y_true != y_pred)
    # A stable sort on the negated confidence keeps ties in sample order.
    order = np.argsort(-confidence[mistakes], kind="stable")
    return mistakes[order]


def plot_preprocessed_images(
    originals, processed, predictions, *, names=None, n_images=24, ncols=4
):
    """Show each original image next to the 28x28 digit the model saw.

    Parameters
    ----------
    originals : list of ndarray
        The images as given, each of shape ``(height, width)`` (grayscale,
        in [0, 255]) or ``(height, width, 3)`` (RGB), of any size.

    processed : array-like of shape (n_samples, height, width)
        The images the model classified, e.g. from
        :func:`~digit_classifier.load_digit_image`: light digits on dark.

    predictions : list of str
        The caption under each processed image, e.g. ``"7 (p = 0.98)"``.

    names : list of str, default=None
        The caption of each original, e.g. its file name. By default,
        ``"input 1"``, ``"input 2"``, ...

    n_images : int, default=24
        How many pairs to show, from the first; fewer if fewer are given.

    ncols : int, default=4
        Pairs per row of the grid.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two axes per pair: the original, then the processed image.

    Examples
    --------
    >>> import numpy as np
    >>> photo = np.full((60, 40, 3), 230, dtype=np.uint8)
    >>> fig = plot_preprocessed_images([photo], np.zeros((1, 28, 28)), ["7"])
    >>> [ax.get_title() for ax in fig.axes]
    ['input 1', 'model saw: 7']
    """
    processed = np.asarray(processed)
    if names is None:
        names = [f"input {i + 1}" for i in range(len(originals))]
    _check_same_length(
        originals=originals, processed=processed, predictions=predictions, names=names
    )
    n_shown = min(n_images, len(originals))
    fig, axes = _image_grid(n_shown, ncols, axes_per_cell=2)
    for (ax_original, ax_processed), original, image, name, prediction in zip(
        axes, originals, processed, names, predictions, strict=False
    ):
        # The original as it looks; the processed image as the model sees it,
        # light on dark, so that an inversion shows.
        ax_original.imshow(np.asarray(original), cmap="gray", vmin=0, vmax=255)
        ax_processed.imshow(
            image, cmap="gray", vmin=0, vmax=255, interpolation="nearest"
        )
        ax_original.set_title(_shorten(name), fontsize=9)
        ax_processed.set_title(f"model saw: {prediction}", fontsize=9)
    shown = (
        "" if n_shown == len(originals) else f" (first {n_shown} of {len(originals)})"
    )
    fig.suptitle(f"Inputs and the 28x28 images the model classified{shown}")
    return fig


def plot_cv_results(rows, *, ax=None):
    """Bar chart of the CV score per hidden configuration, with error bars.

    Parameters
    ----------
    rows : list of dict
        As returned by :func:`~digit_classifier.tuning.cv_results_table`.

    ax : matplotlib.axes.Axes, default=None
        The axes to draw into; by default those of a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure of the axes: mean score with one standard deviation per
        candidate, in rank order.

    Examples
    --------
    >>> from digit_classifier.reporting import plot_cv_results
    >>> scores = {(256, 128): 0.98, (64,): 0.96}
    >>> rows = [
    ...     {"hidden_layer_sizes": sizes, "mean_score": score, "std_score": 0.01,
    ...      "mean_fit_time": 1.0, "rank": rank}
    ...     for rank, (sizes, score) in enumerate(scores.items(), start=1)
    ... ]
    >>> fig = plot_cv_results(rows)
    >>> [label.get_text() for label in fig.axes[0].get_xticklabels()]
    ['256,128\\n0.9800', '64\\n0.9600']
    """
    names = [hidden_name(row) for row in rows]
    means = [row["mean_score"] for row in rows]
    if ax is None:
        figsize = (max(5, 1.2 * len(rows) + 2), 4.5)
        ax = Figure(figsize=figsize, layout="constrained").subplots()
    stds = [row["std_score"] for row in rows]
    # The score goes under each name: on the bars it would meet the error bars.
    ticks = [f"{name}\n{mean:.4f}" for name, mean in zip(names, means, strict=True)]
    ax.bar(ticks, means, yerr=stds, capsize=6, color="tab:blue")
    # Zoom on the scores: accuracies near 1 would look all alike from 0.
    low = min(mean - std for mean, std in zip(means, stds, strict=True))
    high = max(mean + std for mean, std in zip(means, stds, strict=True))
    ax.set_ylim(max(0.0, low - 0.02), min(1.0, high + 0.02))
    ax.set_xlabel("Hidden layer sizes and mean score")
    ax.set_ylabel("Mean CV score")
    ax.set_title("Cross-validated score per hidden configuration (±1 std)")
    ax.grid(True, axis="y", alpha=0.3)
    return ax.figure


def _shorten(text, width=GALLERY_CAPTION_WIDTH):
    """Keep the end of a long caption, where a file name is."""
    return text if len(text) <= width else "..." + text[-(width - 3) :]


def _as_square_images(images):
    images = np.asarray(images)
    if images.ndim == 3:
        return images
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side == images.shape[1]:
            return images.reshape(len(images), side, side)
    raise ValueError(
        f"images must have shape (n_samples, height, width) or (n_samples, "
        f"n_pixels) with a square number of pixels, got shape {images.shape}."
    )


def _check_same_length(**arrays):
    (first_name, first), *others = arrays.items()
    for name, array in others:
        if len(array) != len(first):
            raise ValueError(
                f"{first_name} and {name} must have the same length, got "
                f"{len(first)} and {len(array)}."
            )


def _plot_image_grid(images, titles, is_mistake, ncols, suptitle):
    fig, axes = _image_grid(len(images), ncols)
    # Extra space between rows, so a title does not sit on the frame above it.
    fig.get_layout_engine().set(h_pad=0.15)
    for (ax,), image, title, mistake in zip(
        axes, images, titles, is_mistake, strict=True
    ):
        color = MISTAKE_COLOR if mistake else CORRECT_COLOR
        # gray_r draws MNIST's bright strokes as dark ink on white paper.
        ax.imshow(image, cmap="gray_r", interpolation="nearest")
        ax.set_title(title, color=color, fontsize=10)
        # Frame instead of axis("off"): the frame marks the mistakes.
        for spine in ax.spines.values():
            spine.set_color(color if mistake else "0.8")
            spine.set_linewidth(3 if mistake else 1)
    fig.suptitle(suptitle)
    return fig


def _image_grid(n_cells, ncols, *, axes_per_cell=1):
    """A figure of `n_cells` cells, `ncols` to a row, without ticks.

    Each cell is `axes_per_cell` axes side by side. Returns the figure and
    the axes of the cells, of shape (n_cells, axes_per_cell); the unused
    cells of the last row are removed, so that fig.axes holds only images.
    """
    if n_cells == 0:
        raise ValueError("No images to plot: pass at least one image.")
    ncols = min(ncols, n_cells)
    nrows = math.ceil(n_cells / ncols)
    width = max(GALLERY_CELL_WIDTH * axes_per_cell * ncols, GALLERY_MIN_WIDTH)
    fig = Figure(
        figsize=(width, GALLERY_CELL_HEIGHT * nrows + 0.4), layout="constrained"
    )
    axes = fig.subplots(nrows, axes_per_cell * ncols, squeeze=False)
    axes = axes.reshape(-1, axes_per_cell)
    for ax in axes[n_cells:].ravel():
        ax.remove()
    for ax in axes[:n_cells].ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes[:n_cells]
