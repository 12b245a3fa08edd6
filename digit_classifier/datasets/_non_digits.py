"""Synthesised non-digits: what a digit classifier learns to decline.

A network trained on digits alone answers a digit for anything, letters and
doodles included, with near-certainty. Trained besides to answer "no idea"
(equal probabilities) for examples of what is not a digit, it learns where
the digits end: outlier exposure (Hendrycks et al., 2019). The examples are
drawn here, by code, in MNIST's form: light marks centred in a 28x28 frame,
as :func:`~digit_classifier.images.to_mnist_form` gives any image:

- scribbles: several random strokes, curved and straight, of random width;
- shapes: filled and outlined polygons, stars, grids, several blobs;
- doodles: closed curves with something more (a tail, eyes and a mouth,
  a cross, rays, a second loop), hearts, spirals;
- letters and signs, in Pillow's own font at random sizes, slants and
  weights: only those no writer's digit looks like (no O, I, l, S, Z, B...);
- noise: smooth random fields cut at a threshold, speckle;
- pairs and overlays of digits, when digits are given: two digits squeezed
  side by side into one frame, or drawn over each other.
"""

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from ..images import to_mnist_form
from ..images._mnist_form import bounding_box

KINDS = ("scribbles", "shapes", "letters", "noise", "digit pairs")
# Letters and signs that no handwritten digit is: O, o, D (0), I, l, i, j,
# J, T, t, L, Y, V (1, 7), S, s, Z, z, B, G, b, g, q, e, a (2, 5, 6, 8, 9)
# are left out; Q, A, & and $ are in, as users draw them to try the model.
GLYPHS = "ACEFHKMNPQRUWXkmnprwx#%&@$*+=?<>"
# Drawn on a canvas this large, then brought to MNIST's form.
CANVAS = 56
# Marks this many times taller than wide are drawn again: they look like 1s.
MAX_ASPECT = 2.5


def make_non_digits(n_images, *, digits=None, random_state=None):
    """Draw images of what is not a digit, in MNIST's 28x28 form.

    Parameters
    ----------
    n_images : int
        How many to draw, in about equal numbers of each kind (pairs and
        overlays of digits only when `digits` are given).

    digits : array-like of shape (n_digits, 28, 28), default=None
        Digits, light on dark, to draw pairs and overlays of.

    random_state : int, numpy.random.Generator or None, default=None
        Seed of the drawing; an int gives the same images every time.

    Returns
    -------
    images : ndarray of shape (n_images, 28, 28), dtype uint8
        Light marks on 0, their longest side 20 pixels, centred by mass.

    Examples
    --------
    >>> from digit_classifier.datasets import make_non_digits
    >>> images = make_non_digits(10, random_state=0)
    >>> images.shape, images.dtype, int(images.max())
    ((10, 28, 28), dtype('uint8'), 255)
    """
    rng = np.random.default_rng(random_state)
    draw = [_scribble, _shape, _doodle, _glyph, _noise]
    if digits is not None and len(digits) > 1:
        digits = np.asarray(digits, dtype=np.uint8)
        draw.append(lambda rng: _digit_pair(digits, rng))
    images = np.zeros((n_images, 28, 28), dtype=np.uint8)
    for i in range(n_images):
        while True:
            marks = draw[i % len(draw)](rng)
            if marks.any() and not _looks_like_a_one(marks):
                images[i] = to_mnist_form(marks)
                break
    return images


def _looks_like_a_one(marks):
    rows, cols = bounding_box(marks > 0)
    return rows.stop - rows.start > MAX_ASPECT * (cols.stop - cols.start)


def _canvas():
    image = Image.new("L", (CANVAS, CANVAS), 0)
    return image, ImageDraw.Draw(image)


def _points(rng, n):
    return [tuple(p) for p in rng.uniform(4, CANVAS - 4, size=(n, 2))]


def _scribble(rng):
    """Three to six strokes, each a polyline or a smoothed random walk."""
    image, draw = _canvas()
    width = int(rng.integers(2, 6))
    for _ in range(rng.integers(3, 7)):
        if rng.random() < 0.5:
            draw.line(_points(rng, int(rng.integers(2, 5))), fill=255, width=width)
        else:
            steps = np.cumsum(rng.normal(0, 4, size=(12, 2)), axis=0)
            start = rng.uniform(12, CANVAS - 12, size=2)
            path = np.clip(start + steps, 2, CANVAS - 2)
            draw.line([tuple(p) for p in path], fill=255, width=width, joint="curve")
    return np.asarray(image)


def _shape(rng):
    """A filled or outlined polygon or star, a grid, or several blobs."""
    image, draw = _canvas()
    width = int(rng.integers(2, 5))
    kind = rng.integers(4)
    if kind == 0:  # a polygon of 3 to 8 corners, filled or not
        # Corners in order around the centre: a simple polygon, no knots.
        n = int(rng.integers(3, 9))
        angles = np.sort(rng.uniform(0, 2 * np.pi, size=n))
        radii = rng.uniform(10, 26, size=n)
        corners = [
            (CANVAS / 2 + r * np.cos(a), CANVAS / 2 + r * np.sin(a))
            for a, r in zip(angles, radii, strict=True)
        ]
        draw.polygon(
            corners, fill=255 if rng.random() < 0.5 else None, outline=255, width=width
        )
    elif kind == 1:  # a star
        n = int(rng.integers(5, 9))
        angles = np.linspace(0, 2 * np.pi, 2 * n, endpoint=False) + rng.uniform(0, 6)
        radii = np.where(np.arange(2 * n) % 2, 10, 24) * rng.uniform(0.7, 1.1)
        star = np.c_[np.cos(angles), np.sin(angles)] * radii[:, None] + CANVAS / 2
        draw.polygon(
            [tuple(p) for p in star],
            fill=255 if rng.random() < 0.5 else None,
            outline=255,
            width=width,
        )
    elif kind == 2:  # a grid or hatching
        n = int(rng.integers(2, 5))
        for x in np.linspace(8, CANVAS - 8, n):
            draw.line(
                [(x, 6), (x + rng.normal(0, 3), CANVAS - 6)], fill=255, width=width
            )
        if rng.random() < 0.7:
            for y in np.linspace(8, CANVAS - 8, n):
                draw.line(
                    [(6, y), (CANVAS - 6, y + rng.normal(0, 3))], fill=255, width=width
                )
    else:  # two to five filled blobs
        for _ in range(rng.integers(2, 6)):
            (x, y), r = rng.uniform(8, CANVAS - 8, size=2), rng.uniform(3, 9)
            draw.ellipse([x - r, y - r * rng.uniform(0.5, 1.5), x + r, y + r], fill=255)
    return np.asarray(image)


