"""How well a model file tells digits from what is not one, and how honest
its probabilities are.

The non-digits are a validation set of this script's own, drawn apart from
the training's synthesised ones (:func:`~digit_classifier.datasets.make_non_digits`)
and saved as image files that go through the input path of
``digit-classifier predict``:

- drawn: doodles and hand-drawn letters and signs on a 280x280 canvas, as
  the web page's (a smiley, a star, a house, a heart, a spiral, an arrow,
  A, M, Q, W, K, R, E, F, H, X, ?, #), strokes jittered;
- photos: synthetic scenes (lit, textured backgrounds with shaded objects,
  sensor noise, JPEG);
- text: letters, signs and words typed in the fonts this machine has;
- patterns: stripes, checkerboards, noise.

The digits: MNIST's validation part (the last 10,000 training digits, as
arrays; its test set with ``--test``) and the real handwriting of
``load_real_digits`` drawn as scans.
Printed: per family, how many files are declined (an input that the input
path refuses, "no digit found", counts as declined, as a user sees it); the
AUROC of the model's ``score_samples`` and of the candidates (highest
probability, energy, Mahalanobis distance on the last hidden layer) between
digits and non-digits; the expected calibration error on each digit set.

Usage::

    DIGIT_CLASSIFIER_DATA=../shared/data/mnist \\
    DIGIT_CLASSIFIER_REAL_DATA=../shared/data/real_digits \\
        python benchmarks/open_set.py runs/<run>/model.zip [--n 300]
"""

import argparse
import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from sklearn.metrics import roc_auc_score

from digit_classifier import load_predictor
from digit_classifier.datasets import draw_scans, load_mnist, load_real_digits
from digit_classifier.images import DigitImageError, read_digit_inputs
from digit_classifier.inference import ACTIVATIONS, DigitCommittee
from digit_classifier.reporting import expected_calibration_error

FAMILIES = ("drawn", "photos", "text", "patterns")
CANVAS = 280
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Italic.ttf",
)
TEXTS = [
    "A",
    "M",
    "Q",
    "W",
    "K",
    "R",
    "E",
    "F",
    "H",
    "X",
    "?",
    "&",
    "#",
    "@",
    "Hi",
    "OK",
    "yes",
    "cat",
    "STOP",
    "EXIT",
    "km",
    "->",
    "%",
    "$",
    "x=y",
]
# Doodles and letters as strokes on a unit square (0-1), jittered when drawn.
TEMPLATES = {
    "A": [[(0.2, 0.9), (0.5, 0.1), (0.8, 0.9)], [(0.32, 0.6), (0.68, 0.6)]],
    "M": [[(0.15, 0.9), (0.2, 0.1), (0.5, 0.6), (0.8, 0.1), (0.85, 0.9)]],
    "W": [[(0.1, 0.1), (0.3, 0.9), (0.5, 0.4), (0.7, 0.9), (0.9, 0.1)]],
    "K": [[(0.3, 0.1), (0.3, 0.9)], [(0.75, 0.1), (0.3, 0.55), (0.75, 0.9)]],
    "R": [[(0.3, 0.9), (0.3, 0.1), (0.7, 0.15), (0.72, 0.4), (0.3, 0.5), (0.75, 0.9)]],
    "E": [
        [(0.75, 0.1), (0.3, 0.1), (0.3, 0.9), (0.75, 0.9)],
        [(0.3, 0.5), (0.65, 0.5)],
    ],
    "F": [[(0.75, 0.1), (0.3, 0.1), (0.3, 0.9)], [(0.3, 0.5), (0.65, 0.5)]],
    "H": [
        [(0.25, 0.1), (0.25, 0.9)],
        [(0.75, 0.1), (0.75, 0.9)],
        [(0.25, 0.5), (0.75, 0.5)],
    ],
    "X": [[(0.2, 0.1), (0.8, 0.9)], [(0.8, 0.1), (0.2, 0.9)]],
    "#": [
        [(0.35, 0.1), (0.3, 0.9)],
        [(0.7, 0.1), (0.65, 0.9)],
        [(0.1, 0.35), (0.9, 0.35)],
        [(0.1, 0.65), (0.9, 0.65)],
    ],
    "house": [
        [(0.2, 0.9), (0.2, 0.45), (0.5, 0.15), (0.8, 0.45), (0.8, 0.9), (0.2, 0.9)],
        [(0.2, 0.45), (0.8, 0.45)],
    ],
    "arrow": [[(0.1, 0.5), (0.9, 0.5)], [(0.65, 0.25), (0.9, 0.5), (0.65, 0.75)]],
    "star": [
        [
            (0.5, 0.05),
            (0.62, 0.38),
            (0.95, 0.38),
            (0.68, 0.6),
            (0.8, 0.95),
            (0.5, 0.73),
            (0.2, 0.95),
            (0.32, 0.6),
            (0.05, 0.38),
            (0.38, 0.38),
            (0.5, 0.05),
        ]
    ],
}


