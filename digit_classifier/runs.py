"""Runs of the command line's train, tune and evaluate:
:mod:`digit_classifier.apps.runs`, by its documented name.
"""

from .apps.runs import Run, evaluate_run, new_run_folder, train_run, tune_run

__all__ = ["Run", "evaluate_run", "new_run_folder", "train_run", "tune_run"]
