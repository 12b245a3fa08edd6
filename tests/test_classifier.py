"""DigitMLPClassifier on its own: training, reproducibility, attributes."""

import gc
import os
import pickle
import random
import weakref

import numpy as np
import pytest
import tensorflow as tf
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_validate

from digit_classifier import DigitMLPClassifier, inference

X_DIGITS, Y_DIGITS = load_digits(n_class=3, return_X_y=True)
X_DIGITS = (X_DIGITS / 16).astype(np.float32)

SMALL = {"hidden_layer_sizes": (16,), "batch_size": 64, "epochs": 5}


@pytest.fixture(scope="module")
def fitted():
    return DigitMLPClassifier(**SMALL, random_state=0).fit(X_DIGITS, Y_DIGITS)


def test_cross_validation_is_stratified_as_for_a_classifier():
    # Sorted by class: folds that ignored the classes would hold one class each.
    order = np.argsort(Y_DIGITS, kind="stable")
    X, y = X_DIGITS[order], Y_DIGITS[order]
    clf = DigitMLPClassifier(hidden_layer_sizes=(4,), epochs=1)
    results = cross_validate(clf, X, y, cv=3, return_indices=True)
    for test_rows in results["indices"]["test"]:
        counts = np.bincount(y[test_rows], minlength=3)
        assert counts.max() - counts.min() <= 2, counts


def test_fitted_attributes(fitted):
    np.testing.assert_array_equal(fitted.classes_, [0, 1, 2])
    assert fitted.n_features_in_ == 64
    assert fitted.n_iter_ == 5
    assert set(fitted.history_) == {"loss", "accuracy", "learning_rate"}
    assert all(len(values) == 5 for values in fitted.history_.values())
    assert fitted.history_["loss"][-1] < fitted.history_["loss"][0]


def test_network_is_sized_from_the_data(fitted):
    model = fitted.model_
    assert model.input_shape == (None, 64)
    assert model.output_shape == (None, 3)
    assert [layer.units for layer in model.layers if hasattr(layer, "units")] == [16, 3]
    assert all(w.dtype == "float32" for w in model.weights)
    # NumPy's copies, exactly the network's float32 values.
    kernels = [w for w in model.weights if "kernel" in w.path]
    assert [coef.shape for coef in fitted.coefs_] == [(64, 16), (16, 3)]
    assert [b.shape for b in fitted.intercepts_] == [(16,), (3,)]
    for coef, kernel in zip(fitted.coefs_, kernels, strict=True):
        assert coef.dtype == np.float64
        np.testing.assert_array_equal(coef, kernel.numpy())


def test_no_hidden_layer_is_softmax_regression():
    clf = DigitMLPClassifier(**{**SMALL, "hidden_layer_sizes": ()})
    clf.fit(X_DIGITS, Y_DIGITS)
    dense = [layer for layer in clf.model_.layers if hasattr(layer, "units")]
    assert [layer.units for layer in dense] == [3]


def test_learns_the_digits():
    clf = DigitMLPClassifier(hidden_layer_sizes=(32,), epochs=30, random_state=0)
    clf.fit(X_DIGITS[::2], Y_DIGITS[::2])
    assert clf.score(X_DIGITS[1::2], Y_DIGITS[1::2]) > 0.95


def test_predict_proba_rows_sum_to_one_and_match_predict(fitted):
    proba = fitted.predict_proba(X_DIGITS)
    assert proba.shape == (len(X_DIGITS), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(fitted.predict(X_DIGITS), proba.argmax(axis=1))


def assert_matches_keras(clf, X):
    """NumPy's probabilities within 1e-5 of Keras's, the same labels but at ties.

    The two run different matrix kernels (float64 NumPy, float32 TensorFlow),
    so their results differ in the last bits: never compare them exactly.
    """
    expected = clf.model_.predict(X, batch_size=1024, verbose=0)
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-5)
    top_two = np.sort(expected, axis=1)[:, -2:]
    clear = top_two[:, 1] - top_two[:, 0] > 1e-5
    assert clear.mean() > 0.9  # else the label check below says little
    np.testing.assert_array_equal(
        clf.predict(X)[clear], clf.classes_[expected.argmax(axis=1)][clear]
    )


