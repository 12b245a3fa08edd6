"""Reports: confusion matrices, training curves and image galleries."""

import csv
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import same_color
from matplotlib.figure import Figure
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

from digit_classifier.reporting import (
    confusion_matrix_csv,
    draw_confusion_matrix,
    format_confusion_matrix,
    misclassified_indices,
    plot_confusion_matrix,
    plot_cv_results,
    plot_misclassified,
    plot_predictions,
    plot_training_curves,
)
from digit_classifier.reporting._plots import MISTAKE_COLOR

# Real-looking 8x8 digits, flat rows of 64 pixels, with three planted mistakes.
DIGITS, Y_TRUE = load_digits(return_X_y=True)
DIGITS, Y_TRUE = DIGITS[:60], Y_TRUE[:60]
MISTAKES = np.array([2, 5, 11])
Y_PRED = Y_TRUE.copy()
Y_PRED[MISTAKES] = [8, 3, 7]
CONFIDENCE = np.full(len(Y_TRUE), 0.9)
CONFIDENCE[MISTAKES] = [0.6, 0.95, 0.8]

HISTORY = {
    "loss": [0.9, 0.5, 0.3],
    "accuracy": [0.7, 0.85, 0.9],
    "val_loss": [1.0, 0.6, 0.45],
    "val_accuracy": [0.65, 0.8, 0.86],
}


def _render(fig):
    # Drawing runs the layout engine, as saving a PNG does.
    fig.savefig(io.BytesIO(), format="png", dpi=50)


def test_plots_are_figures_not_registered_with_pyplot():
    open_before = plt.get_fignums()
    figures = [
        plot_confusion_matrix(Y_TRUE, Y_PRED).figure_,
        plot_training_curves(HISTORY),
        plot_predictions(DIGITS, Y_TRUE, Y_PRED),
        plot_misclassified(DIGITS, Y_TRUE, Y_PRED, CONFIDENCE),
    ]
    assert all(isinstance(fig, Figure) for fig in figures)
    assert plt.get_fignums() == open_before


def test_confusion_matrix_plot_annotates_every_cell_with_its_count():
    display = plot_confusion_matrix(Y_TRUE, Y_PRED)
    assert isinstance(display, ConfusionMatrixDisplay)
    fig, ax = display.figure_, display.ax_
    counts = confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(display.confusion_matrix, counts)
    assert [int(text.get_text()) for text in ax.texts] == counts.ravel().tolist()
    assert ax.get_xlabel() == "Predicted label"
    assert ax.get_ylabel() == "True label"
    assert ax.get_title() == "Confusion matrix"
    assert [label.get_text() for label in ax.get_xticklabels()] == [
        str(digit) for digit in range(10)
    ]
    assert fig.get_size_inches().tolist() == [7, 6]
    _render(fig)


@pytest.mark.parametrize(
    ("normalize", "title"),
    [
        ("true", "Confusion matrix (normalized over true labels)"),
        ("pred", "Confusion matrix (normalized over predicted labels)"),
        ("all", "Confusion matrix (normalized over all samples)"),
    ],
)
def test_normalized_confusion_matrix_plot_shows_fractions(normalize, title):
    ax = plot_confusion_matrix(Y_TRUE, Y_PRED, normalize=normalize).ax_
    fractions = confusion_matrix(Y_TRUE, Y_PRED, normalize=normalize)
    shown = [float(text.get_text()) for text in ax.texts]
    np.testing.assert_allclose(shown, fractions.ravel(), atol=0.005)
    assert ax.get_title() == title


def test_confusion_matrix_plot_follows_given_labels():
    ax = plot_confusion_matrix(["cat", "dog", "dog"], ["dog", "dog", "cat"]).ax_
    assert [label.get_text() for label in ax.get_xticklabels()] == ["cat", "dog"]
    display = plot_confusion_matrix([0, 1, 1], [0, 1, 0], labels=[1, 0])
    assert [text.get_text() for text in display.ax_.texts] == ["1", "1", "0", "1"]


def test_plots_draw_into_the_axes_given():
    fig = Figure()
    left, right, third = fig.subplots(1, 3)
    display = plot_confusion_matrix([0, 1, 1], [0, 1, 0], ax=left)
    assert display.ax_ is left
    assert display.figure_ is fig
    assert draw_confusion_matrix([[2, 0], [1, 3]], ["a", "b"], ax=right).ax_ is right
    assert [text.get_text() for text in right.texts] == ["2", "0", "1", "3"]
    rows = [
        {"hidden_layer_sizes": (8,), "mean_score": 0.9, "std_score": 0.01,
         "mean_fit_time": 1.0, "rank": 1},
    ]  # fmt: skip
    assert plot_cv_results(rows, ax=third) is fig
    assert len(third.patches) == 1
    curves = Figure()
    assert plot_training_curves(HISTORY, ax=curves.subplots(1, 2)) is curves
    assert [len(ax.get_lines()) for ax in curves.axes] == [2, 2]
    with pytest.raises(ValueError, match="ax must hold 2 axes"):
        plot_training_curves(HISTORY, ax=Figure().subplots())


