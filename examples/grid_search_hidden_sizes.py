"""
Choosing the hidden layer sizes with a grid search
==================================================

Cross-validate the pipeline over a few network shapes with scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV`, rank them, and score the
best one once on the test set.

By default this runs in seconds and offline: two small networks on
scikit-learn's built-in 8x8 digits. ``DIGIT_CLASSIFIER_FULL=1`` compares four
realistic networks on MNIST instead (a few minutes on two CPU cores). The
picture is written to the current folder as a PNG file.
"""

# %%
# The search
# ----------
# The classifier is the pipeline's ``mlp`` step, so its parameters are
# searched as ``mlp__<name>``. ``DigitMLPClassifier`` is a scikit-learn
# classifier, so an integer ``cv`` means stratified folds. Only the training
# set is searched: the test set stays unseen until the end.
import os

from sklearn.model_selection import GridSearchCV

from digit_classifier import load_digits_split, load_mnist, make_digit_pipeline
from digit_classifier.reporting import format_cv_results, plot_cv_results
from digit_classifier.tuning import cv_results_table

FULL = os.environ.get("DIGIT_CLASSIFIER_FULL") == "1"
(X_train, y_train), (X_test, y_test) = load_mnist() if FULL else load_digits_split()
# By default, two small networks on two folds: a search in seconds.
if FULL:
    candidates, cv = [(128,), (256,), (256, 128), (512, 256)], 3
else:
    candidates, cv = [(16,), (64,)], 2

# The search fits a network per candidate and fold: each trains for 5 epochs
# (the "fast" preset), a third of the default.
search = GridSearchCV(
    make_digit_pipeline(preset="fast", random_state=0),
    {"mlp__hidden_layer_sizes": candidates},
    cv=cv,
)
search.fit(X_train, y_train)

# %%
# The results
# -----------
# :func:`~digit_classifier.tuning.cv_results_table` turns ``cv_results_`` into
# one row per candidate, best first: mean and standard deviation of the
# accuracy over the folds, and the time per fit.
rows = cv_results_table(search)
print(format_cv_results(rows))
print(f"best hidden_layer_sizes: {search.best_params_['mlp__hidden_layer_sizes']}")

plot_cv_results(rows).savefig("grid_search_results.png")
print("wrote grid_search_results.png")

# %%
# The best candidate, refitted on the whole training set
# ------------------------------------------------------
# ``refit=True`` (the default) refits the best candidate on all the training
# images; score it once on the test set.
print(f"test accuracy: {search.score(X_test, y_test):.4f}")

# %%
# :func:`digit_classifier.tuning.tune_hidden_sizes` runs such a search in one
# call, with shuffled folds, the fits spread over ``n_jobs`` processes, and
# ``halving=True`` for successive halving; ``digit-classifier tune`` runs it
# from the command line.
