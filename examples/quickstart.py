"""
Quickstart: classify digits from raw pixels
===========================================

Fit the digit pipeline on scikit-learn's built-in 8x8 digits (offline
everywhere), score it, and look at its confusion matrix and report.
"""

# %%
# Raw pixels in, labels out. ``load_digits`` pixels run from 0 to 16; the
# pipeline expects 8-bit pixels (0-255), as in MNIST.
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.model_selection import train_test_split

from digit_classifier import make_digit_pipeline

digits = load_digits()
images = digits.images * 255 / 16
X_train, X_test, y_train, y_test = train_test_split(
    images, digits.target, stratify=digits.target, random_state=0
)

# %%
# Fit and score.
pipe = make_digit_pipeline(hidden_layer_sizes=(128, 64), random_state=0)
pipe.fit(X_train, y_train)
print(f"test accuracy: {pipe.score(X_test, y_test):.3f}")

# %%
# The classifier is recognised as one by scikit-learn's displays and reports.
y_pred = pipe.predict(X_test)
print(classification_report(y_test, y_pred))
ConfusionMatrixDisplay.from_predictions(y_test, y_pred)
plt.title("Confusion matrix on the held-out digits")
plt.show()
