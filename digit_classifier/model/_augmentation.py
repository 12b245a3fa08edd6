"""Training-time augmentation: new random distortions of each batch of images.

MNIST's digits were written by a few thousand American writers with similar
pens and scanned alike; users' digits come from other hands, pens, scanners
and cameras. :class:`DigitMLPClassifier` can train on digits distorted as
those differ, drawn anew for every batch of every epoch:

- geometry (one resampling): rotation, slant (horizontal shear), zoom,
  shift and elastic distortion, smooth random displacements of the pixels
  (Simard et al., 2003);
- stroke width: strokes thickened or thinned by a pixel, as by a marker or a
  fine pen (a grey-level dilation or erosion);
- low resolution: each image shrunk to a size of its own, 7 to 14 pixels a
  side (a quarter to a half of MNIST's 28), and enlarged back, as a coarse
  scan or a small photo is (images already that small are left as they
  are), its strokes then brought back to full intensity as
  :func:`~digit_classifier.load_digit_image` does.

The functions are TensorFlow operations that run in the ``tf.data`` input
pipeline, in parallel with training, seeded per batch, so that a fit is
reproducible with ``random_state``; the network itself has no augmentation
layers, and prediction never augments. The pipeline runs them compiled by
XLA (:func:`compiled_augmentation`).
"""

import functools
import math

import tensorflow as tf

# The transforms that move pixels, done in one resampling.
GEOMETRY = ("rotation", "zoom", "shift", "shear", "elastic")
# Elastic distortion: the displacement field is smooth over this fraction of
# the side (Simard et al.'s Gaussian of 4 pixels on MNIST's 28).
ELASTIC_SMOOTHNESS = 1 / 7
# Low resolution: the side shrinks to between these many pixels.
LOW_RESOLUTION_SIDES = (7, 14)


def augment(images, seed, *, side, **amounts):
    """Distort a batch of flat images at random, seeded.

    Parameters
    ----------
    images : tf.Tensor of shape (batch, side * side), float32
        Pixels in [0, 1], light ink on dark.

    seed : tf.Tensor of shape (2,), int64
        Seed of this batch's random draws.

    side : int
        Side of the square images.

    **amounts
        The classifier's ``augment_*`` parameters without the prefix:
        ``rotation`` (degrees), ``zoom``, ``shift``, ``shear``, ``elastic``
        (fractions of the side), ``stroke`` and ``low_resolution``
        (fractions of the images).

    Returns
    -------
    augmented : tf.Tensor of shape (batch, side * side), float32
        Pixels in [0, 1].
    """
    batch = tf.shape(images)[0]
    draw = _Draws(seed, batch)
    x = tf.reshape(images, (batch, side, side))
    geometry = {name: amounts.get(name, 0.0) for name in GEOMETRY}
    if any(geometry.values()):
        x = _distort(x, draw, side, **geometry)
    if amounts.get("stroke"):
        x = _vary_strokes(x, draw.uniform(0.0, 1.0), amounts["stroke"])
    if amounts.get("low_resolution"):
        x = _lower_resolution(x, draw, side, amounts["low_resolution"])
    return tf.reshape(tf.clip_by_value(x, 0.0, 1.0), (batch, side * side))


@functools.cache
def compiled_augmentation(side, **amounts):
    """:func:`augment` with these amounts, compiled by XLA.

    XLA fuses the resampling's arithmetic around its gathers: half the CPU
    time of TensorFlow's graph of separate operations (a batch of 128 of the
    ``default`` preset's distortions: 2.8 against 4.9 ms on 2 cores), which
    is what the augmentation costs a fit when the training step keeps the
    cores busy. It compiles anew for each batch shape, in about a second;
    cached here, so that the fits of a process with the same amounts share
    their compilations. Its random draws are not :func:`augment`'s: XLA
    generates them its own way, from the same seeds.

    Parameters
    ----------
    side : int
        Side of the square images.

    **amounts
        As for :func:`augment`.

    Returns
    -------
    augment : tf.types.experimental.PolymorphicFunction
        Called as ``augment(images, seed)``.
    """
    return tf.function(
        functools.partial(augment, side=side, **amounts),
        jit_compile=True,
        autograph=False,  # its branches are on Python values: nothing to convert
    )


class _Draws:
    """The random draws of one batch, each from a seed split off its own."""

    def __init__(self, seed, batch):
        self._seeds = iter(tf.unstack(tf.random.experimental.stateless_split(seed, 16)))
        self.batch = batch

    def uniform(self, low, high, shape=None, dtype=tf.float32):
        shape = (self.batch,) if shape is None else shape
        return tf.random.stateless_uniform(shape, next(self._seeds), low, high, dtype)

    def normal(self, shape):
        return tf.random.stateless_normal(shape, next(self._seeds))