def _doodle(rng):
    """A closed curve with something more, a heart or a spiral: never a bare 0."""
    image, draw = _canvas()
    width = int(rng.integers(2, 6))
    centre = CANVAS / 2 + rng.normal(0, 2, size=2)
    radii = rng.uniform(12, 24, size=2)

    def arc(start, stop, scale=1.0, at=centre, n=40):
        t = np.linspace(start, stop, n)
        ring = np.c_[np.cos(t), np.sin(t)] * radii * scale + at
        ring += rng.normal(0, 0.6, size=ring.shape)
        return [tuple(p) for p in ring]

    kind = rng.integers(6)
    if kind == 4:  # a heart: two arcs meeting in a point
        draw.line(
            arc(0.8 * np.pi, 2 * np.pi, 0.5, centre - [radii[0] / 2, 4])
            + arc(np.pi, 2.2 * np.pi, 0.5, centre + [radii[0] / 2, -4])
            + [(centre[0], centre[1] + radii[1])],
            fill=255,
            width=width,
        )
        return np.asarray(image)
    if kind == 5:  # a spiral
        t = np.linspace(0, rng.uniform(3, 6) * np.pi, 80)
        path = np.c_[np.cos(t), np.sin(t)] * (t / t[-1])[:, None] * radii + centre
        draw.line([tuple(p) for p in path], fill=255, width=width)
        return np.asarray(image)
    draw.line(arc(0, 2 * np.pi), fill=255, width=width)
    if kind == 0:  # a tail across the curve, slanting down as a Q's (not a 6's)
        angle = rng.choice([0.25, 0.75]) * np.pi + rng.uniform(-0.1, 0.1) * np.pi
        inner, outer = (
            centre + np.array([np.cos(angle), np.sin(angle)]) * radii * k
            for k in (0.5, 1.4)
        )
        draw.line([tuple(inner), tuple(outer)], fill=255, width=width)
    elif kind == 1:  # a face: eyes and a mouth
        for side in (-1, 1):
            eye = centre + [side * radii[0] * 0.35, -radii[1] * 0.3]
            draw.ellipse([*(eye - 2.5), *(eye + 2.5)], fill=255)
        draw.line(arc(0.2 * np.pi, 0.8 * np.pi, 0.5, n=12), fill=255, width=width)
    elif kind == 2:  # a cross or a bar through it
        for angle in rng.uniform(0, np.pi, size=int(rng.integers(1, 3))):
            offset = np.array([np.cos(angle), np.sin(angle)]) * radii * 1.2
            draw.line(
                [tuple(centre - offset), tuple(centre + offset)], fill=255, width=width
            )
    else:  # rays around it
        for angle in np.linspace(
            0, 2 * np.pi, int(rng.integers(5, 10)), endpoint=False
        ):
            unit = np.array([np.cos(angle), np.sin(angle)])
            draw.line(
                [
                    tuple(centre + unit * radii * 1.2),
                    tuple(centre + unit * radii * 1.6),
                ],
                fill=255,
                width=width,
            )
    return np.asarray(image)


def _glyph(rng):
    """A letter or sign that is not digit-like, slanted and weighted at random."""
    size = int(rng.integers(30, 48))
    image = Image.new("L", (2 * CANVAS, 2 * CANVAS), 0)
    draw = ImageDraw.Draw(image)
    draw.text(
        (CANVAS // 2, CANVAS // 3),
        str(rng.choice(list(GLYPHS))),
        fill=255,
        font=ImageFont.load_default(size=size),
        stroke_width=int(rng.integers(0, 3)),
        stroke_fill=255,
    )
    image = image.rotate(rng.uniform(-20, 20), resample=Image.Resampling.BILINEAR)
    return np.asarray(image)


def _noise(rng):
    """Smooth random field cut at a threshold, or speckle."""
    field = ndimage.gaussian_filter(
        rng.normal(size=(CANVAS, CANVAS)), sigma=rng.uniform(1, 5)
    )
    cut = np.quantile(field, rng.uniform(0.6, 0.95))
    return np.where(field > cut, 255, 0).astype(np.uint8)


def _digit_pair(digits, rng):
    """Two digits side by side in one frame, or one drawn over the other."""
    first, second = digits[rng.choice(len(digits), size=2, replace=False)]
    if rng.random() < 0.6:  # side by side, touching or a little apart
        gap = np.zeros((28, int(rng.integers(0, 6))), dtype=np.uint8)
        return np.hstack([first, gap, second])
    # Far enough apart that the two are not one bold digit.
    shift = rng.integers(5, 10, size=2) * rng.choice([-1, 1], size=2)
    shifted = np.roll(second, tuple(shift), axis=(0, 1))
    return np.maximum(first, shifted)
