"""Searching hidden-layer sizes: :mod:`digit_classifier.model.tuning`, by its
documented name.
"""

from .model.tuning import cv_results_table, dask_cluster, tune_hidden_sizes

__all__ = ["cv_results_table", "dask_cluster", "tune_hidden_sizes"]