def test_fractions_are_drawn_with_two_decimals():
    display = draw_confusion_matrix(np.array([[0.75, 0.25], [0.0, 1.0]]), [0, 1])
    assert [text.get_text() for text in display.ax_.texts] == [
        "0.75", "0.25", "0.00", "1.00",
    ]  # fmt: skip


def test_confusion_matrix_plot_rejects_unknown_normalize():
    with pytest.raises(ValueError, match=re.escape("got 'rows'.")):
        plot_confusion_matrix([0, 1], [0, 1], normalize="rows")


def test_text_table_has_header_and_one_aligned_row_per_true_label():
    y_true = [0] * 120 + [1] * 3 + [2] * 5
    y_pred = [0] * 118 + [2] * 2 + [1] * 3 + [0] + [2] * 4
    matrix = confusion_matrix(y_true, y_pred)
    lines = format_confusion_matrix(matrix, [0, 1, 2]).splitlines()
    assert lines == [
        "true\\pred    0    1    2",
        "0          118    0    2",
        "1            0    3    0",
        "2            1    0    4",
    ]


def test_text_table_matches_sklearn_counts_on_digits():
    matrix = confusion_matrix(Y_TRUE, Y_PRED)
    lines = format_confusion_matrix(matrix, range(10)).splitlines()
    header, *rows = [line.split() for line in lines]
    assert header == ["true\\pred", *(str(digit) for digit in range(10))]
    table = np.array([[int(cell) for cell in row[1:]] for row in rows])
    np.testing.assert_array_equal(table, confusion_matrix(Y_TRUE, Y_PRED))
    # Right-aligned: every line ends at the same column.
    assert len({len(line) for line in lines}) == 1


def test_text_table_columns_fit_long_labels():
    matrix = confusion_matrix(["seven", "one"], ["seven", "seven"])
    lines = format_confusion_matrix(matrix, ["one", "seven"])
    assert lines.splitlines() == [
        "true\\pred    one  seven",
        "one            0      1",
        "seven          0      1",
    ]


def test_csv_parses_back_into_the_same_matrix():
    text = confusion_matrix_csv(confusion_matrix(Y_TRUE, Y_PRED), range(10))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["true\\pred", *(str(digit) for digit in range(10))]
    assert [row[0] for row in rows[1:]] == [str(digit) for digit in range(10)]
    matrix = np.array([[int(cell) for cell in row[1:]] for row in rows[1:]])
    np.testing.assert_array_equal(matrix, confusion_matrix(Y_TRUE, Y_PRED))


def test_csv_uses_given_label_order_and_plain_newlines():
    matrix = confusion_matrix([0, 1, 1], [0, 1, 0], labels=[1, 0])
    text = confusion_matrix_csv(matrix, [1, 0])
    assert text == "true\\pred,1,0\n1,1,1\n0,0,1\n"


def test_training_curves_plot_training_and_validation_per_epoch():
    fig = plot_training_curves(HISTORY)
    loss_ax, accuracy_ax = fig.axes
    assert loss_ax.get_title() == "Loss per epoch"
    assert accuracy_ax.get_title() == "Accuracy per epoch"
    for ax, metric in [(loss_ax, "loss"), (accuracy_ax, "accuracy")]:
        training, validation = ax.get_lines()
        assert training.get_label() == "training"
        assert validation.get_label() == "validation"
        assert training.get_xdata().tolist() == [1, 2, 3]
        assert training.get_ydata().tolist() == HISTORY[metric]
        assert validation.get_ydata().tolist() == HISTORY[f"val_{metric}"]
        assert ax.get_xlabel() == "Epoch"
        legend_texts = [text.get_text() for text in ax.get_legend().get_texts()]
        assert legend_texts == ["training", "validation"]
    _render(fig)
    ticks = loss_ax.get_xticks()
    assert np.array_equal(ticks, np.round(ticks))


def test_training_curves_without_validation_have_training_lines_only():
    fig = plot_training_curves({"loss": [0.5, 0.3], "accuracy": [0.8, 0.9]})
    assert [len(ax.get_lines()) for ax in fig.axes] == [1, 1]
    assert [ax.get_lines()[0].get_label() for ax in fig.axes] == ["training"] * 2


def test_training_curves_without_accuracy_plot_the_loss():
    fig = plot_training_curves({"loss": [0.5, 0.3, 0.2], "val_loss": [0.6, 0.4, 0.3]})
    (ax,) = fig.axes
    assert ax.get_title() == "Loss per epoch"
    assert len(ax.get_lines()) == 2


def test_training_curves_of_an_empty_history_are_an_error():
    with pytest.raises(ValueError, match="history has no epochs"):
        plot_training_curves({"loss": [], "accuracy": []})
    with pytest.raises(ValueError, match=re.escape('history has no "loss" entry')):
        plot_training_curves({})


