"""
Which digits does the model confuse?
====================================

Fit the pipeline, then look at its mistakes on the test set: the confusion
matrix in counts and normalized per true digit, the classification report,
the pairs of digits most often confused, and the test images it got wrong
with the most confidence.

By default this runs in seconds and offline, on scikit-learn's built-in 8x8
digits; ``DIGIT_CLASSIFIER_FULL=1`` runs it on MNIST with the default
settings (about a minute on two CPU cores). The pictures are written to the
current folder as PNG files.
"""

# %%
# Fit the pipeline and predict the test set
# -----------------------------------------
# ``predict_proba`` gives the probabilities that rank the mistakes below;
# the predicted label is the most probable class.
import os

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from digit_classifier import load_digits_split, load_mnist, make_digit_pipeline
from digit_classifier.reporting import (
    format_confusion_matrix,
    plot_confusion_matrix,
    plot_misclassified,
)

FULL = os.environ.get("DIGIT_CLASSIFIER_FULL") == "1"
(X_train, y_train), (X_test, y_test) = load_mnist() if FULL else load_digits_split()
pipe = make_digit_pipeline(preset="default" if FULL else "fast", random_state=0)
pipe.fit(X_train, y_train)

proba = pipe.predict_proba(X_test)
y_pred = pipe.classes_[proba.argmax(axis=1)]
print(f"test accuracy: {np.mean(y_pred == y_test):.4f}")

# %%
# Confusion matrix
# ----------------
# Row ``i``, column ``j`` counts the images of digit ``i`` predicted as ``j``:
# the diagonal holds the right answers. The plot is scikit-learn's
# ``ConfusionMatrixDisplay``; its ``figure_`` is the Matplotlib figure.
counts = confusion_matrix(y_test, y_pred, labels=pipe.classes_)
print(format_confusion_matrix(counts, pipe.classes_))
display = plot_confusion_matrix(y_test, y_pred)
display.figure_.savefig("confusion_matrix_counts.png")
print("wrote confusion_matrix_counts.png")

# %%
# Digits are not equally common, so counts are hard to compare across rows.
# Normalized over the true labels, each row shows how the images of one
# digit were classified, and the diagonal is each digit's recall.
display = plot_confusion_matrix(y_test, y_pred, normalize="true")
display.figure_.savefig("confusion_matrix_normalized.png")
print("wrote confusion_matrix_normalized.png")

# %%
# Classification report
# ---------------------
# Precision: of the images predicted as a digit, the share that are it.
# Recall: of the images of a digit, the share found.
print(classification_report(y_test, y_pred, digits=3))

# %%
# The most confused pairs
# -----------------------
# The largest cells off the diagonal.
np.fill_diagonal(counts, 0)
print("most confused (true -> predicted):")
for flat in np.argsort(counts, axis=None)[::-1][:5]:
    true, pred = np.unravel_index(flat, counts.shape)
    if counts[true, pred]:
        print(f"  {pipe.classes_[true]} -> {pipe.classes_[pred]}: {counts[true, pred]}")

# %%
# The confident mistakes
# ----------------------
# The wrong predictions the model was surest of, with the probability it gave
# its (wrong) label. Some are sloppy digits a person would misread too.
fig = plot_misclassified(X_test, y_test, y_pred, proba.max(axis=1), n_images=12)
fig.savefig("confusion_matrix_mistakes.png")
print("wrote confusion_matrix_mistakes.png")
