"""Reports on a classifier's results: text tables and CSV (:mod:`._tables`),
figures (:mod:`._plots`; numbers read, :mod:`._numbers`), calibration
(:mod:`._calibration`) and writing them to files (:mod:`._save`).
"""

from ._calibration import expected_calibration_error, plot_reliability_diagram
from ._numbers import plot_number_readings
from ._plots import (
    draw_confusion_matrix,
    misclassified_indices,
    plot_confusion_matrix,
    plot_cv_results,
    plot_misclassified,
    plot_predictions,
    plot_preprocessed_images,
    plot_training_curves,
)
from ._save import figure_format, save_figure
from ._tables import (
    confusion_matrix_csv,
    cv_results_csv,
    format_confusion_matrix,
    format_cv_results,
)

__all__ = [
    "confusion_matrix_csv",
    "cv_results_csv",
    "draw_confusion_matrix",
    "expected_calibration_error",
    "figure_format",
    "format_confusion_matrix",
    "format_cv_results",
    "misclassified_indices",
    "plot_confusion_matrix",
    "plot_cv_results",
    "plot_misclassified",
    "plot_number_readings",
    "plot_predictions",
    "plot_reliability_diagram",
    "plot_preprocessed_images",
    "plot_training_curves",
    "save_figure",
]
