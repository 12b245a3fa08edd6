"""The training input pipeline: seeded tf.data batches, the learning-rate
schedule and the stratified validation split of DigitMLPClassifier.fit, and
the loss and accuracy of outlier exposure.
"""

import math

import keras
import numpy as np
import tensorflow as tf
from sklearn.model_selection import train_test_split


def cosine_learning_rate(epoch, _current, *, start, n_epochs):
    """Half a cosine from `start` at the first epoch towards 0 at `n_epochs`."""
    return start * 0.5 * (1 + math.cos(math.pi * epoch / n_epochs))


def current_learning_rate(_epoch, current):
    return current


def stratified_split(y, validation_fraction, seed):
    """Training and validation rows, stratified by class."""
    return train_test_split(
        np.arange(len(y)),
        test_size=validation_fraction,
        stratify=y,
        random_state=seed,
    )


def batches(X, y, sample_weight, rows, batch_size, shuffle, seed, augment=None):
    """A tf.data pipeline of (X, y[, sample_weight]) batches of the given rows.

    Built as Keras's own array adapter builds its pipeline from arrays
    (batches of row indices that a parallel map gathers, tf.data's default
    graph rewrites off), so that it costs what ``model.fit(X, y)`` costs; but
    the rows are shuffled with an explicit op seed, anew in each epoch, where
    Keras's shuffle draws with TensorFlow's global seed. `augment`, if given,
    distorts the images of each batch, with a seed per batch drawn anew in
    every epoch from `seed`.
    """
    tensors = tuple(
        tf.convert_to_tensor(a) for a in (X, y, sample_weight) if a is not None
    )
    indices = tf.data.Dataset.from_tensor_slices(rows)
    if shuffle:
        indices = indices.shuffle(len(rows), seed=seed, reshuffle_each_iteration=True)
    indices = indices.batch(batch_size)

    def gather(batch):
        return tuple(tf.gather(t, batch) for t in tensors)

    batches = indices.map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    if augment is not None:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)

        def distort(batch, batch_seed):
            images, *targets = batch
            return (augment(images, batch_seed), *targets)

        batches = tf.data.Dataset.zip(batches, seeds.batch(2)).map(
            distort, num_parallel_calls=tf.data.AUTOTUNE
        )
    options = tf.data.Options()
    # As Keras's adapter: the default rewrites cost more than they save here.
    options.experimental_optimization.apply_default_optimizations = False
    return batches.prefetch(tf.data.AUTOTUNE).with_options(options)


# The label of a synthesised non-digit among the encoded training targets.
NON_DIGIT = -1


# Registered so that Keras can rebuild a compiled network that uses them, as
# pickling a fitted classifier does.
@keras.saving.register_keras_serializable(package="digit_classifier")
def digits_or_uniform_crossentropy(y_true, y_pred):
    """Sparse categorical cross-entropy, and equal probabilities for non-digits.

    Rows labelled ``NON_DIGIT`` are scored by the cross-entropy of the output
    against the uniform distribution, the loss of outlier exposure
    (Hendrycks et al., 2019); every other row by its label's, as Keras's
    ``sparse_categorical_crossentropy`` does.
    """
    labels = keras.ops.reshape(keras.ops.cast(y_true, "int32"), (-1,))
    n_classes = keras.ops.shape(y_pred)[-1]
    # Targets as distributions: Keras's categorical cross-entropy then takes
    # the softmax's own logits, as its sparse one does (a fused, fast op).
    uniform = keras.ops.full_like(y_pred, 1.0) / keras.ops.cast(n_classes, y_pred.dtype)
    target = keras.ops.where(
        (labels == NON_DIGIT)[:, None],
        uniform,
        keras.ops.one_hot(keras.ops.maximum(labels, 0), n_classes, dtype=y_pred.dtype),
    )
    return keras.losses.categorical_crossentropy(target, y_pred)


@keras.saving.register_keras_serializable(package="digit_classifier")
class DigitAccuracy(keras.metrics.Mean):
    """Accuracy over the labelled rows only: synthesised non-digits left out."""

    def __init__(self, name="accuracy", **kwargs):
        super().__init__(name=name, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        labels = keras.ops.reshape(keras.ops.cast(y_true, "int32"), (-1,))
        correct = keras.ops.cast(keras.ops.argmax(y_pred, axis=1) == labels, "float32")
        known = keras.ops.cast(labels != NON_DIGIT, "float32")
        return super().update_state(correct, sample_weight=known)