def _circle(cx, cy, r, start=0.0, stop=2 * math.pi, n=24):
    t = np.linspace(start, stop, n)
    return list(zip(cx + r * np.cos(t), cy + r * np.sin(t), strict=True))


# Curved ones, made of arcs.
TEMPLATES.update(
    smiley=[
        _circle(0.5, 0.5, 0.4),
        _circle(0.35, 0.38, 0.04),
        _circle(0.65, 0.38, 0.04),
        _circle(0.5, 0.5, 0.25, 0.5, 2.6),
    ],
    Q=[_circle(0.5, 0.45, 0.35), [(0.55, 0.65), (0.85, 0.95)]],
    question=[
        _circle(0.5, 0.3, 0.22, math.pi, 2.4 * math.pi) + [(0.5, 0.65)],
        _circle(0.5, 0.88, 0.03),
    ],
    heart=[
        _circle(0.33, 0.35, 0.18, 0.8 * math.pi, 2 * math.pi)
        + _circle(0.67, 0.35, 0.18, math.pi, 2.2 * math.pi)
        + [(0.5, 0.9), (0.17, 0.45)]
    ],
    spiral=[
        [
            (0.5 + 0.04 * t * math.cos(t), 0.5 + 0.04 * t * math.sin(t))
            for t in np.linspace(0, 10, 60)
        ]
    ],
    sun=[_circle(0.5, 0.5, 0.2)]
    + [
        [
            (0.5 + 0.28 * math.cos(a), 0.5 + 0.28 * math.sin(a)),
            (0.5 + 0.45 * math.cos(a), 0.5 + 0.45 * math.sin(a)),
        ]
        for a in np.linspace(0, 2 * math.pi, 8, endpoint=False)
    ],
)


def drawn(rng):
    """A doodle or a letter drawn on the page's canvas, black on white."""
    name = rng.choice(sorted(TEMPLATES))
    image = Image.new("L", (CANVAS, CANVAS), 255)
    draw = ImageDraw.Draw(image)
    scale = rng.uniform(120, 240)
    offset = rng.uniform(10, CANVAS - scale - 10, size=2)
    width = int(rng.integers(8, 20))
    for stroke in TEMPLATES[name]:
        points = np.array(stroke) * scale + offset
        points += rng.normal(0, 0.02 * scale, size=points.shape)
        draw.line([tuple(p) for p in points], fill=0, width=width, joint="curve")
    return image


def photo(rng):
    """A synthetic photo: lit, textured background, shaded objects, noise."""
    height, width = 240, 320
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    colour = rng.uniform(60, 220, size=3)
    light = 1 + rng.uniform(-0.4, 0.4) * x + rng.uniform(-0.4, 0.4) * y
    pixels = colour * light[..., None]
    texture = np.asarray(
        Image.fromarray(
            rng.integers(0, 255, (height // 8, width // 8), dtype=np.uint8)
        ).resize((width, height), Image.Resampling.BICUBIC),
        dtype=float,
    )
    pixels += (texture[..., None] - 128) * rng.uniform(0, 0.3)
    for _ in range(rng.integers(1, 5)):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        rx, ry = rng.uniform(20, 120), rng.uniform(20, 100)
        inside = ((np.arange(width)[None] - cx) / rx) ** 2 + (
            (np.arange(height)[:, None] - cy) / ry
        ) ** 2 < 1
        shade = 1 - 0.5 * (np.arange(width)[None] - cx) / (2 * rx)
        pixels[inside] = rng.uniform(0, 255, size=3) * shade[..., None].repeat(
            height, 0
        )[inside].reshape(-1, 1)
    pixels += rng.normal(0, rng.uniform(2, 12), size=pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    return image.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.5)))


