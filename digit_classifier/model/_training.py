"""The training input pipeline: seeded tf.data batches, the learning-rate
schedule and the stratified validation split of DigitMLPClassifier.fit, and
the loss and accuracy of outlier exposure.
"""

import contextlib
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


# Training batches whose rows NumPy takes in one call: a call costs about
# 0.2 ms besides the copying, and holds the GIL that Keras's loop needs too.
BATCHES_PER_GATHER = 16


def n_batches(n_rows, batch_size):
    """How many batches an epoch of `n_rows` rows has: the last one partial."""
    return -(-n_rows // batch_size)


@contextlib.contextmanager
def batches(X, y, sample_weight, rows, batch_size, shuffle, seed, epochs, augment=None):
    """A tf.data pipeline of (X, y[, sample_weight]) batches of the given rows,
    for all the epochs of a fit, one after another, while the block runs.

    Fed to ``keras.Model.fit`` with ``steps_per_epoch=n_batches(len(rows),
    batch_size)``, so that one iterator runs through the epochs. Each epoch
    takes the rows in an order of its own, one permutation cut into batches of
    indices that a parallel map takes from the arrays, ``BATCHES_PER_GATHER``
    batches at a time (with NumPy, see :class:`_TrainingArrays`), as Keras's
    own array adapter does from tensors;
    but the permutation is a stateless function of `seed` and the epoch's
    number, where Keras's draws with TensorFlow's global seed, so that a fit
    is the same in any process whatever its global seed. `augment`, if given,
    distorts the images of each batch, with a seed of its own made the same
    way from `seed` and the batch's number.

    Parameters
    ----------
    epochs : range
        The numbers of the epochs to train, ``range(initial_epoch, epochs)``.

    Yields
    ------
    dataset : tf.data.Dataset
        Its batches come from the arrays until the block ends; then the
        arrays are let go (see :class:`_TrainingArrays`).
    """
    arrays = _TrainingArrays([a for a in (X, y, sample_weight) if a is not None])
    order_seed, augment_seed = tf.unstack(
        tf.random.experimental.stateless_split(tf.constant([seed, 0], tf.int64), 2)
    )
    rows = tf.constant(rows, dtype=tf.int64)
    n_rows = int(rows.shape[0])
    n_full = n_rows // batch_size

    # The functions tf.data traces here (and the augmentation) branch on Python
    # values only: AutoGraph's rewriting of their source would change nothing
    # but cost a second of a process's first fit.
    @tf.autograph.experimental.do_not_convert
    def epoch_batches(epoch):
        order = rows
        if shuffle:
            epoch_seed = tf.random.experimental.stateless_fold_in(order_seed, epoch)
            order = tf.random.experimental.stateless_shuffle(rows, epoch_seed)
        # Groups of full batches' indices, (batches, batch_size) each, a
        # smaller group after and the partial batch as a group of its own.
        full = tf.reshape(order[: n_full * batch_size], (n_full, batch_size))
        n_groups = n_full // BATCHES_PER_GATHER
        groups = tf.reshape(
            full[: n_groups * BATCHES_PER_GATHER],
            (n_groups, BATCHES_PER_GATHER, batch_size),
        )
        indices = tf.data.Dataset.from_tensor_slices(groups)
        if n_full % BATCHES_PER_GATHER:
            rest = full[n_groups * BATCHES_PER_GATHER :]
            indices = indices.concatenate(tf.data.Dataset.from_tensors(rest))
        if n_rows % batch_size:
            partial = order[n_full * batch_size :][None]
            indices = indices.concatenate(tf.data.Dataset.from_tensors(partial))
        return indices

    per_epoch = n_batches(n_rows, batch_size)
    indices = tf.data.Dataset.range(epochs.start, epochs.stop).flat_map(epoch_batches)
    batches = indices.map(arrays.rows_of, num_parallel_calls=tf.data.AUTOTUNE)
    # Each group's arrays cut into its batches; flat_map and unbatch hide
    # the number of batches, which Keras counts steps by.
    batches = batches.unbatch().apply(
        tf.data.experimental.assert_cardinality(len(epochs) * per_epoch)
    )
    if augment is not None:
        numbers = tf.data.Dataset.range(
            epochs.start * per_epoch, epochs.stop * per_epoch
        )

        @tf.autograph.experimental.do_not_convert
        def distort(batch, number):
            images, *targets = batch
            batch_seed = tf.random.experimental.stateless_fold_in(augment_seed, number)
            if not n_rows % batch_size:
                return (augment(images, batch_seed), *targets)
            # The partial batch padded with blank images to the full size:
            # one batch shape, one compilation of a compiled `augment`.
            size = tf.shape(images)[0]
            padded = tf.pad(images, ((0, batch_size - size), (0, 0)))
            return (augment(padded, batch_seed)[:size], *targets)

        batches = tf.data.Dataset.zip(batches, numbers).map(
            distort, num_parallel_calls=tf.data.AUTOTUNE
        )
    options = tf.data.Options()
    # As Keras's adapter: the default rewrites cost more than they save here.
    options.experimental_optimization.apply_default_optimizations = False
    try:
        yield batches.prefetch(tf.data.AUTOTUNE).with_options(options)
    finally:
        arrays.release()


class _TrainingArrays:
    """The NumPy arrays a fit's batches are taken from, held until it ends.

    NumPy takes the rows of a group of batches from the arrays where they are
    (``tf.numpy_function``) rather than ``tf.gather`` from a tensor copy of
    them: no second copy of the training set in memory, nor its pages touched
    anew (a small network's fit on MNIST about a tenth faster, within the
    noise), the same batches. TensorFlow keeps every function given to
    ``numpy_function`` for the rest of the process, and what it refers to: so
    the arrays are let go explicitly at the end of the fit, or every fit's
    would be kept.
    """

    def __init__(self, arrays):
        self._arrays = arrays
        # Each array's dtype and row shape, which outlive the arrays.
        self._row_types = [(a.dtype, a.shape[1:]) for a in arrays]

    @tf.autograph.experimental.do_not_convert
    def rows_of(self, indices):
        """The rows of each array at a (batches, rows) tensor of indices, as
        (batches, rows, ...) tensors."""
        taken = tf.numpy_function(
            self._take,
            [indices],
            [tf.as_dtype(dtype) for dtype, _ in self._row_types],
            stateful=False,
        )
        for rows, (_, shape) in zip(taken, self._row_types, strict=True):
            rows.set_shape((None, None, *shape))
        return tuple(taken)

    def _take(self, indices):
        if not self._arrays:  # let go: a group prefetched past the fit's end
            return [np.empty((0, 0, *shape), dtype) for dtype, shape in self._row_types]
        return [array[indices] for array in self._arrays]

    def release(self):
        self._arrays = []


class StackedRows:
    """The rows of several arrays as the rows of one, without copying them.

    What a fit's batches are taken from when synthesised rows follow the
    training set (outlier exposure): ``np.concatenate`` would copy the whole
    set to add a few thousand rows, 180 MB for MNIST and about half a second
    of the fit touching the new pages. A batch's rows are the ones the
    concatenation's would be, in the dtype it would have.

    Parameters
    ----------
    parts : list of ndarray
        Arrays of the same row shape, stacked in this order.
    """

    def __init__(self, parts):
        self._parts = parts
        self._starts = np.cumsum([0, *(len(part) for part in parts)])
        self.dtype = np.result_type(*parts)
        self.shape = (int(self._starts[-1]), *parts[0].shape[1:])

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, indices):
        """The rows at an integer array of indices, in its shape and order."""
        indices = np.asarray(indices)
        rows = np.empty((*indices.shape, *self.shape[1:]), self.dtype)
        part_of = np.searchsorted(self._starts, indices, side="right") - 1
        for number, part in enumerate(self._parts):
            taken = part_of == number
            rows[taken] = part[indices[taken] - self._starts[number]]
        return rows


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
