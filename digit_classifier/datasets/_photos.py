"""MNIST digits drawn as phones' photos of them on paper, saved as JPEG files."""

from pathlib import Path

import numpy as np
from PIL import Image

# make_photo_digits: the 28x28 frame is enlarged 1.5 to 5 times (digits of
# about 30 to 100 px), on a canvas 1.2 to 2.5 times as large each way.
PHOTO_SCALE_RANGE = (1.5, 5.0)
PHOTO_CANVAS_RANGE = (1.2, 2.5)
# The fraction in chalk on a dark board rather than ink on paper, the largest
# fall of the light from one side to the other, the sensor noise and the
# JPEG quality.
PHOTO_LIGHT_INK_FRACTION = 0.2
PHOTO_MAX_LIGHT_FALLOFF = 0.3
PHOTO_NOISE_STD_RANGE = (2.0, 10.0)
PHOTO_JPEG_QUALITY_RANGE = (60, 90)


def make_photo_digits(digits, folder, *, random_state=None):
    """Draw MNIST digits as photos of them written on paper; save them as JPEG.

    Each digit is drawn as a phone's photo of it might look: dark ink on
    light, coloured paper (now and then chalk, light on a dark board),
    enlarged, off-centre on a larger canvas, under uneven light, with sensor
    noise, saved as a JPEG file of random quality. The tests, the photo
    benchmark and the README's pictures use these to check that
    :func:`~digit_classifier.load_digit_image` brings photos back to MNIST's
    form; they are MNIST's own handwriting, so they say nothing of how the
    model reads other writers.

    Parameters
    ----------
    digits : array-like of shape (n_digits, 28, 28), dtype uint8
        MNIST digits, light on dark.

    folder : str or os.PathLike
        An existing folder for the files ``photo00000.jpg``, ...

    random_state : int or None, default=None
        Seed of the random drawing; an int gives the same files every time.

    Returns
    -------
    paths : list of pathlib.Path
        The files, in the order of `digits`.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from digit_classifier.datasets import make_photo_digits
    >>> digit = np.zeros((28, 28), dtype=np.uint8)
    >>> digit[4:24, 12:16] = 255  # a "1"
    >>> [path] = make_photo_digits([digit], tempfile.mkdtemp(), random_state=0)
    >>> path.name, Image.open(path).format, Image.open(path).mode
    ('photo00000.jpg', 'JPEG', 'RGB')
    """
    rng = np.random.default_rng(random_state)
    paths = []
    for i, digit in enumerate(np.asarray(digits, dtype=np.uint8)):
        path = Path(folder) / f"photo{i:05d}.jpg"
        quality = int(rng.integers(*PHOTO_JPEG_QUALITY_RANGE, endpoint=True))
        _photo_of(digit, rng).save(path, quality=quality)
        paths.append(path)
    return paths


def _photo_of(digit, rng):
    """One MNIST digit drawn as an RGB photo of it on paper (a PIL image)."""
    side = round(digit.shape[0] * rng.uniform(*PHOTO_SCALE_RANGE))
    ink = Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC)
    coverage = np.asarray(ink, dtype=np.float32)[..., np.newaxis] / 255

    height, width = (round(side * rng.uniform(*PHOTO_CANVAS_RANGE)) for _ in range(2))
    top = rng.integers(0, height - side + 1)
    left = rng.integers(0, width - side + 1)
    if rng.random() < PHOTO_LIGHT_INK_FRACTION:
        paper, ink_colour = rng.uniform(0, 70, 3), rng.uniform(190, 255, 3)
    else:
        paper, ink_colour = rng.uniform(170, 255, 3), rng.uniform(0, 90, 3)
    canvas = np.empty((height, width, 3), dtype=np.float32)
    canvas[:] = paper
    placed = canvas[top : top + side, left : left + side]
    placed[:] = placed * (1 - coverage) + ink_colour * coverage

    # Uneven light: brightness falls linearly along a random direction.
    angle = rng.uniform(0, 2 * np.pi)
    rows, cols = np.mgrid[0:height, 0:width]
    along = rows * np.sin(angle) + cols * np.cos(angle)
    along = (along - along.min()) / max(np.ptp(along), 1)
    canvas *= (1 - rng.uniform(0, PHOTO_MAX_LIGHT_FALLOFF) * along)[..., np.newaxis]
    canvas += rng.normal(0, rng.uniform(*PHOTO_NOISE_STD_RANGE), canvas.shape)
    return Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))