def text(rng):
    """Letters, signs or a word typed in one of this machine's fonts."""
    fonts = [f for f in FONT_FILES if _exists(f)]
    size = int(rng.integers(60, 160))
    font = (
        ImageFont.truetype(str(rng.choice(fonts)), size)
        if fonts
        else ImageFont.load_default(size=size)
    )
    image = Image.new("L", (400, 240), 255)
    ImageDraw.Draw(image).text((20, 20), str(rng.choice(TEXTS)), fill=0, font=font)
    return image


def pattern(rng):
    """Stripes, a checkerboard or noise."""
    side = int(rng.integers(64, 200))
    y, x = np.mgrid[0:side, 0:side]
    period = rng.uniform(6, 30)
    kind = rng.integers(3)
    if kind == 0:
        angle = rng.uniform(0, math.pi)
        values = np.sin((x * math.cos(angle) + y * math.sin(angle)) / period * 6.28)
    elif kind == 1:
        values = np.sign(np.sin(x / period * 3.14) * np.sin(y / period * 3.14))
    else:
        values = rng.normal(size=(side, side))
    return Image.fromarray(((values > 0) * 255).astype(np.uint8))


def _exists(path):
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False


def non_digit_files(n_per_family, seed=0):
    """The validation non-digits, each as the bytes of an image file."""
    rng = np.random.default_rng(seed)
    makers = {"drawn": drawn, "photos": photo, "text": text, "patterns": pattern}
    files = {}
    for family in FAMILIES:
        files[family] = []
        for _ in range(n_per_family):
            buffer = io.BytesIO()
            image = makers[family](rng)
            image.save(buffer, format="JPEG" if family == "photos" else "PNG")
            files[family].append(buffer.getvalue())
    return files


def read(files):
    """The MNIST-form digits of image files; None for those refused, and
    whether each holds several digit-sized marks (declined as several digits)."""
    digits, several = [], []
    for data in files:
        try:
            inputs = read_digit_inputs(data, 784)
        except DigitImageError:
            digits.append(None)
            several.append(False)
            continue
        digits.append(inputs.images[0])
        several.append(inputs.marks[0] > 1)
    return digits, np.array(several)


def candidate_scores(predictor, images, reference):
    """Each candidate score of `images`: higher for more digit-like."""
    members = (
        predictor.members_ if isinstance(predictor, DigitCommittee) else [predictor]
    )
    scores = {"model": predictor.score_samples(images)}
    proba = predictor.predict_proba(images)
    scores["max probability"] = proba.max(axis=1)
    mahalanobis = []
    for member in members:
        hidden = _last_hidden(member, images)
        means, precision = reference[id(member)]
        distances = [
            np.einsum("ij,jk,ik->i", hidden - m, precision, hidden - m) for m in means
        ]
        mahalanobis.append(-np.min(distances, axis=0))
    scores["mahalanobis"] = np.mean(mahalanobis, axis=0)
    return scores


def _last_hidden(member, images):
    rows = member._check_rows(images)
    values = (member._normalized(rows) / 255).astype(np.float64)
    for coef, bias in zip(member.coefs_[:-1], member.intercepts_[:-1], strict=True):
        values = ACTIVATIONS[member.activation](values @ coef + bias)
    return values


def mahalanobis_reference(predictor, X, y):
    """Class means and the shared precision of the last hidden layer."""
    members = (
        predictor.members_ if isinstance(predictor, DigitCommittee) else [predictor]
    )
    reference = {}
    for member in members:
        hidden = _last_hidden(member, X)
        means = [hidden[y == c].mean(axis=0) for c in np.unique(y)]
        centred = hidden - np.array(means)[np.searchsorted(np.unique(y), y)]
        covariance = centred.T @ centred / len(hidden)
        reference[id(member)] = (
            means,
            np.linalg.pinv(covariance + 1e-6 * np.eye(len(covariance))),
        )
    return reference


