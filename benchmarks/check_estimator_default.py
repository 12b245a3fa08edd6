"""scikit-learn's check_estimator on the estimators with default parameters.

Prints how many checks ran and which failed, for ``DigitMLPClassifier()`` and
``PixelNormalizer()``, and the same for scikeras's own ``KerasClassifier`` for
comparison. Slow (the defaults train 15 epochs per check). Usage::

    python benchmarks/check_estimator_default.py
"""

import keras
from scikeras.wrappers import KerasClassifier
from sklearn.utils.estimator_checks import check_estimator

from digit_classifier import DigitMLPClassifier, PixelNormalizer


def stock_scikeras_model(meta):
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


def main():
    stock = KerasClassifier(
        stock_scikeras_model,
        loss="sparse_categorical_crossentropy",
        epochs=15,
        verbose=0,
    )
    for estimator in [PixelNormalizer(), DigitMLPClassifier(), stock]:
        results = check_estimator(estimator, on_fail=None)
        failed = [r["check_name"] for r in results if r["status"] == "failed"]
        print(
            f"{type(estimator).__name__}: {len(results)} checks, {len(failed)} failed"
        )
        for name in sorted(set(failed)):
            print(f"  - {name}")


if __name__ == "__main__":
    main()
