"""Results as text: aligned tables for a terminal and CSV for files."""

import csv
import io

import numpy as np

CORNER_LABEL = "true\\pred"


def format_confusion_matrix(matrix, labels):
    """Format a confusion matrix as an aligned plain-text table.

    Rows are true labels and columns predicted labels; the counts are
    right-aligned in columns wide enough for the largest one.

    Parameters
    ----------
    matrix : array-like of shape (n_classes, n_classes)
        Counts, as :func:`sklearn.metrics.confusion_matrix` returns them.

    labels : array-like of shape (n_classes,)
        The labels of the rows and columns.

    Returns
    -------
    table : str
        The table, one line per true label after a header line, without a
        trailing newline.

    Examples
    --------
    >>> from sklearn.metrics import confusion_matrix
    >>> matrix = confusion_matrix([0, 1, 1, 1], [0, 1, 1, 0])
    >>> print(format_confusion_matrix(matrix, [0, 1]))
    true\\pred  0  1
    0          1  0
    1          1  2
    """
    label_names = [str(label) for label in labels]
    first_width = max(len(CORNER_LABEL), *(len(name) for name in label_names))
    count_width = max(len(str(np.max(matrix))), *(len(name) for name in label_names))

    def format_row(first_cell, cells):
        counts = "  ".join(f"{cell:>{count_width}}" for cell in cells)
        return f"{first_cell:<{first_width}}  {counts}"

    lines = [format_row(CORNER_LABEL, label_names)]
    lines += [
        format_row(name, row) for name, row in zip(label_names, matrix, strict=True)
    ]
    return "\n".join(lines)


def confusion_matrix_csv(matrix, labels):
    """Write a confusion matrix as CSV text.

    Parameters
    ----------
    matrix : array-like of shape (n_classes, n_classes)
        Counts, as :func:`sklearn.metrics.confusion_matrix` returns them.

    labels : array-like of shape (n_classes,)
        The labels of the rows and columns.

    Returns
    -------
    text : str
        A header row ``true\\pred,<label>,...`` then one row per true label,
        each line ending with ``"\\n"``.

    Examples
    --------
    >>> from sklearn.metrics import confusion_matrix
    >>> matrix = confusion_matrix(["a", "b", "b"], ["a", "b", "a"])
    >>> print(confusion_matrix_csv(matrix, ["a", "b"]), end="")
    true\\pred,a,b
    a,1,0
    b,1,1
    """
    buffer = io.StringIO()
    # "\n" rather than csv's default "\r\n", so the text can go to any text file.
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([CORNER_LABEL, *labels])
    for label, row in zip(labels, matrix, strict=True):
        writer.writerow([label, *(int(count) for count in row)])
    return buffer.getvalue()


def format_cv_results(rows):
    """The rows of a hidden-size search as an aligned text table.

    Parameters
    ----------
    rows : list of dict
        As returned by :func:`~digit_classifier.tuning.cv_results_table`.

    Returns
    -------
    table : str
        A header line and one line per candidate.

    Examples
    --------
    >>> from digit_classifier.reporting import format_cv_results
    >>> rows = [
    ...     {"hidden_layer_sizes": (128, 64), "mean_score": 0.9712,
    ...      "std_score": 0.0031, "mean_fit_time": 12.4, "rank": 1},
    ...     {"hidden_layer_sizes": (64,), "mean_score": 0.9650,
    ...      "std_score": 0.0042, "mean_fit_time": 8.1, "rank": 2},
    ... ]
    >>> print(format_cv_results(rows))
    rank  hidden           mean score      std  fit time
       1  128,64               0.9712   0.0031     12.4s
       2  64                   0.9650   0.0042      8.1s
    """
    lines = [f"{'rank':>4}  {'hidden':<16}{'mean score':>11}{'std':>9}{'fit time':>10}"]
    for row in rows:
        lines.append(
            f"{row['rank']:>4}  {hidden_name(row):<16}{row['mean_score']:>11.4f}"
            f"{row['std_score']:>9.4f}{row['mean_fit_time']:>9.1f}s"
        )
    return "\n".join(lines)


def cv_results_csv(rows):
    """The rows of :func:`~digit_classifier.tuning.cv_results_table` as CSV text.

    Parameters
    ----------
    rows : list of dict
        As returned by :func:`~digit_classifier.tuning.cv_results_table`.

    Returns
    -------
    text : str
        A header line ``rank,hidden_layer_sizes,mean_score,std_score,
        mean_fit_time_s``, then one line per candidate, hidden sizes written
        as ``128,64`` in a quoted field.

    Examples
    --------
    >>> from digit_classifier.reporting import cv_results_csv
    >>> row = {"hidden_layer_sizes": (128, 64), "mean_score": 0.97,
    ...        "std_score": 0.003, "mean_fit_time": 12.4, "rank": 1}
    >>> print(cv_results_csv([row]), end="")
    rank,hidden_layer_sizes,mean_score,std_score,mean_fit_time_s
    1,"128,64",0.970000,0.003000,12.400
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["rank", "hidden_layer_sizes", "mean_score", "std_score", "mean_fit_time_s"]
    )
    for row in rows:
        writer.writerow(
            [
                row["rank"],
                hidden_name(row),
                f"{row['mean_score']:.6f}",
                f"{row['std_score']:.6f}",
                f"{row['mean_fit_time']:.3f}",
            ]
        )
    return buffer.getvalue()


def hidden_name(row):
    """A candidate as text: its hidden-layer sizes (``128,64``, or ``none``),
    and its digits' aspect ratio when it was searched (``128,64 sqrt``)."""
    name = ",".join(map(str, row["hidden_layer_sizes"])) or "none"
    return f"{name} {row['aspect']}" if row.get("aspect") else name