def main(argv=None, sink=print):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a model.zip written by train")
    parser.add_argument("--n", type=int, default=300, help="non-digits per family")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data-dir", help="MNIST's folder (default: DIGIT_CLASSIFIER_DATA)"
    )
    parser.add_argument(
        "--real-dir", help="real digits' folder (default: DIGIT_CLASSIFIER_REAL_DATA)"
    )
    parser.add_argument(
        "--test",
        action="store_true",
        help="measure on MNIST's test set (once, for the final report) instead of "
        "the last 10,000 training digits (for a model fitted without them)",
    )
    parser.add_argument(
        "--accept",
        type=float,
        default=0.99,
        help="for a model without a threshold: the fraction of MNIST's digits "
        "to accept (default: 0.99)",
    )
    args = parser.parse_args(argv)
    predictor = load_predictor(args.model)
    (X_train, y_train), (X_test, y_test) = load_mnist(args.data_dir)
    reference = mahalanobis_reference(predictor, X_train[:10000], y_train[:10000])
    mnist = "MNIST test" if args.test else "MNIST validation"
    digit_sets = {
        mnist: (X_test, y_test) if args.test else (X_train[-10000:], y_train[-10000:])
    }
    threshold = predictor.threshold
    if threshold is None:
        scores = predictor.score_samples(digit_sets[mnist][0])
        threshold = float(np.quantile(scores, 1 - args.accept))
    results = {"threshold": threshold, "declined": {}, "ece": {}, "auroc": {}}
    sink(
        f"threshold {threshold:.3f} (the model's: {predictor.threshold}), "
        f"temperature {predictor.temperature:.3f}"
    )
    several = {mnist: np.zeros(len(digit_sets[mnist][0]), dtype=bool)}
    for source, (real, labels) in load_real_digits(args.real_dir).items():
        scans, marks = read(draw_scans(real))
        kept = [s is not None for s in scans]
        name = f"{source} scans"
        digit_sets[name] = (np.stack([s for s in scans if s is not None]), labels[kept])
        several[name] = marks[kept]
    digit_scores = {}
    sink("\ndigits: declined (as several digits), accuracy, ECE")
    for name, (images, y) in digit_sets.items():
        scores = candidate_scores(predictor, images, reference)
        digit_scores[name] = scores
        proba = predictor.predict_proba(images)
        declined = np.mean((scores["model"] < threshold) | several[name])
        accuracy = np.mean(predictor.classes_[proba.argmax(axis=1)] == y)
        ece = expected_calibration_error(y, proba, predictor.classes_)
        results["declined"][name], results["ece"][name] = declined, ece
        sink(
            f"  {name:26} {declined:7.2%} ({several[name].mean():.2%}) "
            f"{accuracy:8.2%} {ece:7.2%}"
        )

    files = non_digit_files(args.n, args.seed)
    sink("\nnon-digits: declined (refused by the input path, several digits)")
    all_scores, total = [], 0
    for family, data in files.items():
        digits, marks = read(data)
        kept = [d is not None for d in digits]
        refused = len(data) - sum(kept)
        scores = candidate_scores(
            predictor, np.stack([d for d in digits if d is not None]), reference
        )
        all_scores.append((scores, refused))
        declined = refused + np.sum((scores["model"] < threshold) | marks[kept])
        total += declined
        results["declined"][family] = declined / len(data)
        sink(
            f"  {family:10} {declined / len(data):7.2%} "
            f"({refused / len(data):.1%}, {marks.mean():.1%})"
        )
    results["declined"]["non-digits"] = total / (len(FAMILIES) * args.n)
    sink(f"  {'all':10} {results['declined']['non-digits']:7.2%}")

    sink("\nAUROC, digits against the non-digits the input path reads")
    for candidate in all_scores[0][0]:
        outside = np.concatenate([s[candidate] for s, _ in all_scores])
        line = []
        for name, scores in digit_scores.items():
            inside = scores[candidate]
            truth = np.r_[np.ones(len(inside)), np.zeros(len(outside))]
            auroc = roc_auc_score(truth, np.r_[inside, outside])
            results["auroc"][(candidate, name)] = auroc
            line.append(f"{name} {auroc:.4f}")
        sink(f"  {candidate:16} " + ", ".join(line))
    return results


if __name__ == "__main__":
    main()
