"""
Predict your own handwriting, from a photo
==========================================

A model trained on MNIST reads only digits in MNIST's form: light on black,
scaled into a 20x20 box, centred in a 28x28 frame. A photo of a digit on
paper is nothing like that; :func:`~digit_classifier.load_digit_image` brings
it there. This script shows the photo next to the 28x28 image the model saw,
and the prediction.

Photograph or scan one digit written on paper, then::

    DIGIT_CLASSIFIER_FULL=1 python examples/predict_your_handwriting.py my_digit.jpg

Without a path, the script makes a photo-like image itself. By default it
runs in seconds and offline, with a model trained on scikit-learn's built-in
8x8 digits, which reads its own kind of digits well but handwriting poorly;
``DIGIT_CLASSIFIER_FULL=1`` trains on MNIST first (about a minute on two CPU
cores), as your own photos need. The picture is written to the current
folder as a PNG file.
"""

# %%
# A model for 28x28 images
# ------------------------
# The preprocessing always gives 28x28 images, so the model must be trained
# on such images. MNIST's are; scikit-learn's 8x8 digits are brought to that
# form by the same preprocessing as the photos.
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from digit_classifier import (
    DigitImagePreprocessor,
    load_digit_image,
    load_digits_split,
    load_mnist,
    make_digit_pipeline,
)
from digit_classifier.datasets import make_photo_digits
from digit_classifier.images import read_image
from digit_classifier.reporting import plot_preprocessed_images

FULL = os.environ.get("DIGIT_CLASSIFIER_FULL") == "1"
if FULL:
    (X_train, y_train), (X_test, y_test) = load_mnist()
else:
    (X_train, y_train), (X_test, y_test) = load_digits_split()
    # These digits fill their 8x8 frame; a black border gives the
    # preprocessing the background it needs to find them.
    border = [(0, 0), (4, 4), (4, 4)]
    to_mnist_form = DigitImagePreprocessor()
    X_train = to_mnist_form.transform(np.pad(X_train, border))
    X_test = to_mnist_form.transform(np.pad(X_test, border))

pipe = make_digit_pipeline(preset="default" if FULL else "fast", random_state=0)
pipe.fit(X_train, y_train)
print(f"test accuracy: {pipe.score(X_test, y_test):.4f}")

# %%
# The photo
# ---------
# Your own, if given; else a test digit drawn as a photo of it might look
# (``make_photo_digits``): dark ink, enlarged, off-centre on coloured paper,
# under uneven light, with sensor noise, saved as a JPEG.
if len(sys.argv) > 1:
    path, true_label = Path(sys.argv[1]), None
    if not FULL:
        print("A model of the 8x8 digits reads handwriting poorly: for your own")
        print("photos, run this again with DIGIT_CLASSIFIER_FULL=1.")
else:
    true_label = y_test[0]
    [path] = make_photo_digits(X_test[:1], tempfile.mkdtemp(), random_state=0)

# %%
# From the photo to a prediction
# ------------------------------
# ``load_digit_image`` reads the file and returns the 28x28 uint8 digit;
# the pipeline takes a stack of such images.
digit = load_digit_image(path)
proba = pipe.predict_proba(digit[np.newaxis])[0]
label, p = pipe.classes_[proba.argmax()], proba.max()
drawn = "" if true_label is None else f", drawn from a {true_label}"
print(f"{path.name}: predicted {label} (p = {p:.2f}){drawn}")

fig = plot_preprocessed_images(
    [read_image(path)], digit[np.newaxis], [f"{label} (p = {p:.2f})"], names=[path.name]
)
fig.savefig("handwriting_prediction.png")
print("wrote handwriting_prediction.png")

# %%
# The same from the command line, with a model saved by ``digit-classifier
# train``: ``digit-classifier predict runs/<run>/model.zip my_digit.jpg
# --show seen.png``. In a pipeline, ``DigitImagePreprocessor`` does what
# ``load_digit_image`` does, for many files at once.