def _distort(x, draw, side, *, rotation, zoom, shift, shear, elastic):
    """Rotate, slant, zoom, shift and elastically distort, in one resampling."""
    centre = (side - 1) / 2
    grid = tf.range(side, dtype=tf.float32) - centre
    rows, cols = grid[None, :, None], grid[None, None, :]
    angle = draw.uniform(-rotation, rotation) * (math.pi / 180)
    scale = 1 / draw.uniform(1 - zoom, 1 + zoom)
    slant = draw.uniform(-shear, shear)
    cos, sin = (tf.reshape(f(angle), (-1, 1, 1)) for f in (tf.cos, tf.sin))
    scale, slant = tf.reshape(scale, (-1, 1, 1)), tf.reshape(slant, (-1, 1, 1))
    # Each output pixel takes the input at the transformed position.
    source_rows = (cos * rows - sin * cols) * scale + centre
    source_cols = (sin * rows + cos * cols) * scale + slant * rows + centre
    source_rows += tf.reshape(draw.uniform(-shift, shift) * side, (-1, 1, 1))
    source_cols += tf.reshape(draw.uniform(-shift, shift) * side, (-1, 1, 1))
    if elastic:
        # Smooth random displacements: noise on a coarse grid, enlarged.
        coarse = max(2, round(1 / (2 * ELASTIC_SMOOTHNESS)))
        noise = draw.normal((draw.batch, coarse, coarse, 2))
        # Bicubic enlargement is separable: one matrix on the rows and the
        # columns, cheaper than tf.image.resize and compilable by XLA.
        enlarge = _resize_matrix(coarse, side, "bicubic")
        noise = tf.transpose(noise, (0, 3, 1, 2))  # (batch, 2, coarse, coarse)
        field = tf.matmul(enlarge @ noise, enlarge, transpose_b=True)
        rms = tf.sqrt(tf.reduce_mean(tf.square(field), axis=(1, 2, 3), keepdims=True))
        field *= elastic * side / (rms + 1e-6)
        source_rows += field[:, 0]
        source_cols += field[:, 1]
    return _bilinear(x, source_rows, source_cols, side)


def _bilinear(x, rows, cols, side):
    """Sample images at fractional positions; 0 outside, as MNIST's border."""
    batch = tf.shape(x)[0]
    # Two rows and columns of zeros around each image: a position outside
    # it, clipped to them, reads 0, as do its neighbours; no bounds checks.
    width = side + 4
    flat = tf.reshape(tf.pad(x, ((0, 0), (2, 2), (2, 2))), (-1,))
    top, left = tf.floor(rows), tf.floor(cols)
    down, right = rows - top, cols - left
    top = tf.clip_by_value(tf.cast(top, tf.int32), -2, side) + 2
    left = tf.clip_by_value(tf.cast(left, tf.int32), -2, side) + 2
    offsets = tf.reshape(tf.range(batch) * width * width, (-1, 1, 1))
    index = offsets + top * width + left
    upper_left, upper_right = tf.gather(flat, index), tf.gather(flat, index + 1)
    lower_left = tf.gather(flat, index + width)
    lower_right = tf.gather(flat, index + width + 1)
    upper = upper_left + right * (upper_right - upper_left)
    lower = lower_left + right * (lower_right - lower_left)
    return upper + down * (lower - upper)


def _vary_strokes(x, draw, fraction):
    """Thicken the strokes of half the chosen images, thin the other half's."""
    images = x[..., None]
    thicker = tf.nn.max_pool2d(images, 2, 1, "SAME")[..., 0]
    thinner = -tf.nn.max_pool2d(-images, 2, 1, "SAME")[..., 0]
    draw = tf.reshape(draw, (-1, 1, 1))
    x = tf.where(draw < fraction / 2, thicker, x)
    return tf.where((draw >= fraction / 2) & (draw < fraction), thinner, x)


def _lower_resolution(x, draw, side, fraction):
    """Shrink the chosen images and enlarge them back; full-intensity strokes.

    Each image gets a size of its own: shrinking by area averaging and
    enlarging bilinearly are both linear and separable, so the round trip at
    a size is one matrix ``M`` (``side x side``) applied to the rows and the
    columns, ``M @ X @ M.T``; an image's matrix is gathered by its size.
    """
    low, high = (min(pixels, side) for pixels in LOW_RESOLUTION_SIDES)
    round_trips = _round_trip_matrices(side, low, high)
    sizes = draw.uniform(0, high - low + 1, dtype=tf.int32)
    matrices = tf.gather(round_trips, sizes)
    coarse = tf.matmul(tf.matmul(matrices, x), matrices, transpose_b=True)
    coarse = tf.maximum(coarse, 0.0)
    # The strokes' core back at full intensity, as preprocessing maps it.
    peak = tf.reduce_max(coarse, axis=(1, 2), keepdims=True)
    core = coarse >= peak / 2
    level = tf.reduce_sum(tf.where(core, coarse, 0.0), axis=(1, 2), keepdims=True)
    level /= tf.maximum(
        tf.reduce_sum(tf.cast(core, tf.float32), axis=(1, 2), keepdims=True), 1.0
    )
    coarse = tf.minimum(coarse / tf.maximum(level, 1e-3), 1.0)
    chosen = tf.reshape(draw.uniform(0.0, 1.0) < fraction, (-1, 1, 1))
    return tf.where(chosen, coarse, x)


def _round_trip_matrices(side, low, high):
    """For each size from `low` to `high`, the matrix of shrinking a side of
    `side` pixels to it (area) and enlarging it back (bilinear)."""
    matrices = [
        _resize_matrix(size, side, "bilinear") @ _resize_matrix(side, size, "area")
        for size in range(low, high + 1)
    ]
    return tf.stack(matrices)


def _resize_matrix(size, new_size, method):
    """The matrix, ``(new_size, size)``, of resizing a side of `size` pixels
    to `new_size` as ``tf.image.resize`` does: the identity, resized."""
    identity = tf.eye(size)[..., None]
    return tf.image.resize(identity, (new_size, size), method=method)[..., 0]
