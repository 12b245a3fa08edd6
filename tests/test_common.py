"""scikit-learn's own estimator checks, run on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from digit_classifier import DigitMLPClassifier, DigitNormalizer, PixelNormalizer

# Checks that cannot pass, with the reason. Strict: a check listed here that
# starts passing fails the suite, so the list cannot go stale.
EXPECTED_FAILED_CHECKS = {
    "DigitMLPClassifier": {
        "check_mixin_order": (
            "scikeras's KerasClassifier lists ClassifierMixin right of "
            "BaseEstimator, and no subclass can reorder its bases"
        ),
        "check_estimator_tags_renamed": (
            "scikeras's BaseWrapper defines the pre-1.6 _more_tags hook; "
            "DigitMLPClassifier itself defines __sklearn_tags__"
        ),
        "check_sample_weight_equivalence_on_dense_data": (
            "shuffled minibatch training: weighting a sample is not the same "
            "as repeating it in the batches"
        ),
    },
    "PixelNormalizer": {},
    "DigitNormalizer": {},
}

# Small and quick, yet accurate enough for the checks' score thresholds.
FAST_CLASSIFIER = DigitMLPClassifier(
    hidden_layer_sizes=(16,), dropout=0.0, learning_rate=0.05, batch_size=64, epochs=8
)


@parametrize_with_checks(
    [PixelNormalizer(), DigitNormalizer(), FAST_CLASSIFIER],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS[type(est).__name__],
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
