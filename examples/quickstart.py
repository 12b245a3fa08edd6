"""
Quickstart: from digit images to predictions
============================================

Load the digits, fit the ready-made pipeline on raw pixels, score it on the
test set and look at a few of its predictions.

By default this runs in seconds and offline, on scikit-learn's built-in 8x8
digits. Set ``DIGIT_CLASSIFIER_FULL=1`` to run it on MNIST's 60,000 training
and 10,000 test images with the default settings (about a minute on two CPU
cores)::

    DIGIT_CLASSIFIER_FULL=1 python examples/quickstart.py

The picture is written to the current folder as a PNG file.
"""

# %%
# Load the data
# -------------
# Both loaders return ``(X_train, y_train), (X_test, y_test)``: uint8 images of
# shape ``(n, height, width)`` with pixels from 0 to 255, light digits on a
# dark background, and their labels. :func:`~digit_classifier.load_mnist`
# reads the folder in ``DIGIT_CLASSIFIER_DATA`` if set, else Keras's cache,
# else downloads MNIST.
import os

from digit_classifier import load_digits_split, load_mnist, make_digit_pipeline
from digit_classifier.reporting import plot_predictions

FULL = os.environ.get("DIGIT_CLASSIFIER_FULL") == "1"
(X_train, y_train), (X_test, y_test) = load_mnist() if FULL else load_digits_split()
print(f"{len(X_train)} training and {len(X_test)} test images, {X_test[0].shape}")

# %%
# Fit and score
# -------------
# The pipeline scales the raw pixels to [0, 1] and trains a Keras multilayer
# perceptron on them. The "fast" preset trains the default network for 5
# epochs instead of 15: plenty for the small digits.
pipe = make_digit_pipeline(preset="default" if FULL else "fast", random_state=0)
pipe.fit(X_train, y_train)
print(f"test accuracy: {pipe.score(X_test, y_test):.4f}")

# %%
# Predict
# -------
# ``predict`` gives labels, ``predict_proba`` one probability per class.
proba = pipe.predict_proba(X_test[:5])
for label, row in zip(y_test[:5], proba, strict=True):
    best = row.argmax()
    print(f"true {label}: predicted {pipe.classes_[best]} (p = {row[best]:.2f})")

# %%
# The first test images with their true and predicted labels; mistakes are
# red. The library's plots are Matplotlib figures of their own: a notebook
# shows the one a cell ends with, ``fig.savefig`` writes it to a file.
fig = plot_predictions(X_test, y_test, pipe.predict(X_test), n_images=15)
fig.savefig("quickstart_predictions.png")
print("wrote quickstart_predictions.png")
