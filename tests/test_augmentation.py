"""The training-time distortions, on their own: TensorFlow ops, seeded per batch."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage

from digit_classifier.model._augmentation import augment, compiled_augmentation

SIDE = 28
SEED = tf.constant([3, 4], tf.int64)


def strokes(n=32):
    """Light-on-dark digits of 28x28: a vertical bar each, MNIST-sized."""
    images = np.zeros((n, SIDE, SIDE), np.float32)
    images[:, 4:24, 12:15] = 1.0
    return images


def run(images, seed=SEED, **amounts):
    flat = tf.constant(images.reshape(len(images), -1))
    return augment(flat, seed, side=SIDE, **amounts).numpy().reshape(images.shape)


def test_nothing_asked_changes_nothing():
    images = strokes()
    np.testing.assert_array_equal(run(images), images)


@pytest.mark.parametrize(
    "amounts",
    [
        {"rotation": 15},
        {"zoom": 0.2},
        {"shift": 0.1},
        {"shear": 0.3},
        {"elastic": 0.03},
        {"stroke": 1.0},
        {"low_resolution": 0.5},
    ],
    ids=str,
)
def test_each_distortion_is_seeded_and_stays_in_range(amounts):
    images = strokes()
    out = run(images, **amounts)
    assert out.shape == images.shape
    assert out.min() >= 0
    assert out.max() <= 1
    assert not np.array_equal(out, images)
    np.testing.assert_array_equal(run(images, **amounts), out)  # same seed
    other = run(images, seed=tf.constant([5, 6], tf.int64), **amounts)
    assert not np.array_equal(other, out)


def test_geometry_moves_the_ink_without_losing_it():
    images = strokes()
    out = run(images, rotation=20, shear=0.2, zoom=0.1, shift=0.05)
    # Each image is moved differently; the ink keeps about its area.
    centres = np.array([ndimage.center_of_mass(image) for image in out])
    assert len({tuple(np.round(c, 1)) for c in centres}) > 20
    np.testing.assert_allclose(out.sum(axis=(1, 2)), images.sum(axis=(1, 2)), rtol=0.3)


def test_stroke_width_thickens_half_and_thins_the_other_half():
    images = ndimage.gaussian_filter(strokes(200), (0, 0.7, 0.7))
    out = run(images, stroke=1.0)
    ink_before = (images > 0.5).sum(axis=(1, 2))
    ink_after = (out > 0.5).sum(axis=(1, 2))
    thicker, thinner = ink_after > ink_before, ink_after < ink_before
    assert thicker.sum() + thinner.sum() == len(images)
    assert 0.3 < thicker.mean() < 0.7


def test_low_resolution_blurs_but_keeps_the_strokes_at_full_intensity():
    images = strokes(64)
    out = run(images, low_resolution=1.0)
    # Coarser: more grey levels at the edges, yet the core still at 1.
    assert all(len(np.unique(image)) > 2 for image in out)
    assert np.all(out.max(axis=(1, 2)) == pytest.approx(1.0))


def test_low_resolution_draws_a_size_for_each_image():
    out = run(strokes(64), low_resolution=1.0)
    # One batch of one digit: each image made coarse at a size of its own
    # (7 to 14 pixels a side), so they come out different.
    assert len({image.round(5).tobytes() for image in out}) >= 5


def test_the_compiled_augmentation_distorts_as_augment_does():
    # What training runs: compiled by XLA, which draws its own random numbers
    # from the seeds. Not augment's images, but the same distortions.
    amounts = {"rotation": 10.0, "elastic": 0.02, "low_resolution": 0.5}
    compiled = compiled_augmentation(SIDE, **amounts)
    assert compiled_augmentation(SIDE, **amounts) is compiled  # compiled once
    images = strokes(1024)
    flat = tf.constant(images.reshape(len(images), -1))
    out = compiled(flat, SEED).numpy().reshape(images.shape)
    np.testing.assert_array_equal(compiled(flat, SEED), out.reshape(flat.shape))
    assert out.min() >= 0
    assert out.max() <= 1
    expected = run(images, **amounts)
    # Each distortion drawn as often and as far: the mean change of the
    # pixels and the share at full intensity as augment's, over 1,024 images.
    change, expected_change = (
        np.abs(out - images).mean(),
        np.abs(expected - images).mean(),
    )
    assert change == pytest.approx(expected_change, rel=0.05)
    assert (out > 0.5).mean() == pytest.approx((expected > 0.5).mean(), rel=0.05)
