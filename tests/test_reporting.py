"""Reports: confusion matrices, training curves and image galleries."""

import csv
import io

import matplotlib.colors as mcolors
import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.datasets import load_digits
from sklearn.metrics import confusion_matrix

from digit_classifier.reporting import (
    confusion_matrix_csv,
    format_confusion_matrix,
    misclassified_indices,
    plot_confusion_matrix,
    plot_misclassified,
    plot_predictions,
    plot_training_curves,
)

digits = load_digits()
IMAGES = digits.images[:40]
Y_TRUE = digits.target[:40]
Y_PRED = Y_TRUE.copy()
Y_PRED[[3, 7, 11]] = (Y_TRUE[[3, 7, 11]] + 1) % 10
CONFIDENCE = np.linspace(0.5, 0.99, 40)
RED = mcolors.to_rgba("tab:red")


def test_confusion_matrix_cells_are_annotated_with_counts():
    fig = plot_confusion_matrix(Y_TRUE, Y_PRED)
    assert isinstance(fig, Figure)
    expected = confusion_matrix(Y_TRUE, Y_PRED)
    annotated = [int(text.get_text()) for text in fig.axes[0].texts]
    assert annotated == expected.ravel().tolist()
    assert fig.axes[0].get_xlabel() == "Predicted label"
    assert fig.axes[0].get_ylabel() == "True label"


def test_normalized_confusion_matrix():
    fig = plot_confusion_matrix(Y_TRUE, Y_PRED, normalize="true")
    assert "normalized over true labels" in fig.axes[0].get_title()
    values = [float(text.get_text()) for text in fig.axes[0].texts]
    np.testing.assert_allclose(np.reshape(values, (10, 10)).sum(axis=1), 1, atol=0.06)
    with pytest.raises(ValueError, match="normalize must be one of"):
        plot_confusion_matrix(Y_TRUE, Y_PRED, normalize="rows")


def test_text_table_and_csv_hold_the_same_counts():
    expected = confusion_matrix(Y_TRUE, Y_PRED)
    lines = format_confusion_matrix(Y_TRUE, Y_PRED).splitlines()
    assert lines[0].split() == ["true\\pred", *map(str, range(10))]
    table = [[int(cell) for cell in line.split()[1:]] for line in lines[1:]]
    np.testing.assert_array_equal(table, expected)

    rows = list(csv.reader(io.StringIO(confusion_matrix_csv(Y_TRUE, Y_PRED))))
    assert rows[0] == ["true\\pred", *map(str, range(10))]
    assert [row[0] for row in rows[1:]] == list(map(str, range(10)))
    np.testing.assert_array_equal(
        [[int(c) for c in row[1:]] for row in rows[1:]], expected
    )


def test_training_curves_with_and_without_validation():
    history = {"loss": [0.9, 0.5, 0.3], "accuracy": [0.7, 0.8, 0.9]}
    fig = plot_training_curves(history)
    assert [len(ax.lines) for ax in fig.axes] == [1, 1]
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), history["loss"])

    history |= {"val_loss": [1.0, 0.6, 0.4], "val_accuracy": [0.6, 0.7, 0.85]}
    fig = plot_training_curves(history)
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    labels = [text.get_text() for text in fig.axes[1].get_legend().get_texts()]
    assert labels == ["training", "validation"]
    np.testing.assert_array_equal(
        fig.axes[1].lines[1].get_ydata(), history["val_accuracy"]
    )


def test_training_curves_of_loss_only_and_errors():
    assert len(plot_training_curves({"loss": [0.4, 0.2]}).axes) == 1
    with pytest.raises(ValueError, match="history has no epochs"):
        plot_training_curves({"loss": []})
    with pytest.raises(ValueError, match='history has no "loss" entry'):
        plot_training_curves({"accuracy": [0.5]})


def test_prediction_gallery_marks_mistakes_in_red():
    fig = plot_predictions(IMAGES, Y_TRUE, Y_PRED, n_images=12)
    assert len(fig.axes) == 12
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[3] == f"true {Y_TRUE[3]} / pred {Y_PRED[3]}"
    red = [mcolors.to_rgba(ax.title.get_color()) == RED for ax in fig.axes]
    assert [i for i, is_red in enumerate(red) if is_red] == [3, 7, 11]


def test_gallery_takes_flat_rows_and_string_labels():
    names = np.array(list("abcdefghij"))
    fig = plot_predictions(IMAGES.reshape(40, 64), names[Y_TRUE], names[Y_PRED])
    assert len(fig.axes) == 25
    assert fig.axes[0].get_images()[0].get_array().shape == (8, 8)
    assert (
        fig.axes[0].get_title() == f"true {names[Y_TRUE[0]]} / pred {names[Y_PRED[0]]}"
    )


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.zeros((40, 63)), r"square number of pixels, got shape \(40, 63\)"),
        (np.zeros(40), r"got shape \(40,\)"),
    ],
)
def test_gallery_rejects_non_square_images(images, message):
    with pytest.raises(ValueError, match=message):
        plot_predictions(images, Y_TRUE, Y_PRED)


def test_gallery_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="images and y_true must have the same length"):
        plot_predictions(IMAGES, Y_TRUE[:-1], Y_PRED)


def test_misclassified_most_confident_first():
    np.testing.assert_array_equal(
        misclassified_indices(Y_TRUE, Y_PRED, CONFIDENCE), [11, 7, 3]
    )
    fig = plot_misclassified(IMAGES, Y_TRUE, Y_PRED, CONFIDENCE)
    assert len(fig.axes) == 3
    assert fig.axes[0].get_title() == (
        f"true {Y_TRUE[11]}, pred {Y_PRED[11]}\np = {CONFIDENCE[11]:.2f}"
    )


def test_no_mistakes_still_gives_a_figure():
    fig = plot_misclassified(IMAGES, Y_TRUE, Y_TRUE, CONFIDENCE)
    assert fig.axes == []
    assert [text.get_text() for text in fig.texts] == ["No misclassified images"]