ACTIVATIONS = ["relu", "elu", "gelu", "selu", "swish", "tanh", "sigmoid", "linear"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_predictions_match_keras_for_every_activation(activation):
    clf = DigitMLPClassifier(
        hidden_layer_sizes=(32, 16),
        activation=activation,
        dropout=0.0,
        epochs=3,
        random_state=0,
    ).fit(X_DIGITS, Y_DIGITS)
    for n_rows in (1, 2, 33, len(X_DIGITS)):
        assert_matches_keras(clf, X_DIGITS[:n_rows])


@pytest.fixture(scope="module")
def fitted_mnist_shaped():
    """The default network (with dropout) on MNIST-shaped rows, and 10,000 more."""
    rng = np.random.default_rng(0)
    X = rng.random((10_000, 784), dtype=np.float32)
    y = rng.integers(10, size=len(X))
    clf = DigitMLPClassifier(epochs=1, random_state=0).fit(X[:300], y[:300])
    return clf, X


@pytest.mark.parametrize("n_rows", [1, 2, 33, 10_000])
def test_default_network_matches_keras(fitted_mnist_shaped, n_rows):
    clf, X = fitted_mnist_shaped
    assert any(type(layer).__name__ == "Dropout" for layer in clf.model_.layers)
    assert_matches_keras(clf, X[:n_rows])


def test_a_rows_probabilities_do_not_depend_on_the_other_rows(fitted_mnist_shaped):
    clf, X = fitted_mnist_shaped
    X = X[:500]
    proba = clf.predict_proba(X)
    order = np.random.default_rng(1).permutation(len(X))
    # float64 products: any kernel's rounding stays far below these bounds.
    np.testing.assert_allclose(clf.predict_proba(X[order]), proba[order], rtol=1e-12)
    single = np.concatenate([clf.predict_proba(X[i : i + 1]) for i in range(40)])
    np.testing.assert_allclose(single, proba[:40], rtol=1e-12)


def test_large_inputs_are_predicted_in_chunks(fitted_mnist_shaped, monkeypatch):
    clf, X = fitted_mnist_shaped
    whole = clf.predict_proba(X[:1000])
    monkeypatch.setattr(inference, "CHUNK_ROWS", 300)  # 3 chunks and 100 rows
    np.testing.assert_allclose(clf.predict_proba(X[:1000]), whole, rtol=1e-12)


def test_predictions_follow_the_weights_through_partial_fit(fitted):
    clf = pickle.loads(pickle.dumps(fitted))
    before = clf.predict_proba(X_DIGITS)
    clf.partial_fit(X_DIGITS, Y_DIGITS)
    assert np.abs(clf.predict_proba(X_DIGITS) - before).max() > 1e-3
    assert_matches_keras(clf, X_DIGITS)


def test_refit_replaces_the_weights(fitted):
    clf = clone(fitted).fit(X_DIGITS, Y_DIGITS)
    clf.set_params(hidden_layer_sizes=(8,)).fit(X_DIGITS, Y_DIGITS)
    assert [coef.shape for coef in clf.coefs_] == [(64, 8), (8, 3)]
    assert_matches_keras(clf, X_DIGITS)


def test_initialize_builds_an_untrained_network_that_predicts():
    clf = DigitMLPClassifier(**SMALL, random_state=0).initialize(X_DIGITS, Y_DIGITS)
    assert [coef.shape for coef in clf.coefs_] == [(64, 16), (16, 3)]
    np.testing.assert_allclose(
        clf.predict_proba(X_DIGITS),
        clf.model_.predict(X_DIGITS, verbose=0),
        rtol=0,
        atol=1e-5,
    )


AUGMENTED = {
    "augment_rotation": 10,
    "augment_zoom": 0.1,
    "augment_shift": 0.1,
    "augment_shear": 0.2,
    "augment_elastic": 0.03,
    "augment_stroke": 0.5,
    "augment_low_resolution": 0.5,
}


@pytest.fixture(scope="module")
def augmented():
    return DigitMLPClassifier(**SMALL, **AUGMENTED, random_state=0).fit(
        X_DIGITS, Y_DIGITS
    )


def test_augmentation_runs_in_the_input_pipeline_only(augmented, monkeypatch):
    # The network has no augmentation layers: prediction never augments.
    layers = {type(layer).__name__ for layer in augmented.model_.layers}
    assert layers == {"InputLayer", "Dense", "Dropout"}
    # The training batches go through the compiled augment, with the
    # parameters' amounts.
    from digit_classifier.model import _classifier

    made, distorted = [], []
    original = _classifier.compiled_augmentation

    def spy(side, **amounts):
        made.append({"side": side, **amounts})
        compiled = original(side, **amounts)

        def distort(images, seed):
            distorted.append(images.shape)
            return compiled(images, seed)

        return distort

    monkeypatch.setattr(_classifier, "compiled_augmentation", spy)
    clone(augmented).fit(X_DIGITS, Y_DIGITS)
    assert made == [
        {
            "side": 8,
            **{name.removeprefix("augment_"): v for name, v in AUGMENTED.items()},
        }
    ]
    assert distorted, "the input pipeline did not augment"


def test_augmented_network_predicts_as_keras_does(augmented):
    # Inactive at prediction: NumPy's network has no augmentation at all.
    for n_rows in (1, 2, 33, len(X_DIGITS)):
        assert_matches_keras(augmented, X_DIGITS[:n_rows])


def test_augmented_training_is_reproducible(augmented, fitted):
    again = DigitMLPClassifier(**SMALL, **AUGMENTED, random_state=0)
    again.fit(X_DIGITS, Y_DIGITS)
    assert again.history_["loss"] == augmented.history_["loss"]
    np.testing.assert_array_equal(
        again.predict_proba(X_DIGITS), augmented.predict_proba(X_DIGITS)
    )
    # fitted: the same network and seed without augmentation.
    assert fitted.history_["loss"] != augmented.history_["loss"]


def test_string_labels_round_trip():
    names = np.array(["zero", "one", "two"])[Y_DIGITS]
    clf = DigitMLPClassifier(**SMALL, random_state=0).fit(X_DIGITS, names)
    np.testing.assert_array_equal(clf.classes_, ["one", "two", "zero"])
    for digit, name in enumerate(["zero", "one", "two"]):
        of_digit = X_DIGITS[np.equal(Y_DIGITS, digit)]
        assert np.mean(clf.predict(of_digit) == name) > 0.8


def test_same_random_state_gives_the_same_model():
    first = DigitMLPClassifier(**SMALL, dropout=0.2, random_state=7).fit(
        X_DIGITS, Y_DIGITS
    )
    second = DigitMLPClassifier(**SMALL, dropout=0.2, random_state=7).fit(
        X_DIGITS, Y_DIGITS
    )
    other = DigitMLPClassifier(**SMALL, dropout=0.2, random_state=8).fit(
        X_DIGITS, Y_DIGITS
    )
    np.testing.assert_array_equal(
        first.predict_proba(X_DIGITS), second.predict_proba(X_DIGITS)
    )
    assert not np.array_equal(
        first.predict_proba(X_DIGITS), other.predict_proba(X_DIGITS)
    )


def test_the_same_model_whatever_tensorflows_global_seed():
    # A search's workers have no global seed; the process that started them
    # may have one (keras.utils.set_random_seed): their fits must agree.
    params = {**SMALL, "dropout": 0.2, "augment_rotation": 10.0, "random_state": 7}
    unseeded = DigitMLPClassifier(**params).fit(X_DIGITS, Y_DIGITS)
    tf.random.set_seed(123)
    try:
        seeded = DigitMLPClassifier(**params).fit(X_DIGITS, Y_DIGITS)
    finally:
        tf.random.set_seed(None)
    np.testing.assert_array_equal(
        seeded.predict_proba(X_DIGITS), unseeded.predict_proba(X_DIGITS)
    )


def test_training_batches_take_each_row_once_an_epoch():
    from digit_classifier.model._training import batches

    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    y, weight = np.arange(20) % 3, np.linspace(0.5, 1.5, 20)
    rows = np.arange(1, 20, 2)  # ten of the twenty rows
    epochs = [[], []]
    with batches(X, y, weight, rows, 4, True, 3, range(2)) as dataset:
        for number, (images, labels, weights) in enumerate(dataset):
            taken = images[:, 0].numpy().astype(int) // 2  # the rows, by value
            np.testing.assert_array_equal(labels, y[taken])
            np.testing.assert_array_equal(weights, weight[taken])
            epochs[number // 3].append(taken)
    assert [len(batch) for batch in epochs[0]] == [4, 4, 2]  # the last one partial
    orders = [np.concatenate(epoch) for epoch in epochs]
    for order in orders:
        np.testing.assert_array_equal(np.sort(order), rows)
    assert not np.array_equal(*orders)  # each epoch an order of its own
    with batches(X, y, weight, rows, 4, True, 3, range(1, 2)) as dataset:
        again = np.concatenate([images for images, *_ in dataset.as_numpy_iterator()])
    np.testing.assert_array_equal(again[:, 0] // 2, orders[1])


@pytest.mark.parametrize("n_rows", [67, 64, 3])
def test_training_batches_do_not_depend_on_how_many_are_gathered_at_once(
    n_rows, monkeypatch
):
    # NumPy takes BATCHES_PER_GATHER batches' rows in one call: 67 rows in
    # batches of 2 are two full groups, a smaller one and a partial batch;
    # 64 fill two groups; 3 are a group of one and a partial batch.
    from digit_classifier.model import _training

    X = np.arange(2 * n_rows, dtype=np.float32).reshape(n_rows, 2)
    y = np.arange(n_rows) % 5
    rows = np.arange(n_rows)

    def epochs_of_batches(per_gather):
        monkeypatch.setattr(_training, "BATCHES_PER_GATHER", per_gather)
        with _training.batches(X, y, None, rows, 2, True, 7, range(2)) as dataset:
            return [(images.numpy(), labels.numpy()) for images, labels in dataset]

    grouped, one_by_one = epochs_of_batches(16), epochs_of_batches(1)
    assert len(grouped) == 2 * _training.n_batches(n_rows, 2)
    assert [len(images) for images, _ in grouped[-2:]] == [2, 2 - n_rows % 2]
    for (images, labels), (their_images, their_labels) in zip(
        grouped, one_by_one, strict=True
    ):
        np.testing.assert_array_equal(images, their_images)
        np.testing.assert_array_equal(labels, their_labels)
    assert len(np.unique(np.concatenate([x for x, _ in grouped]), axis=0)) == n_rows


def test_stacked_rows_give_the_batches_of_their_concatenation():
    # Outlier exposure's non-digits follow the training set without a copy of
    # it: its batches must be the concatenation's, row for row and in dtype.
    from digit_classifier.model._training import StackedRows, batches

    digits = np.arange(30, dtype=np.float64).reshape(15, 2)
    non_digits = np.full((4, 2), -1, dtype=np.float32)
    stacked = StackedRows([digits, non_digits])
    joined = np.concatenate([digits, non_digits])
    assert (len(stacked), stacked.shape, stacked.dtype) == (19, (19, 2), joined.dtype)
    indices = np.array([18, 0, 15, 14, 3, 16])
    np.testing.assert_array_equal(stacked[indices], joined[indices])
    y, rows = np.arange(19) % 3, np.arange(2, 19)
    taken = []
    for X in (stacked, joined):
        with batches(X, y, None, rows, 4, True, 5, range(2)) as dataset:
            taken.append([images.numpy() for images, _ in dataset])
    assert [len(batch) for batch in taken[0]] == [4, 4, 4, 4, 1] * 2
    for mine, theirs in zip(*taken, strict=True):
        assert mine.dtype == theirs.dtype
        np.testing.assert_array_equal(mine, theirs)


def test_a_partial_batch_is_augmented_at_the_full_batch_size():
    # Padded with blank images, so that a compiled augment sees one shape.
    from digit_classifier.model._training import batches

    X = np.arange(1, 21, dtype=np.float32).reshape(10, 2)

    def augment(images, seed):  # marks each image with its batch's size
        return images * 10 + tf.cast(tf.shape(images)[0], tf.float32)

    with batches(X, None, None, np.arange(10), 4, False, 0, range(1), augment) as data:
        taken = [images.numpy() for (images,) in data]
    assert [len(images) for images in taken] == [4, 4, 2]  # the last one partial
    taken = np.concatenate(taken)
    np.testing.assert_array_equal(taken // 10, X)
    np.testing.assert_array_equal(taken % 10, 4)  # all augmented 4 at a time


def test_the_training_batches_let_their_arrays_go():
    # TensorFlow keeps what its tf.data functions refer to for good: the
    # batches' arrays must be let go when the fit ends, or a search's fits
    # would keep every training set they were given.
    from digit_classifier.model._training import batches

    X, y, weight = np.ones((12, 3), np.float32), np.arange(12), np.ones(12)
    with batches(X, y, weight, np.arange(12), 5, True, 0, range(1)) as dataset:
        assert sum(len(images) for images, *_ in dataset) == 12
    kept = [weakref.ref(array) for array in (X, y, weight)]
    del X, y, weight, dataset
    gc.collect()
    assert [ref() for ref in kept] == [None, None, None]


def test_seeded_fit_leaves_global_random_state_alone():
    python_state = random.getstate()
    numpy_state = np.random.get_state()  # noqa: NPY002 (the global state is the point)
    deterministic_ops = os.environ.get("TF_DETERMINISTIC_OPS")

    DigitMLPClassifier(**SMALL, early_stopping=True, random_state=0).fit(
        X_DIGITS, Y_DIGITS
    )

    assert random.getstate() == python_state
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state[1])  # noqa: NPY002
    assert os.environ.get("TF_DETERMINISTIC_OPS") == deterministic_ops
    # What scikeras breaks: with op determinism left on, unseeded random ops
    # raise "Random ops require a seed to be set when determinism is enabled".
    first, second = tf.random.uniform((2,)), tf.random.uniform((2,))
    assert not np.array_equal(first, second)


def test_early_stopping_holds_out_data_and_stops():
    clf = DigitMLPClassifier(
        **{**SMALL, "epochs": 300},
        learning_rate=0.05,
        early_stopping=True,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X_DIGITS, Y_DIGITS)
    assert set(clf.history_) == {
        "loss",
        "accuracy",
        "val_loss",
        "val_accuracy",
        "learning_rate",
    }
    assert clf.n_iter_ < 300
    assert len(clf.history_["val_loss"]) == clf.n_iter_
    # Stopped n_iter_no_change epochs after the best validation loss.
    assert np.argmin(clf.history_["val_loss"]) == clf.n_iter_ - 1 - 3


def test_early_stopping_split_is_stratified():
    from digit_classifier.model._training import stratified_split

    y = np.repeat([0, 1], [90, 10])
    train_rows, validation_rows = stratified_split(y, 0.2, 0)
    np.testing.assert_array_equal(np.bincount(y[validation_rows]), [18, 2])
    assert len(train_rows) == 80
    assert set(train_rows).isdisjoint(validation_rows)


def test_scikeras_routed_parameters_still_work():
    constant = {**SMALL, "learning_rate_schedule": "constant"}
    clf = DigitMLPClassifier(
        **constant, optimizer__learning_rate=0.123, optimizer__beta_1=0.8
    )
    clf.fit(X_DIGITS, Y_DIGITS)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.123)
    assert clf.model_.optimizer.beta_1 == pytest.approx(0.8)

    clf = DigitMLPClassifier(**constant, learning_rate=0.05).fit(X_DIGITS, Y_DIGITS)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.05)


def test_cosine_schedule_lowers_the_learning_rate_each_epoch():
    clf = DigitMLPClassifier(**SMALL, learning_rate=0.01).fit(X_DIGITS, Y_DIGITS)
    assert clf.history_["learning_rate"] == pytest.approx(
        [0.01 * 0.5 * (1 + np.cos(np.pi * epoch / 5)) for epoch in range(5)]
    )


def test_sample_weight_reaches_the_loss():
    weights = np.where(Y_DIGITS == 0, 100.0, 0.01)
    clf = DigitMLPClassifier(**SMALL, learning_rate=0.05, random_state=0)
    clf.fit(X_DIGITS, Y_DIGITS, sample_weight=weights)
    # Class 0 is a third of the data but dominates the weighted loss.
    assert np.mean(clf.predict(X_DIGITS) == 0) > 0.5


def test_partial_fit_continues_training(fitted):
    clf = clone(fitted).set_params(random_state=0)
    clf.partial_fit(X_DIGITS, Y_DIGITS)
    clf.partial_fit(X_DIGITS, Y_DIGITS)
    assert clf.n_iter_ == 2
    assert len(clf.history_["loss"]) == 2
    # partial_fit keeps the learning rate: no schedule over a single epoch.
    assert clf.history_["learning_rate"] == pytest.approx([clf.learning_rate] * 2)


def test_pickle_round_trip_predicts_the_same(fitted):
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(
        restored.predict_proba(X_DIGITS), fitted.predict_proba(X_DIGITS)
    )
    assert restored.get_params() == fitted.get_params()


def test_clone_keeps_parameters_and_drops_the_model(fitted):
    copy = clone(fitted)
    with pytest.raises(NotFittedError):
        copy.predict(X_DIGITS)
    # Every parameter that shapes training survived: the same model again.
    np.testing.assert_array_equal(
        copy.fit(X_DIGITS, Y_DIGITS).predict_proba(X_DIGITS),
        fitted.predict_proba(X_DIGITS),
    )


@pytest.mark.parametrize(("n_samples", "expected_batch"), [(537, 16), (10_000, 256)])
def test_auto_batch_size_scales_with_the_data(n_samples, expected_batch):
    rng = np.random.default_rng(0)
    X = rng.random((n_samples, 4), dtype=np.float32)
    y = np.arange(n_samples) % 3
    clf = DigitMLPClassifier(hidden_layer_sizes=(4,), epochs=1).fit(X, y)
    updates = int(clf.model_.optimizer.iterations)
    assert updates == -(-n_samples // expected_batch)  # one epoch of batches
