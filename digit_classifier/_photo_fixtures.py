"""Photo-like image files of MNIST digits, for tests and benchmarks.

Each 28x28 MNIST digit is drawn the way a photo of it written on paper might
look: dark ink on light, coloured paper (now and then chalk, light on a dark
board), enlarged, off-centre on a larger canvas, under uneven light, with
sensor noise, saved as JPEG. The tests and ``benchmarks/photo_accuracy.py``
share this one generator, so that the benchmark measures what the tests
guard. Private: not part of the library's API.
"""

from pathlib import Path

import numpy as np
from PIL import Image

# The 28x28 frame is enlarged 1.5 to 5 times: digits of about 30 to 100 px.
SCALE_RANGE = (1.5, 5.0)
# Each side of the canvas is 1.2 to 2.5 times the enlarged frame.
CANVAS_RANGE = (1.2, 2.5)
# Fraction of the images in chalk on a dark board rather than ink on paper.
LIGHT_INK_FRACTION = 0.2
# The light falls by up to this fraction from one side of the canvas to the
# other, in a random direction.
MAX_LIGHT_FALLOFF = 0.3
NOISE_STD_RANGE = (2.0, 10.0)
JPEG_QUALITY_RANGE = (60, 90)


def photo_like(digit, rng):
    """Draw one MNIST digit as a photo of it on paper.

    Parameters
    ----------
    digit : ndarray of shape (28, 28), dtype uint8
        An MNIST digit, light on dark.

    rng : numpy.random.Generator
        The source of the random size, place, colours, light and noise.

    Returns
    -------
    photo : PIL.Image.Image
        An RGB image of a few hundred pixels a side.
    """
    side = round(digit.shape[0] * rng.uniform(*SCALE_RANGE))
    ink = Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC)
    coverage = np.asarray(ink, dtype=np.float32)[..., np.newaxis] / 255

    height, width = (round(side * rng.uniform(*CANVAS_RANGE)) for _ in range(2))
    top = rng.integers(0, height - side + 1)
    left = rng.integers(0, width - side + 1)
    if rng.random() < LIGHT_INK_FRACTION:
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
    canvas *= (1 - rng.uniform(0, MAX_LIGHT_FALLOFF) * along)[..., np.newaxis]
    canvas += rng.normal(0, rng.uniform(*NOISE_STD_RANGE), canvas.shape)
    return Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))


def write_photo_like(digits, folder, *, random_state=None):
    """Save a photo-like JPEG file of each digit.

    Parameters
    ----------
    digits : ndarray of shape (n_digits, 28, 28), dtype uint8
        MNIST digits, light on dark.

    folder : str or os.PathLike
        An existing folder for the files ``photo00000.jpg``, ...

    random_state : int or None, default=None
        Seed of the random drawing; an int gives the same files every time.

    Returns
    -------
    paths : list of pathlib.Path
        The files, in the order of `digits`.
    """
    rng = np.random.default_rng(random_state)
    paths = []
    for i, digit in enumerate(digits):
        path = Path(folder) / f"photo{i:05d}.jpg"
        quality = int(rng.integers(*JPEG_QUALITY_RANGE, endpoint=True))
        photo_like(digit, rng).save(path, quality=quality)
        paths.append(path)
    return paths