def test_predictions_grid_titles_every_image_and_marks_mistakes_in_red():
    fig = plot_predictions(DIGITS, Y_TRUE, Y_PRED, n_images=12, ncols=4)
    assert len(fig.axes) == 12
    for index, ax in enumerate(fig.axes):
        assert ax.get_title() == f"true {Y_TRUE[index]} / pred {Y_PRED[index]}"
        (image,) = ax.get_images()
        assert image.get_array().shape == (8, 8)
        assert not ax.get_xticks().size
        assert not ax.get_yticks().size
        is_red = same_color(ax.title.get_color(), MISTAKE_COLOR)
        assert is_red == (index in MISTAKES)
        assert same_color(ax.spines["left"].get_edgecolor(), MISTAKE_COLOR) == is_red
    assert fig.get_suptitle() == (
        "Test images: true and predicted labels (mistakes in red)"
    )


def test_predictions_grid_titles_do_not_overlap():
    fig = plot_predictions(DIGITS, Y_TRUE, Y_PRED)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [ax.title.get_window_extent(renderer) for ax in fig.axes]
    boxes += [ax.get_window_extent(renderer) for ax in fig.axes]
    for first in range(len(boxes)):
        for second in range(first + 1, len(boxes)):
            assert not boxes[first].overlaps(boxes[second])
    assert all(fig.bbox.contains(box.x0, box.y0) for box in boxes)
    assert all(fig.bbox.contains(box.x1, box.y1) for box in boxes)


def test_predictions_grid_shows_25_images_by_default_and_at_most_those_given():
    assert len(plot_predictions(DIGITS, Y_TRUE, Y_PRED).axes) == 25
    fig = plot_predictions(DIGITS[:3], Y_TRUE[:3], Y_PRED[:3])
    assert len(fig.axes) == 3


def test_predictions_accept_string_labels_and_image_stacks():
    images = DIGITS[:2].reshape(2, 8, 8)
    fig = plot_predictions(images, ["seven", "one"], ["seven", "seven"])
    assert [ax.get_title() for ax in fig.axes] == [
        "true seven / pred seven",
        "true one / pred seven",
    ]


@pytest.mark.parametrize("shape", [(4, 63), (4, 2, 2, 2), (16,)])
def test_images_of_a_bad_shape_are_an_error(shape):
    images = np.zeros(shape)
    with pytest.raises(ValueError, match=re.escape(f"got shape {shape}.")):
        plot_predictions(images, [0] * 4, [0] * 4)


def test_images_and_labels_of_different_lengths_are_an_error():
    with pytest.raises(
        ValueError,
        match=re.escape("images and y_true must have the same length, got 60 and 59."),
    ):
        plot_predictions(DIGITS, Y_TRUE[:-1], Y_PRED)
    with pytest.raises(
        ValueError,
        match=re.escape("images and y_pred must have the same length, got 60 and 2."),
    ):
        plot_predictions(DIGITS, Y_TRUE, Y_PRED[:2])


def test_misclassified_indices_are_sorted_by_confidence():
    np.testing.assert_array_equal(
        misclassified_indices(Y_TRUE, Y_PRED, CONFIDENCE), [5, 11, 2]
    )


def test_misclassified_indices_keep_sample_order_on_ties():
    indices = misclassified_indices([0, 1, 2, 3], [1, 1, 0, 0], [0.5, 0.9, 0.5, 0.7])
    np.testing.assert_array_equal(indices, [3, 0, 2])


def test_misclassified_indices_reject_confidence_of_another_length():
    with pytest.raises(
        ValueError,
        match=re.escape("y_true and confidence must have the same length, got 3 and 2"),
    ):
        misclassified_indices([0, 1, 2], [0, 1, 1], [0.5, 0.9])


def test_misclassified_plot_shows_most_confident_mistakes_first():
    fig = plot_misclassified(DIGITS, Y_TRUE, Y_PRED, CONFIDENCE)
    assert [ax.get_title() for ax in fig.axes] == [
        f"true {Y_TRUE[5]}, pred 3\np = 0.95",
        f"true {Y_TRUE[11]}, pred 7\np = 0.80",
        f"true {Y_TRUE[2]}, pred 8\np = 0.60",
    ]
    np.testing.assert_array_equal(
        fig.axes[0].get_images()[0].get_array(), DIGITS[5].reshape(8, 8)
    )
    _render(fig)


def test_misclassified_plot_shows_at_most_n_images():
    fig = plot_misclassified(DIGITS, Y_TRUE, Y_PRED, CONFIDENCE, n_images=2)
    assert len(fig.axes) == 2


def test_misclassified_plot_without_mistakes_says_so():
    fig = plot_misclassified(DIGITS, Y_TRUE, Y_TRUE, CONFIDENCE)
    assert fig.axes == []
    assert [text.get_text() for text in fig.texts] == ["No misclassified images"]
    _render(fig)
